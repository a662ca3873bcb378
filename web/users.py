"""User endpoints: profiles, the follow graph and a user's tweets."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response, jsonify
from flask_login import current_user

from social import accounts, follows, profiles, relations, tweets
from web.context import services as svc
from web.inputs import Body, PageQuery, query, takes
from web.outputs import Blocking, Following, Me, Muting, TweetPage, UserBody, UserPage, responds
from web.policy import PUBLIC, SIGNED_IN, allow, current_grant
from web.presenters import page, raw_page
from web.security import prefetch, prefetched, viewer_id

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


def _json(body: bytes) -> Response:
    return Response(body, mimetype="application/json")


class Profile(Body):
    display_name: str | None = None
    bio: str | None = None


@bp.get("/me")
@allow(SIGNED_IN)
@prefetch(lambda: profiles.rider(svc()))
@responds(Me)
def me():
    """The signed-in user and their roles."""
    user = profiles.profile(svc(), current_user.user_id, user_id=current_user.user_id, ridden=prefetched())
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
@prefetch(lambda username: profiles.rider(svc(), username))
@responds(UserBody)
def user(username: str):
    """A user's public profile."""
    return _json(b'{"user":%s}' % profiles.profile(svc(), viewer_id(), username=username, ridden=prefetched()))


@bp.get("/<username>/tweets")
@allow(PUBLIC)
@responds(TweetPage)
@query(PageQuery)
def user_tweets(username: str, query: PageQuery):
    """A user's tweets, newest first."""
    items, cursor = tweets.tweets_of(svc(), accounts.user_id_of(svc(), username), query.page(1), viewer_id())
    return raw_page("tweets", items, cursor)


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
@responds(Following, errors=(403, 422))
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


@bp.post("/<username>/block")
@allow(SIGNED_IN, rate="follows")
@responds(Blocking, errors=(422,))
def block(username: str):
    """Block a user (idempotent): follows between you go both ways, and neither sees the other."""
    relations.block(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"blocking": True})


@bp.delete("/<username>/block")
@allow(SIGNED_IN, rate="follows")
@responds(Blocking, errors=(422,))
def unblock(username: str):
    """Unblock a user (idempotent)."""
    relations.unblock(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"blocking": False})


@bp.post("/<username>/mute")
@allow(SIGNED_IN, rate="follows")
@responds(Muting, errors=(422,))
def mute(username: str):
    """Mute a user (idempotent): their tweets and notifications are hidden from you only."""
    relations.mute(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"muting": True})


@bp.delete("/<username>/mute")
@allow(SIGNED_IN, rate="follows")
@responds(Muting, errors=(422,))
def unmute(username: str):
    """Unmute a user (idempotent)."""
    relations.unmute(svc(), current_user.user_id, accounts.user_id_of(svc(), username))
    return jsonify({"muting": False})
