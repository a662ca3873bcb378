// The pages: each shell names itself in <body data-page>, and the matching function fills it.
import { TWEET_LIMIT, del, get, patch, post, signOut, signedIn, tweetLength } from './api.js';
import { blocksPage, bookmarksPage, relationButtons, searchPage, tagPage, trendingTags } from './discover.js';
import { openSocket, openStream } from './live.js';
import { attachments } from './media.js';
import { localPath } from './paths.js';
import { threadPage } from './thread.js';
import { tweetUrl } from './tweetparts.js';
import { $, h, pagedList, show, showError, toast, tweetItem, userLine, when } from './ui.js';

const me = document.body.dataset.me;
const page = document.body.dataset.page;
const subject = document.body.dataset.username; // the profile's or the conversation's user
const sameUser = (a, b) => Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
const byId = (a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();

// --- every signed-in page: sign out, the unread badge, live events --------------------------------

const live = { notification: [], tweet: [], message: [], media: [], reset: [] }; // reset: frames were missed for good

function onLive(type, handle) {
  live[type].push(handle);
}

// A notification's frame is pushed before the notification is stored (docs/events.md), so the
// count read at once may not hold it yet: after a frame, the count is read again, later, until it grows.
const BADGE_DELAYS_MS = [100, 400, 1000, 2500];
let badgeTimer;
let badgeCount = 0;
function refreshBadge(afterFrame = false, attempt = 0) {
  clearTimeout(badgeTimer); // a burst of notifications costs one request
  const before = badgeCount;
  badgeTimer = setTimeout(async () => {
    let count;
    try {
      ({ unread_count: count } = await get('/notifications?limit=1'));
    } catch {
      return; // the badge keeps its last count; the next event tries again
    }
    badgeCount = count;
    const badge = $('#unread-badge');
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.setAttribute('aria-label', `${count} unread`);
    show(badge, count > 0);
    if (afterFrame && count <= before && attempt + 1 < BADGE_DELAYS_MS.length) refreshBadge(true, attempt + 1);
  }, BADGE_DELAYS_MS[attempt]);
}

function startSignedIn() {
  $('#sign-out').addEventListener('click', () => signOut(() => post('/auth/logout').catch(() => {})));
  refreshBadge();
  onLive('notification', () => refreshBadge(true));
  onLive('reset', () => refreshBadge());
  onLive('message', ({ message }) => {
    const { from } = message;
    if (!(page === 'conversation' && sameUser(from, subject)) && !sameUser(from, me)) {
      show($('#message-dot'));
      toast(`New message from @${from}`);
    }
  });
  openStream(Object.fromEntries(Object.keys(live).map((type) => [type, (data) => live[type].forEach((f) => f(data))])));
}

// --- sign in, sign up ---------------------------------------------------------------------------

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function submitting(form, errorBox, work) {
  const button = $('button[type=submit]', form);
  button.disabled = true;
  showError(errorBox, null);
  try {
    await work();
  } catch (error) {
    showError(errorBox, error);
    button.disabled = false;
  }
}

function signinPage() {
  const form = $('#signin-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitting(form, $('#form-error'), async () => {
      const { username, password } = formValues(form);
      await post('/auth/login', { username, password });
      location.assign(localPath(form.dataset.next));
    });
  });
}

function signupPage() {
  const form = $('#signup-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitting(form, $('#form-error'), async () => {
      const { username, password, display_name: displayName } = formValues(form);
      await post('/auth/register', { username, password, ...(displayName ? { display_name: displayName } : {}) });
      await post('/auth/login', { username, password });
      location.assign('/');
    });
  });
}

// --- home: composer, feed, popular -------------------------------------------------------------

function homePage() {
  const feedList = $('#feed');
  const feed = pagedList({
    list: feedList, more: $('#feed-more'), empty: $('#feed-empty'), render: tweetItem,
    load: async (cursor) => {
      const answer = await get('/feed/home?' + query({ limit: 20, cursor }));
      if (!cursor) showPopular(answer.popular);
      return { items: answer.tweets, next_cursor: answer.next_cursor };
    },
  });
  feed.next();
  const addToFeed = (tweet) => {
    if (!feedList.querySelector(`.tweet[data-id="${CSS.escape(tweet.id)}"]`)) feed.prepend(tweet);
  };
  onLive('tweet', ({ tweet }) => addToFeed(tweet));
  composer(addToFeed);
  trendingTags();
}

function showPopular(tweets) {
  $('#popular').replaceChildren(...tweets.map(tweetItem));
  show($('#popular-empty'), tweets.length === 0);
}

function composer(onPosted) {
  const form = $('#composer');
  const text = $('#compose-text');
  const counter = $('#compose-counter');
  const submit = $('#compose-submit');
  const attached = attachments({
    button: $('#compose-attach'), input: $('#compose-file'), list: $('#compose-media'), changed: () => update(),
  });
  onLive('media', attached.onMedia);
  const update = () => {
    const left = TWEET_LIMIT - tweetLength(text.value);
    counter.textContent = String(left);
    counter.classList.toggle('warn', left < 20 && left >= 0);
    counter.classList.toggle('over', left < 0);
    // media still uploading or processing (or failed) cannot be posted yet
    submit.disabled = left < 0 || text.value.trim() === '' || attached.busy() || attached.failed();
  };
  text.addEventListener('input', update);
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    showError($('#compose-error'), null);
    try {
      const { tweet } = await post('/tweets', { text: text.value, media_ids: attached.ready() });
      text.value = '';
      attached.clear();
      onPosted(tweet);
    } catch (error) {
      showError($('#compose-error'), error);
    }
    update();
  });
  update();
}

// --- profile: card, follow, edit, tweets ----------------------------------------------------------

function profilePage() {
  const path = '/users/' + encodeURIComponent(subject);
  const own = sameUser(me, subject);

  async function load() {
    try {
      const { user } = await get(path);
      render(user);
      return true;
    } catch (error) {
      $('#profile').hidden = true;
      showError($('#profile-error'), error);
      return false;
    }
  }

  function render(user) {
    document.title = `${user.display_name || user.username} (@${user.username}) · Social graph`;
    $('#profile-name').textContent = user.display_name || user.username;
    $('#profile-handle').replaceChildren(h('span', {}, '@' + user.username,
      user.followed_by ? h('span', { class: 'pill' }, 'Follows you') : null));
    $('#profile-bio').textContent = user.bio || '';
    $('#profile-stats').replaceChildren(
      stat(user.tweets_count, 'Tweets', 'tweets'), stat(user.following_count, 'Following', 'following'),
      stat(user.followers_count, 'Followers', 'followers'),
      h('span', { class: 'muted' }, 'Joined ', when(user.created_at)));
    $('#profile-actions').replaceChildren(...actions(user));
    relations(user);
    $('#profile').setAttribute('aria-busy', 'false');
    const form = $('#profile-edit');
    form.elements.display_name.value = user.display_name || '';
    form.elements.bio.value = user.bio || '';
  }

  const stat = (count, label, key) =>
    h('span', { class: 'stat', 'data-stat': key }, h('strong', {}, String(count)), ' ' + label);

  function actions(user) {
    if (own) {
      return [h('a', { class: 'button', href: '/blocks' }, 'Blocked and muted'),
        h('button', { type: 'button', id: 'edit-profile', onclick: () => editing(true) }, 'Edit profile')];
    }
    if (!signedIn) return [];
    const following = Boolean(user.following);
    return [
      h('a', { class: 'button', href: '/messages/' + encodeURIComponent(user.username) }, 'Message'),
      h('button', {
        type: 'button', id: 'follow', class: following ? '' : 'primary', 'aria-pressed': String(following),
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            await (following ? del : post)(path + '/follow');
          } catch (error) {
            toast(error.message);
          }
          await load();
        },
      }, following ? 'Unfollow' : 'Follow'),
    ];
  }

  let shown = 0; // the latest render's number: a slower earlier one must not add its buttons
  async function relations(user) {
    if (own || !signedIn) return;
    const render = ++shown;
    const buttons = await relationButtons(user, load);
    if (render === shown) $('#profile-actions').append(...buttons);
  }

  function editing(on) {
    show($('#profile-edit'), on);
    show($('#profile-actions'), !on);
    showError($('#edit-error'), null);
    if (on) $('#profile-edit').elements.display_name.focus();
  }

  if (own) {
    $('#edit-cancel').addEventListener('click', () => editing(false));
    const form = $('#profile-edit');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitting(form, $('#edit-error'), async () => {
        const { display_name: displayName, bio } = formValues(form);
        const { user } = await patch('/users/me', { display_name: displayName, bio });
        render(user);
        editing(false);
        $('button[type=submit]', form).disabled = false;
      });
    });
  }

  load().then((found) => {
    if (!found) return;
    pagedList({
      list: $('#profile-tweets'), more: $('#profile-more'), empty: $('#profile-tweets-empty'), render: tweetItem,
      load: async (cursor) => {
        const answer = await get(path + '/tweets?' + query({ limit: 20, cursor }));
        return { items: answer.tweets, next_cursor: answer.next_cursor };
      },
    }).next();
  });
}

// --- notifications ------------------------------------------------------------------------------

function notificationText(n) {
  const others = (n.count ?? 1) - 1; // likes and follows of one kind come grouped
  const actor = [userLine(n.actor), others > 0 ? ` and ${others} other${others > 1 ? 's' : ''}` : null];
  switch (n.type) {
    case 'like':
      return [actor, ' liked your tweet', n.tweet ? h('q', { class: 'quoted' }, n.tweet.text) : null];
    case 'follow':
      return [actor, ' followed you'];
    case 'mention':
      return [actor, ' mentioned you', aboutTweet(n)];
    case 'reply':
      return [actor, ' replied to your tweet', aboutTweet(n)];
    case 'boost':
      return [actor, ' boosted your tweet', aboutTweet(n)];
    case 'message':
      return [actor, ' sent you a ', h('a', { href: '/messages/' + encodeURIComponent(n.actor.username) }, 'message'),
        n.message ? h('q', { class: 'quoted' }, n.message.text) : null];
    default:
      return [actor, ` (${n.type})`];
  }
}

const aboutTweet = (n) => (n.tweet ? h('a', { class: 'quoted', href: tweetUrl(n.tweet.id) }, n.tweet.text) : null);

function notificationItem(n) {
  const attributes = {
    class: n.read ? 'notification' : 'notification unread', 'data-id': n.id, 'data-group': n.group_key ?? n.id, 'data-type': n.type,
  };
  return h('li', attributes,
    h('span', { class: 'icon', 'aria-hidden': 'true' }, { like: '♥', follow: '+', message: '✉', mention: '@', reply: '↩', boost: '⟳' }[n.type] ?? '•'),
    h('span', { class: 'body' }, ...notificationText(n)), when(n.created_at));
}

function notificationsPage() {
  const list = $('#notifications');
  let newest = null;
  const markRead = async (upTo) => {
    if (upTo === null) return;
    await post('/notifications/read', { up_to: upTo });
    refreshBadge();
  };
  const notes = pagedList({
    list, more: $('#notifications-more'), empty: $('#notifications-empty'), render: notificationItem,
    load: async (cursor) => {
      const answer = await get('/notifications?' + query({ limit: 30, cursor }));
      if (!cursor && answer.notifications.length) newest = answer.notifications[0].id;
      return { items: answer.notifications, next_cursor: answer.next_cursor };
    },
  });
  notes.next().then(() => markRead(newest));
  onLive('notification', ({ notification: n }) => {
    // A group that grew comes back with a newer id but the same group_key: replace its old entry.
    list.querySelector(`[data-group="${CSS.escape(String(n.group_key ?? n.id))}"]`)?.remove();
    notes.prepend(n);
    markRead(n.id);
  });
}

// --- messages -------------------------------------------------------------------------------------

function messagesPage() {
  show($('#message-dot'), false);
  $('#open-conversation').addEventListener('submit', (event) => {
    event.preventDefault();
    location.assign('/messages/' + encodeURIComponent($('#conversation-with').value.trim()));
  });
  get('/notifications?limit=100').then(({ notifications }) => {
    const seen = new Map();
    for (const n of notifications) {
      const key = n.actor.username.toLowerCase();
      if (n.type === 'message' && !seen.has(key)) seen.set(key, n);
    }
    $('#correspondents').replaceChildren(...[...seen.values()].map((n) => h('li', {},
      userLine(n.actor), h('a', { class: 'button', href: '/messages/' + encodeURIComponent(n.actor.username) }, 'Open'),
      when(n.created_at))));
    show($('#correspondents'), seen.size > 0);
    show($('#correspondents-empty'), seen.size === 0);
  }).catch((error) => toast(error.message));
}

function conversationPage() {
  const list = $('#messages');
  const path = '/messages/' + encodeURIComponent(subject);
  const shown = new Set();
  let cursor = null;

  const messageItem = (m) => h('li', { class: sameUser(m.from, me) ? 'message mine' : 'message', 'data-id': m.id },
    h('p', { class: 'text' }, m.text), when(m.created_at));

  function add(messages, atTop) {
    const fresh = messages.filter((m) => !shown.has(m.id)).sort(byId);
    fresh.forEach((m) => shown.add(m.id));
    const items = fresh.map(messageItem);
    if (atTop) list.prepend(...items);
    else list.append(...items);
    show($('#messages-empty'), shown.size === 0);
    if (!atTop && items.length) items.at(-1).scrollIntoView({ block: 'end' });
  }

  async function earlier() {
    const answer = await get(path + '?' + query({ limit: 50, cursor }));
    cursor = answer.next_cursor;
    add(answer.messages, true);
    show($('#conversation-more'), Boolean(cursor));
  }
  $('#conversation-more').addEventListener('click', () => earlier().catch((error) => toast(error.message)));
  earlier().then(() => list.lastElementChild?.scrollIntoView({ block: 'end' })).catch((error) => {
    showError($('#message-error'), error);
  });

  const inThisConversation = (m) => [m.from, m.to].some((name) => sameUser(name, subject));
  const receive = ({ message }) => {
    if (inThisConversation(message)) add([message], false);
  };
  onLive('message', receive);

  const socket = openSocket({
    onFrame: (frame) => {
      if (frame.type === 'message') receive(frame);
      else if (frame.type === 'error') showError($('#message-error'), frame.error);
    },
    onState: (open) => { $('#socket-state').textContent = open ? 'Live' : 'Reconnecting…'; },
  });

  const form = $('#message-form');
  const input = $('#message-text');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    showError($('#message-error'), null);
    try {
      if (socket.open) socket.send({ type: 'message', to: subject, text });
      else receive(await post(path, { text }));
      input.value = '';
    } catch (error) {
      showError($('#message-error'), error);
    }
  });
}

// --- sessions -------------------------------------------------------------------------------------

function device(userAgent) {
  if (!userAgent) return 'Unknown device';
  const browser = /(Edg|Firefox|HeadlessChrome|Chromium|Chrome|Safari|curl|python-requests)\/[\d.]+/.exec(userAgent);
  const system = /(Windows|Android|iPhone|iPad|Mac OS X|Linux|CrOS)/.exec(userAgent);
  return [browser?.[0].split('.')[0] ?? userAgent.slice(0, 40), system?.[1]].filter(Boolean).join(' on ');
}

function sessionItem(s) {
  const item = h('li', { class: 'card session', 'data-id': s.id },
    h('div', {},
      h('strong', { title: s.user_agent || '' }, device(s.user_agent)),
      s.current ? h('span', { class: 'pill' }, 'This browser') : null,
      h('p', { class: 'muted small' }, 'Signed in ', when(s.created_at), ' · last active ', when(s.last_seen_at),
        ' · expires ', when(s.expires_at))),
    h('button', {
      type: 'button', class: 'danger',
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        const revoke = () => del('/auth/sessions/' + encodeURIComponent(s.id));
        try {
          if (s.current) return await signOut(revoke);
          await revoke();
          item.remove();
          toast('Session revoked: that browser is signed out.');
        } catch (error) {
          toast(error.message);
          button.disabled = false;
        }
      },
    }, s.current ? 'Sign out' : 'Revoke'));
  return item;
}

async function sessionsPage() {
  const { sessions } = await get('/auth/sessions');
  sessions.sort((a, b) => (b.current - a.current) || b.last_seen_at.localeCompare(a.last_seen_at));
  $('#sessions').replaceChildren(...sessions.map(sessionItem));
}

// --- start ----------------------------------------------------------------------------------------

const PAGES = {
  signin: signinPage, signup: signupPage, home: homePage, profile: profilePage,
  notifications: notificationsPage, messages: messagesPage, conversation: conversationPage, sessions: sessionsPage,
  thread: threadPage, search: searchPage, tag: tagPage, bookmarks: bookmarksPage, blocks: blocksPage,
};

if (me) startSignedIn();
Promise.resolve(PAGES[page]?.()).catch((error) => toast(error.message));
