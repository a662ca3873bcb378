"""New tweets into Redis (cache/new_tweets.py): what a post writes after its commit (its body and
counts, its author's own feed and recent entries, then its event's nudge to the relay) and a
batch's fan-out, each in one round trip on a single server, and whole even when the server has lost
its scripts."""
from __future__ import annotations

import secrets

import orjson
import pytest
import redis.connection

from cache.client import is_cluster
from cache.feeds import feed_key
from cache.streams import EventStreams
from cache.tweets import author_key, count_key, tweet_key
from domain.events import TweetPosted, envelop
from domain.ids import new_id
from domain.tweet_state import COUNTS
from tests.conftest import single_server


def posted(author_id: int) -> dict:
    return {"id": str(new_id()), "text": "written at once", "created_at": "2026-12-03T18:00:00.000Z",
            "in_reply_to": None, "entities": {"mentions": [], "hashtags": []}, "media": [],
            "author": {"id": str(author_id), "username": "writer", "display_name": "Writer"}}


@pytest.fixture
def relay(services):
    """Event streams of their own, whose relay list no relay takes from."""
    streams = EventStreams(services.redis, prefix=f"test-new-tweets-{secrets.token_hex(4)}")
    yield streams
    services.redis.delete(streams.relay_key)


def write(services, relay: EventStreams, tweet: dict) -> int:
    """The id of the post's event."""
    event = envelop(TweetPosted(int(tweet["id"]), int(tweet["author"]["id"])))
    services.new_tweets.write(tweet, event, relay)
    return event.id


def nudges(services, relay: EventStreams) -> list[int]:
    return [orjson.loads(raw)["id"] for raw in services.redis.lrange(relay.relay_key, 0, -1)]


def warm_author(services) -> int:
    """An author whose own feed and recent-entry list are built (empty), as after a read."""
    author_id = 10**15 + secrets.randbelow(10**15)
    services.feeds.open([author_id])
    services.tweet_cache.load_author_tweets(author_id, [])
    return author_id


def assert_written(services, tweet: dict) -> None:
    tweet_id, author_id = int(tweet["id"]), int(tweet["author"]["id"])
    assert b'"text":"written at once"' in services.raw_redis.get(tweet_key(tweet_id))
    assert [services.raw_redis.hget(count_key(kind), tweet_id) for kind in COUNTS] == [b"0:0"] * len(COUNTS)
    assert services.redis.lrange(feed_key(author_id), 0, -1) == [tweet["id"], "0"]
    assert services.redis.zrange(author_key(author_id), 0, -1) == [tweet["id"], "0"]


def count_sends(monkeypatch) -> list:
    """What the Redis clients send from now on (the pool's own health-check pings left out)."""
    sent = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(conn, command, check_health=True):
        if check_health:
            sent.append(command)
        return send(conn, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


@single_server("it counts the round trips to the one server")
def test_a_new_tweet_and_its_nudge_are_written_in_one_round_trip(services, relay, monkeypatch):
    write(services, relay, posted(warm_author(services)))  # the server learns the scripts
    tweet = posted(warm_author(services))
    sent = count_sends(monkeypatch)
    event_id = write(services, relay, tweet)
    monkeypatch.undo()
    assert len(sent) == 1
    assert_written(services, tweet)
    assert nudges(services, relay)[-1] == event_id


@single_server("it counts the round trips to the one server")
def test_a_batch_of_an_authors_tweets_is_fanned_out_in_one_round_trip(services, monkeypatch):
    author = warm_author(services)
    readers = [warm_author(services) for _ in range(2)]
    services.new_tweets.fan_out(author, [author, *readers], [new_id()])  # the server learns the scripts
    tweet_ids = [new_id() for _ in range(3)]
    sent = count_sends(monkeypatch)
    services.new_tweets.fan_out(author, [author, *readers], tweet_ids)
    monkeypatch.undo()
    assert len(sent) == 1
    newest = [str(t) for t in reversed(tweet_ids)]
    assert set(newest) <= set(services.redis.zrange(author_key(author), 0, -1))
    for reader in (author, *readers):
        assert services.redis.lrange(feed_key(reader), 0, 2) == newest


def test_a_new_tweet_is_written_whole_after_the_server_lost_its_scripts(services, relay):
    if not is_cluster(services.redis):
        services.raw_redis.script_flush()
    tweet = posted(warm_author(services))
    event_id = write(services, relay, tweet)
    assert_written(services, tweet)
    assert nudges(services, relay) == [event_id]


def test_an_authors_full_list_loses_its_oldest_seconds_whole_and_is_marked_cut(services):
    """Every second a list holds is whole, so a page can stop exactly at its oldest entry."""
    author_id = 10**15 + secrets.randbelow(10**15)
    size, base = services.tweet_cache.author_size, 1_790_000_000_000
    oldest_second = [new_id(base + 10), new_id(base + 20)]
    services.tweet_cache.load_author_tweets(author_id, [*oldest_second, *(new_id(base + 1000 * s) for s in range(1, size - 2))])
    for s in range(size, size + 2):  # the second push makes size + 1 entries
        services.tweet_cache.push_author_tweet(author_id, new_id(base + 1000 * s))
    kept = services.redis.zrange(author_key(author_id), 0, -1)
    assert kept[-1] == "more" and len(kept) == size
    assert not set(map(str, oldest_second)) & set(kept)
    services.redis.delete(author_key(author_id))


def test_an_authors_list_all_in_one_second_loses_its_oldest_entries(services):
    author_id = 10**15 + secrets.randbelow(10**15)
    size, second = services.tweet_cache.author_size, 1_790_000_000_000
    entries = [new_id(second + ms) for ms in range(size + 1)]  # one second's worth, oldest first
    services.tweet_cache.load_author_tweets(author_id, entries[:-1])
    services.tweet_cache.push_author_tweet(author_id, entries[-1])
    kept = services.redis.zrange(author_key(author_id), 0, -1)
    assert kept == [*map(str, entries[1:]), "more"]
    services.redis.delete(author_key(author_id))
