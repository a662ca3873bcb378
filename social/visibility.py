"""The one place that decides what a viewer sees and whom a user may interact with.

Every read that shows tweets, boosts, users or notifications asks `hidden(viewer)` (or passes it to
its Cypher query as `$hidden`); every interaction (follow, reply, like, boost, message) asks
`check_may_interact`. Both read each user's relations through cache/hidden.py, loaded from Neo4j
when cold; the rule itself is domain/visibility.py.
"""
from __future__ import annotations

from typing import Protocol

from domain.visibility import NOBODY, Relations
from social import ports


class VisibilityPorts(Protocol):
    """What the visibility rule reads: each user's relations, cached, and the graph behind them."""

    hidden_sets: ports.HiddenSets
    relations: ports.RelationStore


def relations_of(svc: VisibilityPorts, user_ids: list[int]) -> dict[int, Relations]:
    user_ids = list(dict.fromkeys(user_ids))
    if not user_ids:
        return {}
    cached, generations = svc.hidden_sets.read(user_ids)
    found = {u: r for u, r in zip(user_ids, cached) if r is not None}
    cold = [(u, g) for u, r, g in zip(user_ids, cached, generations) if r is None]
    if cold:
        loaded = svc.relations.relations([u for u, _ in cold])
        for user_id, generation in cold:
            found[user_id] = loaded.get(user_id, NOBODY)
            svc.hidden_sets.load(user_id, generation, found[user_id])
    return found


def load_new_user(svc: VisibilityPorts, user_id: int) -> None:
    """A user who just registered blocks and mutes nobody, and nobody them: their set is built."""
    svc.hidden_sets.load(user_id, "", NOBODY)


def relations(svc: VisibilityPorts, user_id: int | None) -> Relations:
    return NOBODY if user_id is None else relations_of(svc, [user_id])[user_id]


def hidden(svc: VisibilityPorts, viewer_id: int | None, read: Relations | None = None) -> frozenset[int]:
    """The authors (and boosters, and actors) the viewer does not see; read: the viewer's
    relations as a page's script already read them from cache/hidden.py (None: read them here)."""
    if viewer_id is not None and read is not None:
        return read.hidden
    return relations(svc, viewer_id).hidden


def check_may_interact(svc: VisibilityPorts, actor_id: int, other_id: int) -> None:
    """403 `blocked` when either blocks the other."""
    if actor_id != other_id:
        relations(svc, actor_id).check_may_interact(other_id)


def seeing(svc: VisibilityPorts, user_ids: list[int], author_id: int) -> list[int]:
    """Those of user_ids who see author_id (live frames and notifications go to them only)."""
    found = relations_of(svc, user_ids)
    return [u for u in user_ids if author_id not in found[u].hidden]


def changed(svc: VisibilityPorts, *user_ids: int) -> None:
    svc.hidden_sets.changed(*user_ids)
