"""New tweets into Redis, their owners' commands sent together (docs/performance.md items 27, 34). A
post's request writes its body and zero counts and its author's recent entries (cache.tweets), and
its author's own feed (cache.feeds), where its answer and its event's live frame need them, then
nudges the relay with its event (cache.streams): one round trip on a single server instead of four.
On a cluster those keys lie in many slots, and redis-py's cluster pipeline takes no script call:
each part goes on its own there. The fan-out of a batch of an author's tweets (their recent entries
again, and their readers' feeds) is script calls alone: one pipeline per server, a cluster's too."""
from __future__ import annotations

import logging

from cache.client import is_cluster, queue_scripts, rerun_refused, run_scripts
from cache.feeds import Feeds
from cache.tweets import TweetCache
from domain.events import Envelope

log = logging.getLogger(__name__)


class NewTweets:
    def __init__(self, r, tweets: TweetCache, feeds: Feeds):
        """r: any client of the server (the answers are not read)."""
        self.r = r
        self.tweets, self.feeds = tweets, feeds

    def write(self, tweet: dict, event: Envelope, bus) -> None:
        """The tweet's read models, then its event handed to `bus` (an EventPublisher,
        social/ports.py): the relay finds them written (a refused script is sent again after it;
        the fan-out writes the same again anyway)."""
        author_id, tweet_id = int(tweet["author"]["id"]), int(tweet["id"])
        scripts = [*self.feeds.push_calls([author_id], [tweet_id]), self.tweets.author_push_call(author_id, tweet_id)]
        if is_cluster(self.r):
            try:
                self.tweets.put([tweet], new=True)
                run_scripts(self.r, scripts)
            finally:  # the relay's key lies on another master, which may well answer
                bus.publish(event)
            return
        pipe = self.r.pipeline(transaction=False)
        self.tweets.queue_put(pipe, [tweet], new=True)
        queue_scripts(pipe, scripts)
        along = bus.publish_along(pipe, event)
        answers = pipe.execute(raise_on_error=False)
        nudged = answers.pop() if along else None
        start = len(answers) - len(scripts)
        for answer in answers[:start]:
            if isinstance(answer, Exception):
                raise answer
        rerun_refused(scripts, answers[start:])
        if not along:
            bus.publish(event)
        elif isinstance(nudged, Exception):
            log.warning("relay not nudged (the sweep will relay event %s): %s", event.id, nudged)

    def fan_out(self, author_id: int, reader_ids: list[int], tweet_ids: list[int]) -> None:
        """The author's own feed comes first among reader_ids' (the feeds that exist get them)."""
        run_scripts(self.r, [*(self.tweets.author_push_call(author_id, t) for t in tweet_ids),
                             *self.feeds.push_calls(reader_ids, tweet_ids)])
