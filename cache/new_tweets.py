"""A tweet just posted, written where its request's answer and its event's live frame need it: its
body and zero counts and its author's recent entries (cache.tweets), and its author's own feed
(cache.feeds). Each owner queues its own commands; this module only sends them together, in one
round trip on a single server instead of three (docs/performance.md item 27). On a cluster those keys
lie in many slots, and redis-py's cluster pipeline takes no script call: each part goes on its own."""
from __future__ import annotations

from cache.client import is_cluster, queue_scripts, rerun_refused
from cache.feeds import Feeds
from cache.tweets import TweetCache


class NewTweets:
    def __init__(self, r, tweets: TweetCache, feeds: Feeds):
        """r: any client of the server (the answers are not read)."""
        self.r = r
        self.tweets, self.feeds = tweets, feeds

    def write(self, tweet: dict) -> None:
        author_id, tweet_id = int(tweet["author"]["id"]), int(tweet["id"])
        scripts = [*self.feeds.push_calls([author_id], [tweet_id]), self.tweets.author_push_call(author_id, tweet_id)]
        if is_cluster(self.r):
            self.tweets.put([tweet], new=True)
            for script, keys, args in scripts:
                script(keys=keys, args=args)
            return
        pipe = self.r.pipeline(transaction=False)
        self.tweets.queue_put(pipe, [tweet], new=True)
        queue_scripts(pipe, scripts)
        answers = pipe.execute(raise_on_error=False)
        start = len(answers) - len(scripts)
        for answer in answers[:start]:
            if isinstance(answer, Exception):
                raise answer
        rerun_refused(scripts, answers[start:])
