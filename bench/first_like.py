"""The first like on a freshly started stack → its author's stream (issue 11: ≤ 100 ms). Runs
before anything else has used the stack (before the seed): the web workers, the consumer and Neo4j
serve their first like, so cold query plans and cold connections show here.

`python -m bench --only bench.first_like` (it must come first on a fresh stack to mean anything)."""
from __future__ import annotations

import time

import gevent

from bench.core import Context
from bench.events import Http, StreamClient, _address, _people, _tweets
from domain.ids import id_time_ms

GOAL_MS = 100.0


def run(ctx: Context) -> None:
    host, port = _address(ctx)
    author, liker = _people(ctx, 2)
    [tweet_id] = _tweets(ctx, [author])
    client = StreamClient(host, port, author["cookie"])
    reader = gevent.spawn(client.run)
    client.ready.wait(timeout=60)
    http = Http(host, port)
    t0 = time.time()
    status = http.request("POST", f"/api/v1/tweets/{tweet_id}/like", {"Cookie": liker["cookie"], "X-CSRF-Token": liker["csrf"]})
    answered = time.time()
    key = (str(tweet_id), str(liker["id"]))
    deadline = time.perf_counter() + 30
    while key not in client.arrived and time.perf_counter() < deadline:
        gevent.sleep(0.001)
    reader.kill(block=False)
    if key not in client.arrived:
        ctx.add("first like on a fresh stack → author's stream", "lost", "", f"≤ {GOAL_MS:.0f} ms", False,
                f"like answered {status}; no frame within 30 s")
        return
    got, sse_id, event_id = client.arrived[key]
    took = (got - t0) * 1000
    relayed = {f["id"]: int(i.split("-")[0]) for i, f in ctx.svc.redis.xrange(ctx.svc.event_streams.key("likes"),
                                                                              min=str(int(t0 * 1000) - 1000))}
    appended = relayed.get(event_id)
    steps = "" if appended is None else (
        f"; event made → on its event stream {appended - id_time_ms(int(event_id))} ms, → frame in the author's "
        f"stream {int(sse_id.split('-')[0]) - appended} ms, → client {got * 1000 - int(sse_id.split('-')[0]):.0f} ms")
    ctx.add("first like on a fresh stack → author's stream", round(took, 1), "ms", f"≤ {GOAL_MS:.0f} ms", took <= GOAL_MS,
            f"the like request itself {(answered - t0) * 1000:.1f} ms (status {status}){steps}")
