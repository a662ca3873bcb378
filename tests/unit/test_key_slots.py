"""The hash-tag scheme (docs/scale-out.md): every key of one user lies in one Redis Cluster slot,
so each per-user script, transaction and multi-key command runs on a cluster; the keys of
different users spread over the slots; the event streams share one slot (one XREADGROUP reads
every family of a group)."""
from __future__ import annotations

from redis.crc import key_slot

from cache import (feeds, grants, hidden, live_connections, notification_groups, popular, profiles, sessions,
                   tweets, user_streams)
from cache.streams import EventStreams
from domain.tweet_state import FLAGS


def user_keys(user_id: int) -> list[str]:
    return [
        feeds.feed_key(user_id), feeds.celebs_key(user_id), feeds.boosts_key(user_id),
        *[tweets.flag_key(kind, user_id) for kind in FLAGS], tweets.author_key(user_id),
        popular.network_key(user_id), popular.author_key(user_id),
        hidden.hidden_key(user_id), hidden.gen_key(user_id),
        grants.grant_key(user_id), grants.version_key(user_id),
        profiles.profile_key(user_id), profiles.counts_key(user_id), profiles.following_key(user_id),
        sessions._index(user_id),
        live_connections._key(user_id),
        user_streams.stream_key(user_id),
        *notification_groups._keys(user_id, "like:42"), *notification_groups._keys(user_id, "follow"),
    ]


def slot(key: str) -> int:
    return key_slot(key.encode())


def test_every_key_of_one_user_is_in_one_slot():
    for user_id in (1, 123, 2**62 + 7):
        keys = user_keys(user_id)
        assert len(set(keys)) == len(keys)
        assert {slot(k) for k in keys} == {slot(feeds.feed_key(user_id))}, keys


def test_the_keys_of_different_users_spread_over_the_slots():
    assert len({slot(feeds.feed_key(u)) for u in range(1000)}) > 900


def test_the_event_streams_share_one_slot_and_test_prefixes_stay_apart():
    streams, other = EventStreams(None), EventStreams(None, prefix="test-events-1")
    assert len({slot(k) for k in streams.keys}) == 1 and len(streams.keys) > 1
    assert not set(streams.keys) & set(other.keys)
