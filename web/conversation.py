"""Conversation endpoints outside a single tweet: bookmarks, tags, trending tags, search, and the
blocked and muted lists."""
from __future__ import annotations

from typing import Literal

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from domain.search import QUERY_LIMIT
from social import conversation, relations, tweets
from web.context import services as svc
from web.feed import TopK
from web.inputs import PageQuery, query
from web.outputs import SearchPage, TrendingTags, TweetPage, UserPage, responds
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import page, raw_page
from web.security import viewer_id

bp = Blueprint("conversation", __name__, url_prefix="/api/v1")


class SearchQuery(PageQuery):
    q: str = Field(min_length=1, max_length=QUERY_LIMIT, description="Words (each also as a prefix) or #tags.")
    type: Literal["tweets", "users"] = Field("tweets", description="What to search.")


@bp.get("/bookmarks")
@allow(SIGNED_IN)
@responds(TweetPage)
@query(PageQuery)
def bookmarks(query: PageQuery):
    """The viewer's bookmarked tweets, most recently bookmarked first."""
    items, cursor = tweets.bookmarks(svc(), current_user.user_id, query.page(2))
    return raw_page("tweets", items, cursor)


@bp.get("/tags/trending")
@allow(PUBLIC)
@responds(TrendingTags)
@query(TopK)
def trending(query: TopK):
    """The k tags of the most tweets in the last 24 hours."""
    return jsonify({"tags": conversation.trending(svc(), query.k)})


@bp.get("/tags/<tag>")
@allow(PUBLIC)
@responds(TweetPage)
@query(PageQuery)
def tag(tag: str, query: PageQuery):
    """Tweets with a hashtag (with or without its '#', any case), newest first."""
    items, cursor = conversation.tagged(svc(), tag, query.page(1), viewer_id())
    return raw_page("tweets", items, cursor)


@bp.get("/search")
@allow(PUBLIC)
@responds(SearchPage)
@query(SearchQuery)
def search(query: SearchQuery):
    """Tweets (by words and tags) or users (by username and display name), best match first."""
    items, cursor = conversation.search(svc(), query.type, query.q, query.page(1), viewer_id())
    return raw_page("tweets", items, cursor) if query.type == "tweets" else page("users", items, cursor)


@bp.get("/blocks")
@allow(SIGNED_IN)
@responds(UserPage)
@query(PageQuery)
def blocks(query: PageQuery):
    """The users the viewer blocks, most recent first."""
    items, cursor = relations.listed(svc(), "blocks", current_user.user_id, query.page(2))
    return page("users", items, cursor)


@bp.get("/mutes")
@allow(SIGNED_IN)
@responds(UserPage)
@query(PageQuery)
def mutes(query: PageQuery):
    """The users the viewer mutes, most recent first."""
    items, cursor = relations.listed(svc(), "mutes", current_user.user_id, query.page(2))
    return page("users", items, cursor)
