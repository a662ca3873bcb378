"""Every query of cypher/ that requests run (not the migrations, the seed or the shell's
analytics and admin queries) is warmed at start, with parameters of the
types it is later run with, so no first request pays for planning; the queries it runs to warm
them are rolled back, so the warm-up changes nothing."""
from graph.warmup import hot_queries, warm


def _census(services) -> dict:
    return services.graph.driver.execute_query(
        "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS relationships",
        result_transformer_=lambda r: r.single().data())


def test_every_hot_query_is_planned_with_its_sample_parameters(services):
    names = hot_queries()
    assert "feed/home" in names and "tweets/like" in names
    assert not any(n.startswith(("migrations/", "seed/", "analytics/", "admin/")) for n in names)
    assert "recommendations/who_to_follow" in names  # the shell runs it too, but so does the API
    assert warm(services.graph) == len(names)


def test_the_warm_up_runs_write_queries_but_commits_nothing(services, make_user):
    make_user().tweet("before the warm-up")
    before = _census(services)
    warm(services.graph)
    assert _census(services) == before
    assert services.graph.driver.execute_query(
        "MATCH (u:User) WHERE u.username = 'warmup' OR u.id = -1 RETURN count(u) AS n",
        result_transformer_=lambda r: r.single()["n"]) == 0
