"""Where a like's Neo4j CPU goes, query by query (docs/performance.md): each Neo4j statement a like
causes, run alone from one client against a quiet database, one event per transaction (as before
group commit) and then in batches, with the CPU the Neo4j process spent on it read from /proc. The
machine may be shared: the other processes' load does not enter the Neo4j process's CPU count, but
it slows everything down, so the figures are upper bounds.

`python -m bench --only bench.like_cost`, or `python -m bench.like_cost` against a running stack."""
from __future__ import annotations

from bench.core import Context, fresh_users, in_batches, neo4j_cpu_of, neo4j_idle_rate, neo4j_pid, run_alone
from domain.clock import now_ms
from domain.events import LikeChanged, envelop
from domain.ids import new_id
from graph.driver import cypher
from graph.outbox import group_committed
from social.notify import HOUR_MS

LIKES = 400
BATCH = 50



def _setup(ctx: Context, likes: int) -> tuple[list[tuple[int, int, int]], list[int]]:
    """likes (liker, tweet, author) triples over fresh users and tweets, and the authors."""
    start = now_ms() - 2 * likes
    users = fresh_users(ctx, "lc", likes // 4 + 50, start)
    authors, likers = users[:50], users[50:]
    tweets = [{"id": new_id(start + likes // 4 + 50 + i), "author": authors[i % 50]} for i in range(likes // 4)]
    ctx.svc.graph.driver.execute_query(
        "UNWIND $rows AS r MATCH (u:User {id: r.author}) "
        "CREATE (u)-[:POSTED {created_at: datetime()}]->(:Tweet {id: r.id, text: 'cost', created_at: datetime()})",
        rows=tweets)
    triples = [(likers[k % len(likers)], tweets[k % len(tweets)]["id"], tweets[k % len(tweets)]["author"])
               for k in range(likes)]
    return triples, authors


def run(ctx: Context, likes: int = LIKES, batch: int = BATCH) -> None:
    pid = neo4j_pid(ctx, "like cost per query")
    if pid is None:
        return
    graph = ctx.svc.graph
    writer = group_committed(graph, "tweets/like", rerunnable=True).write
    costs: dict[str, dict[int, float]] = {}
    idle = neo4j_idle_rate(pid)
    for size in (batch, 1, batch):  # the first round only warms the plans and caches up
        triples, _ = _setup(ctx, likes)
        events = [envelop(LikeChanged(u, t, True)) for u, t, _ in triples]
        likes_params = [({"user_id": u, "tweet_id": t, "now_ms": now_ms()}, e) for (u, t, _), e in zip(triples, events)]
        items = [
            {"event_id": e.id, "at_ms": e.at_ms, "hour": e.at_ms // HOUR_MS, "bucket": e.at_ms // HOUR_MS,
             "type": "like", "prefix": f"like:{t}", "member": u, "actor_id": u, "recipient_id": a,
             "tweet_id": t, "message_id": None}
            for (u, t, a), e in zip(triples, events)
        ]
        steps = {
            "like + its outbox event (one transaction)": lambda b: writer(b),
            "notification group write": lambda b: graph.apply("notifications/add", items=b),
            "outbox mark relayed": lambda b: graph.apply("outbox/mark_relayed", ids=[e.id for _, e in b]),
            "rescore (ranking read)": lambda b: graph.read("ranking/tweet_scores", ids=sorted({p["tweet_id"] for p, _ in b}), now_ms=now_ms()),
        }
        data = {
            "like + its outbox event (one transaction)": likes_params,
            "notification group write": items,
            "outbox mark relayed": likes_params,
            "rescore (ranking read)": likes_params,
        }
        for name, step in steps.items():
            seconds = neo4j_cpu_of(pid, lambda: [step(b) for b in in_batches(data[name], size)], idle)
            costs.setdefault(name, {})[size] = seconds / likes * 1000
    for name, by_size in costs.items():
        ctx.add(f"Neo4j CPU per like: {name}", f"{by_size[1]:.2f} → {by_size[batch]:.2f}", "ms", "", None,
                f"one per transaction → batches of {batch}; {likes} likes")
    one, many = sum(c[1] for c in costs.values()), sum(c[batch] for c in costs.values())
    ctx.add("Neo4j CPU per like, all its statements", f"{one:.2f} → {many:.2f}", "ms", "≤ 5 ms", many <= 5,
            f"one statement per event → batches of {batch} (run alone from one client); Neo4j idle "
            f"{idle * 1000:.0f} ms of CPU per second, taken out")
    plan = graph.driver.execute_query(
        "PROFILE " + cypher("tweets/like"),
        items=[{"i": 0, "user_id": triples[0][0], "tweet_id": triples[1][1], "now_ms": now_ms(), "events": []}],
    ).summary.profile
    ctx.add("db hits of one like (PROFILE tweets/like)", _db_hits(plan), "hits")


def _db_hits(plan: dict) -> int:
    return plan.get("dbHits", 0) + sum(_db_hits(c) for c in plan.get("children", []))


if __name__ == "__main__":
    run_alone(run, likes=LIKES, batch=BATCH)
