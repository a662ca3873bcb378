"""Use cases of the follow graph: follow, unfollow, and the pages of followers and followed."""
from __future__ import annotations

from typing import Protocol

from domain.clock import now_ms
from domain.errors import Unprocessable
from domain.events import Followed, Unfollowed, envelop
from domain.pages import PageRequest, split_page
from social import ports, visibility


class FollowPorts(visibility.VisibilityPorts, Protocol):
    """What follows use: the follow graph, the event publisher, and the blocks between users."""

    users: ports.UserStore
    bus: ports.EventPublisher
    profiles: ports.ProfileCache


def _not_self(follower_id: int, followee_id: int) -> None:
    if follower_id == followee_id:
        raise Unprocessable("cannot_follow_self", "You cannot follow yourself.")


def follow(svc: FollowPorts, follower_id: int, followee_id: int) -> bool:
    """True when this call made a new follow (a repeat is a no-op)."""
    _not_self(follower_id, followee_id)
    visibility.check_may_interact(svc, follower_id, followee_id)
    event = envelop(Followed(follower_id, followee_id))
    created = svc.users.follow(follower_id, followee_id, now_ms(), event)
    if created:
        svc.profiles.forget_counts(follower_id, followee_id)
        svc.bus.publish(event)
    svc.profiles.set_following(follower_id, followee_id, True)
    return created


def unfollow(svc: FollowPorts, follower_id: int, followee_id: int) -> bool:
    _not_self(follower_id, followee_id)
    event = envelop(Unfollowed(follower_id, followee_id))
    removed = svc.users.unfollow(follower_id, followee_id, event)
    if removed:
        svc.profiles.forget_counts(follower_id, followee_id)
        svc.bus.publish(event)
    svc.profiles.set_following(follower_id, followee_id, False)
    return removed


def relation(svc: FollowPorts, which: str, user_id: int, page: PageRequest, viewer_id: int | None):
    """which is 'followers' or 'following'."""
    rows = svc.users.relation_page(f"{which}_page", user_id, page)
    rows, cursor = split_page(rows, page.limit, lambda r: (r["ts"], r["id"]))
    return svc.users.hydrate([r["id"] for r in rows], viewer_id), cursor
