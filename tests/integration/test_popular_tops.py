"""The authors' tops (cache/popular.py): a full refresh replaces them all, dropping those of authors
who have no recent tweet any more, found in their set rather than by a scan of the keyspace."""
from __future__ import annotations

import secrets

import pytest

from cache.popular import AUTHORS, author_key


@pytest.fixture
def authors(services):
    ids = [10**15 + secrets.randbelow(10**15) for _ in range(3)]
    yield ids
    services.redis.delete(*[author_key(a) for a in ids])


def top(services, author_id: int) -> list[str]:
    return services.redis.zrange(author_key(author_id), 0, -1)


def test_a_full_refresh_drops_the_tops_of_authors_without_recent_tweets(services, authors):
    gone, kept, was = authors
    services.popular.replace_all([{"id": 1, "author_id": was, "score": 1.0}])
    services.popular.update([{"id": 2, "author_id": gone, "score": 2.0}])  # a like between refreshes
    services.popular.replace_all([{"id": 3, "author_id": kept, "score": 3.0}])
    assert top(services, was) == [] and top(services, gone) == []
    assert top(services, kept) == ["3"]


def test_a_full_refresh_reads_the_authors_from_their_set_not_from_a_scan(services, authors):
    gone, kept, unlisted = authors
    services.popular.replace_all([{"id": 1, "author_id": gone, "score": 1.0}])
    services.redis.zadd(author_key(unlisted), {"9": 9.0})  # a key the set does not name
    services.popular.replace_all([{"id": 3, "author_id": kept, "score": 3.0}])
    assert top(services, gone) == []
    assert top(services, unlisted) == ["9"]


def test_a_lost_set_of_authors_is_made_again_from_one_scan(services, authors):
    gone, kept, _ = authors
    services.popular.update([{"id": 1, "author_id": gone, "score": 1.0}])
    services.redis.delete(AUTHORS)
    services.popular.replace_all([{"id": 3, "author_id": kept, "score": 3.0}])
    assert top(services, gone) == []
    assert services.redis.sismember(AUTHORS, kept)
