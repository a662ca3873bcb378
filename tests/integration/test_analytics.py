"""The queries of cypher/analytics over the conversation graph (replies, boosts, hashtags), each
checked against networkx on the same small graph, written with Cypher directly; and `flask cypher
run --format`."""
import csv
import io
import json
import secrets

import networkx as nx
import pytest

from domain.ids import new_id

# Replies as (reply, answered); authors of each tweet; who boosted the root. "gone" was deleted
# but keeps its place in the thread, as a :DeletedTweet, because e1 answers it.
REPLIES = [("a1", "r"), ("a2", "r"), ("b1", "a1"), ("c1", "b1"), ("b2", "a1"), ("d1", "a2"),
           ("gone", "d1"), ("e1", "gone")]
AUTHORS = {"r": "alice", "a1": "bob", "a2": "carol", "b1": "alice", "c1": "dan", "b2": "bob",
           "d1": "eve", "e1": "fay", "lone": "fay"}
DELETED = {"gone"}
ROOT_BOOSTERS = ["carol", "fay"]
FOLLOWS = [
    ("bob", "alice"), ("gus", "alice"), ("hal", "carol"), ("gus", "carol"), ("ivy", "fay"),
    ("alice", "fay"), ("hal", "dan"),
]
# Hashtags of tweets in the window; OLD_TAGS is three days old.
TAGGED = [{"a", "b"}, {"a", "b", "c"}, {"c", "d"}, {"e", "f"}, {"a"}, {"g"}, {"e", "f"}]
OLD_TAGS = {"a", "e"}
# Boosts as (booster, author of the boosted tweet, tweet); OLD_BOOST is three days old.
BOOSTS = [("kim", "ann", "x1"), ("kim", "ann", "x2"), ("lee", "ann", "x1"), ("max", "ben", "y1"),
          ("ann", "ann", "x3"), ("lee", "ben", "y1")]
OLD_BOOST = ("kim", "ben", "y1")
TWEET_AUTHORS = {"x1": "ann", "x2": "ann", "x3": "ann", "y1": "ben"}
AUDIENCE = [("f1", "kim"), ("f2", "kim"), ("ann", "kim"), ("f3", "kim"), ("f3", "ann"),
            ("f1", "lee"), ("f4", "max"), ("f5", "max"), ("f4", "ben")]


class World:
    """Ids by role for one test graph, and the reverse maps to read the rows back."""

    def __init__(self, services, prefix: str):
        self.services, self.prefix = services, prefix
        self.user, self.tweet = {}, {}

    def users(self, *roles: str) -> None:
        rows = [{"id": new_id(), "username": (self.prefix + role)[:15]} for role in roles]
        self.services.driver.execute_query(
            "UNWIND $rows AS row CREATE (:User {id: row.id, username: row.username, "
            "username_key: toLower(row.username), display_name: row.username, created_at: datetime()})",
            rows=rows,
        )
        self.user.update({role: row["id"] for role, row in zip(roles, rows)})

    def tweets(self, authors: dict[str, str], hours_ago: dict[str, int] | None = None) -> None:
        rows = []
        for role, author in authors.items():
            self.tweet[role] = new_id()
            rows.append({"id": self.tweet[role], "author": self.user[author], "age": (hours_ago or {}).get(role, 0)})
        self.services.driver.execute_query(
            "UNWIND $rows AS row MATCH (u:User {id: row.author}) "
            "WITH u, row, datetime() - duration({hours: row.age}) AS at "
            "CREATE (u)-[:POSTED {created_at: at}]->(:Tweet {id: row.id, text: 'tweet', created_at: at})",
            rows=rows,
        )

    def run(self, query: str, pairs: list[tuple], params: dict | None = None) -> None:
        self.services.driver.execute_query(query, rows=[list(p) for p in pairs], **(params or {}))

    def follow(self, pairs) -> None:
        self.run("UNWIND $rows AS row MATCH (a:User {id: row[0]}), (b:User {id: row[1]}) "
                 "CREATE (a)-[:FOLLOWS {created_at: datetime()}]->(b)",
                 [(self.user[a], self.user[b]) for a, b in pairs])

    def name(self, role: str) -> str:
        return (self.prefix + role)[:15]

    def role_of_user(self, user_id: int) -> str | None:
        return next((r for r, i in self.user.items() if i == user_id), None)


def prefix() -> str:
    return "z" + secrets.token_hex(3)


@pytest.fixture(scope="module")
def thread(services) -> tuple[World, nx.DiGraph, nx.DiGraph]:
    world = World(services, prefix())
    world.users(*sorted({*AUTHORS.values(), *ROOT_BOOSTERS, *(u for pair in FOLLOWS for u in pair)}))
    world.tweets(AUTHORS)
    world.tweet["gone"] = new_id()
    services.driver.execute_query("CREATE (:DeletedTweet {id: $id, author_id: $author})",
                                  id=world.tweet["gone"], author=world.user["eve"])
    world.run("UNWIND $rows AS row MATCH (reply:Tweet|DeletedTweet {id: row[0]}), (answered:Tweet|DeletedTweet {id: row[1]}) "
              "CREATE (reply)-[:REPLY_TO]->(answered)",
              [(world.tweet[a], world.tweet[b]) for a, b in REPLIES])
    world.run("UNWIND $rows AS row MATCH (u:User {id: row[0]}), (t:Tweet {id: row[1]}) "
              "CREATE (u)-[:BOOSTED {created_at: datetime()}]->(t)",
              [(world.user[u], world.tweet["r"]) for u in ROOT_BOOSTERS])
    world.follow(FOLLOWS)
    return world, nx.DiGraph(REPLIES), nx.DiGraph(FOLLOWS)


def expected_conversation(tweet: str, replies: nx.DiGraph, follows: nx.DiGraph) -> dict:
    """Replies point at what they answer: the thread under a tweet is its ancestors in networkx's terms."""
    below = (nx.ancestors(replies, tweet) if tweet in replies else set()) - DELETED
    lengths = [nx.shortest_path_length(replies, reply, tweet) for reply in below]
    author = AUTHORS[tweet]
    boosters = ROOT_BOOSTERS if tweet == "r" else []
    sources = [author, *boosters]
    readers = {r for s in sources if s in follows for r in follows.predecessors(s)} - {author}
    return {
        "replies": len(below), "depth": max(lengths, default=0),
        "participants": len({AUTHORS[t] for t in below | {tweet}}),
        "boosters": len(boosters), "reach": len(readers),
    }


@pytest.mark.parametrize("tweet", ["r", "a1", "a2", "d1", "c1", "lone"])
def test_conversation_depth_and_reach_match_networkx(thread, services, tweet):
    world, replies, follows = thread
    [row] = services.graph.read("analytics/conversation", tweet_id=world.tweet[tweet])
    assert row["id"] == world.tweet[tweet] and row["author"] == world.name(AUTHORS[tweet])
    got = {k: row[k] for k in ("replies", "depth", "participants", "boosters", "reach")}
    assert got == expected_conversation(tweet, replies, follows)


def test_conversation_of_the_root_counts_the_whole_tree(thread, services):
    world, _, _ = thread
    [row] = services.graph.read("analytics/conversation", tweet_id=world.tweet["r"])
    # r <- a2 <- d1 <- (deleted) <- e1 is the longest chain: the placeholder is no reply but keeps
    # its place; gus follows two sources but counts once.
    assert (row["replies"], row["depth"], row["participants"], row["boosters"], row["reach"]) == (7, 4, 6, 2, 4)
    assert services.graph.read("analytics/conversation", tweet_id=new_id()) == []


@pytest.fixture(scope="module")
def tags(services) -> tuple[World, list[set[str]]]:
    world = World(services, prefix())
    world.users("tagger")
    posts = {f"p{i}": "tagger" for i in range(len(TAGGED) + 1)}
    old = f"p{len(TAGGED)}"
    world.tweets(posts, hours_ago={old: 72})
    tag_sets = {f"p{i}": names for i, names in enumerate(TAGGED)} | {old: OLD_TAGS}
    world.run("UNWIND $rows AS row MATCH (t:Tweet {id: row[0]}) MERGE (tag:Tag {name: row[1]}) CREATE (t)-[:TAGS]->(tag)",
              [(world.tweet[p], world.name(tag)) for p, names in tag_sets.items() for tag in sorted(names)])
    return world, [tag_sets[p] for p in posts if p != old], [tag_sets[p] for p in posts]


def bipartite(world: World, tag_sets: list[set[str]]) -> tuple[nx.Graph, set[str]]:
    graph = nx.Graph()
    names = {world.name(t) for names in tag_sets for t in names}
    graph.add_nodes_from(names)
    graph.add_edges_from((("tweet", i), world.name(t)) for i, names in enumerate(tag_sets) for t in names)
    return graph, names


def test_tag_cooccurrence_matches_networkx_projection_and_jaccard(tags, services):
    world, recent, _ = tags
    graph, names = bipartite(world, recent)
    projected = nx.bipartite.weighted_projected_graph(graph, names)
    rows = [r for r in services.graph.read("analytics/tag_cooccurrence", hours=24, limit=10_000)
            if r["tag"].startswith(world.prefix)]
    assert {(r["tag"], r["other"]): r["together"] for r in rows} == {
        tuple(sorted((a, b))): w for a, b, w in projected.edges(data="weight")
    }
    jaccard = {tuple(sorted((a, b))): j for a, b, j in nx.jaccard_coefficient(graph, projected.edges())}
    for row in rows:
        assert row["jaccard"] == pytest.approx(jaccard[(row["tag"], row["other"])], rel=1e-12)
        assert row["tag_tweets"] == graph.degree(row["tag"]) and row["other_tweets"] == graph.degree(row["other"])
    assert [r["together"] for r in rows] == sorted((r["together"] for r in rows), reverse=True)
    # a and b share two tweets, e and f too; e and f always go together (jaccard 1), a and b do not.
    assert (rows[0]["together"], rows[1]["together"]) == (2, 2)
    assert [(r["tag"], r["other"]) for r in rows[:2]] == [(world.name("e"), world.name("f")), (world.name("a"), world.name("b"))]


@pytest.mark.parametrize("window", ["recent", "with_old"])
def test_tag_communities_are_networkx_connected_components_of_the_cooccurrence_graph(tags, services, window):
    world, recent, everything = tags
    tag_sets, hours = (recent, 24) if window == "recent" else (everything, 24 * 7)
    graph, names = bipartite(world, tag_sets)
    projected = nx.bipartite.projected_graph(graph, names)
    projected.remove_nodes_from([t for t in names if projected.degree(t) == 0])
    expected = {min(c): sorted(c) for c in nx.connected_components(projected)}
    rows = [r for r in services.graph.read("analytics/tag_communities", hours=hours, limit=10_000)
            if r["community"].startswith(world.prefix)]
    assert {r["community"]: sorted(r["tags"]) for r in rows} == expected
    for row in rows:
        assert row["size"] == len(row["tags"])
        assert row["tweets"] == sum(1 for names in tag_sets if {world.name(t) for t in names} & set(row["tags"]))
    assert len(expected) == (2 if window == "recent" else 1)  # the old tweet joins {a..d} and {e, f}


@pytest.fixture(scope="module")
def boosts(services) -> World:
    world = World(services, prefix())
    world.users(*sorted({u for b in BOOSTS + [OLD_BOOST] for u in b[:2]} | {u for pair in AUDIENCE for u in pair}))
    world.tweets(TWEET_AUTHORS)
    world.run("UNWIND $rows AS row MATCH (u:User {id: row[0]}), (t:Tweet {id: row[1]}) "
              "CREATE (u)-[:BOOSTED {created_at: datetime() - duration({hours: row[2]})}]->(t)",
              [(world.user[u], world.tweet[t], 72 if (u, a, t) == OLD_BOOST else 0) for u, a, t in BOOSTS + [OLD_BOOST]])
    world.follow(AUDIENCE)
    return world


def test_amplifiers_match_networkx_boost_graph_and_new_audience(boosts, services):
    world = boosts
    amplification = nx.DiGraph()
    for booster, author, _ in BOOSTS:
        if booster != author:
            weight = amplification.get_edge_data(booster, author, {"weight": 0})["weight"]
            amplification.add_edge(booster, author, weight=weight + 1)
    audience = nx.DiGraph(AUDIENCE)
    rows = [r for r in services.graph.read("analytics/amplifiers", hours=24, limit=10_000)
            if world.role_of_user(r["booster_id"])]
    got = {(world.role_of_user(r["booster_id"]), world.role_of_user(r["author_id"])): r for r in rows}
    assert set(got) == set(amplification.edges())
    for (booster, author), row in got.items():
        assert row["booster"] == world.name(booster) and row["author"] == world.name(author)
        assert row["boosts"] == amplification[booster][author]["weight"]
        received = amplification.in_degree(author, weight="weight")
        assert row["share"] == pytest.approx(row["boosts"] / received, rel=1e-12)
        followers = set(audience.predecessors(booster)) if booster in audience else set()
        author_followers = set(audience.predecessors(author)) if author in audience else set()
        assert row["new_reach"] == len(followers - author_followers - {author})
    assert (world.role_of_user(rows[0]["booster_id"]), rows[0]["boosts"], rows[0]["new_reach"]) == ("kim", 2, 2)
    wider = [r for r in services.graph.read("analytics/amplifiers", hours=24 * 7, limit=10_000)
             if world.role_of_user(r["booster_id"]) == "kim" and world.role_of_user(r["author_id"]) == "ben"]
    assert [r["boosts"] for r in wider] == [1]


@pytest.fixture(scope="module")
def cli(services):
    from web.app import create_app
    from web.cli import register_commands

    cli_app = create_app(services=services)
    register_commands(cli_app)
    return cli_app.test_cli_runner()


def test_cypher_run_prints_csv_and_json_as_well_as_a_table(cli, thread, services):
    world, _, _ = thread
    args = ["cypher", "run", "analytics/conversation", f"tweet_id={world.tweet['r']}"]
    [row] = services.graph.read("analytics/conversation", tweet_id=world.tweet["r"])

    table = cli.invoke(args=args)
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split(" | ")[0].strip() == "id"

    as_csv = cli.invoke(args=[*args, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    [parsed] = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert parsed == {k: str(v) for k, v in row.items()}

    as_json = cli.invoke(args=[*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == [row]

    lists = cli.invoke(args=["cypher", "run", "analytics/tag_communities", "hours=24", "limit=1000", "--format", "csv"])
    assert lists.exit_code == 0, lists.output
    assert all(json.loads(r["tags"]) for r in csv.DictReader(io.StringIO(lists.output)))
    empty = cli.invoke(args=["cypher", "run", "analytics/conversation", "tweet_id=1", "--format", "json"])
    assert empty.exit_code == 0 and json.loads(empty.output) == []


def test_cypher_run_refuses_an_unknown_format(cli):
    refused = cli.invoke(args=["cypher", "run", "analytics/conversation", "tweet_id=1", "--format", "xml"])
    assert refused.exit_code == 2 and "csv" in refused.output
