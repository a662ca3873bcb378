"""What each consumer group does with each kind of event. Groups read the same streams at their
own pace, so a slow ranking update never delays a notification. A handler takes the services and a
run of events of one kind in stream order (a batch: one transaction for many events where it can),
and is idempotent: events may be delivered again after a crash."""
from __future__ import annotations

from domain.events import (BoostChanged, Envelope, Followed, LikeChanged, MediaFinalized, MessageSent, TweetDeleted,
                           TweetPosted, Unfollowed)
from ranking.refresh import rescore
from social import conversation, live, media, messages, notify, profiles, timeline


def _each(use_case):
    """The timeline's use cases take one bare event."""

    def handle(svc, events: list[Envelope]) -> None:
        for e in events:
            use_case(svc, e.event)

    handle.__name__ = use_case.__name__
    return handle


def _process_media(svc, events: list[Envelope]) -> None:
    for e in events:
        media.process(svc, e.event.media_id)


def _rescore(svc, events: list[Envelope]) -> None:
    rescore(svc, sorted({e.event.tweet_id for e in events}))


HANDLERS = {
    "timeline": {
        TweetPosted: (timeline.fan_out, profiles.on_counts_changed),
        TweetDeleted: (_each(timeline.retract), profiles.on_counts_changed),
        Followed: (_each(timeline.backfill), profiles.on_counts_changed),
        Unfollowed: (_each(timeline.unmerge), profiles.on_counts_changed),
        BoostChanged: (_each(timeline.fan_out_boost),),
    },
    "ranking": {
        LikeChanged: (_rescore,),
        BoostChanged: (_rescore,),
    },
    "notify": {
        TweetPosted: (live.announce_tweets, notify.on_tweets_posted),
        TweetDeleted: (notify.on_tweets_deleted,),
        Followed: (notify.on_follows,),
        Unfollowed: (notify.on_unfollows,),
        LikeChanged: (notify.on_likes,),
        BoostChanged: (notify.on_boosts,),
        MessageSent: (messages.deliver,),
    },
    "search": {
        TweetPosted: (conversation.index_posted,),
    },
    "media": {
        MediaFinalized: (_process_media,),  # its own group: a long decode delays no notification
    },
}


def handle(svc, group: str, events: list[Envelope]) -> None:
    """Runs the group's handlers on events of one kind."""
    for handler in HANDLERS[group].get(type(events[0].event), ()):
        handler(svc, events)


class InlineEvents:
    """The event publisher of tests of job effects: every group handles each event at once, in the
    caller, and the event is marked relayed so that no relay moves it again."""

    def __init__(self, svc):
        self.svc = svc

    def publish(self, event: Envelope) -> None:
        for group in HANDLERS:
            handle(self.svc, group, [event])
        self.svc.outbox.mark_relayed([event.id])

    def publish_along(self, pipe, event: Envelope) -> bool:
        return False  # handled only once the pipeline's writes are done: the caller publishes it then
