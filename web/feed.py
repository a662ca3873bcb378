"""Feed endpoints: the home timeline and the popular tweets, spliced from pre-serialised JSON."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response
from flask_login import current_user

from social import feed
from web.context import services as svc
from web.inputs import int_arg, page_request
from web.policy import PUBLIC, SIGNED_IN, allow
from web.security import viewer_id

bp = Blueprint("feed", __name__, url_prefix="/api/v1/feed")

K_DEFAULT, K_MAX = 10, 50


def _array(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


@bp.get("/home")
@allow(SIGNED_IN)
def home():
    """The viewer's and followed users' tweets, newest first, with the network's top k."""
    k = int_arg("k", K_DEFAULT, 1, K_MAX)
    tweets, cursor, popular = feed.home(svc(), current_user.user_id, page_request(1), k)
    body = b'{"tweets":%s,"next_cursor":%s,"popular":%s}' % (_array(tweets), orjson.dumps(cursor), _array(popular))
    return Response(body, mimetype="application/json")


@bp.get("/popular")
@allow(PUBLIC)
def popular():
    """The global top k popular tweets."""
    k = int_arg("k", K_DEFAULT, 1, K_MAX)
    return Response(b'{"tweets":%s}' % _array(feed.popular(svc(), k, viewer_id())), mimetype="application/json")
