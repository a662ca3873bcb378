// Finding and filtering: search, tag pages and trending tags, bookmarks, and blocks and mutes
// (the profile's buttons and the page that lists them).
import { del, get, post } from './api.js';
import { $, h, pagedList, show, toast, tweetItem, userLine } from './ui.js';
import { tagUrl } from './tweetparts.js';

const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();

function tweetPages(path, { list = '#tweets', more = '#tweets-more', empty = '#tweets-empty' } = {}) {
  return pagedList({
    list: $(list), more: $(more), empty: $(empty), render: tweetItem,
    load: async (cursor) => {
      const answer = await get(path + (path.includes('?') ? '&' : '?') + query({ limit: 20, cursor }));
      return { items: answer.tweets, next_cursor: answer.next_cursor };
    },
  });
}

function personItem(user) {
  return h('li', { class: 'person', 'data-username': user.username }, userLine(user),
    user.bio ? h('span', { class: 'bio muted small' }, user.bio) : null);
}

// --- search ---------------------------------------------------------------------------------------

export function searchPage() {
  const params = new URLSearchParams(location.search);
  const q = (params.get('q') ?? '').trim();
  const type = params.get('type') === 'users' ? 'users' : 'tweets';
  $('#search-q').value = q;
  for (const tab of document.querySelectorAll('#search-tabs a')) {
    const selected = tab.dataset.type === type;
    tab.href = '/search?' + query({ q, type: tab.dataset.type });
    if (selected) tab.setAttribute('aria-current', 'page');
  }
  if (!q) {
    show($('#results-empty'), false);
    return;
  }
  document.title = `${q} · Search · Social graph`;
  $('#results-title').textContent = `${type === 'users' ? 'People' : 'Tweets'} matching “${q}”`;
  show($('#results-title'));
  $('#results').classList.add(type === 'users' ? 'people' : 'tweets');
  pagedList({
    list: $('#results'), more: $('#results-more'), empty: $('#results-empty'),
    render: type === 'users' ? personItem : tweetItem,
    load: async (cursor) => {
      const answer = await get('/search?' + query({ q, type, limit: 20, cursor }));
      return { items: answer[type], next_cursor: answer.next_cursor };
    },
  }).next();
}

// --- tags -----------------------------------------------------------------------------------------

export function tagPage() {
  const tag = document.body.dataset.tag;
  document.title = `#${tag} · Social graph`;
  tweetPages('/tags/' + encodeURIComponent(tag)).next();
}

/** The home page's trending tags of the last 24 hours. */
export async function trendingTags() {
  const list = $('#trending');
  if (!list) return;
  try {
    const { tags } = await get('/tags/trending?k=10');
    list.replaceChildren(...tags.map(({ tag, count }) => h('li', {},
      h('a', { class: 'hashtag', href: tagUrl(tag) }, '#' + tag),
      h('span', { class: 'muted small' }, `${count} tweet${count === 1 ? '' : 's'}`))));
    show($('#trending-empty'), tags.length === 0);
  } catch (error) {
    toast(error.message);
  }
}

// --- bookmarks ------------------------------------------------------------------------------------

export function bookmarksPage() {
  tweetPages('/bookmarks').next();
}

// --- blocks and mutes -------------------------------------------------------------------------------

const RELATIONS = {
  block: { flag: 'blocking', list: '/blocks', on: 'Block', off: 'Unblock', did: 'Blocked', undid: 'Unblocked' },
  mute: { flag: 'muting', list: '/mutes', on: 'Mute', off: 'Unmute', did: 'Muted', undid: 'Unmuted' },
};

/** Whether the viewer blocks (or mutes) this user: the user object's flag when it has one, else
 * the first page of the viewer's own list. */
async function holds(kind, user) {
  const spec = RELATIONS[kind];
  if (typeof user[spec.flag] === 'boolean') return user[spec.flag];
  const answer = await get(spec.list + '?limit=100');
  return answer.users.some((u) => u.id === user.id);
}

/** The profile's Mute and Block buttons; a block also ends follows both ways, so the profile reloads. */
export async function relationButtons(user, reload) {
  const path = '/users/' + encodeURIComponent(user.username);
  const buttons = [];
  for (const kind of ['mute', 'block']) {
    const spec = RELATIONS[kind];
    const on = await holds(kind, user).catch(() => false);
    buttons.push(h('button', {
      type: 'button', id: kind, class: kind === 'block' && !on ? 'danger' : '', 'aria-pressed': String(on),
      onclick: async (event) => {
        event.currentTarget.disabled = true;
        if (kind === 'block' && !on && !confirm(`Block @${user.username}? You will stop following each other.`)) {
          event.currentTarget.disabled = false;
          return;
        }
        try {
          await (on ? del : post)(`${path}/${kind}`);
          toast(`${on ? spec.undid : spec.did} @${user.username}.`);
        } catch (error) {
          toast(error.message);
        }
        await reload();
      },
    }, on ? spec.off : spec.on));
  }
  return buttons;
}

function relationList(kind) {
  const spec = RELATIONS[kind];
  const render = (user) => {
    const item = personItem(user);
    item.append(h('button', {
      type: 'button', class: 'undo',
      onclick: async (event) => {
        event.currentTarget.disabled = true;
        try {
          await del(`/users/${encodeURIComponent(user.username)}/${kind}`);
          item.remove();
          show($(`#${kind}s-empty`), $(`#${kind}s`).children.length === 0);
        } catch (error) {
          toast(error.message);
          event.currentTarget.disabled = false;
        }
      },
    }, spec.off));
    return item;
  };
  pagedList({
    list: $(`#${kind}s`), more: $(`#${kind}s-more`), empty: $(`#${kind}s-empty`), render,
    load: async (cursor) => {
      const answer = await get(spec.list + '?' + query({ limit: 50, cursor }));
      return { items: answer.users, next_cursor: answer.next_cursor };
    },
  }).next();
}

export function blocksPage() {
  relationList('block');
  relationList('mute');
}
