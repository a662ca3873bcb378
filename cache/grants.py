"""Owns `grant:{u:ID}`, `grant_version:{u:ID}` (one slot per user) and `grant_epoch`: each user's
roles and permissions as the policy last read them from the graph.

A cached grant carries the version and epoch it was read under and counts only while both are
still current. A change bumps the user's version (or the epoch, for changes that reach many users),
so the next request reads the graph again, even when a reader raced the writer and cached the old
grant after the change was made.
"""
from __future__ import annotations

import orjson

import redis

from cache.client import mget, user_tag
from domain.roles import Grant

TTL_SECONDS = 600
EPOCH_KEY = "grant_epoch"


def grant_key(user_id: int | str) -> str:
    return f"grant:{user_tag(user_id)}"


def version_key(user_id: int | str) -> str:
    return f"grant_version:{user_tag(user_id)}"


def cached_grant(user_id: int, raw: str | None, version: str | None, epoch: str | None) -> tuple[Grant | None, str]:
    """The grant cached as raw if still current under version and epoch, and the stamp under which
    to cache a fresh one."""
    stamp = f"{version or 0}.{epoch or 0}"
    if raw:
        data = orjson.loads(raw)
        if data["stamp"] == stamp:
            return (
                Grant(
                    user_id=user_id,
                    username=data["username"],
                    roles=frozenset(data["roles"]),
                    permissions=frozenset(data["permissions"]),
                    suspended=data["suspended"],
                ),
                stamp,
            )
    return None, stamp


class GrantCache:
    def __init__(self, r: redis.Redis):
        self.r = r

    def get(self, user_id: int) -> tuple[Grant | None, str]:
        """The cached grant if still current, and the stamp under which to cache a fresh one."""
        return cached_grant(user_id, *self.read(user_id))

    def read(self, user_id: int) -> list:
        """The raw grant, version and epoch (two slots on a cluster: the user's, the epoch's)."""
        return mget(self.r, [grant_key(user_id), version_key(user_id), EPOCH_KEY])

    def put(self, grant: Grant, stamp: str) -> None:
        data = {
            "stamp": stamp,
            "username": grant.username,
            "roles": sorted(grant.roles),
            "permissions": sorted(grant.permissions),
            "suspended": grant.suspended,
        }
        self.r.set(grant_key(grant.user_id), orjson.dumps(data), ex=TTL_SECONDS)

    def invalidate(self, *user_ids: int) -> None:
        if user_ids:
            pipe = self.r.pipeline(transaction=False)
            for user_id in user_ids:
                pipe.incr(version_key(user_id))
            pipe.execute()

    def invalidate_all(self) -> None:
        """For changes that reach many users at once: a group's roles, a role's permissions."""
        self.r.incr(EPOCH_KEY)
