"""Tweet endpoints: post, read, delete, like and the likers page."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import tweets
from domain.errors import NotFound, Unprocessable
from web.context import services as svc
from web.inputs import Body, PageQuery, path_id, query, takes
from web.outputs import Liked, TweetBody, UserPage, responds
from web.policy import PUBLIC, SIGNED_IN, allow, permitted
from web.presenters import no_content, page
from web.security import viewer_id

bp = Blueprint("tweets", __name__, url_prefix="/api/v1/tweets")


class NewTweet(Body):
    text: str
    media_ids: list[str] = []


def _tweet_id(value: str) -> int:
    return path_id(value, NotFound("tweet_not_found", "No such tweet."))


@bp.post("")
@allow(SIGNED_IN, rate="posts")
@responds(TweetBody, 201, errors=(422,))
@takes(NewTweet)
def post(body: NewTweet):
    """Post a tweet of at most 140 characters, with up to 4 images or 1 audio of the author's (media_ids)."""
    media_ids = [path_id(m, Unprocessable("media_not_found", "Some media_ids are not media of yours.", media_ids=[m]))
                 for m in body.media_ids]
    return jsonify({"tweet": tweets.post_tweet(svc(), current_user.user_id, body.text, media_ids)}), 201


@bp.get("/<tweet_id>")
@allow(PUBLIC)
@responds(TweetBody)
def get(tweet_id: str):
    """One tweet."""
    return jsonify({"tweet": tweets.get_tweet(svc(), _tweet_id(tweet_id), viewer_id())})


@bp.delete("/<tweet_id>")
@allow(SIGNED_IN)
@responds(None, 204)
def delete(tweet_id: str):
    """Delete a tweet: its author, or a holder of tweets:delete_any."""
    tweets.delete_tweet(svc(), current_user.user_id, _tweet_id(tweet_id), permitted("tweets:delete_any"))
    return no_content()


@bp.post("/<tweet_id>/like")
@allow(SIGNED_IN, rate="likes")
@responds(Liked)
def like(tweet_id: str):
    """Like a tweet (idempotent)."""
    return jsonify(tweets.like(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.delete("/<tweet_id>/like")
@allow(SIGNED_IN, rate="likes")
@responds(Liked)
def unlike(tweet_id: str):
    """Take a like back (idempotent)."""
    return jsonify(tweets.unlike(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.get("/<tweet_id>/likes")
@allow(PUBLIC)
@responds(UserPage)
@query(PageQuery)
def likes(tweet_id: str, query: PageQuery):
    """Who liked a tweet, most recent first."""
    items, cursor = tweets.likers(svc(), _tweet_id(tweet_id), query.page(2), viewer_id())
    return page("users", items, cursor)
