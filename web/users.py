"""User endpoints: profiles, the follow graph and a user's tweets."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response, jsonify
from flask_login import current_user

from social import accounts, follows, profiles, tweets
from web.context import services as svc
from web.inputs import Body, PageQuery, query, takes
from web.outputs import Following, Me, TweetPage, UserBody, UserPage, responds
from web.policy import PUBLIC, SIGNED_IN, allow, current_grant
from web.presenters import page
from web.security import viewer_id

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


def _json(body: bytes) -> Response:
    return Response(body, mimetype="application/json")


class Profile(Body):
    display_name: str | None = None
    bio: str | None = None


@bp.get("/me")
@allow(SIGNED_IN)
@responds(Me)
def me():
    """The signed-in user and their roles."""
    user = profiles.profile(svc(), current_user.user_id, user_id=current_user.user_id)
    return _json(b'{"user":%s,"roles":%s}' % (user, orjson.dumps(sorted(current_grant().roles))))


@bp.patch("/me")
@allow(SIGNED_IN)
@responds(UserBody, errors=(422,))
@takes(Profile)
def update_me(body: Profile):
    """Change display name and bio."""
    return jsonify({"user": accounts.update_profile(svc(), current_user.user_id, body.display_name, body.bio)})


@bp.get("/<username>")
@allow(PUBLIC)
@responds(UserBody)
def user(username: str):
    """A user's public profile."""
    return _json(b'{"user":%s}' % profiles.profile(svc(), viewer_id(), username=username))


@bp.get("/<username>/tweets")
@allow(PUBLIC)
@responds(TweetPage)
@query(PageQuery)
def user_tweets(username: str, query: PageQuery):
    """A user's tweets, newest first."""
    items, cursor = tweets.tweets_of(svc(), accounts.user_id_of(svc(), username), query.page(1), viewer_id())
    return page("tweets", items, cursor)


@bp.get("/<username>/followers")
@allow(PUBLIC)
@responds(UserPage)
@query(PageQuery)
def followers(username: str, query: PageQuery):
    """Who follows a user, most recent first."""
    user_id = accounts.user_id_of(svc(), username)
    items, cursor = follows.relation(svc(), "followers", user_id, query.page(2), viewer_id())
    return page("users", items, cursor)


@bp.get("/<username>/following")
@allow(PUBLIC)
@responds(UserPage)
@query(PageQuery)
def following(username: str, query: PageQuery):
    """Whom a user follows, most recent first."""
    user_id = accounts.user_id_of(svc(), username)
    items, cursor = follows.relation(svc(), "following", user_id, query.page(2), viewer_id())
    return page("users", items, cursor)


@bp.post("/<username>/follow")
@allow(SIGNED_IN, rate="follows")
@responds(Following, errors=(422,))
def follow(username: str):
    """Follow a user (idempotent)."""
    follows.follow(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"following": True})


@bp.delete("/<username>/follow")
@allow(SIGNED_IN, rate="follows")
@responds(Following, errors=(422,))
def unfollow(username: str):
    """Stop following a user (idempotent)."""
    follows.unfollow(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"following": False})
