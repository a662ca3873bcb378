"""Notification endpoints: the signed-in user's page of notifications, and marking them read."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from social import notifications
from domain.errors import BadRequest
from web.context import services as svc
from web.inputs import Body, page_request, parse_body
from web.policy import SIGNED_IN, allow
from web.presenters import no_content, page

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications")


class ReadUpTo(Body):
    up_to: str | None = None


@bp.get("")
@allow(SIGNED_IN)
def index():
    """Your notifications, newest first (likes of one tweet and follows grouped), with unread_count."""
    items, cursor, unread = notifications.page(svc(), current_user.user_id, page_request(1))
    return page("notifications", items, cursor, unread_count=unread)


@bp.post("/read")
@allow(SIGNED_IN)
def read():
    """Mark read your notifications up to an id (all of them without one); the body may be empty."""
    body = parse_body(ReadUpTo) if request.get_data(cache=True).strip() else ReadUpTo()
    up_to = body.up_to
    if up_to is not None and not (up_to.isascii() and up_to.isdigit() and len(up_to) <= 19):
        raise BadRequest("invalid_parameter", "up_to must be a notification id.", field="up_to")
    notifications.mark_read(svc(), current_user.user_id, int(up_to) if up_to is not None else None)
    return no_content()
