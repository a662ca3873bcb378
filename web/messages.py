"""Direct message endpoints: send to a user, and read the conversation with them."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import messages
from web.context import services as svc
from web.inputs import Body, PageQuery, query, takes
from web.outputs import MessageBody, MessagePage, responds
from web.policy import SIGNED_IN, allow
from web.presenters import page

bp = Blueprint("messages", __name__, url_prefix="/api/v1/messages")


class NewMessage(Body):
    text: str


@bp.post("/<username>")
@allow(SIGNED_IN, rate="posts")
@responds(MessageBody, 201, errors=(422,))
@takes(NewMessage)
def send(body: NewMessage, username: str):
    """Send a direct message of at most 1000 characters."""
    return jsonify({"message": messages.send(svc(), current_user.user_id, username, body.text)}), 201


@bp.get("/<username>")
@allow(SIGNED_IN)
@responds(MessagePage, errors=(422,))
@query(PageQuery)
def conversation(username: str, query: PageQuery):
    """Your conversation with a user, newest first."""
    items, cursor = messages.conversation(svc(), current_user.user_id, username, query.page(1))
    return page("messages", items, cursor)
