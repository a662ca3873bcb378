// Building blocks shared by the pages: times, users, tweets, paged lists. Text always goes in as
// text, never as HTML.
import { del, post } from './api.js';
import { $, h, show, toast } from './dom.js';
import { mediaBlock } from './media.js';
import {
  bookmarkButton, boostButton, boostedBy, isUnavailable, profileUrl, replyButton, replyingTo, richText, tweetUrl,
  unavailableItem,
} from './tweetparts.js';

export { $, h, show, showError, toast } from './dom.js';

const MINUTE = 60_000, HOUR = 60 * MINUTE, DAY = 24 * HOUR;
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "now", "5m", "3h", "2d", or the date beyond a week; "in 5m" and so on for times to come. */
export function timeAgo(iso) {
  const then = new Date(iso);
  const age = Date.now() - then.getTime();
  const span = Math.abs(age);
  if (span < MINUTE) return 'now';
  if (span >= 7 * DAY) return dateFormat.format(then);
  const [unit, suffix] = span < HOUR ? [MINUTE, 'm'] : span < DAY ? [HOUR, 'h'] : [DAY, 'd'];
  const text = `${Math.floor(span / unit)}${suffix}`;
  return age < 0 ? `in ${text}` : text;
}

export function when(iso) {
  return h('time', { datetime: iso, title: fullFormat.format(new Date(iso)) }, timeAgo(iso));
}

export function userLine(user) {
  return h('span', { class: 'who' },
    h('a', { class: 'name', href: profileUrl(user.username) }, user.display_name || user.username),
    ' ', h('span', { class: 'handle' }, '@' + user.username));
}

function likeButton(tweet) {
  return h('button', {
    type: 'button', class: 'like', 'aria-pressed': String(Boolean(tweet.liked)),
    'aria-label': tweet.liked ? 'Unlike' : 'Like', disabled: !document.body.dataset.me,
  }, h('span', { class: 'heart', 'aria-hidden': 'true' }, tweet.liked ? '♥' : '♡'), ' ',
  h('span', { class: 'count' }, String(tweet.like_count)));
}

/** One tweet as a list item; its buttons work wherever it is shown. A deleted or hidden tweet in a
 * thread is a placeholder, so the thread reads on. */
export function tweetItem(tweet) {
  if (isUnavailable(tweet)) return unavailableItem(tweet);
  return h('li', { class: 'tweet', 'data-id': tweet.id },
    boostedBy(tweet),
    h('div', { class: 'meta' }, userLine(tweet.author), h('span', { class: 'sep' }, '·'),
      h('a', { class: 'permalink', href: tweetUrl(tweet.id), title: 'Open the thread' }, when(tweet.created_at))),
    replyingTo(tweet),
    h('p', { class: 'text' }, ...richText(tweet)),
    mediaBlock(tweet.media),
    h('div', { class: 'actions' }, replyButton(tweet), boostButton(tweet), likeButton(tweet), bookmarkButton(tweet)));
}

/** Every copy of a tweet on the page (feed and popular) shows the same like state. */
function paintLike(id, liked, count) {
  for (const item of document.querySelectorAll(`.tweet[data-id="${CSS.escape(id)}"]`)) {
    const button = $('.like', item);
    button.setAttribute('aria-pressed', String(liked));
    button.setAttribute('aria-label', liked ? 'Unlike' : 'Like');
    $('.heart', button).textContent = liked ? '♥' : '♡';
    $('.count', button).textContent = String(count);
  }
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest('.tweet .like');
  if (!button || button.disabled) return;
  const id = button.closest('.tweet').dataset.id;
  const liked = button.getAttribute('aria-pressed') === 'true';
  button.disabled = true;
  try {
    const answer = await (liked ? del : post)(`/tweets/${id}/like`);
    paintLike(id, answer.liked, answer.like_count);
  } catch (error) {
    toast(error.message);
  } finally {
    button.disabled = false;
  }
});

/** A list fed page by page from a cursor endpoint, with its "load more" button and empty note. */
export function pagedList({ list, more, empty, load, render }) {
  let cursor = null;
  let loading = false;
  async function next() {
    if (loading) return;
    loading = true;
    more.disabled = true;
    try {
      const page = await load(cursor);
      list.append(...page.items.map(render));
      cursor = page.next_cursor;
      show(more, Boolean(cursor));
      show(empty, list.children.length === 0);
    } catch (error) {
      toast(error.message);
    } finally {
      more.disabled = false;
      loading = false;
    }
  }
  more.addEventListener('click', next);
  return { next, prepend(item) { list.prepend(render(item)); show(empty, false); } };
}
