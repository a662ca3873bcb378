"""Dispatches each domain event to the use cases that keep the read models in step with it."""
from __future__ import annotations

from jobs.runtime import services
from ranking.refresh import rescore
from social import timeline
from social.events import Followed, LikeChanged, TweetDeleted, TweetPosted, Unfollowed


def _rescore_like(svc, event: LikeChanged) -> None:
    rescore(svc, [event.tweet_id])


HANDLERS = {
    TweetPosted: (timeline.fan_out,),
    TweetDeleted: (timeline.retract,),
    Followed: (timeline.backfill,),
    Unfollowed: (timeline.unmerge,),
    LikeChanged: (_rescore_like,),
}


def handle(event) -> None:
    svc = services()
    for handler in HANDLERS[type(event)]:
        handler(svc, event)
