"""The event substrate against the real Neo4j and Redis: the outbox commits with its write, the
relay moves events to streams of their own (a private prefix, so the stack's consumers never see
them), and consumer groups handle each event once, after crashes and duplicates too."""
from __future__ import annotations

import pytest

from domain.clock import now_ms
from domain.events import Envelope, Followed, LikeChanged, envelop
from domain.ids import new_id
from graph.outbox import _record_params, _write_batch
from jobs import consumer as consumer_module
from jobs.consumer import Consumer
from jobs.handlers import HANDLERS
from jobs.persist_later import PersistLater
from jobs.relay import Relay
from social import accounts, tweets
from tests.conftest import unique_name


def new_user(svc) -> int:
    return int(accounts.register(svc, unique_name(), "long-password", None)["id"])


def events_about(svc, type_: str, needle: str) -> list[dict]:
    return svc.graph.driver.execute_query(
        "MATCH (e:Event {type: $type}) WHERE e.payload CONTAINS $needle "
        "RETURN e.id AS id, e:Unrelayed AS unrelayed, e.relayed_at IS NOT NULL AS relayed",
        type=type_, needle=needle, result_transformer_=lambda r: r.data(),
    )


def unpublished_follow(svc) -> tuple[Envelope, int, int]:
    """A follow written with its outbox event, as a request does, but with no nudge yet."""
    a, b = new_user(svc), new_user(svc)
    event = envelop(Followed(a, b))
    assert svc.users.follow(a, b, now_ms(), event)
    return event, a, b


def test_a_like_and_its_event_commit_together_and_a_repeat_records_nothing(services):
    author, fan = new_user(services), new_user(services)
    tweet_id = int(tweets.post_tweet(services, author, "like me")["id"])
    tweets.like(services, fan, tweet_id)
    tweets.like(services, fan, tweet_id)
    [event] = events_about(services, "LikeChanged", f'"user_id":{fan}')
    assert event["relayed"] and not event["unrelayed"]  # handled inline, so marked relayed


def test_a_rolled_back_write_leaves_no_event(services):
    a, b = new_user(services), new_user(services)
    event = envelop(Followed(a, b))

    def write_then_fail(tx):
        items = [{"i": 0, "follower_id": a, "followee_id": b, "now_ms": now_ms(), "events": [_record_params(event)]}]
        _write_batch(tx, "follows/follow", items)
        raise RuntimeError("the request fails before its commit")

    with pytest.raises(RuntimeError):
        services.graph.write_with(write_then_fail)
    assert events_about(services, "Followed", f'"follower_id":{a}') == []
    assert services.users.follow(a, b, now_ms())  # a new follow: the first was rolled back too


def test_relay_appends_nudged_events_and_marks_them_once_redis_confirms_it_keeps_them(private):
    event, a, _ = unpublished_follow(private)
    private.event_streams.nudge([event])
    relay = Relay(private)
    assert relay.relay(private.event_streams.nudged(1.0)) == 1
    [(_, fields)] = private.redis.xrange(private.event_streams.key("follows"))
    assert int(fields["id"]) == event.id and fields["type"] == "Followed"
    assert events_about(private, "Followed", f'"follower_id":{a}')[0]["unrelayed"]  # marked by the outbox loop
    relay.relay([event])  # nudged twice: appended once
    assert private.redis.xlen(private.event_streams.key("follows")) == 1
    assert relay.mark_kept() == 1  # the test stack's Redis fsyncs each write, or WAIT found a replica
    assert events_about(private, "Followed", f'"follower_id":{a}')[0]["relayed"]


def test_the_sweep_relays_an_event_whose_nudge_was_lost(private):
    a, b = new_user(private), new_user(private)
    stale = Envelope(new_id(now_ms() - 60_000), now_ms() - 60_000, Followed(a, b))
    assert private.users.follow(a, b, now_ms(), stale)
    Relay(private).sweep()
    relayed = [int(f["id"]) for _, f in private.redis.xrange(private.event_streams.key("follows"))]
    assert stale.id in relayed


def notifications_of(svc, user_id: int) -> list[dict]:
    return svc.notifications.hydrate(svc.notifications.page_ids(user_id, None, 100))


def frames_of(svc, user_id: int) -> list:
    return svc.user_streams.after(user_id, "0-0")


def drain(consumer: Consumer, steps: int = 5) -> None:
    """Its own pending entries, a claim of abandoned ones, then new ones: each step does one."""
    for _ in range(steps):
        consumer.step(block_ms=50)


def test_a_consumer_handles_each_event_once_and_acknowledges_it(private):
    event, a, b = unpublished_follow(private)
    private.event_streams.append([event])
    private.event_streams.append([event])  # a duplicate entry (a relay that crashed before marking)
    drain(Consumer(private, "notify", "c1"))
    [note] = notifications_of(private, b)
    assert note["type"] == "follow" and note["actors"][0]["id"] == a
    assert [f.event for f in frames_of(private, b)] == ["notification"]
    assert private.event_streams.backlog() == 0


def test_the_notify_group_pushes_at_once_and_acknowledges_only_once_its_notifications_are_written(private):
    event, a, b = unpublished_follow(private)
    private.event_streams.append([event])
    later = PersistLater(private.notifications)
    drain(Consumer(private, "notify", "c1", later=later))
    assert [f.event for f in frames_of(private, b)] == ["notification"]  # pushed
    assert notifications_of(private, b) == [] and private.event_streams.backlog() == 1  # not yet written
    later.gather(wait=0)
    later.write()
    [note] = notifications_of(private, b)
    assert note["type"] == "follow" and note["actors"][0]["id"] == a
    assert private.event_streams.backlog() == 0


def test_a_restarted_consumer_first_handles_what_it_had_not_acknowledged(private):
    event, _, b = unpublished_follow(private)
    streams = private.event_streams
    streams.ensure_group("notify", ["follows"])
    streams.append([event])
    assert len(streams.read("notify", ["follows"], "c1", 10, None, own_pending=False)) == 1  # then it died
    assert notifications_of(private, b) == []
    restarted = Consumer(private, "notify", "c1")  # the same name, started again
    restarted.step(block_ms=None)  # its own pending entries come first
    assert len(notifications_of(private, b)) == 1
    assert streams.backlog() == 0


def test_entries_of_a_consumer_that_never_came_back_are_claimed(private):
    event, _, b = unpublished_follow(private)
    streams = private.event_streams
    streams.ensure_group("notify", ["follows"])
    streams.append([event])
    streams.read("notify", ["follows"], "gone", 10, None, own_pending=False)
    survivor = Consumer(private, "notify", "survivor")
    survivor.claim_idle_ms = 0
    survivor.step()  # its own pending: none
    survivor.step()  # claims and handles the dead consumer's entry
    assert len(notifications_of(private, b)) == 1
    assert streams.backlog() == 0


def test_an_event_that_keeps_failing_is_set_aside_and_the_stream_moves_on(private, monkeypatch):
    def explode(svc, events):
        if any(e.event.follower_id == poisoned for e in events):
            raise ValueError("a bug in a handler")
        handled.extend(events)

    handled: list = []
    monkeypatch.setitem(HANDLERS, "fragile", {Followed: (explode,)})
    monkeypatch.setattr(consumer_module, "RETRY_PAUSE_SECONDS", 0)
    bad, poisoned, _ = unpublished_follow(private)
    good, _, _ = unpublished_follow(private)
    private.event_streams.append([bad, good])
    drain(Consumer(private, "fragile", "c1"), consumer_module.MAX_ATTEMPTS + 4)
    assert [e.id for e in handled] == [good.id]
    [(_, dead)] = private.redis.xrange(f"{private.event_streams.prefix}:dead")
    assert int(dead["id"]) == bad.id and dead["group"] == "fragile" and "a bug" in dead["error"]
    assert private.event_streams.backlog() == 0


def test_a_lingering_group_reads_on_at_once_after_a_full_batch_and_waits_after_a_short_one(private, monkeypatch):
    handled: list = []
    monkeypatch.setitem(HANDLERS, "gathering", {Followed: (lambda svc, events: handled.append(len(events)),)})
    monkeypatch.setitem(consumer_module.LINGER_SECONDS, "gathering", 0.5)
    pauses: list = []
    monkeypatch.setattr(consumer_module.time, "sleep", pauses.append)
    events = [envelop(Followed(i, i + 1)) for i in range(1, consumer_module.READ_COUNT + 2)]  # the handler is ours
    private.event_streams.append(events)
    consumer = Consumer(private, "gathering", "c1")
    consumer.step()  # its own pending: none
    consumer.step()  # abandoned entries to claim: none
    consumer.step(block_ms=50)
    assert handled == [consumer_module.READ_COUNT] and pauses == []  # a backlog: no pause
    consumer.step(block_ms=50)
    assert handled == [consumer_module.READ_COUNT, 1] and pauses == [0.5]


def test_a_group_leaves_the_streams_it_no_longer_reads(private):
    streams = private.event_streams
    streams.ensure_group("ranking", ["likes", "tweets"])  # what an older version read
    streams.ensure_group("ranking", ["likes"])
    assert [g["name"] for g in private.redis.xinfo_groups(streams.key("likes"))] == ["ranking"]
    assert private.redis.xinfo_groups(streams.key("tweets")) == []


def test_trim_keeps_only_what_a_group_has_not_acknowledged(private):
    streams = private.event_streams
    streams.ensure_group("notify", ["likes"])
    streams.ensure_group("ranking", ["likes"])
    events = [envelop(LikeChanged(1, new_id(), True)) for _ in range(3)]
    streams.append(events)
    streams.finish("notify", streams.read("notify", ["likes"], "c", 10, None, own_pending=False))
    ranking = streams.read("ranking", ["likes"], "c", 2, None, own_pending=False)
    streams.finish("ranking", ranking[:1])  # ranking: 1 done, 1 pending, 1 unread
    streams.trim()
    left = [int(f["id"]) for _, f in private.redis.xrange(streams.key("likes"))]
    assert left == [events[1].id, events[2].id]
