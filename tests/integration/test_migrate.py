"""Migrations return only once every index is online: an index still filling is scanned around by
the queries that need it (and the warm-up would plan them so), and its filling competes with the
first requests."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph import migrate as migrations


def _query(services, text: str, **params) -> list[dict]:
    return services.graph.driver.execute_query(text, params, result_transformer_=lambda r: r.data())


def test_a_migration_returns_once_the_index_it_made_is_online(services, tmp_path, monkeypatch):
    _query(services, "UNWIND range(1, 30000) AS i CREATE (:MigrationProbe {text: 'words to index ' + toString(i)})")
    (tmp_path / "9999_probe.cypher").write_text(
        "CREATE FULLTEXT INDEX migration_probe IF NOT EXISTS FOR (p:MigrationProbe) ON EACH [p.text];\n")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", tmp_path)
    try:
        assert migrations.migrate(services.graph) == ["9999_probe"]
        [index] = _query(services, "SHOW INDEXES YIELD name, state WHERE name = 'migration_probe' RETURN state")
        assert index["state"] == "ONLINE"
    finally:
        _query(services, "DROP INDEX migration_probe IF EXISTS")
        _query(services, "MATCH (p:MigrationProbe) DETACH DELETE p")
        _query(services, "MATCH (m:Migration {id: '9999_probe'}) DELETE m")


def test_work_beside_the_migrate_step_waits_until_another_process_has_migrated(services, tmp_path, monkeypatch):
    (tmp_path / "9998_pending.cypher").write_text("RETURN 1;\n")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", tmp_path)
    with pytest.raises(TimeoutError):
        migrations.await_migrated(services.graph, seconds=0.6)
    try:
        with ThreadPoolExecutor(1) as other:  # the migrate step, in its own time
            applied = other.submit(lambda: time.sleep(0.5) or migrations.migrate(services.graph))
            migrations.await_migrated(services.graph, seconds=30)
            assert _query(services, "MATCH (m:Migration {id: '9998_pending'}) RETURN m.id AS id")
            assert applied.result() == ["9998_pending"]
    finally:
        _query(services, "MATCH (m:Migration {id: '9998_pending'}) DELETE m")


def test_the_tweet_search_migration_labels_older_tweets_and_replaces_the_index_on_every_tweet(services):
    migration = "0040_tweet_search_in_batches"
    tweet_id = 2**62 + 40
    _query(services, "CREATE (:Tweet {id: $id, text: 'zmigrated words'})", id=tweet_id)
    _query(services, "CREATE FULLTEXT INDEX tweet_text IF NOT EXISTS FOR (t:Tweet) ON EACH [t.text]")  # as before 0040
    _query(services, "MATCH (m:Migration {id: $id}) DELETE m", id=migration)
    try:
        assert migrations.migrate(services.graph) == [migration]
        [tweet] = _query(services, "MATCH (t:Tweet {id: $id}) RETURN t:Searchable AS searchable", id=tweet_id)
        assert tweet["searchable"]
        names = {r["name"] for r in _query(services, "SHOW INDEXES YIELD name WHERE name STARTS WITH 'tweet_' RETURN name")}
        assert "tweet_text" not in names and "tweet_search" in names
        found = _query(services, "CALL db.index.fulltext.queryNodes('tweet_search', 'zmigrated') YIELD node RETURN node.id AS id")
        assert [r["id"] for r in found] == [tweet_id]
    finally:
        _query(services, "MATCH (t:Tweet {id: $id}) DELETE t", id=tweet_id)
        _query(services, "DROP INDEX tweet_text IF EXISTS")
        migrations.migrate(services.graph)
