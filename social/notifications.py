"""Use cases of reading notifications (like, follow, message, reply, mention, boost; kept in Neo4j
by social/notify.py): the page with its unread count, and marking them read."""
from __future__ import annotations

from typing import Protocol

import orjson

from domain.ids import public
from domain.pages import PageRequest, split_page
from social import hydrate, ports, visibility


class ReadPorts(hydrate.HydratePorts, Protocol):
    """What reading notifications uses: their graph store, and the tweets they are about as the
    recipient sees them (hydration, with the visibility rule)."""

    notifications: ports.NotificationStore


def page(svc: ReadPorts, user_id: int, page: PageRequest) -> tuple[list[dict], str | None, int]:
    ids = svc.notifications.page_ids(user_id, page.key[0] if page.key else None, page.limit + 1)
    ids, cursor = split_page(ids, page.limit, lambda i: (i,))
    rows = _with_tweets(svc, svc.notifications.hydrate(ids), user_id)
    shown = _unhidden(present(rows), visibility.hidden(svc, user_id))
    return shown, cursor, svc.notifications.unread_count(user_id)


def _with_tweets(svc: ReadPorts, rows: list[dict], user_id: int) -> list[dict]:
    """Each tweet a notification is about, as the one tweet-object path builds it (the same object
    its live frame carried); None where it is gone."""
    ids = [r["tweet"]["id"] for r in rows if r["tweet"] is not None]
    found = hydrate.tweets_by_id(svc, ids, user_id)
    return [{**r, "tweet": orjson.loads(found[r["tweet"]["id"]]) if r["tweet"]["id"] in found else None}
            if r["tweet"] is not None else r for r in rows]


def _unhidden(notes: list[dict], hidden: frozenset[int]) -> list[dict]:
    """Notifications without the actors the recipient does not see; one left with none goes."""
    shown = []
    for note in notes:
        actors = [a for a in note["actors"] if int(a["id"]) not in hidden]
        if actors:
            shown.append({**note, "actor": actors[0], "actors": actors} if len(actors) < len(note["actors"]) else note)
    return shown


def mark_read(svc: ReadPorts, user_id: int, up_to: int | None) -> None:
    svc.notifications.mark_read(user_id, up_to)


def present(rows: list[dict]) -> list[dict]:
    """The contract's notification objects; one about a tweet or message deleted since is left out."""
    shown = []
    for r in rows:
        if not r["actors"] or (r["about_tweet"] and r["tweet"] is None) or (r["about_message"] and r["message"] is None):
            continue
        actors = [public(a) for a in r["actors"]]
        note = {
            "id": str(r["id"]), "type": r["type"], "group_key": r["group_key"], "actor": actors[0],
            "actors": actors, "count": r["count"], "created_at": r["created_at"], "read": r["read"],
        }
        if r["tweet"] is not None:
            note["tweet"] = public(r["tweet"], "author")
        if r["message"] is not None:
            note["message"] = public(r["message"], "author")
        shown.append(note)
    return shown
