"""PageRank written back to the graph, popularity scores, and the top K read models."""
import networkx as nx
import orjson

from cache.popular import network_key
from ranking.refresh import refresh_pagerank, refresh_popular
from social import feed
from domain.clock import now_ms
from domain.pages import PageRequest


def test_pagerank_job_writes_ranks_equal_to_networkx(services, make_user):
    a, b, c = make_user(), make_user(), make_user()
    a.post(f"/api/v1/users/{b.username}/follow")
    c.post(f"/api/v1/users/{b.username}/follow")
    b.post(f"/api/v1/users/{a.username}/follow")
    stats = refresh_pagerank(services)
    g = nx.DiGraph()
    g.add_nodes_from(r["id"] for r in services.graph.driver.execute_query(
        "MATCH (u:User) RETURN u.id AS id", result_transformer_=lambda res: res.data()))
    g.add_edges_from((r["u"], r["v"]) for r in services.graph.driver.execute_query(
        "MATCH (u:User)-[:FOLLOWS]->(v:User) RETURN u.id AS u, v.id AS v", result_transformer_=lambda res: res.data()))
    expected = nx.pagerank(g)
    stored = {r["id"]: r["rank"] for r in services.graph.driver.execute_query(
        "MATCH (u:User) RETURN u.id AS id, u.rank AS rank", result_transformer_=lambda res: res.data()
    )}
    assert stats["users"] == g.number_of_nodes() and stats["edges"] == g.number_of_edges()
    assert max(abs(stored[u] - expected[u]) for u in g.nodes) < 1e-6
    assert stored[int(b.id)] > stored[int(c.id)]


def test_cached_top_k_agrees_with_the_cypher_query(services, make_user):
    author, fans = make_user(), [make_user() for _ in range(3)]
    tweet = author.tweet("popular one")
    for fan in fans:
        fan.post(f"/api/v1/tweets/{tweet['id']}/like")
    at = now_ms()
    refresh_popular(services, at)
    columns = services.graph.read_one("ranking/popular", now_ms=at, window_hours=168)
    assert len(columns["ids"]) == len(columns["author_ids"]) == len(columns["scores"])
    assert columns["author_ids"][columns["ids"].index(int(tweet["id"]))] == int(author.id)
    rows = sorted(zip(columns["scores"], columns["ids"]), reverse=True)[:10]
    cached = services.popular.global_scores(10)
    assert [tweet_id for _, tweet_id in rows] == [tweet_id for tweet_id, _ in cached]
    assert all(abs(score - s) < 1e-9 * max(1.0, s) for (score, _), (_, s) in zip(rows, cached))


def test_a_like_rescores_the_tweet_incrementally(services, make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet("rising")
    tweet_id = int(tweet["id"])
    before = services.redis.zscore("popular:global", tweet_id)
    fan.post(f"/api/v1/tweets/{tweet_id}/like")
    after = services.redis.zscore("popular:global", tweet_id)
    assert after is not None and (before is None or after > before)
    [row] = services.graph.read("ranking/tweet_scores", ids=[tweet_id], now_ms=now_ms())
    assert abs(row["score"] - after) / after < 0.01  # the same formula, a moment later


def test_popular_endpoint_serves_the_top_k_as_contract_tweets(client, services, make_user):
    author, fans = make_user(), [make_user() for _ in range(60)]
    tweet = author.tweet("top of the charts")
    for fan in fans:
        fan.post(f"/api/v1/tweets/{tweet['id']}/like")
    refresh_popular(services)
    body = client.get("/api/v1/feed/popular?k=50").get_json()
    ids = [t["id"] for t in body["tweets"]]
    assert ids == [str(i) for i, _ in services.popular.global_scores(50)]
    assert tweet["id"] in ids
    assert len(client.get("/api/v1/feed/popular?k=3").get_json()["tweets"]) == 3
    found = next(t for t in body["tweets"] if t["id"] == tweet["id"])
    assert found == {**tweet, "like_count": 60, "liked": False}
    seen_by_fan = fans[0].get("/api/v1/feed/popular?k=50").get_json()["tweets"]
    assert next(t for t in seen_by_fan if t["id"] == tweet["id"])["liked"] is True


def test_home_popular_is_the_top_of_the_viewers_network(services, make_user):
    viewer, followed, stranger, fan = make_user(), make_user(), make_user(), make_user()
    viewer.post(f"/api/v1/users/{followed.username}/follow")
    mine = followed.tweet("in my network")
    theirs = stranger.tweet("outside my network")
    for t in (mine, theirs):
        fan.post(f"/api/v1/tweets/{t['id']}/like")
    refresh_popular(services)
    services.redis.delete(network_key(viewer.id))
    body = viewer.get("/api/v1/feed/home?k=5").get_json()
    popular_ids = [t["id"] for t in body["popular"]]
    assert mine["id"] in popular_ids and theirs["id"] not in popular_ids
    _, _, popular = feed.home(services, int(viewer.id), PageRequest(), 1)
    assert len(popular) == 1 and orjson.loads(popular[0])["id"] == mine["id"]
