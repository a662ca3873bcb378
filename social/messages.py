"""Direct messages: sent over HTTP or the WebSocket, kept in Neo4j, delivered by the notify
consumer group to both parties' live streams. A conversation is always the viewer's own with
someone, so only its two parties can read it."""
from __future__ import annotations

from typing import Protocol

from domain import rules
from domain.errors import NotFound, Unprocessable
from domain.events import Envelope, MessageSent, envelop
from domain.ids import new_id
from domain.pages import PageRequest, split_page
from social import accounts, live, notify, ports, visibility


class MessagePorts(notify.NotifyPorts, Protocol):
    """What messages use: their graph store, the event publisher, notifications for delivery (and
    the blocks between users, through them)."""

    users: ports.UserStore
    messages: ports.MessageStore
    bus: ports.EventPublisher


def _other(svc: MessagePorts, viewer_id: int, username: str) -> int:
    other_id = accounts.user_id_of(svc, username)
    if other_id == viewer_id:
        raise Unprocessable("cannot_message_self", "You cannot send yourself a message.")
    return other_id


def send(svc: MessagePorts, sender_id: int, to_username: str, text: str) -> dict:
    text = rules.check_message_text(text)
    recipient_id = _other(svc, sender_id, to_username)
    visibility.check_may_interact(svc, sender_id, recipient_id)
    message_id = new_id()
    event = envelop(MessageSent(message_id, sender_id, recipient_id))
    message = svc.messages.create(message_id, sender_id, recipient_id, text, event.at_ms, event)
    if message is None:
        raise NotFound("user_not_found", f"No user is called {to_username!r}.")
    svc.bus.publish(event)
    return message


def conversation(svc: MessagePorts, viewer_id: int, username: str, page: PageRequest) -> tuple[list[dict], str | None]:
    other_id = _other(svc, viewer_id, username)
    ids = svc.messages.page_ids(viewer_id, other_id, page.key[0] if page.key else None, page.limit + 1)
    ids, cursor = split_page(ids, page.limit, lambda i: (i,))
    return svc.messages.hydrate(ids), cursor


def deliver(svc: MessagePorts, events: list[Envelope]) -> None:
    """The recipient's notification, then each message to both parties (the sender's other tabs)."""
    found = {m["id"]: m for m in svc.messages.hydrate([e.event.message_id for e in events])}
    sent = [e for e in events if str(e.event.message_id) in found]
    notify.notify(svc, [
        (e, notify.item(e, "message", f"message:{e.id}", e.id, e.event.sender_id, e.event.recipient_id,
                        message_id=e.event.message_id))
        for e in sent
    ], {e.id: {"message": found[str(e.event.message_id)]} for e in sent}, then=[
        (user_id, e, "message", live.frame("message", found[str(e.event.message_id)]))
        for e in sent
        for user_id in (e.event.sender_id, e.event.recipient_id)
    ])
