"""Notification endpoints: the signed-in user's page of notifications, and marking them read."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from pydantic import Field

from social import notifications
from domain.errors import BadRequest
from domain.ids import parse_id
from web.context import services as svc
from web.inputs import Body, PageQuery, query, takes
from web.outputs import NotificationPage, responds
from web.policy import SIGNED_IN, allow
from web.presenters import no_content, page

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications")


class ReadUpTo(Body):
    up_to: str | None = Field(None, description="A notification id; all of them when left out.")


@bp.get("")
@allow(SIGNED_IN)
@responds(NotificationPage)
@query(PageQuery)
def index(query: PageQuery):
    """Your notifications, newest first (likes of one tweet and follows grouped), with unread_count."""
    items, cursor, unread = notifications.page(svc(), current_user.user_id, query.page(1))
    return page("notifications", items, cursor, unread_count=unread)


@bp.post("/read")
@allow(SIGNED_IN)
@responds(None, 204)
@takes(ReadUpTo, optional=True)
def read(body: ReadUpTo):
    """Mark read your notifications up to an id (all of them without one); the body may be empty."""
    notifications.mark_read(svc(), current_user.user_id, _up_to(body.up_to))
    return no_content()


def _up_to(value: str | None) -> int | None:
    up_to = None if value is None else parse_id(value)
    if value is not None and up_to is None:
        raise BadRequest("invalid_parameter", "up_to must be a notification id.", field="up_to")
    return up_to
