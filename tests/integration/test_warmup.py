"""Every query of cypher/ (migrations and seed aside) is planned at start, with parameters of the
types it is later run with, so no first request pays for planning."""
from graph.warmup import hot_queries, warm


def test_every_hot_query_is_planned_with_its_sample_parameters(services):
    names = hot_queries()
    assert "feed/home" in names and "tweets/like" in names
    assert not any(n.startswith(("migrations/", "seed/")) for n in names)
    assert warm(services.graph) == len(names)
