"""The queries of cypher/recommendations and GET /recommendations/follows, checked against networkx
computations on one small follow graph built through the API."""
import math

import networkx as nx
import pytest

from domain.clock import now_ms
from domain.ids import new_id
from domain.rules import username_key
from tests.conftest import ApiUser, unique_ip, unique_name

# Directed follows of the small graph; "me" is the user recommendations are made for.
FOLLOWS = [
    ("me", "a"), ("me", "b"), ("me", "c"),
    ("a", "me"), ("a", "b"), ("a", "d"), ("a", "e"),
    ("b", "d"), ("b", "f"), ("b", "x1"),
    ("c", "d"), ("c", "e"), ("c", "g"), ("c", "sus"),
    ("d", "a"), ("e", "f"), ("x1", "b"), ("x2", "b"), ("x2", "c"),
]
SUSPENDED = {"sus"}
RANKS = {"a": 0.01, "b": 0.3, "c": 0.05, "f": 0.2}
# Tweets by their author, and who likes them; ("c", "t_e") is moved 3 days back, out of the window.
TWEETS = {"t_d": "d", "t_e": "e", "t_f": "f", "t_g": "g", "t_me": "me"}
LIKES = [
    ("a", "t_d"), ("b", "t_d"), ("c", "t_d"), ("a", "t_e"), ("x1", "t_e"), ("c", "t_e"),
    ("c", "t_f"), ("x1", "t_f"), ("x2", "t_f"), ("b", "t_g"), ("c", "t_g"), ("me", "t_g"),
    ("a", "t_me"), ("b", "t_me"),
]
OLD_LIKE = ("c", "t_e")


class Net:
    """The graph as the test built it: ids and usernames by role, the signed-in "me", the networkx twin."""

    def __init__(self, me: ApiUser, id: dict[str, int], names: dict[str, str], tweets: dict[str, int]):
        self.me = me
        self.id = id
        self.role = {v: k for k, v in id.items()}
        self.names = names
        self.tweets = tweets
        self.tweet_role = {v: k for k, v in tweets.items()}
        self.graph = nx.DiGraph(FOLLOWS)

    def name(self, role: str) -> str:
        return self.names[role]


def add_user(services, prefix: str) -> tuple[int, str]:
    """A user written through the repository: no password to hash, no sign-in."""
    name = unique_name(prefix)
    user_id = services.users.create(
        id=new_id(), username=name, username_key=username_key(name), display_name=name,
        password_hash="-", now_ms=now_ms(),
    )
    return user_id, name


@pytest.fixture(scope="module")
def net(app, services) -> Net:
    """Only "me" signs up through the API (it calls the endpoint); the rest is written through the
    repositories, which skips the feed jobs that the API would run for every follow and like."""
    ip, username = unique_ip(), unique_name("me")
    r = app.test_client().post(
        "/api/v1/auth/register", json={"username": username, "password": "correct horse"},
        environ_base={"REMOTE_ADDR": ip},
    )
    assert r.status_code == 201, r.get_json()
    me = ApiUser(app, username, "correct horse", ip)
    ids, names = {"me": int(me.id)}, {"me": username}
    for role in sorted({r for pair in FOLLOWS for r in pair} - {"me"}):
        ids[role], names[role] = add_user(services, role[:2])
    for follower, followee in FOLLOWS:
        assert services.users.follow(ids[follower], ids[followee], now_ms())
    tweets = {}
    for t, author in TWEETS.items():
        tweets[t] = new_id()
        services.tweets.create(tweets[t], ids[author], f"tweet {t}", now_ms())
    for liker, t in LIKES:
        services.tweets.like(ids[liker], tweets[t], now_ms())
    services.driver.execute_query(
        "MATCH (u:User {id: $user})-[l:LIKED]->(t:Tweet {id: $tweet}) "
        "SET l.created_at = l.created_at - duration({days: 3})",
        user=ids[OLD_LIKE[0]], tweet=tweets[OLD_LIKE[1]],
    )
    services.driver.execute_query(
        "UNWIND $rows AS row MATCH (u:User {id: row.id}) SET u.rank = row.rank, u.suspended = row.suspended",
        rows=[
            {"id": ids[r], "rank": RANKS.get(r), "suspended": True if r in SUSPENDED else None}
            for r in ids
        ],
    )
    return Net(me, ids, names, tweets)


def user_count(services) -> int:
    return services.driver.execute_query("MATCH (u:User) RETURN count(u) AS n").records[0]["n"]


def expected_who_to_follow(net: Net, users: int) -> dict[str, dict]:
    """Friends of friends by the documented definition: common followees of me that follow the
    candidate, Adamic-Adar over them with networkx's DiGraph degree, boosted by rank."""
    g, mine = net.graph, set(net.graph.successors("me"))
    out = {}
    for candidate in g.nodes:
        if candidate == "me" or candidate in mine or candidate in SUSPENDED:
            continue
        via = mine & set(g.predecessors(candidate))
        if not via:
            continue
        adamic_adar = sum(1 / math.log(g.degree(f)) for f in via)
        boost = 1 + math.log(1 + RANKS.get(candidate, 0.0) * users)
        ordered_via = sorted(via, key=lambda f: (-RANKS.get(f, 0.0), net.name(f)))
        out[candidate] = {
            "common": len(via),
            "adamic_adar": adamic_adar,
            "boost": boost,
            "score": adamic_adar * boost,
            "via": [net.name(f) for f in ordered_via][:3],
        }
    return out


def test_who_to_follow_matches_networkx_common_neighbours_adamic_adar_and_rank_boost(net, services):
    users = user_count(services)
    rows = services.graph.read("recommendations/who_to_follow", user_id=net.id["me"], limit=100, hidden=[])
    expected = expected_who_to_follow(net, users)

    assert [net.role[r["id"]] for r in rows] == sorted(
        expected, key=lambda c: (-expected[c]["score"], -expected[c]["common"], net.id[c])
    )
    for row in rows:
        want = expected[net.role[row["id"]]]
        assert row["common"] == want["common"]
        assert row["adamic_adar"] == pytest.approx(want["adamic_adar"], rel=1e-12)
        assert row["boost"] == pytest.approx(want["boost"], rel=1e-12)
        assert row["score"] == pytest.approx(want["score"], rel=1e-12)
        assert row["via"] == want["via"]
    assert set(expected) == {"d", "e", "f", "g", "x1"}


def test_who_to_follow_leaves_out_self_followed_and_suspended_accounts_and_boosts_by_rank(net, services):
    rows = services.graph.read("recommendations/who_to_follow", user_id=net.id["me"], limit=100, hidden=[])
    roles = [net.role[r["id"]] for r in rows]
    assert not {"me", "a", "b", "c", "sus"} & set(roles)
    # f and g are each followed by one of my followees; g's has fewer ties (the higher
    # Adamic-Adar), but f's PageRank lifts it above g.
    by_role = {net.role[r["id"]]: r for r in rows}
    assert by_role["g"]["adamic_adar"] > by_role["f"]["adamic_adar"]
    assert roles.index("f") < roles.index("g")
    top = services.graph.read("recommendations/who_to_follow", user_id=net.id["me"], limit=2, hidden=[])
    assert [r["id"] for r in top] == [r["id"] for r in rows[:2]]


def test_adamic_adar_equals_networkx_index_on_the_undirected_view_when_follows_are_one_way(services):
    """Where me and the candidate share only followees of me that follow the candidate, and no
    follow is mutual, the directed definition is networkx.adamic_adar_index on the undirected view."""
    me, v1, v2, cand, other = (add_user(services, "aa")[0] for _ in range(5))
    edges = [(me, v1), (me, v2), (v1, cand), (v2, cand), (other, v1)]
    for a, b in edges:
        services.users.follow(a, b, now_ms())
    [(_, _, index)] = nx.adamic_adar_index(nx.Graph(edges), [(me, cand)])
    [row] = services.graph.read("recommendations/who_to_follow", user_id=me, limit=10, hidden=[])
    assert row["id"] == cand and row["common"] == 2
    assert row["adamic_adar"] == pytest.approx(index, rel=1e-12)


def test_similar_users_match_networkx_jaccard_of_follow_sets(net, services):
    rows = services.graph.read("recommendations/similar_users", user_id=net.id["me"], limit=100)
    # Follow sets as neighbourhoods: a bipartite graph of followers and the accounts they follow.
    bipartite = nx.Graph((("by", a), ("of", b)) for a, b in FOLLOWS)
    sharing = {
        u for u in net.id
        if u != "me" and u not in SUSPENDED
        and set(net.graph.successors(u)) & set(net.graph.successors("me"))
    }
    expected = {
        v[1]: j for u, v, j in nx.jaccard_coefficient(bipartite, [(("by", "me"), ("by", u)) for u in sharing])
    }
    assert {net.role[r["id"]] for r in rows} == set(expected)
    for row in rows:
        role = net.role[row["id"]]
        assert row["jaccard"] == pytest.approx(expected[role], rel=1e-12)
        assert row["shared"] == len(set(net.graph.successors(role)) & set(net.graph.successors("me")))
        assert row["following"] == net.graph.has_edge("me", role)
    assert [r["jaccard"] for r in rows] == sorted((r["jaccard"] for r in rows), reverse=True)


def test_trending_in_network_counts_recent_likes_by_followed_users(net, services):
    rows = services.graph.read(
        "recommendations/trending_in_network", user_id=net.id["me"], hours=24, limit=100
    )
    likes = nx.DiGraph(LIKES)
    likes.remove_edge(*OLD_LIKE)  # outside the 24 hour window
    followed = set(net.graph.successors("me"))
    expected = {}
    for t in TWEETS:
        if TWEETS[t] == "me" or likes.has_edge("me", t):
            continue
        network = followed & set(likes.predecessors(t))
        if network:
            expected[t] = (len(network), sum(1 for _, liked in LIKES if liked == t))
    got = {net.tweet_role[r["id"]]: (r["network_likes"], r["likes"]) for r in rows}
    assert got == expected == {"t_d": (3, 3), "t_e": (1, 3), "t_f": (1, 3)}
    assert [net.tweet_role[r["id"]] for r in rows][0] == "t_d"
    assert rows[0]["liked_by"] == sorted(net.name(r) for r in ("a", "b", "c"))
    wider = services.graph.read("recommendations/trending_in_network", user_id=net.id["me"], hours=96, limit=100)
    assert {net.tweet_role[r["id"]]: r["network_likes"] for r in wider}["t_e"] == 2


def test_follows_endpoint_serves_who_to_follow_with_scores_and_reasons(net, services):
    body = net.me.get("/api/v1/recommendations/follows?limit=5").get_json()
    rows = services.graph.read("recommendations/who_to_follow", user_id=net.id["me"], limit=5, hidden=[])
    assert [s["user"]["id"] for s in body["users"]] == [str(r["id"]) for r in rows]
    assert [s["score"] for s in body["users"]] == pytest.approx([r["score"] for r in rows], rel=1e-12)
    by_role = {net.role[int(s["user"]["id"])]: s for s in body["users"]}
    d = by_role["d"]
    assert d["user"]["username"] == net.name("d") and d["user"]["following"] is False
    # Shared followees are named best ranked first: b (0.3), then c (0.05), then a (0.01).
    assert d["reason"] == f"followed by {net.name('b')} and 2 others you follow"
    assert by_role["e"]["reason"] == f"followed by {net.name('c')} and {net.name('a')}, who you follow"
    assert by_role["g"]["reason"] == f"followed by {net.name('c')}, who you follow"


def test_follows_endpoint_fills_a_short_list_with_the_best_ranked_accounts(net, services, make_user):
    stars = [add_user(services, "st") for _ in range(3)]
    services.driver.execute_query(
        "MATCH (u:User) WITH max(coalesce(u.rank, 0.0)) AS top "
        "UNWIND range(0, size($ids) - 1) AS i MATCH (star:User {id: $ids[i]}) SET star.rank = top + 3 - i",
        ids=[user_id for user_id, _ in stars],
    )
    body = net.me.get("/api/v1/recommendations/follows?limit=8").get_json()["users"]
    network, filled = body[:5], body[5:]
    assert {net.role[int(s["user"]["id"])] for s in network} == {"d", "e", "f", "g", "x1"}
    assert [s["user"]["username"] for s in filled] == [name for _, name in stars]
    assert all(s["reason"] == "popular on the network" and s["score"] == 0.0 for s in filled)
    ids = [s["user"]["id"] for s in body]
    assert len(set(ids)) == len(ids)
    assert not {str(net.id[r]) for r in ("me", "a", "b", "c", "sus")} & set(ids)

    newcomer = make_user()
    fresh = newcomer.get("/api/v1/recommendations/follows?limit=1").get_json()["users"]
    assert fresh[0]["user"]["username"] == stars[0][1]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "limit=-1"])
def test_follows_endpoint_refuses_a_bad_limit(net, query):
    r = net.me.get(f"/api/v1/recommendations/follows?{query}")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter"


def test_follows_endpoint_needs_sign_in(client):
    r = client.get("/api/v1/recommendations/follows")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "not_authenticated"


def test_cypher_run_prints_a_recommendation_table(net, app, services):
    from web.app import create_app
    from web.cli import register_commands

    cli_app = create_app(services=services)
    register_commands(cli_app)
    runner = cli_app.test_cli_runner()
    result = runner.invoke(args=["cypher", "run", "recommendations/who_to_follow", f"user_id={net.id['me']}", "limit=2", "hidden=[]"])
    assert result.exit_code == 0, result.output
    header, rule, first, second, count = result.output.splitlines()
    assert header.split() == "id | username | common | adamic_adar | rank | boost | score | via".split()
    assert set(rule) <= {"-", "+"} and count == "(2 rows)"
    rows = services.graph.read("recommendations/who_to_follow", user_id=net.id["me"], limit=2, hidden=[])
    assert first.split(" | ")[1].strip() == rows[0]["username"]

    refused = runner.invoke(args=["cypher", "run", "migrations/0001_core_schema"])
    assert refused.exit_code == 2 and "recommendations/who_to_follow" in refused.output
    missing = runner.invoke(args=["cypher", "run", "recommendations/similar_users", "limit=3"])
    assert missing.exit_code == 1 and "user_id" in missing.output
