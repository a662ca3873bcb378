"""Tweet endpoints: post (and reply), read, delete, the thread, likes, boosts and bookmarks."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import conversation, tweets
from domain.errors import BadRequest, NotFound, Unprocessable
from web.context import services as svc
from web.inputs import Body, PageQuery, path_id, query, takes
from web.outputs import Bookmarked, Boosted, Context, Liked, TweetBody, UserPage, responds
from web.policy import PUBLIC, SIGNED_IN, allow, permitted
from web.presenters import json_bytes, no_content, page
from web.security import viewer_id

bp = Blueprint("tweets", __name__, url_prefix="/api/v1/tweets")


class NewTweet(Body):
    text: str
    in_reply_to_id: str | None = None
    media_ids: list[str] = []


def _tweet_id(value: str) -> int:
    return path_id(value, NotFound("tweet_not_found", "No such tweet."))


@bp.post("")
@allow(SIGNED_IN, rate="posts")
@responds(TweetBody, 201, errors=(403, 404, 422))
@takes(NewTweet)
def post(body: NewTweet):
    """Post a tweet of at most 140 characters, with up to 4 images or 1 audio of the author's
    (media_ids), or a reply to another tweet (in_reply_to_id)."""
    media_ids = [path_id(m, Unprocessable("media_not_found", "Some media_ids are not media of yours.", media_ids=[m]))
                 for m in body.media_ids]
    reply_to = None
    if body.in_reply_to_id is not None:
        reply_to = path_id(body.in_reply_to_id, BadRequest(
            "invalid_parameter", "in_reply_to_id must be a tweet id (a decimal string).", field="in_reply_to_id"))
    tweet = tweets.post_tweet(svc(), current_user.user_id, body.text, media_ids, in_reply_to_id=reply_to)
    return jsonify({"tweet": tweet}), 201


@bp.get("/<tweet_id>")
@allow(PUBLIC)
@responds(TweetBody)
def get(tweet_id: str):
    """One tweet."""
    return json_bytes(b'{"tweet":%s}' % tweets.get_tweet(svc(), _tweet_id(tweet_id), viewer_id()))


@bp.delete("/<tweet_id>")
@allow(SIGNED_IN)
@responds(None, 204)
def delete(tweet_id: str):
    """Delete a tweet: its author, or a holder of tweets:delete_any."""
    tweets.delete_tweet(svc(), current_user.user_id, _tweet_id(tweet_id), permitted("tweets:delete_any"))
    return no_content()


@bp.get("/<tweet_id>/context")
@allow(PUBLIC)
@responds(Context)
def context(tweet_id: str):
    """The thread around a tweet: the tweets it answers and the replies below it, oldest first."""
    return json_bytes(conversation.context(svc(), _tweet_id(tweet_id), viewer_id()))


@bp.post("/<tweet_id>/like")
@allow(SIGNED_IN, rate="likes")
@responds(Liked, errors=(403,))
def like(tweet_id: str):
    """Like a tweet (idempotent)."""
    return jsonify(tweets.like(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.delete("/<tweet_id>/like")
@allow(SIGNED_IN, rate="likes")
@responds(Liked)
def unlike(tweet_id: str):
    """Take a like back (idempotent)."""
    return jsonify(tweets.unlike(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.post("/<tweet_id>/boost")
@allow(SIGNED_IN, rate="likes")
@responds(Boosted, errors=(403,))
def boost(tweet_id: str):
    """Boost a tweet to one's followers (idempotent; one's own tweets too)."""
    return jsonify(tweets.boost(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.delete("/<tweet_id>/boost")
@allow(SIGNED_IN, rate="likes")
@responds(Boosted)
def unboost(tweet_id: str):
    """Take a boost back (idempotent)."""
    return jsonify(tweets.unboost(svc(), current_user.user_id, _tweet_id(tweet_id)))


@bp.post("/<tweet_id>/bookmark")
@allow(SIGNED_IN)
@responds(Bookmarked)
def bookmark(tweet_id: str):
    """Bookmark a tweet (private, idempotent)."""
    return jsonify(tweets.bookmark(svc(), current_user.user_id, _tweet_id(tweet_id), True))


@bp.delete("/<tweet_id>/bookmark")
@allow(SIGNED_IN)
@responds(Bookmarked)
def unbookmark(tweet_id: str):
    """Remove a bookmark (idempotent)."""
    return jsonify(tweets.bookmark(svc(), current_user.user_id, _tweet_id(tweet_id), False))


@bp.get("/<tweet_id>/likes")
@allow(PUBLIC)
@responds(UserPage)
@query(PageQuery)
def likes(tweet_id: str, query: PageQuery):
    """Who liked a tweet, most recent first."""
    items, cursor = tweets.likers(svc(), _tweet_id(tweet_id), query.page(2), viewer_id())
    return page("users", items, cursor)
