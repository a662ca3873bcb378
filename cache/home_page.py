"""A home-feed page in one round trip: one script reads the feed's entries (posts and boosts), the
followed celebrities' recent entries, the viewer's network top, the boosters' briefs and the
viewer's hidden set (blocks and mutes), and renders every tweet as the viewer sees it: its body,
its author's brief, its like, reply and boost counts, the viewer's liked, boosted and bookmarked
flags. The rendering is the one social/hydrate.py makes (`_tweet_bodies`); a test holds the two equal
byte for byte (tests/integration/test_home_page_script.py), so the worker splices what the script
made instead of parsing and joining some 300 parts. The script decides nothing: what is hidden is
left out by the visibility rule (social/visibility.py) in social/hydrate.py, from the set read here.

It owns no key: each name comes from its owner (cache.feeds, cache.tweets, cache.popular, cache.hidden), and what
the script finds missing (a cold feed, a cold celebrity list; a tweet with a part missing is not
rendered) is reported, not guessed, so the use case falls back to Neo4j and writes back, as the
owners' own reads do. Ids travel as decimal strings: Lua numbers are doubles, and ids are 63-bit.

On a Redis Cluster those keys lie in many slots: the viewer's own (feed, celebrities, network top,
hidden set: one script), each followed celebrity's (one script each, pipelined); the tweets are
then hydrated by social/hydrate.py from cache.tweets' read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import orjson
import redis

from cache import feeds, hidden, popular, tweets
from cache.client import is_cluster, key_parts, run_scripts
from domain.entries import Entry, parse_member
from domain.tweet_state import COUNTS, FLAGS
from domain.visibility import Relations

# The page's place (ARGV 1-3: before id, '' for the first page; its score; count). Members are
# entries: a tweet id (a post) or "boost id:tweet id:booster id" (domain/entries.py), ordered by
# their entry id (the first number).
_PLACE = """
local before, second, want = ARGV[1], ARGV[2], tonumber(ARGV[3])

local function id_of(m) return string.match(m, '^%d+') end
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
"""

# The newest entries before the place in a feed: a list, newest first, a sentinel last
# (cache/feeds.py), read in growing slices from its head; and whether the feed was cut (the graph
# holds older entries than its last).
_LISTED = feeds.ENDS + """
local function listed(key, count)
  local out, from, step = {}, 0, count + 1
  while count > 0 do
    local got = redis.call('LRANGE', key, from, from + step - 1)
    for _, m in ipairs(got) do
      if is_end(m) then return out end
      if before == '' or newer(before, id_of(m)) then
        out[#out + 1] = m
        if #out == count then return out end
      end
    end
    if #got < step then return out end
    from, step = from + step, step * 2
  end
  return out
end

local function was_cut(key, size)
  return is_cut(redis.call('LINDEX', key, -1), redis.call('LLEN', key) - 1, size) and 1 or 0
end
"""

# The newest entries before the place in an author's list: a sorted set that holds them newest
# second first and, within a second, ascending (cache/tweets.py): each second's run is taken
# backwards, and the last second a page reaches is read whole, since its newest entries lie past
# the range's limit.
_NEWEST = """
local function newest(key, count)
  local out, from = {}, '-inf'
  if before ~= '' then
    local same = redis.call('ZRANGE', key, second, second, 'BYSCORE')
    for i = #same, 1, -1 do
      if #out < count and newer(before, id_of(same[i])) then out[#out + 1] = same[i] end
    end
    from = '(' .. second
  end
  local rest = count - #out
  if rest == 0 then return out end
  local older = redis.call('ZRANGE', key, from, '(0', 'BYSCORE', 'LIMIT', 0, rest, 'WITHSCORES')
  local n = #older
  if n == 2 * rest then
    local last = older[n]
    while n > 0 and older[n] == last do n = n - 2 end
    for _, m in ipairs(redis.call('ZRANGE', key, last, last, 'BYSCORE')) do
      older[n + 1], older[n + 2] = m, last
      n = n + 2
    end
  end
  local i = 1
  while i < n and #out < count do
    local j = i
    while j + 2 < n and older[j + 3] == older[i + 1] do j = j + 2 end
    for p = j, i, -2 do
      if #out < count then out[#out + 1] = older[p] end
    end
    i = j + 2
  end
  return out
end
"""

# Entries older than the newest `horizon` of the merged authors' cut lists are left to the graph:
# the page stops there, and counts as cut (the use case goes on from Cypher).
_HORIZON = """
local function within(ids, horizon)
  if not horizon then return ids, false end
  local kept = {}
  for _, m in ipairs(ids) do
    if not newer(horizon, id_of(m)) then kept[#kept + 1] = m end
  end
  return kept, #kept < want
end
"""

# KEYS: feed, celebs, network top, the like/reply/boost count hashes, the viewer's
#       liked/boosted/bookmarked sets, the viewer's hidden set.
# ARGV: the page's place (above), ttl, feed size (an author's list's too), k (0: entries only),
#       author_entries key's head and tail around the id, tweet prefix, user_brief prefix.
# A tweet is rendered only if every part is there: its body, its author's brief, its three counts
# (stored as 'version:count', cache/tweets.py) and all three of the viewer's flag sets.
_PAGE = _PLACE + _LISTED + _NEWEST + tweets.AUTHOR_HORIZON + _HORIZON + """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'cold'} end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])

-- The feed and each followed celebrity's entries are each newest first: merged by taking the
-- newest head until the page is full, each member once.
local lists = {listed(KEYS[1], want)}
local cold, horizon = {}, nil
for _, c in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if c ~= '0' then
    local key = ARGV[7] .. c .. ARGV[8]
    local got = redis.call('EXISTS', key) == 1 and newest(key, want)
    local h = got and author_horizon(key, got, want, tonumber(ARGV[5]), before)
    if not got or h == 'cold' then
      cold[#cold + 1] = c
    else
      lists[#lists + 1] = got
      if h and (horizon == nil or newer(h, horizon)) then horizon = h end
    end
  end
end
if #cold > 0 then return {'cold_celebrities', cold} end
local ids = lists[1]
if #lists > 1 then
  local heads, head_ids, seen = {}, {}, {}
  for l = 1, #lists do
    heads[l] = 1
    head_ids[l] = lists[l][1] and id_of(lists[l][1])
  end
  ids = {}
  while #ids < want do
    local best = nil
    for l = 1, #lists do
      if head_ids[l] and (best == nil or newer(head_ids[l], head_ids[best])) then best = l end
    end
    if best == nil then break end
    local m = lists[best][heads[best]]
    if not seen[m] then seen[m] = true; ids[#ids + 1] = m end
    heads[best] = heads[best] + 1
    local nxt = lists[best][heads[best]]
    head_ids[best] = nxt and id_of(nxt)
  end
end
local full = was_cut(KEYS[1], tonumber(ARGV[5]))
local short
ids, short = within(ids, horizon)
if short then full = 1 end

local k = tonumber(ARGV[6])
if k == 0 then return {'ok', ids, full} end
local top = redis.call('GET', KEYS[3])
local top_ids = {}
if top then
  for m in string.gmatch(top, '%d+') do
    if #top_ids >= k then break end
    top_ids[#top_ids + 1] = m
  end
end

local wanted, seen, booster_ids, booster_seen = {}, {}, {}, {}
for _, m in ipairs(ids) do
  local _, tweet, booster = string.match(m, '^(%d+):(%d+):(%d+)$')
  if not tweet then tweet = m end
  if not seen[tweet] then seen[tweet] = true; wanted[#wanted + 1] = tweet end
  if booster and not booster_seen[booster] then
    booster_seen[booster] = true; booster_ids[#booster_ids + 1] = booster
  end
end
for _, m in ipairs(top_ids) do
  if not seen[m] then seen[m] = true; wanted[#wanted + 1] = m end
end
local rendered = {}
if #wanted > 0 then
  local body_keys = {}
  for i, m in ipairs(wanted) do body_keys[i] = ARGV[9] .. m end
  local bodies = redis.call('MGET', unpack(body_keys))
  local counts, flags, known = {}, {}, true
  for c = 1, 3 do counts[c] = redis.call('HMGET', KEYS[3 + c], unpack(wanted)) end
  for f = 1, 3 do
    known = known and redis.call('EXISTS', KEYS[6 + f]) == 1
    flags[f] = known and redis.call('SMISMEMBER', KEYS[6 + f], unpack(wanted)) or {}
  end
  local author_of, user_keys, slot = {}, {}, {}
  for i, body in ipairs(bodies) do
    local a = body and string.match(body, '^(%d+)|')
    author_of[i] = a
    if a and not slot[a] then
      user_keys[#user_keys + 1] = ARGV[10] .. a
      slot[a] = #user_keys
    end
  end
  local briefs = #user_keys > 0 and redis.call('MGET', unpack(user_keys)) or {}
  local function count(stored) return stored and string.match(stored, ':(%d+)$') end
  local function flag(f, i) return flags[f][i] == 1 and 'true' or 'false' end
  for i = 1, #wanted do
    local body = bodies[i]
    local brief = author_of[i] and briefs[slot[author_of[i]]]
    local likes, replies, boosts = count(counts[1][i]), count(counts[2][i]), count(counts[3][i])
    if known and brief and likes and replies and boosts then
      -- one chain of '..': one concatenation (a table.concat of the parts cost about 25 µs more a page)
      rendered[i] = body .. ',"author":' .. brief .. ',"like_count":' .. likes .. ',"liked":' .. flag(1, i)
        .. ',"reply_count":' .. replies .. ',"boost_count":' .. boosts .. ',"boosted":' .. flag(2, i)
        .. ',"bookmarked":' .. flag(3, i)
    else
      rendered[i] = false
    end
  end
end
local boosters = {}
for i, b in ipairs(booster_ids) do boosters[i] = redis.call('GET', ARGV[10] .. b) end
return {'ok', ids, full, top and 1 or 0, top_ids, wanted, rendered, booster_ids, boosters,
        redis.call('SMEMBERS', KEYS[10])}
"""

# On a cluster, the viewer's part (one slot). KEYS: feed, celebs, network top, hidden set; ARGV as
# _PAGE's first six. The feed's entries, the followed celebrities, the top and the hidden set.
_VIEWER_PART = _PLACE + _LISTED + """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'cold'} end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local celebs = {}
for _, c in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if c ~= '0' then celebs[#celebs + 1] = c end
end
local full = was_cut(KEYS[1], tonumber(ARGV[5]))
if tonumber(ARGV[6]) == 0 then return {'ok', listed(KEYS[1], want), full, celebs} end
return {'ok', listed(KEYS[1], want), full, celebs, redis.call('GET', KEYS[3]) or '', redis.call('SMEMBERS', KEYS[4])}
"""

# On a cluster, one celebrity's part (their slot). KEYS: author_entries; ARGV: the page's place,
# the author list's size. Its entries, and its horizon ('' when it was not cut).
_AUTHOR_PART = _PLACE + _NEWEST + tweets.AUTHOR_HORIZON + """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'cold'} end
local got = newest(KEYS[1], want)
local h = author_horizon(KEYS[1], got, want, tonumber(ARGV[4]), before)
if h == 'cold' then return {'cold'} end
return {'ok', got, h or ''}
"""


@dataclass
class Rendered:
    """What the page's script made of each id of `ids`, in order: the tweet as the viewer sees it
    (the author's id, '|', then its JSON without the closing brace), or None where Redis lacked a
    part of it (the use case completes those)."""

    ids: list[int] = field(default_factory=list)
    tweets: list[bytes | None] = field(default_factory=list)
    users: dict[int, bytes | None] = field(default_factory=dict)  # boosters' briefs read with the page
    relations: Relations | None = None  # the viewer's hidden set as read with the page (None: cold)


@dataclass
class HomePage:
    entries: list[Entry]  # the newest `count` entries before the cursor, celebrities merged
    full: bool  # the feed was cut: older tweets exist that only Neo4j still lists
    top: list[int] | None = None  # the network top (None when its cache is cold)
    found: Rendered | None = None


@dataclass
class Cold:
    """The feed (celebrities=None) or these celebrities' recent-tweet lists must be rebuilt first."""

    celebrities: list[int] | None = None


def _ids(raw: list) -> list[int]:
    return [int(m) for m in raw]


def _entry_id(member: bytes) -> int:
    return int(member.split(b":", 1)[0])


class HomePages:
    def __init__(self, raw: redis.Redis, ttl_seconds: int, size: int):
        """raw must not decode responses: bodies are spliced as bytes. size: the newest entries a feed
        and an author's list keep (settings.feed_size)."""
        self.r = raw
        self.ttl = ttl_seconds
        self.size = size
        self.cluster = is_cluster(raw)
        self._page = raw.register_script(_PAGE)
        self._viewer_part = raw.register_script(_VIEWER_PART)
        self._author_part = raw.register_script(_AUTHOR_PART)

    def read(self, user_id: int, before_id: int | None, count: int, k: int = 0) -> HomePage | Cold:
        """The page's ids; with k > 0 also the network top and every tweet's parts, hydrated. One
        script call on a server; on a cluster, the viewer's slot, the celebrities', then the tweets'."""
        place = ["" if before_id is None else before_id, 0 if before_id is None else tweets.score(before_id), count]
        if self.cluster:
            return self._read_apart(user_id, place, k)
        keys = [
            feeds.feed_key(user_id),
            feeds.celebs_key(user_id),
            popular.network_key(user_id),
            *[tweets.count_key(kind) for kind in COUNTS],
            *[tweets.flag_key(kind, user_id) for kind in FLAGS],
            hidden.hidden_key(user_id),
        ]
        args = [*place, self.ttl, self.size, k, *key_parts(tweets.author_key), tweets.tweet_key(""),
                tweets.user_key("")]
        out = self._page(keys=keys, args=args)
        status = out[0]
        if status == b"cold":
            return Cold()
        if status == b"cold_celebrities":
            return Cold(_ids(out[1]))
        page = HomePage([parse_member(m) for m in out[1]], bool(out[2]))
        if k:
            _, _, _, has_top, top, wanted, rendered, booster_ids, boosters, hid = out
            page.top = _ids(top) if has_top else None
            page.found = Rendered(_ids(wanted), rendered, dict(zip(_ids(booster_ids), boosters)), _relations(hid))
        return page

    def _read_apart(self, user_id: int, place: list, k: int) -> HomePage | Cold:
        """The page as _PAGE reads it, from the slots it spans on a cluster."""
        keys = [feeds.feed_key(user_id), feeds.celebs_key(user_id), popular.network_key(user_id),
                hidden.hidden_key(user_id)]
        out = self._viewer_part(keys=keys, args=[*place, self.ttl, self.size, k])
        if out[0] == b"cold":
            return Cold()
        members, full, celebs = out[1], out[2], out[3]
        if celebs:
            parts = run_scripts(self.r, ((self._author_part, [tweets.author_key(int(c))], [*place, self.size])
                                         for c in celebs))
            cold = [int(c) for c, part in zip(celebs, parts) if part[0] == b"cold"]
            if cold:
                return Cold(cold)
            merged = dict.fromkeys([*members, *(m for part in parts for m in part[1])])
            members = sorted(merged, key=_entry_id, reverse=True)[: place[2]]
            horizons = [_entry_id(part[2]) for part in parts if part[2]]
            if horizons:  # as _PAGE's `within`
                members = [m for m in members if _entry_id(m) >= max(horizons)]
                full = full or len(members) < place[2]
        page = HomePage([parse_member(m) for m in members], bool(full))
        if k:
            top, hid = out[4], out[5]
            page.top = orjson.loads(top)[:k] if top else None
            page.found = Rendered(relations=_relations(hid))
        return page


def _relations(hid: list) -> Relations | None:
    return hidden.relations_from(m.decode() for m in hid) if hid else None
