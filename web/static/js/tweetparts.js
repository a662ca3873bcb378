// The conversation parts of a tweet: its text with linked mentions and hashtags, the "boosted by"
// and "replying to" lines, and the reply, boost and bookmark buttons, which work wherever a tweet
// is shown (every copy on the page shows the same state).
import { del, post } from './api.js';
import { $, h, toast } from './dom.js';

export const profileUrl = (username) => '/u/' + encodeURIComponent(username);
export const tweetUrl = (id) => '/t/' + encodeURIComponent(id);
export const tagUrl = (tag) => '/tags/' + encodeURIComponent(tag.toLowerCase());

// A mention or hashtag starts where no letter, digit, _, @ or # precedes it (not inside a word or
// an e-mail address); which of them count is the server's call, given in tweet.entities.
const TOKEN = /(?<![\p{L}\p{N}_@#])([@#])([\p{L}\p{N}_]+)/gu;

/** The text as text nodes, with the mentions and hashtags the server recognised as links. */
export function richText(tweet) {
  const entities = tweet.entities;
  const known = {
    '@': new Set((entities?.mentions ?? []).map((name) => name.toLowerCase())),
    '#': new Set((entities?.hashtags ?? []).map((tag) => tag.toLowerCase())),
  };
  const parts = [];
  let done = 0;
  for (const match of tweet.text.matchAll(TOKEN)) {
    const [whole, sign, word] = match;
    if (entities && !known[sign].has(word.toLowerCase())) continue;
    parts.push(tweet.text.slice(done, match.index));
    parts.push(sign === '@'
      ? h('a', { class: 'mention', href: profileUrl(word) }, whole)
      : h('a', { class: 'hashtag', href: tagUrl(word) }, whole));
    done = match.index + whole.length;
  }
  parts.push(tweet.text.slice(done));
  return parts.filter((part) => part !== '');
}

export function boostedBy(tweet) {
  const booster = tweet.boosted_by;
  if (!booster) return null;
  return h('p', { class: 'boosted-by' }, h('span', { 'aria-hidden': 'true' }, '⟳ '),
    h('a', { href: profileUrl(booster.username) }, booster.display_name || booster.username), ' boosted');
}

export function replyingTo(tweet) {
  const parent = tweet.in_reply_to;
  if (!parent) return null;
  return h('p', { class: 'replying-to' }, h('a', { href: tweetUrl(parent.id) }, 'Replying to'), ' ',
    parent.author ? h('a', { href: profileUrl(parent.author.username) }, '@' + parent.author.username) : 'a deleted tweet');
}

/** A deleted or hidden tweet of a thread ({id, unavailable}): the thread keeps its place. */
export const isUnavailable = (tweet) => Boolean(tweet.unavailable) || !tweet.author;

export function unavailableItem(tweet) {
  const why = tweet.unavailable === 'hidden' ? 'This tweet is hidden from you.' : 'This tweet was deleted.';
  return h('li', { class: 'tweet unavailable', 'data-id': tweet.id }, h('p', { class: 'text muted' }, why));
}

const signedIn = () => Boolean(document.body.dataset.me);

export function replyButton(tweet) {
  return h('a', { class: 'action reply', href: tweetUrl(tweet.id) + '#reply', 'aria-label': 'Reply', title: 'Reply' },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '↩'), ' ',
    h('span', { class: 'count' }, String(tweet.reply_count ?? 0)));
}

const TOGGLES = {
  boost: {
    icon: () => '⟳', label: (on) => (on ? 'Undo boost' : 'Boost'),
    count: (tweet) => tweet.boost_count ?? 0, state: (tweet) => tweet.boosted,
    answer: (a) => [a.boosted, a.boost_count],
  },
  bookmark: {
    icon: (on) => (on ? '★' : '☆'), label: (on) => (on ? 'Remove bookmark' : 'Bookmark'),
    count: () => null, state: (tweet) => tweet.bookmarked,
    answer: (a, was) => [a?.bookmarked ?? !was, null],
  },
};

function toggleButton(kind, tweet) {
  const spec = TOGGLES[kind];
  const on = Boolean(spec.state(tweet));
  const count = spec.count(tweet);
  return h('button', {
    type: 'button', class: `action ${kind}`, 'aria-pressed': String(on), 'aria-label': spec.label(on),
    title: spec.label(on), disabled: !signedIn(),
  }, h('span', { class: 'icon', 'aria-hidden': 'true' }, spec.icon(on)),
  count === null ? null : [' ', h('span', { class: 'count' }, String(count))]);
}

export const boostButton = (tweet) => toggleButton('boost', tweet);
export const bookmarkButton = (tweet) => toggleButton('bookmark', tweet);

function paint(kind, id, on, count) {
  const spec = TOGGLES[kind];
  for (const item of document.querySelectorAll(`.tweet[data-id="${CSS.escape(id)}"]`)) {
    const button = $(`.${kind}`, item);
    if (!button) continue;
    button.setAttribute('aria-pressed', String(on));
    button.setAttribute('aria-label', spec.label(on));
    button.title = spec.label(on);
    $('.icon', button).textContent = spec.icon(on);
    if (count !== null) $('.count', button).textContent = String(count);
  }
}

/** A reply posted on this page: every copy of the tweet it answers counts one more reply. */
export function countReply(id) {
  for (const count of document.querySelectorAll(`.tweet[data-id="${CSS.escape(id)}"] .reply .count`)) {
    count.textContent = String(Number(count.textContent) + 1);
  }
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest('.tweet .boost, .tweet .bookmark');
  if (!button || button.disabled) return;
  const kind = button.classList.contains('boost') ? 'boost' : 'bookmark';
  const id = button.closest('.tweet').dataset.id;
  const was = button.getAttribute('aria-pressed') === 'true';
  button.disabled = true;
  try {
    const answer = await (was ? del : post)(`/tweets/${id}/${kind}`);
    paint(kind, id, ...TOGGLES[kind].answer(answer, was));
  } catch (error) {
    toast(error.message);
  } finally {
    button.disabled = false;
  }
});
