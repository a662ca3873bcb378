"""Redis Cluster beside the single server (issue 15, docs/scale-out.md). For this section a cluster
stack starts beside the bench stack: six Redis nodes (3 masters, 3 replicas) and RQ's own server,
with a web server, a consumer and a worker of its own, on the bench stack's Neo4j. The same home
feed and the same kind of likes (each a new pair of liker and tweet) run against both, one after
the other, with the CPU per operation of each process; the single server's likes run twice, with
each write synced to its append-only file (its setting: the relay's durability) and with a sync
every second, which is what that durability costs. Then a master of the cluster is killed
(SIGKILL) under like load, and the failover's timeline is printed: kill at t0, first 503, the
replica's promotion seen, last 503, first success after it.

`python -m bench --only bench.cluster` (the seed runs first), or `python -m bench.cluster` against
a running bench stack."""
from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.core import Context, Cpu, bearer_token, children, pid_of, wrk
from cache.tweets import count_key
from seed_graph import DEMO_PASSWORD
from stack.config import make_stack
from stack.ready import replication, wait_ready, web_ready
from stack.services import app_services, prepare_folders, redis_services, start_redis, stop_stack
from stack.supervise import running_pid, spawn, wait_for_exit

SECONDS = int(os.environ.get("CLUSTER_SECONDS", "10"))
CONNECTIONS = 16
LIKERS = 16
TWEETS_PER_RUN = 400  # with LIKERS, more new pairs than a run can like
FAILOVER_CLIENTS = 8
PORT_SHIFT = 100  # the cluster's ports: the bench stack's Redis and web ports plus this


@dataclass
class Target:
    name: str
    url: str
    data_dir: Path
    redis_pids: list[int]


def cluster_beside(ctx: Context):
    """The cluster stack, made beside the bench stack (its own folder and ports, the same Neo4j)."""
    env = dict(os.environ)
    redis_port = urlsplit(env["REDIS_URL"]).port + PORT_SHIFT
    bolt = urlsplit(env["NEO4J_URI"]).port
    return make_stack({**env, "REDIS_MODE": "cluster"}, data_dir=ctx.data_dir / "cluster",
                      web_port=int(env["WEB_PORT"]) + PORT_SHIFT, bolt_port=bolt,
                      http_port=int(env.get("NEO4J_HTTP_PORT", 0)), redis_port=redis_port,
                      neo4j_uri=env["NEO4J_URI"], redis_url=f"redis://127.0.0.1:{redis_port}/0",
                      neo4j_memory="", scheduled=False)


def start_beside(stack) -> None:
    """Its Redis nodes, then its web server, consumer and worker (the bench stack's Neo4j is up)."""
    stop_stack(stack)  # what an interrupted earlier run left
    prepare_folders(stack)
    start_redis(stack)
    services = app_services(stack)
    for service in services:
        spawn(stack, service)
    wait_ready(stack, {"web": lambda: web_ready(stack.env["WEB_URL"])}, [s.name for s in services], 180)


def _pids(data_dir: Path, names: list[str]) -> list[int]:
    return [pid for name in names if (pid := pid_of(data_dir, name))]


def processes(ctx: Context, target: Target) -> dict[str, list[int]]:
    web = pid_of(target.data_dir, "web")
    return {"web workers": children(web) if web else [], "redis": target.redis_pids,
            "neo4j": _pids(ctx.data_dir, ["neo4j"]), "consumer": _pids(target.data_dir, ["consumer"])}


def users(ctx: Context, count: int, skip: int) -> list[str]:
    return ctx.svc.graph.driver.execute_query(
        "MATCH (u:User) WHERE u.password_hash IS NOT NULL AND u.password_hash <> '!' "
        "RETURN u.username AS name ORDER BY u.id SKIP $skip LIMIT $n", skip=skip, n=count,
        result_transformer_=lambda r: [row["name"] for row in r])


def tweet_ids(ctx: Context, count: int, skip: int) -> list[str]:
    return ctx.svc.graph.driver.execute_query(
        "MATCH (t:Tweet) RETURN toString(t.id) AS id ORDER BY t.id DESC SKIP $skip LIMIT $n",
        skip=skip, n=count, result_transformer_=lambda r: [row["id"] for row in r])


def like_script(tokens: list[str], tweets: list[str]) -> Path:
    """A wrk script: each request a like of a new (tweet, liker) pair, the two wrk threads interleaved."""
    quoted = lambda items: "{" + ",".join(f'"{i}"' for i in items) + "}"
    script = f"""
local tokens = {quoted(tokens)}
local tweets = {quoted(tweets)}
local made = 0
function setup(thread) thread:set("k", made); made = made + 1 end
function request()
  local t = tweets[math.floor(k / #tokens) % #tweets + 1]
  local token = tokens[k % #tokens + 1]
  k = k + 2
  return wrk.format("POST", "/api/v1/tweets/" .. t .. "/like", {{["Authorization"] = "Bearer " .. token}})
end
"""
    path = Path(tempfile.mkstemp(prefix="bench-likes-", suffix=".lua")[1])
    path.write_text(script)
    return path


def settled(backlog, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while backlog() and time.monotonic() < deadline:
        time.sleep(0.2)


def home_feed(ctx: Context, target: Target, reader: str) -> None:
    token = bearer_token(target.url, reader, DEMO_PASSWORD)
    url = f"{target.url}/api/v1/feed/home?limit=20"
    for _ in range(3):  # warm: the read models fill (from Neo4j, on the cluster's first read)
        assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60).status_code == 200
    cpu = Cpu(processes(ctx, target))
    result = wrk(url, token, seconds=SECONDS, connections=CONNECTIONS * 2)
    total, note = cpu.per_op(result.requests_per_s * SECONDS)
    ctx.add(f"home feed on {target.name}", round(result.requests_per_s), "req/s", "", None,
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}; "
            f"CPU per request {total:.2f} ms: {note}")


def like_load(target: Target, tokens: list[str], tweets: list[str], seconds: int):
    script = like_script(tokens, tweets)
    try:
        return wrk(f"{target.url}/api/v1/tweets", seconds=seconds, connections=CONNECTIONS, script=script)
    finally:
        script.unlink()


def warm_likes(target: Target, likers: list[str], tweets: list[str], backlog) -> None:
    """A short like load that is not measured: query plans, JIT and pools warm up on it."""
    like_load(target, [bearer_token(target.url, name, DEMO_PASSWORD) for name in likers], tweets, 3)
    settled(backlog)


def likes(ctx: Context, target: Target, likers: list[str], tweets: list[str], label: str, backlog) -> None:
    tokens = [bearer_token(target.url, name, DEMO_PASSWORD) for name in likers]
    cpu = Cpu(processes(ctx, target))
    result = like_load(target, tokens, tweets, SECONDS)
    settled(backlog)  # the CPU of the events each like causes, handled by the consumer, counts too
    total, note = cpu.per_op(result.requests_per_s * SECONDS)
    ctx.add(f"likes on {label}", round(result.requests_per_s), "likes/s", "", None,
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, refused {result.errors}; "
            f"CPU per like {total:.2f} ms (with its events' handling): {note}")


class LikeLoad:
    """Clients that like new pairs as fast as they are answered, noting when each answer came and
    its status; the failover's timeline is read from these."""

    def __init__(self, url: str, tokens: list[str], tweets: list[str]):
        self.url = url
        self.tokens = tokens
        self.tweets = tweets
        self.answers: list[tuple[float, int]] = []  # (time.monotonic() of the answer, status)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(len(tokens))]

    def run(self, i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {self.tokens[i]}"
        k = 0
        while not self.stop.is_set():
            tweet = self.tweets[(k * len(self.tokens) + i) % len(self.tweets)]
            k += 1
            try:
                status = http.post(f"{self.url}/api/v1/tweets/{tweet}/like", timeout=30).status_code
            except requests.RequestException:
                status = 0
            self.answers.append((time.monotonic(), status))
            if status == 503:
                time.sleep(0.1)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def failover(ctx: Context, stack, target: Target, likers: list[str], tweets: list[str]) -> None:
    """A master killed under likes: how long likes get 503 while its replica takes over."""
    from redis.cluster import RedisCluster

    cluster = RedisCluster.from_url(stack.env["REDIS_URL"])
    # The master of the like counters: every like writes there.
    master = cluster.get_node_from_key(count_key("like")).port
    cluster.close()
    replica = replication(master)["replica_port"]
    tokens = [bearer_token(target.url, name, DEMO_PASSWORD) for name in likers[:FAILOVER_CLIENTS]]
    promoted = [None]
    with LikeLoad(target.url, tokens, tweets) as load:
        time.sleep(3)
        pid = running_pid(stack, f"redis-{master}")
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        wait_for_exit(pid, 10)
        deadline = t0 + 60
        while promoted[0] is None and time.monotonic() < deadline:
            if replication(replica)["role"] == "master":
                promoted[0] = time.monotonic()
            time.sleep(0.02)
        time.sleep(3)
    spawn(stack, next(s for s in redis_services(stack) if s.name == f"redis-{master}"))  # back, as a replica
    after = [(t - t0, status) for t, status in load.answers if t >= t0]
    refused = [t for t, status in after if status == 503]
    other = sorted({status for _, status in after if status not in (200, 503)})
    first_503 = refused[0] if refused else None
    last_503 = refused[-1] if refused else None
    first_ok = next((t for t, status in after if status == 200 and last_503 is not None and t > last_503), None)
    fmt = lambda t: "never" if t is None else f"+{t:.2f} s"
    timeline = (f"kill at t0; first 503 {fmt(first_503)}; promotion seen "
                f"{fmt(None if promoted[0] is None else promoted[0] - t0)}; last 503 {fmt(last_503)}; "
                f"first 2xx after it {fmt(first_ok)}")
    print(f"  failover timeline: {timeline}", flush=True)
    gap = (last_503 - first_503) if refused else 0.0
    ctx.add("failover: writes refused (503) while the replica takes over", round(gap, 2), "s", "", None,
            f"{timeline}; {len(refused)} of {len(after)} likes after the kill got 503 with Retry-After"
            + (f"; other statuses {other}" if other else "; no 500"))


def run(ctx: Context) -> None:
    stack = cluster_beside(ctx)
    single = Target("one Redis server", ctx.web_url, ctx.data_dir, _pids(ctx.data_dir, ["redis"]))
    start_beside(stack)
    try:
        cluster = Target("the Redis Cluster (3 masters + 3 replicas)", stack.env["WEB_URL"], stack.data_dir,
                         _pids(stack.data_dir, [s.name for s in redis_services(stack)]))
        from bootstrap import bootstrap
        from settings import Settings

        cluster_svc = bootstrap(Settings.from_env({**os.environ, **stack.env}))
        try:
            reader = users(ctx, 1, ctx.sizes["users"] // 3)[0]
            likers = users(ctx, LIKERS, 10)
            runs = iter(range(12))
            fresh = lambda: tweet_ids(ctx, TWEETS_PER_RUN, next(runs) * TWEETS_PER_RUN)
            for target in (single, cluster):
                home_feed(ctx, target, reader)
            warm_likes(single, likers, fresh(), ctx.svc.event_streams.backlog)
            warm_likes(cluster, likers, fresh(), cluster_svc.event_streams.backlog)
            likes(ctx, single, likers, fresh(), "one Redis server (appendfsync always)", ctx.svc.event_streams.backlog)
            ctx.svc.redis.config_set("appendfsync", "everysec")
            try:
                likes(ctx, single, likers, fresh(), "one Redis server (appendfsync everysec, for comparison)",
                      ctx.svc.event_streams.backlog)
            finally:
                ctx.svc.redis.config_set("appendfsync", "always")
            likes(ctx, cluster, likers, fresh(), cluster.name, cluster_svc.event_streams.backlog)
            failover(ctx, stack, cluster, likers, fresh())
        finally:
            cluster_svc.close()
    finally:
        stop_stack(stack)


def main() -> None:
    from bench.__main__ import table
    from bootstrap import bootstrap

    svc = bootstrap()
    ctx = Context(svc, os.environ["WEB_URL"], Path(os.environ["DATA_DIR"]), {"users": int(os.environ.get("USERS", 1000))})
    run(ctx)
    print(table(ctx.rows))
    svc.close()


if __name__ == "__main__":
    main()
