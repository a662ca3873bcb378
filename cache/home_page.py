"""A home-feed page in one round trip: one script reads the feed's ids, the followed celebrities'
recent tweets, the viewer's network top, and every tweet's body, like count, liked flag and author.

It owns no key: each name comes from its owner (cache.feeds, cache.tweets, cache.popular), and what
the script finds missing (a cold feed, a cold celebrity list, a body, a count) is reported, not
guessed, so the use case falls back to Neo4j and writes back, as the owners' own reads do.
Ids travel as decimal strings: Lua numbers are doubles, and ids are 63-bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

from cache import feeds, popular, tweets

# KEYS: feed, celebs, network top, like counts, liked set.
# ARGV: before id ('' for the first page), its second, count, ttl, feed size, k (0: ids only),
#       author_tweets prefix, tweet prefix, user_brief prefix.
_PAGE = """
local before, second, want = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return {'cold'} end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])

local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

local function newest(key, count)
  local out, older = {}, nil
  if before == '' then
    older = redis.call('ZRANGE', key, '+inf', '(0', 'BYSCORE', 'REV', 'LIMIT', 0, count)
  else
    for _, m in ipairs(redis.call('ZRANGE', key, second, second, 'BYSCORE')) do
      if newer(before, m) then out[#out + 1] = m end
    end
    table.sort(out, newer)
    older = redis.call('ZRANGE', key, '(' .. second, '(0', 'BYSCORE', 'REV', 'LIMIT', 0, count)
  end
  for _, m in ipairs(older) do out[#out + 1] = m end
  while #out > count do table.remove(out) end
  return out
end

local ids = newest(KEYS[1], want)
local cold, merged = {}, false
for _, c in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if c ~= '0' then
    local key = ARGV[7] .. c
    if redis.call('EXISTS', key) == 0 then
      cold[#cold + 1] = c
    else
      for _, m in ipairs(newest(key, want)) do ids[#ids + 1] = m end
      merged = true
    end
  end
end
if #cold > 0 then return {'cold_celebrities', cold} end
if merged then
  local seen, unique = {}, {}
  for _, m in ipairs(ids) do
    if not seen[m] then seen[m] = true; unique[#unique + 1] = m end
  end
  table.sort(unique, newer)
  while #unique > want do table.remove(unique) end
  ids = unique
end
local full = redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[5]) and 1 or 0

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

local wanted, seen = {}, {}
for _, list in ipairs({ids, top_ids}) do
  for _, m in ipairs(list) do
    if not seen[m] then seen[m] = true; wanted[#wanted + 1] = m end
  end
end
local known = redis.call('EXISTS', KEYS[5])
local bodies, counts, liked, authors, users = {}, {}, {}, {}, {}
for i, m in ipairs(wanted) do
  local body = redis.call('GET', ARGV[8] .. m)
  bodies[i] = body
  counts[i] = redis.call('HGET', KEYS[4], m)
  liked[i] = known == 1 and redis.call('SISMEMBER', KEYS[5], m) or 0
  authors[i] = false
  if body then
    local a = string.match(body, '^(%d+)|')
    if a and users[a] == nil then users[a] = redis.call('GET', ARGV[9] .. a) end
    if a then authors[i] = users[a] end
  end
end
return {'ok', ids, full, top and 1 or 0, top_ids, wanted, bodies, counts, known, liked, authors}
"""


@dataclass
class Hydration:
    """What Redis holds for each id of `ids`, in order: None where it holds nothing."""

    ids: list[int]
    bodies: list[bytes | None]
    counts: list[int | None]
    liked: list[bool] | None  # None: the viewer's liked set is cold
    authors: list[bytes | None]


@dataclass
class HomePage:
    ids: list[int]  # the newest `count` ids before the cursor, celebrities merged
    full: bool  # the feed was trimmed: older tweets exist that only Neo4j still lists
    top: list[int] | None = None  # the network top (None when its cache is cold)
    found: Hydration | None = None


@dataclass
class Cold:
    """The feed (celebrities=None) or these celebrities' recent-tweet lists must be rebuilt first."""

    celebrities: list[int] | None = None


def _ids(raw: list) -> list[int]:
    return [int(m) for m in raw]


class HomePages:
    def __init__(self, raw: redis.Redis, ttl_seconds: int):
        """raw must not decode responses: bodies are spliced as bytes."""
        self.ttl = ttl_seconds
        self._page = raw.register_script(_PAGE)

    def read(self, user_id: int, before_id: int | None, count: int, k: int = 0) -> HomePage | Cold:
        """The page's ids; with k > 0 also the network top and every tweet's parts, hydrated."""
        keys = [
            feeds.feed_key(user_id),
            feeds.celebs_key(user_id),
            popular.network_key(user_id),
            tweets.LIKE_COUNTS,
            tweets.liked_key(user_id),
        ]
        args = [
            "" if before_id is None else before_id,
            0 if before_id is None else feeds.score(before_id),
            count,
            self.ttl,
            feeds.FEED_SIZE,
            k,
            tweets.author_key(""),
            tweets.tweet_key(""),
            tweets.user_key(""),
        ]
        out = self._page(keys=keys, args=args)
        status = out[0]
        if status == b"cold":
            return Cold()
        if status == b"cold_celebrities":
            return Cold(_ids(out[1]))
        page = HomePage(_ids(out[1]), bool(out[2]))
        if k:
            _, _, _, has_top, top, wanted, bodies, counts, known, liked, authors = out
            page.top = _ids(top) if has_top else None
            page.found = Hydration(
                ids=_ids(wanted),
                bodies=list(bodies),
                counts=[tweets.like_count(c) for c in counts],
                liked=[bool(x) for x in liked] if known else None,
                authors=list(authors),
            )
        return page
