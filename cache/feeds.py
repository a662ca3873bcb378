"""Owns every home-feed key: `home_list:{u:ID}`, `feed_celebs:{u:ID}` and `feed_boosts:{u:ID}`, tagged
by their reader, so one reader's keys share a slot; fan-out goes by slot, one script call per slot and
batch (on a single server, per batch), all in one pipeline.

A feed entry is a tweet id (a post) or a boost's member `"{boost_id}:{tweet_id}:{booster_id}"`:
its place in the feed is its entry id (the tweet's id, or the boost's own time-ordered id).
`feed_boosts:{user_id}` maps each boosted tweet id to its entry, so a tweet shows once per feed
however many followed users boost it: a boost is added only when neither the tweet nor another
boost of it is already there (as Mastodon's reblog tracking does).

A feed is a Redis list of entries, newest first, each once. Nearly every entry a fan-out brings is
newer than the feed's head, so it is pushed on the head without looking further: a sorted set had
to walk its 800 entries to learn whether the member was there, which made Redis's share of a post
grow with the feed (about 15 µs a feed against 4 as a list, docs/performance.md item 26), and a list
of 800 ids takes about 8 KB instead of 14. An older entry (a late fan-out) is put in its place by a
scan. A sentinel ends every feed, so a feed that exists was built even when it holds no tweet:
"missing" always means "cold: rebuild from Neo4j", and fan-out only ever adds to feeds that exist (a
feed of a user inactive past the TTL expires and is rebuilt on their next read). The sentinel says
whether the graph holds older entries than the feed: "0" when it holds none, "more" when the feed
was cut back to its newest `size` (or built from them), so that a page that reaches its end goes on
from Neo4j; a feed that reached its size counts as cut too (feeds written before the mark). An
entry older than all of a cut feed stays out of it (a reader would miss the ones between), and a
cut feed that loses its last entry is dropped, to be rebuilt. Feeds kept as
sorted sets lived under `home_feed:{u:ID}`; they are never read and expire with their TTL.
"""
from __future__ import annotations

import redis

from cache.client import Call, by_slot, run_scripts, user_tag
from domain.entries import boost_member, parse_member

SENTINEL = "0"
CUT = "more"  # the sentinel of a feed the graph holds older entries for (the Lua below spells it too)
BATCH = 1000
FEW = 16  # removing more entries than this from one feed rewrites it once instead of one LREM each

# Entry ids are decimal strings (Lua numbers are doubles, ids 63-bit): the longer, the newer.
_ORDER = """
local function id_of(m) return string.match(m, '^%d+') end
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
"""

# The two sentinels: a feed's end, and whether the graph holds older entries than the feed (it was
# cut), given its sentinel and how many entries precede it. cache/home_page.py reads feeds with them.
ENDS = """
local function is_end(m) return m == '0' or m == 'more' end
local function is_cut(last, entries, size) return last == 'more' or entries >= size end
"""

# place: puts member m in its place in a feed; the feed's length after, or 0 when there is no feed
# (it is cold), its entry is there already, or it is older than all of a cut feed. An entry older
# than the head (posts committed out of their ids' order, a redelivered fan-out) is nearly always
# near it: the feed is read from its head in growing slices.
# trim: a feed `length` long that has grown an eighth past its size keeps its newest `size` entries,
# then the cut's sentinel (a trim at every push doubled its cost).
# drop_if_bare: a cut feed whose last entry went is dropped (nothing tells what an entry would miss).
_PLACE = _ORDER + ENDS + """
local function place_behind(key, m, id, size, from)
  local step = 4
  while true do
    local got = redis.call('LRANGE', key, from, from + step - 1)
    for i, x in ipairs(got) do
      if is_end(x) then
        if is_cut(x, from + i - 1, size) then return 0 end
        return redis.call('LINSERT', key, 'BEFORE', x, m)
      end
      if newer(id, id_of(x)) then return redis.call('LINSERT', key, 'BEFORE', x, m) end
      if id_of(x) == id then return 0 end
    end
    if #got < step then return 0 end
    from, step = from + step, step * 2
  end
end

local function place(key, m, size)
  local id, head = id_of(m), redis.call('LINDEX', key, 0)
  if not head then return 0 end
  if head == '0' or (head ~= 'more' and newer(id, id_of(head))) then return redis.call('LPUSH', key, m) end
  return place_behind(key, m, id, size, 0)
end

local function trim(key, size, length)
  if length > size + math.floor(size / 8) + 1 then
    redis.call('LTRIM', key, 0, size)
    redis.call('LSET', key, -1, 'more')
  end
end
"""

_DROP_IF_BARE = """
local function drop_if_bare(key)
  if redis.call('LINDEX', key, 0) == 'more' then redis.call('DEL', key) end
end
"""

# KEYS: feeds; ARGV: size, then members oldest first. Adds them to each feed that exists; how many
# feeds took one. `place` for each member, with the feed's head read once and the members' ids
# parsed once: about 40 % less of Redis a post under load (docs/performance.md item 34).
_PUSH = _PLACE + """
local size, members, ids = tonumber(ARGV[1]), {}, {}
for a = 2, #ARGV do members[a - 1], ids[a - 1] = ARGV[a], id_of(ARGV[a]) end
local added = 0
for _, key in ipairs(KEYS) do
  local head = redis.call('LINDEX', key, 0)
  if head and head ~= 'more' then
    local newest, length = head ~= '0' and id_of(head), 0
    for a = 1, #members do
      local got
      if not newest or newer(ids[a], newest) then
        got, newest = redis.call('LPUSH', key, members[a]), ids[a]
      elseif ids[a] == newest then
        got = 0
      else
        got = place_behind(key, members[a], ids[a], size, 1)
      end
      if got > length then length = got end
    end
    if length > 0 then
      trim(key, size, length)
      added = added + 1
    end
  end
end
return added
"""

# Whether a boost of `tweet` may enter a feed (KEYS pair feed, feed_boosts): not when the feed shows
# the tweet or another boost of it. Records it in the boosts map, which is reset when it outgrows its feed.
_BOOST_CHECK = """
local function boost_enters(key, bkey, member, tweet, size, ttl)
  if redis.call('LPOS', key, tweet) or redis.call('HEXISTS', bkey, tweet) == 1 then return false end
  if redis.call('HLEN', bkey) > 2 * size then redis.call('DEL', bkey) end
  redis.call('HSET', bkey, tweet, member)
  redis.call('EXPIRE', bkey, ttl)
  return true
end
"""

# KEYS: [feed, feed_boosts]; ARGV: size, ttl, whether the author has older entries than these (1
# or 0), then (member, tweet id of a boost or '') pairs. Merges an author's recent entries (a new
# follow) into one feed if it exists: one pass over the feed, which is written again whole, instead
# of a scan for each entry older than its head. The merged feed reaches no further back than the
# newer of two horizons: the last entry of a cut feed, and the author's oldest entry given when
# older ones exist. Past it, pages go on from the graph.
_PUSH_MANY = _ORDER + ENDS + _BOOST_CHECK + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local size, ttl = tonumber(ARGV[1]), ARGV[2]
local old = redis.call('LRANGE', KEYS[1], 0, -2)
local cut = is_cut(redis.call('LINDEX', KEYS[1], -1), #old, size)
local horizon = cut and old[1] and id_of(old[#old]) or nil
if ARGV[3] == '1' then
  cut = true
  local oldest = nil
  for i = 4, #ARGV, 2 do
    if oldest == nil or newer(oldest, id_of(ARGV[i])) then oldest = id_of(ARGV[i]) end
  end
  if horizon == nil or newer(oldest, horizon) then horizon = oldest end
end
local present, new = {}, {}
for _, m in ipairs(old) do present[id_of(m)] = true end
for i = 4, #ARGV, 2 do
  local m, tweet = ARGV[i], ARGV[i + 1]
  if not present[id_of(m)] and not (horizon and newer(horizon, id_of(m)))
     and (tweet == '' or boost_enters(KEYS[1], KEYS[2], m, tweet, size, ttl)) then
    present[id_of(m)] = true
    new[#new + 1] = m
  end
end
table.sort(new, function(a, b) return newer(id_of(a), id_of(b)) end)
local out, a, b = {}, 1, 1
while #out < size and (a <= #old or b <= #new) do
  local from_old = b > #new or (a <= #old and newer(id_of(old[a]), id_of(new[b])))
  local m = from_old and old[a] or new[b]
  if horizon and newer(horizon, id_of(m)) then break end
  out[#out + 1] = m
  if from_old then a = a + 1 else b = b + 1 end
end
if #new == 0 and a > #old and ARGV[3] ~= '1' then return 1 end  -- nothing to change
out[#out + 1] = (cut or a <= #old or b <= #new) and 'more' or '0'
redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[1], unpack(out))
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""

# KEYS: feed, feed_boosts pairs; ARGV: size, ttl, member, tweet id. A boost's fan-out.
_PUSH_BOOST = _PLACE + _BOOST_CHECK + """
local added, size = 0, tonumber(ARGV[1])
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 and boost_enters(KEYS[i], KEYS[i + 1], ARGV[3], ARGV[4], size, ARGV[2]) then
    local length = place(KEYS[i], ARGV[3], size)
    if length > 0 then
      trim(KEYS[i], size, length)
      added = added + 1
    end
  end
end
return added
"""

# KEYS: feed, feed_boosts pairs; ARGV: member, tweet id. Takes a boost back out.
_REMOVE_BOOST = _DROP_IF_BARE + """
for i = 1, #KEYS, 2 do
  redis.call('LREM', KEYS[i], 0, ARGV[1])
  drop_if_bare(KEYS[i])
  if redis.call('HGET', KEYS[i + 1], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[i + 1], ARGV[2]) end
end
return 1
"""

# KEYS: feeds; ARGV: ttl. An empty feed for each reader who has none; each kept for ttl.
_OPEN = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then redis.call('RPUSH', key, '0') end
  redis.call('EXPIRE', key, ARGV[1])
end
return 1
"""

# KEYS: feeds; ARGV: few, then members. Takes them out of each feed: one LREM each when they are
# few, else the feed is written again without them (an unfollow takes up to a whole feed's worth).
_REMOVE = _DROP_IF_BARE + """
local members, gone = {unpack(ARGV, 2)}, {}
for _, m in ipairs(members) do gone[m] = true end
for _, key in ipairs(KEYS) do
  if #members <= tonumber(ARGV[1]) then
    for _, m in ipairs(members) do redis.call('LREM', key, 0, m) end
    drop_if_bare(key)
  elseif redis.call('EXISTS', key) == 1 then
    local kept = {}
    local all = redis.call('LRANGE', key, 0, -1)
    for _, m in ipairs(all) do
      if not gone[m] then kept[#kept + 1] = m end
    end
    if #kept < #all then
      local ttl = redis.call('PTTL', key)
      redis.call('DEL', key)
      if kept[1] ~= 'more' then
        redis.call('RPUSH', key, unpack(kept))
        if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
      end
    end
  end
end
return 1
"""


def feed_key(user_id: int) -> str:
    return f"home_list:{user_tag(user_id)}"


def celebs_key(user_id: int) -> str:
    return f"feed_celebs:{user_tag(user_id)}"


def boosts_key(user_id: int) -> str:
    return f"feed_boosts:{user_tag(user_id)}"


class Feeds:
    def __init__(self, r: redis.Redis, ttl_seconds: int, size: int):
        """size: the newest entries a feed keeps (settings.feed_size)."""
        self.r = r
        self.ttl = ttl_seconds
        self.size = size
        self.most = size + size // 8  # the most entries a feed holds: `trim` cuts it back past that
        self._push = r.register_script(_PUSH)
        self._push_many = r.register_script(_PUSH_MANY)
        self._push_boost = r.register_script(_PUSH_BOOST)
        self._remove_boost = r.register_script(_REMOVE_BOOST)
        self._remove = r.register_script(_REMOVE)
        self._open = r.register_script(_OPEN)

    def _batches(self, user_ids: list[int]):
        """The readers in groups that one script call may touch: one slot, at most BATCH feeds."""
        for group in by_slot(self.r, user_ids, feed_key):
            for start in range(0, len(group), BATCH):
                yield group[start : start + BATCH]

    def push(self, user_ids: list[int], tweet_ids: list[int]) -> int:
        """Fan-out: adds tweets to many (existing) feeds, one script call per batch of feeds."""
        return sum(run_scripts(self.r, self.push_calls(user_ids, tweet_ids)))

    def push_calls(self, user_ids: list[int], tweet_ids: list[int]) -> list[Call]:
        args = [self.size, *sorted(tweet_ids)]
        return [(self._push, [feed_key(u) for u in batch], args) for batch in self._batches(user_ids)]

    def push_many(self, user_id: int, members: list) -> None:
        """Adds an author's newest entries (tweets and boosts, at most `size`: when there are that
        many, the author may have older ones) to one feed (a new follow)."""
        if members:
            args = [self.size, self.ttl, int(len(members) >= self.size)]
            for m in members:
                _, tweet_id, booster_id = parse_member(m)
                args += [m, "" if booster_id is None else tweet_id]
            self._push_many(keys=[feed_key(user_id), boosts_key(user_id)], args=args)

    def _pairs(self, user_ids: list[int]) -> list[str]:
        return [k for u in user_ids for k in (feed_key(u), boosts_key(u))]

    def push_boost(self, user_ids: list[int], boost_id: int, tweet_id: int, booster_id: int) -> int:
        """A boost's fan-out to (existing) feeds that do not show that tweet yet."""
        args = [self.size, self.ttl, boost_member(boost_id, tweet_id, booster_id), tweet_id]
        return sum(run_scripts(self.r, ((self._push_boost, self._pairs(batch), args)
                                        for batch in self._batches(user_ids))))

    def remove_boost(self, user_ids: list[int], boost_id: int, tweet_id: int, booster_id: int) -> None:
        args = [boost_member(boost_id, tweet_id, booster_id), tweet_id]
        run_scripts(self.r, ((self._remove_boost, self._pairs(batch), args) for batch in self._batches(user_ids)))

    def remove(self, user_ids: list[int], members: list) -> None:
        """Unfollow and delete: takes entries (tweet ids, boost members) out of feeds, in batches."""
        if members:
            args = [FEW, *members]
            run_scripts(self.r, ((self._remove, [feed_key(u) for u in batch], args) for batch in self._batches(user_ids)))

    def open(self, user_ids: list[int]) -> None:
        """Feeds that fan-out reaches, as active readers have (an empty one where none was built):
        what the benchmarks start from."""
        run_scripts(self.r, ((self._open, [feed_key(u) for u in batch], [self.ttl]) for batch in self._batches(user_ids)))

    def drop(self, user_ids: list[int]) -> None:
        """Forgets feeds so that they are rebuilt on the next read."""
        for start in range(0, len(user_ids), BATCH):
            chunk = user_ids[start : start + BATCH]
            self.r.delete(*[feed_key(u) for u in chunk], *[celebs_key(u) for u in chunk],
                          *[boosts_key(u) for u in chunk])

    def rebuild(self, user_id: int, members: list, celebrity_ids: list[int]) -> None:
        """members: the newest entries, one per tweet, at most `size` (cypher/feed/rebuild.cypher):
        when there are that many, the graph may hold older ones."""
        pipe = self.r.pipeline(transaction=True)
        key, ckey, bkey = feed_key(user_id), celebs_key(user_id), boosts_key(user_id)
        members = sorted((str(m) for m in members), key=lambda m: parse_member(m)[0], reverse=True)[: self.size]
        pipe.delete(key, ckey, bkey)
        pipe.rpush(key, *members, CUT if len(members) == self.size else SENTINEL)
        pipe.sadd(ckey, SENTINEL, *celebrity_ids)
        boosts = {e[1]: m for m, e in ((m, parse_member(m)) for m in members) if e[2] is not None}
        if boosts:
            pipe.hset(bkey, mapping=boosts)
            pipe.expire(bkey, self.ttl)
        pipe.expire(key, self.ttl)
        pipe.expire(ckey, self.ttl)
        pipe.execute()

    def add_celebrity(self, user_id: int, celebrity_id: int) -> None:
        if self.r.exists(celebs_key(user_id)):
            self.r.sadd(celebs_key(user_id), celebrity_id)

    def remove_celebrity(self, user_id: int, celebrity_id: int) -> None:
        self.r.srem(celebs_key(user_id), celebrity_id)

CELEBRITIES = "celebrities"


class Celebrities:
    """Owns `celebrities`: authors over the fan-out threshold (sentinel-marked, rebuilt when cold)."""

    def __init__(self, r: redis.Redis):
        self.r = r

    def members(self) -> list[int] | None:
        ids = self.r.smembers(CELEBRITIES)
        return [int(i) for i in ids if i != SENTINEL] if ids else None

    def load(self, ids: list[int]) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(CELEBRITIES)
        pipe.sadd(CELEBRITIES, SENTINEL, *ids)
        pipe.execute()

    def mark(self, user_id: int, celebrity: bool) -> bool:
        """Returns True when the status changed."""
        return bool((self.r.sadd if celebrity else self.r.srem)(CELEBRITIES, user_id))
