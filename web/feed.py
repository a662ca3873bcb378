"""Feed endpoints: the home timeline and the popular tweets, spliced from pre-serialised JSON."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response
from flask_login import current_user
from pydantic import Field

from social import feed
from web.context import services as svc
from web.inputs import PageQuery, Query, Whole, query
from web.outputs import HomePage, TweetList, responds
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import with_next_link
from web.security import viewer_id

bp = Blueprint("feed", __name__, url_prefix="/api/v1/feed")


class TopK(Query):
    k: Whole = Field(10, ge=1, le=50, description="How many popular tweets.")


class HomeQuery(PageQuery, TopK):
    pass


def _array(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


@bp.get("/home")
@allow(SIGNED_IN)
@responds(HomePage)
@query(HomeQuery)
def home(query: HomeQuery):
    """The viewer's and followed users' tweets, newest first, with the network's top k."""
    tweets, cursor, popular = feed.home(svc(), current_user.user_id, query.page(1), query.k)
    body = b'{"tweets":%s,"next_cursor":%s,"popular":%s}' % (_array(tweets), orjson.dumps(cursor), _array(popular))
    return with_next_link(Response(body, mimetype="application/json"), cursor)


@bp.get("/popular")
@allow(PUBLIC)
@responds(TweetList)
@query(TopK)
def popular(query: TopK):
    """The global top k popular tweets."""
    return Response(b'{"tweets":%s}' % _array(feed.popular(svc(), query.k, viewer_id())), mimetype="application/json")
