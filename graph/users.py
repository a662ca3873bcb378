"""Users and follows in the graph."""
from __future__ import annotations

from neo4j.exceptions import ConstraintError

from domain.errors import Conflict
from domain.events import Envelope
from domain.ids import public
from domain.pages import PageRequest
from graph.driver import Graph
from graph.outbox import group_committed


def _public(row: dict) -> dict:
    row = public(row)
    if row.get("following") is None:
        row.pop("following", None)
        row.pop("followed_by", None)
    return row


class UserRepository:
    def __init__(self, graph: Graph):
        self.graph = graph
        by_followee = lambda item: (item["followee_id"], item["follower_id"])  # noqa: E731
        self._follow = group_committed(graph, "follows/follow", by_followee, rerunnable=True)
        self._unfollow = group_committed(graph, "follows/unfollow", by_followee, rerunnable=True)

    def create(self, **fields) -> int:
        try:
            return self.graph.write_one("users/create", **fields)["id"]
        except ConstraintError as err:
            raise Conflict("username_taken", "That username is taken.", field="username") from err

    def credentials(self, username_key: str) -> dict | None:
        return self.graph.read_one("users/credentials", username_key=username_key)

    def set_password(self, user_id: int, password_hash: str) -> list[dict]:
        """Sets the new hash and deletes every API token of the user: [{id, hash}] of those deleted."""
        row = self.graph.write_one("users/set_password", user_id=user_id, password_hash=password_hash)
        return row["tokens"] if row else []

    def id_by_username(self, username_key: str) -> int | None:
        row = self.graph.read_one("users/id_by_username", username_key=username_key)
        return row["id"] if row else None

    def ids_by_username(self, username_keys: list[str]) -> dict[str, int]:
        """The users of these case-folded names that exist, as {key: id}."""
        if not username_keys:
            return {}
        rows = self.graph.read("users/ids_by_username", keys=username_keys)
        return {r["username"].casefold(): r["id"] for r in rows}

    def hydrate(self, ids: list[int], viewer_id: int | None = None) -> list[dict]:
        """Public user objects in the order of ids; ids no longer in the graph are left out."""
        rows = {r["id"]: r for r in self.graph.read("users/hydrate", ids=ids, viewer_id=viewer_id)}
        return [_public(rows[i]) for i in ids if i in rows]

    def profiles(self, ids: list[int]) -> list[dict]:
        """Public profiles with exact counts and their `counts_version`, for the profile read model."""
        return self.graph.read("users/profiles", ids=ids)

    def touch_counts(self, ids: list[int]) -> list[dict]:
        """Each user's exact counts under a new `counts_version` (one write transaction for all)."""
        return self.graph.apply("users/touch_counts", ids=ids) if ids else []

    def update_profile(self, user_id: int, changes: dict) -> None:
        self.graph.write("users/update_profile", id=user_id, changes=changes)

    def follow(self, follower_id: int, followee_id: int, now_ms: int, event: Envelope | None = None) -> bool:
        params = {"follower_id": follower_id, "followee_id": followee_id, "now_ms": now_ms}
        row = self._follow.submit((params, event))
        return bool(row and row["created"])

    def unfollow(self, follower_id: int, followee_id: int, event: Envelope | None = None) -> bool:
        params = {"follower_id": follower_id, "followee_id": followee_id}
        row = self._unfollow.submit((params, event))
        return bool(row and row["removed"])

    def relation_page(self, query: str, user_id: int, page: PageRequest) -> list[dict]:
        """followers_page or following_page: rows of (id, ts), limit + 1 of them."""
        before_ts, before_id = page.key or (None, None)
        return self.graph.read(
            f"users/{query}",
            user_id=user_id,
            before_ts=before_ts,
            before_id=before_id,
            limit=page.limit + 1,
        )
