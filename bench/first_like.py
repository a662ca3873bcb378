"""The first like on a freshly started stack → its author's stream (issue 11: ≤ 100 ms). Runs
before anything else has used the stack (before the seed): the web workers, the consumer and Neo4j
serve their first like, so cold query plans and cold connections show here.

`python -m bench --only bench.first_like` (it must come first on a fresh stack to mean anything)."""
from __future__ import annotations

import time

import gevent

from bench.core import Context
from bench.events import Http, StreamClient, _address, _people, _tweets

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
    took = (client.arrived[key][0] - t0) * 1000
    ctx.add("first like on a fresh stack → author's stream", round(took, 1), "ms", f"≤ {GOAL_MS:.0f} ms", took <= GOAL_MS,
            f"the like request itself {(answered - t0) * 1000:.1f} ms (status {status})")
