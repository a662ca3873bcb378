"""Feed endpoints: the home timeline and the popular tweets."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import feed
from web.context import services as svc
from web.inputs import int_arg, page_request
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import page
from web.security import viewer_id

bp = Blueprint("feed", __name__, url_prefix="/api/v1/feed")

K_DEFAULT, K_MAX = 10, 50


@bp.get("/home")
@allow(SIGNED_IN)
def home():
    """The viewer's and followed users' tweets, newest first, with the network's top k."""
    k = int_arg("k", K_DEFAULT, 1, K_MAX)
    items, cursor = feed.home(svc(), current_user.user_id, page_request(1))
    return page("tweets", items, cursor, popular=feed.popular(svc(), k, current_user.user_id))


@bp.get("/popular")
@allow(PUBLIC)
def popular():
    """The global top k popular tweets."""
    k = int_arg("k", K_DEFAULT, 1, K_MAX)
    return jsonify({"tweets": feed.popular(svc(), k, viewer_id())})
