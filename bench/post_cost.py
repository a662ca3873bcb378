"""Where a post's Neo4j CPU goes, statement by statement (docs/performance.md), as bench/like_cost.py
does for a like: each statement a post causes (the request's and its event's handlers'), run alone
from one client against a quiet database, one post per transaction and then in batches, with the
CPU the Neo4j process spent on it read from /proc. Authors have 200 followers each, as in the
sustained-posting benchmark. The search index is also measured in the larger batches the `search`
consumer group reads under load, since its cost is mostly one Lucene refresh per transaction.

`python -m bench --only bench.post_cost`, or `python -m bench.post_cost` against a running stack."""
from __future__ import annotations

from bench.core import Context, fresh_users, in_batches, neo4j_cpu_of, neo4j_idle_rate, neo4j_pid, run_alone
from domain.clock import now_ms
from domain.events import Envelope, TweetPosted, envelop
from domain.ids import new_id
from graph.outbox import group_committed

POSTS = 400
BATCH = 50
AUTHORS = 20
FOLLOWERS = 200
SEARCH_BATCHES = (10, 100, 400)


def _authors(ctx: Context) -> list[int]:
    """AUTHORS fresh users, each followed by the same FOLLOWERS fresh users."""
    users = fresh_users(ctx, "pc", AUTHORS + FOLLOWERS, now_ms() - AUTHORS - FOLLOWERS)
    authors = users[:AUTHORS]
    ctx.svc.graph.driver.execute_query(
        "UNWIND $followers AS f MATCH (u:User {id: f}) UNWIND $authors AS a MATCH (v:User {id: a}) "
        "CREATE (u)-[:FOLLOWS {created_at: datetime()}]->(v)",
        followers=users[AUTHORS:], authors=authors)
    return authors


def _posts(authors: list[int], count: int) -> list[tuple[dict, Envelope]]:
    posts = []
    for k in range(count):
        tweet_id, author = new_id(), authors[k % len(authors)]
        params = {"id": tweet_id, "author_id": author, "text": f"a benchmark tweet, one of many {k}",
                  "now_ms": now_ms(), "media_ids": [], "in_reply_to_id": None, "mentioned_ids": [], "tags": []}
        posts.append((params, envelop(TweetPosted(tweet_id, author))))
    return posts


def _authors_of(batch: list[tuple[dict, Envelope]]) -> list[int]:
    return sorted({params["author_id"] for params, _ in batch})


def run(ctx: Context, posts: int = POSTS, batch: int = BATCH) -> None:
    pid = neo4j_pid(ctx, "post cost per query")
    if pid is None:
        return
    graph = ctx.svc.graph
    writer = group_committed(graph, "tweets/create").write
    threshold = ctx.svc.settings.fanout_follower_threshold
    idle = neo4j_idle_rate(pid)  # before the setup, whose writes leave Neo4j busy for a while
    authors = _authors(ctx)

    def index(batch: list[tuple[dict, Envelope]]) -> None:
        graph.apply("search/index_tweets", ids=[params["id"] for params, _ in batch])

    steps = {
        "tweet + its outbox event (one transaction)": writer,
        "search index (the search group)": index,
        "outbox mark relayed": lambda b: graph.apply("outbox/mark_relayed", ids=[e.id for _, e in b]),
        "audience read (the timeline and notify groups each make it)":
            lambda b: graph.read("feed/audiences", author_ids=_authors_of(b), threshold=threshold),
        "the author's counts (users/touch_counts)": lambda b: graph.apply("users/touch_counts", ids=_authors_of(b)),
    }
    costs: dict[str, dict[int, float]] = {}
    for size in (batch, 1, batch):  # the first round only warms the plans and caches up
        made = _posts(authors, posts)
        for name, step in steps.items():
            seconds = neo4j_cpu_of(pid, lambda: [step(b) for b in in_batches(made, size)], idle)
            costs.setdefault(name, {})[size] = seconds / posts * 1000
    for name, by_size in costs.items():
        ctx.add(f"Neo4j CPU per post: {name}", f"{by_size[1]:.2f} → {by_size[batch]:.2f}", "ms", "", None,
                f"one per transaction → batches of {batch}; {posts} posts by {AUTHORS} authors of {FOLLOWERS} followers")
    one, many = sum(c[1] for c in costs.values()), sum(c[batch] for c in costs.values())
    ctx.add("Neo4j CPU per post, all its statements", f"{one:.2f} → {many:.2f}", "ms", "", None,
            f"one statement per post → batches of {batch} (run alone from one client); Neo4j idle "
            f"{idle * 1000:.0f} ms of CPU per second, taken out")
    search = []
    for size in SEARCH_BATCHES:
        made = _posts(authors, posts)
        writer(made)
        seconds = neo4j_cpu_of(pid, lambda: [index(b) for b in in_batches(made, size)], idle)
        search.append(f"{seconds / posts * 1000:.2f}")
    ctx.add("Neo4j CPU per post: search index by batch size", " / ".join(search), "ms", "", None,
            f"batches of {' / '.join(map(str, SEARCH_BATCHES))}: one Lucene refresh per transaction")


if __name__ == "__main__":
    run_alone(run, posts=POSTS, batch=BATCH)
