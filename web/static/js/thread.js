// The thread page (/t/<id>): the tweets it answers, the tweet, the reply form, and the replies as
// a tree (oldest first among siblings), from GET /tweets/{id} and GET /tweets/{id}/context.
import { TWEET_LIMIT, get, post, tweetLength } from './api.js';
import { $, h, show, showError, tweetItem } from './ui.js';
import { countReply } from './tweetparts.js';

const MAX_INDENT = 4;

/** Replies in reading order: each followed by its own replies, indented one step more. */
function threaded(focusId, descendants) {
  const children = new Map();
  const known = new Set([focusId, ...descendants.map((t) => t.id)]);
  for (const tweet of descendants) {
    const parent = tweet.in_reply_to && known.has(tweet.in_reply_to.id) ? tweet.in_reply_to.id : focusId;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(tweet);
  }
  const ordered = [];
  const visit = (id, depth) => {
    for (const tweet of children.get(id) ?? []) {
      ordered.push([tweet, depth]);
      visit(tweet.id, depth + 1);
    }
  };
  visit(focusId, 1);
  return ordered;
}

function indented(tweet, depth) {
  const item = tweetItem(tweet);
  item.dataset.depth = String(Math.min(depth, MAX_INDENT));
  return item;
}

/** The reply form: counts as the composer does, and names the author being answered. */
function replyForm(tweet, onPosted) {
  const form = $('#reply-form');
  const text = $('#reply-text');
  const counter = $('#reply-counter');
  const submit = $('#reply-submit');
  const me = document.body.dataset.me;
  $('#reply-to').textContent = '@' + tweet.author.username;
  if (me && me.toLowerCase() !== tweet.author.username.toLowerCase()) text.value = `@${tweet.author.username} `;
  const update = () => {
    const left = TWEET_LIMIT - tweetLength(text.value);
    counter.textContent = String(left);
    counter.classList.toggle('over', left < 0);
    submit.disabled = left < 0 || text.value.trim() === '';
  };
  text.addEventListener('input', update);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    showError($('#reply-error'), null);
    try {
      const { tweet: reply } = await post('/tweets', { text: text.value, in_reply_to_id: tweet.id });
      text.value = '';
      onPosted(reply);
    } catch (error) {
      showError($('#reply-error'), error);
    }
    update();
  });
  update();
  show(form);
  if (location.hash === '#reply') {
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  }
}

export async function threadPage() {
  const id = document.body.dataset.tweetId;
  let tweet, context;
  try {
    [{ tweet }, context] = await Promise.all([get(`/tweets/${id}`), get(`/tweets/${id}/context`)]);
  } catch (error) {
    showError($('#thread-error'), error);
    return;
  }
  document.title = `@${tweet.author.username}: ${tweet.text.slice(0, 40)} · Social graph`;
  $('#ancestors').replaceChildren(...context.ancestors.map(tweetItem));
  const focus = tweetItem(tweet);
  focus.classList.add('focus');
  $('#focus').replaceChildren(focus);
  const replies = $('#replies');
  replies.replaceChildren(...threaded(tweet.id, context.descendants).map(([t, depth]) => indented(t, depth)));
  show($('#replies-empty'), replies.children.length === 0);
  if (document.body.dataset.me) {
    replyForm(tweet, (reply) => {
      countReply(tweet.id);
      replies.append(indented(reply, 1));
      show($('#replies-empty'), false);
    });
  }
  $('#thread').setAttribute('aria-busy', 'false');
}
