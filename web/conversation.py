"""Conversation endpoints outside a single tweet: bookmarks, tags, trending tags, search, and the
blocked and muted lists."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from domain.errors import BadRequest
from social import conversation, relations, tweets
from web.context import services as svc
from web.inputs import int_arg, page_request
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import page, raw_page
from web.security import viewer_id

bp = Blueprint("conversation", __name__, url_prefix="/api/v1")

K_DEFAULT, K_MAX = 10, 50
SEARCH_TYPES = ("tweets", "users")


@bp.get("/bookmarks")
@allow(SIGNED_IN)
def bookmarks():
    """The viewer's bookmarked tweets, most recently bookmarked first."""
    items, cursor = tweets.bookmarks(svc(), current_user.user_id, page_request(2))
    return raw_page("tweets", items, cursor)


@bp.get("/tags/trending")
@allow(PUBLIC)
def trending():
    """The k tags of the most tweets in the last 24 hours."""
    return jsonify({"tags": conversation.trending(svc(), int_arg("k", K_DEFAULT, 1, K_MAX))})


@bp.get("/tags/<tag>")
@allow(PUBLIC)
def tag(tag: str):
    """Tweets with a hashtag, newest first."""
    items, cursor = conversation.tagged(svc(), tag, page_request(1), viewer_id())
    return raw_page("tweets", items, cursor)


@bp.get("/search")
@allow(PUBLIC)
def search():
    """Tweets (by words and tags) or users (by username and display name), best match first."""
    kind = request.args.get("type", "tweets")
    if kind not in SEARCH_TYPES:
        raise BadRequest("invalid_parameter", "type must be tweets or users.", field="type")
    items, cursor = conversation.search(svc(), kind, request.args.get("q"), page_request(1), viewer_id())
    return raw_page(kind, items, cursor) if kind == "tweets" else page(kind, items, cursor)


@bp.get("/blocks")
@allow(SIGNED_IN)
def blocks():
    """The users the viewer blocks, most recent first."""
    items, cursor = relations.listed(svc(), "blocks", current_user.user_id, page_request(2))
    return page("users", items, cursor)


@bp.get("/mutes")
@allow(SIGNED_IN)
def mutes():
    """The users the viewer mutes, most recent first."""
    items, cursor = relations.listed(svc(), "mutes", current_user.user_id, page_request(2))
    return page("users", items, cursor)
