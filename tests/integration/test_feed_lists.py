"""A home feed as Redis holds it (cache/feeds.py): a list of entries newest first, each once, the
sentinel last, whatever order the fan-out brings them in."""
from __future__ import annotations

import secrets

import pytest

from cache.feeds import CUT, FEW, SENTINEL, boosts_key, feed_key
from domain.entries import boost_member
from domain.ids import new_id

BASE_MS = 1_790_000_000_000


def ids(n: int, start: int = 0, step: int = 2) -> list[int]:
    """n time-ordered tweet ids, oldest first, a second apart (start and step in seconds)."""
    return [new_id(BASE_MS + 1000 * (start + step * i)) for i in range(n)]


@pytest.fixture
def reader(services):
    user_id = 10**15 + secrets.randbelow(10**15)
    yield user_id
    services.feeds.drop([user_id])


def stored(services, user_id: int) -> list[str]:
    return services.redis.lrange(feed_key(user_id), 0, -1)


def newest_first(members) -> list[str]:
    return [str(m) for m in sorted(members, key=lambda m: int(str(m).split(":")[0]), reverse=True)]


def test_a_late_entry_takes_its_place_and_a_repeated_one_is_not_added(services, reader):
    old = ids(5)
    services.feeds.rebuild(reader, old, [])
    late = new_id(BASE_MS + 1000 * 3)  # between the second and the third
    services.feeds.push([reader], [late])
    services.feeds.push([reader], [late, old[4]])  # a redelivered fan-out
    newer = ids(2, start=100)
    services.feeds.push([reader], newer[::-1])
    assert stored(services, reader) == [*newest_first([*old, late, *newer]), SENTINEL]


def test_one_fan_out_of_late_and_new_entries_places_each_in_order(services, reader):
    """Members come oldest first; the feed's head is read once a call."""
    old = ids(12)  # seconds 0, 2, ... 22
    services.feeds.rebuild(reader, old, [])
    deep, shallow = new_id(BASE_MS + 1000 * 3), new_id(BASE_MS + 1000 * 19)  # 10th and 3rd from the head
    newer = ids(2, start=100)
    assert services.feeds.push([reader], [deep, shallow, old[-1], *newer]) == 1
    assert stored(services, reader) == [*newest_first([*old, deep, shallow, *newer]), SENTINEL]


def test_fan_out_only_reaches_feeds_that_exist(services, reader):
    assert services.feeds.push([reader], ids(1)) == 0
    assert not services.redis.exists(feed_key(reader))


def test_a_full_feed_is_cut_back_to_its_newest_entries_and_marked_cut(services, reader):
    size = services.feeds.size
    kept = ids(size - 1)
    services.feeds.rebuild(reader, kept, [])  # all there is
    newer = ids(size // 8 + 1, start=10 * size)
    services.feeds.push([reader], newer)  # an eighth more: kept until the next push
    assert stored(services, reader) == [*newest_first([*kept, *newer]), SENTINEL]
    newest = ids(1, start=20 * size)
    services.feeds.push([reader], newest)
    assert stored(services, reader) == [*newest_first([*kept, *newer, *newest])[:size], CUT]


def test_an_entry_older_than_a_cut_feed_stays_out_of_it(services, reader):
    """Entries between it and the feed's oldest may have been cut: a reader would miss them."""
    size = services.feeds.size
    kept, old = ids(size), new_id(BASE_MS - 5000)
    services.feeds.rebuild(reader, kept, [])  # as many as a feed holds: the graph may hold more
    services.feeds.push([reader], [old])
    assert stored(services, reader) == [*newest_first(kept), CUT]
    services.feeds.remove([reader], kept[-2:])
    services.feeds.push([reader], [old])  # shorter now, but cut all the same
    assert stored(services, reader) == [*newest_first(kept[:-2]), CUT]
    services.feeds.rebuild(reader, kept[-3:], [])  # a feed that holds all there is takes it
    services.feeds.push([reader], [old])
    assert stored(services, reader) == [*newest_first([*kept[-3:], old]), SENTINEL]


def test_a_new_follow_merges_the_authors_entries_in_order_each_once(services, reader):
    own = ids(6)  # seconds 0, 2, ... 10
    services.feeds.rebuild(reader, own, [])
    theirs = ids(4, start=1)  # seconds 1, 3, 5, 7: between the feed's own
    boost_of_shown = boost_member(new_id(BASE_MS + 9000), own[0], 7)
    boost_of_new = boost_member(new_id(BASE_MS + 11_000), new_id(BASE_MS - 1000), 7)
    services.feeds.push_many(reader, [*theirs, own[2], boost_of_shown, boost_of_new])
    assert stored(services, reader) == [*newest_first([*own, *theirs, boost_of_new]), SENTINEL]
    assert services.redis.hgetall(boosts_key(reader)) == {boost_of_new.split(":")[1]: boost_of_new}


def test_a_follow_merges_into_a_cut_feed_only_entries_newer_than_its_last(services, reader):
    size = services.feeds.size
    kept = ids(size, start=100)
    services.feeds.rebuild(reader, kept, [])
    services.feeds.remove([reader], kept[-2:])  # room for two
    older, between = new_id(BASE_MS), new_id(BASE_MS + 1000 * 101)
    services.feeds.push_many(reader, [older, between])
    assert stored(services, reader) == [*newest_first([*kept[:-2], between]), CUT]


def test_a_follow_merges_no_further_back_than_the_newer_of_the_two_horizons(services, reader):
    """The feed was cut at its last entry, the author's entries at their oldest given: entries
    older than the feed's last stay out though the author's horizon lies further back."""
    size = services.feeds.size
    kept = ids(size, start=100)
    services.feeds.rebuild(reader, kept, [])
    services.feeds.remove([reader], kept[-4:])  # room for four
    theirs = [*ids(4, start=1), *kept[:-4]]  # as many as a feed keeps: the author has older ones
    services.feeds.push_many(reader, theirs)
    assert stored(services, reader) == [*newest_first(kept[:-4]), CUT]


def test_a_follow_that_overfills_a_feed_cuts_it(services, reader):
    size = services.feeds.size
    kept = ids(size - 2, start=100)
    services.feeds.rebuild(reader, kept, [])
    theirs = ids(4)  # older than the feed's entries: the two oldest do not fit
    services.feeds.push_many(reader, theirs)
    assert stored(services, reader) == [*newest_first([*kept, *theirs])[:size], CUT]


@pytest.mark.parametrize("count", [1, FEW + 1], ids=["one at a time", "written again"])
def test_a_cut_feed_that_loses_every_entry_goes_cold(services, reader, count):
    """Nothing would tell what an entry pushed on it misses: the next read rebuilds it."""
    kept = ids(count)
    services.feeds.rebuild(reader, kept, [])
    services.redis.lset(feed_key(reader), -1, CUT)  # as if its older entries had been cut
    services.feeds.remove([reader], kept)
    assert not services.redis.exists(feed_key(reader))


def test_a_boost_enters_a_feed_once_and_leaves_it(services, reader):
    [tweet, shown] = ids(2)
    services.feeds.rebuild(reader, [shown], [])
    boost_id = new_id(BASE_MS + 60_000)
    assert services.feeds.push_boost([reader], new_id(BASE_MS + 50_000), shown, 7) == 0  # the tweet is there
    assert services.feeds.push_boost([reader], boost_id, tweet, 7) == 1
    assert services.feeds.push_boost([reader], new_id(BASE_MS + 70_000), tweet, 8) == 0  # boosted there already
    assert stored(services, reader) == [boost_member(boost_id, tweet, 7), str(shown), SENTINEL]
    services.feeds.remove_boost([reader], boost_id, tweet, 7)
    assert stored(services, reader) == [str(shown), SENTINEL]


@pytest.mark.parametrize("count", [2, FEW + 1], ids=["one at a time", "written again"])
def test_removed_entries_leave_the_feed_which_keeps_its_order_and_ttl(services, reader, count):
    entries = ids(FEW * 2)
    services.feeds.rebuild(reader, entries, [])
    ttl = services.redis.ttl(feed_key(reader))
    gone = entries[1 : 1 + count]
    services.feeds.remove([reader], gone)
    assert stored(services, reader) == [*newest_first(set(entries) - set(gone)), SENTINEL]
    assert 0 < services.redis.ttl(feed_key(reader)) <= ttl
