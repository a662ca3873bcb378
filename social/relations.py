"""Use cases of blocks and mutes. A block removes the follows between the two users, both ways
(their Unfollowed events take the tweets out of the feeds and the follow notifications back); both
change what the users see at once, through social/visibility.py."""
from __future__ import annotations

from typing import Protocol

from domain.clock import now_ms
from domain.errors import Unprocessable
from domain.pages import PageRequest, split_page
from social import ports, visibility


class RelationPorts(visibility.VisibilityPorts, Protocol):
    """What blocks and mutes use: the relations in the graph and their cached sets, the users, and
    the event publisher (a block's unfollows)."""

    users: ports.UserStore
    bus: ports.EventPublisher
    profiles: ports.ProfileCache


def _not_self(user_id: int, other_id: int, verb: str) -> None:
    if user_id == other_id:
        raise Unprocessable(f"cannot_{verb}_self", f"You cannot {verb} yourself.")


def block(svc: RelationPorts, user_id: int, other_id: int) -> bool:
    _not_self(user_id, other_id, "block")
    created, events = svc.relations.block(user_id, other_id, now_ms())
    visibility.changed(svc, user_id, other_id)
    if events:  # follows ended: the profiles' follow flags and counts are read afresh
        svc.profiles.set_following(user_id, other_id, False)
        svc.profiles.set_following(other_id, user_id, False)
        svc.profiles.forget_counts(user_id, other_id)
    for event in events:
        svc.bus.publish(event)
    return created


def unblock(svc: RelationPorts, user_id: int, other_id: int) -> bool:
    _not_self(user_id, other_id, "block")
    removed = svc.relations.unblock(user_id, other_id)
    visibility.changed(svc, user_id, other_id)
    return removed


def mute(svc: RelationPorts, user_id: int, other_id: int) -> bool:
    _not_self(user_id, other_id, "mute")
    created = svc.relations.mute(user_id, other_id, now_ms())
    visibility.changed(svc, user_id)
    return created


def unmute(svc: RelationPorts, user_id: int, other_id: int) -> bool:
    _not_self(user_id, other_id, "mute")
    removed = svc.relations.unmute(user_id, other_id)
    visibility.changed(svc, user_id)
    return removed


def listed(svc: RelationPorts, kind: str, user_id: int, page: PageRequest) -> tuple[list[dict], str | None]:
    """kind blocks or mutes: the users, most recent first."""
    rows, cursor = split_page(svc.relations.page(kind, user_id, page), page.limit, lambda r: (r["ts"], r["id"]))
    return svc.users.hydrate([r["id"] for r in rows], user_id), cursor
