"""Owns `hidden:{u:ID}` and `hidden_gen:{u:ID}` (one slot per user): each user's block and mute
relations (domain/visibility.py), the set every read path filters with.

Members are `b:{id}` (blocks), `B:{id}` (is blocked by) and `m:{id}` (mutes), plus a sentinel "0"
that marks a set as built. A change of relations bumps the generation of both users and drops
their sets; a set is loaded from Neo4j only if the generation it read before the query is still
the current one, so a read that raced a block can never put the old relations back.
"""
from __future__ import annotations

import redis

from cache.client import run_scripts, user_tag
from domain.visibility import Relations

SENTINEL = "0"
TTL = 86400
GEN_TTL = 2 * TTL
PREFIX = {"blocks": "b:", "blocked_by": "B:", "mutes": "m:"}

# KEYS: [set, generation]; ARGV: generation read before the query, ttl, members...
_LOAD = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SADD', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: [set, generation]; ARGV: generation ttl. A change of relations: a new generation, no set.
_CHANGED = """
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"""


def hidden_key(user_id: int) -> str:
    return f"hidden:{user_tag(user_id)}"


def gen_key(user_id: int) -> str:
    return f"hidden_gen:{user_tag(user_id)}"


def relations_from(members) -> Relations:
    parts: dict[str, set[int]] = {name: set() for name in PREFIX}
    for m in members:
        for name, prefix in PREFIX.items():
            if m.startswith(prefix):
                parts[name].add(int(m[2:]))
    return Relations(**{name: frozenset(ids) for name, ids in parts.items()})


class HiddenSets:
    def __init__(self, r: redis.Redis):
        """r decodes responses."""
        self.r = r
        self._load = r.register_script(_LOAD)
        self._changed = r.register_script(_CHANGED)

    def read(self, user_ids: list[int]) -> tuple[list[Relations | None], list[str]]:
        """Each user's relations (None where cold) and the generations to load cold ones with."""
        pipe = self.r.pipeline(transaction=False)
        for u in user_ids:
            pipe.smembers(hidden_key(u))
            pipe.get(gen_key(u))
        out = pipe.execute()
        sets, gens = out[0::2], out[1::2]
        return [relations_from(s) if s else None for s in sets], [g or "" for g in gens]

    def load(self, user_id: int, generation: str, relations: Relations) -> None:
        members = [SENTINEL] + [PREFIX[name] + str(i) for name in PREFIX for i in getattr(relations, name)]
        self._load(keys=[hidden_key(user_id), gen_key(user_id)], args=[generation, TTL, *members])

    def changed(self, *user_ids: int) -> None:
        """Each user's part at once (one slot each), all in one round trip."""
        run_scripts(self.r, ((self._changed, [hidden_key(u), gen_key(u)], [GEN_TTL]) for u in user_ids))
