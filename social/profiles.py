"""Profiles from the Redis read model: `GET /users/{u}` and `/users/me` in one round trip when
warm, with exact counts (written through with versions by `on_counts_changed`) and the viewer's
follow flags (from whom each of the two follows). What Redis lacks is read from Neo4j and written back."""
from __future__ import annotations

from typing import Protocol

from domain import rules
from domain.errors import NotFound
from domain.events import Envelope, Followed, TweetDeleted, TweetPosted, Unfollowed
from social import ports


class ProfilePorts(Protocol):
    """What profiles use: the profile read model, and the graph for what it lacks."""

    users: ports.UserStore
    feed_source: ports.FeedSource
    profiles: ports.ProfileCache


def _not_found(username: str) -> NotFound:
    return NotFound("user_not_found", f"No user is called {username!r}.")


def _flag(svc: ProfilePorts, known: bool | None, follower_id: int, followee_id: int) -> bool:
    """Whether follower follows followee, loading the follower's set from Neo4j when it is cold."""
    if known is not None:
        return known
    following = svc.feed_source.following(follower_id)
    svc.profiles.load_following(follower_id, following)
    return followee_id in following


def _key(username: str | None) -> str:
    return rules.username_key(username)[:64] if username is not None else ""


def rider(svc: ProfilePorts, username: str | None = None):
    """The profile's cache read, to ride in the caller's own (web/security.py): by username, or
    without one the caller's own profile."""
    return svc.profiles.rider(_key(username))


def profile(svc: ProfilePorts, viewer_id: int | None, username: str | None = None, user_id: int | None = None,
            ridden=None) -> bytes:
    """The contract's User object as JSON bytes, by username or by id. ridden: what `rider` read
    for this viewer in the caller's round trip, if it rode."""
    key = _key(username)
    read = ridden or svc.profiles.read(viewer_id, username_key=key, user_id=user_id)
    if read is None:
        user_id = svc.users.id_by_username(key) if key else None
        if user_id is None:
            raise _not_found(username or "")
        svc.profiles.remember_ids({key: user_id})
        read = svc.profiles.read(viewer_id, user_id=user_id)
    body, counts = read.body, read.counts
    if body is None or counts is None:
        rows = svc.users.profiles([read.user_id])
        if not rows:
            raise _not_found(username or str(read.user_id))
        row = rows[0]
        body = svc.profiles.put(row)
        if counts is None:
            counts = (row["followers_count"], row["following_count"], row["tweets_count"])
    flags = None
    if viewer_id is not None:
        flags = (
            _flag(svc, read.following, viewer_id, read.user_id),
            _flag(svc, read.followed_by, read.user_id, viewer_id),
        )
    return svc.profiles.splice(body, counts, flags)


def on_counts_changed(svc: ProfilePorts, events: list[Envelope]) -> None:
    """After a run of follows, unfollows, posts or deletes: the users whose counts changed get
    their exact counts under a new version, in one Neo4j transaction, written through to Redis."""
    ids: set[int] = set()
    for e in events:
        if isinstance(e.event, (Followed, Unfollowed)):
            ids |= {e.event.follower_id, e.event.followee_id}
        elif isinstance(e.event, (TweetPosted, TweetDeleted)):
            ids.add(e.event.author_id)
    svc.profiles.set_counts(svc.users.touch_counts(sorted(ids)))
