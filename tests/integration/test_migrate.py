"""Migrations return only once every index is online: an index still filling is scanned around by
the queries that need it (and the warm-up would plan them so), and its filling competes with the
first requests."""
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
