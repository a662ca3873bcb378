"""Seeds the graph: a small demo by default, or a large power-law graph for benchmarks.

    python seed_graph.py                       # demo: 50 users
    python seed_graph.py --users 100000 --follows 2000000 --tweets 1000000 --likes 5000000
    python seed_graph.py --bulk --users 100000 ...  # a new database by neo4j-admin import (Neo4j stopped)
    python seed_graph.py --warm                     # then, on the started stack: Redis's read models

Rows are generated deterministically from --seed (numpy). The transactional path writes them to a
live database in UNWIND batches, each committed with a (:SeedBatch) marker, so an interrupted run
resumes where it stopped and a rerun changes nothing. The bulk path writes CSV files and builds a
new database from them with `neo4j-admin database import full`, in a fraction of the time.
Demo users sign in with the password `demo-password`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bootstrap import bootstrap
from graph.migrate import migrate
from domain.ids import EPOCH_MS, RANDOM_BITS

DEMO_PASSWORD = "demo-password"
DAY_MS = 86_400_000
NAMES = (
    "ada alan grace linus guido barbara ken dennis margaret edsger donald john tim vint radia "
    "frances hedy katherine dorothy mary annie sophie emmy lise marie rosalind jocelyn vera chien "
    "henrietta cecilia ruth rachel jane ida williamina nettie florence alice bob carol dave erin "
    "frank heidi ivan judy mallory oscar peggy trent victor"
).split()
WORDS = (
    "graph node edge follow like feed rank page cypher query index tweet stream cache redis neo4j "
    "python flask queue worker latency scale shard replica vector walk path degree centrality hot "
    "today weekend coffee music code review deploy release bug fix ship learn read write think"
).split()


@dataclass(frozen=True)
class Sizes:
    users: int = 50
    follows: int = 400
    tweets: int = 300
    likes: int = 800
    seed: int = 42


BIO = "Seeded for the demo."


def zipf_weights(n: int, alpha: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** alpha
    return w / w.sum()


def unique_pairs(rng, n_left: int, n_right: int, count: int, right_p, extra: np.ndarray | None = None):
    """`count` distinct (left, right) pairs, left uniform, right by right_p; no left == right
    when both sides are users (extra holds pairs that must come first, e.g. celebrity follows)."""
    pairs = extra if extra is not None else np.empty((0, 2), dtype=np.int64)
    while len(pairs) < count:
        need = int((count - len(pairs)) * 1.2) + 16
        left = rng.integers(0, n_left, need)
        right = rng.choice(n_right, need, p=right_p)
        fresh = np.stack([left, right], axis=1)
        if n_left == n_right:
            fresh = fresh[left != right]
        pairs = np.concatenate([pairs, fresh])
        keys = pairs[:, 0] * n_right + pairs[:, 1]
        _, first = np.unique(keys, return_index=True)
        pairs = pairs[np.sort(first)]
    return pairs[:count]


@dataclass
class Graph:
    """The generated graph as arrays (row i of each array belongs together)."""

    user_ids: np.ndarray
    user_ts: np.ndarray
    follows: np.ndarray  # (follower id, followee id, ms)
    tweet_ids: np.ndarray
    tweet_authors: np.ndarray
    tweet_ts: np.ndarray
    tweet_words: np.ndarray  # indexes into WORDS, six per tweet
    likes: np.ndarray  # (user id, tweet id, ms)

    def username(self, i: int) -> str:
        return NAMES[i - 1] if i <= len(NAMES) else f"user{i}"

    def display_name(self, i: int) -> str:
        return NAMES[i - 1].capitalize() if i <= len(NAMES) else f"User {i}"

    def texts(self) -> list[str]:
        words = np.array(WORDS)[self.tweet_words]
        return [" ".join(row) for row in words.tolist()]


def generate_arrays(sizes: Sizes, base_ms: int) -> Graph:
    rng = np.random.default_rng(sizes.seed)
    n = sizes.users
    user_ids = np.arange(1, n + 1, dtype=np.int64)

    # A few celebrities followed by most users, then a Zipf tail: power-law follower counts.
    celebrities = max(1, n // 20_000)
    celeb_follows = []
    for c in range(celebrities):
        fans = rng.choice(n, size=min(n - 1, int(n * (0.95 - 0.05 * c))), replace=False)
        celeb_follows.append(np.stack([fans[fans != c], np.full((fans != c).sum(), c)], axis=1))
    extra = np.concatenate(celeb_follows)[: sizes.follows]
    follow_pairs = unique_pairs(rng, n, n, sizes.follows, zipf_weights(n, 1.1), extra)
    follow_ts = base_ms - rng.integers(DAY_MS, 50 * DAY_MS, len(follow_pairs))
    follows = np.stack([user_ids[follow_pairs[:, 0]], user_ids[follow_pairs[:, 1]], follow_ts], axis=1)

    # Tweets over the last 30 days, authors weighted towards the popular; ids ordered by time.
    authors = rng.choice(n, sizes.tweets, p=zipf_weights(n, 0.8))
    tweet_ts = np.sort(base_ms - rng.integers(0, 30 * DAY_MS, sizes.tweets))
    tweet_ids = ((tweet_ts - EPOCH_MS) << RANDOM_BITS) | np.arange(sizes.tweets, dtype=np.int64)
    word_idx = rng.integers(0, len(WORDS), (sizes.tweets, 6))

    # Likes favour a Zipf-ranked set of tweets (a random permutation decides which are hot).
    hot = rng.permutation(sizes.tweets)
    tweet_p = np.empty(sizes.tweets)
    tweet_p[hot] = zipf_weights(sizes.tweets, 0.9)
    like_pairs = unique_pairs(rng, n, sizes.tweets, sizes.likes, tweet_p)
    like_ts = tweet_ts[like_pairs[:, 1]] + rng.integers(1_000, 3 * DAY_MS, len(like_pairs))
    like_ts = np.minimum(like_ts, base_ms)
    likes = np.stack([user_ids[like_pairs[:, 0]], tweet_ids[like_pairs[:, 1]], like_ts], axis=1)

    return Graph(
        user_ids=user_ids,
        user_ts=base_ms - 60 * DAY_MS + user_ids,
        follows=follows[np.argsort(follows[:, 0], kind="stable")],
        tweet_ids=tweet_ids,
        tweet_authors=user_ids[authors],
        tweet_ts=tweet_ts,
        tweet_words=word_idx,
        likes=likes[np.argsort(likes[:, 0], kind="stable")],
    )


def generate(sizes: Sizes, base_ms: int) -> dict[str, list]:
    """The graph as rows for the transactional path (cypher/seed/*)."""
    g = generate_arrays(sizes, base_ms)
    users = [
        {
            "id": i,
            "username": g.username(i),
            "username_key": g.username(i).casefold(),
            "display_name": g.display_name(i),
            "bio": BIO,
            "ts": ts,
        }
        for i, ts in zip(g.user_ids.tolist(), g.user_ts.tolist())
    ]
    tweets = [
        [t, a, ts, text]
        for t, a, ts, text in zip(g.tweet_ids.tolist(), g.tweet_authors.tolist(), g.tweet_ts.tolist(), g.texts())
    ]
    return {"users": users, "follows": g.follows.tolist(), "tweets": tweets, "likes": g.likes.tolist()}


def write(svc, phase: str, rows: list, batch_size: int, done: set, password_hash: str) -> int:
    written = 0
    batches = range(0, len(rows), batch_size)
    for start in tqdm(batches, desc=f"{phase:8}", unit="batch", file=sys.stderr, disable=len(batches) < 3):
        batch_id = f"{phase}:{start // batch_size}"
        if batch_id in done:
            continue
        params = {"rows": rows[start : start + batch_size], "batch": batch_id}
        if phase == "users":
            params["password_hash"] = password_hash
        svc.graph.write(f"seed/{phase}", **params)
        written += len(params["rows"])
    return written


def seed(sizes: Sizes, batch_size: int = 10_000) -> dict:
    svc = bootstrap()
    try:
        migrate(svc.graph)
        started = time.perf_counter()
        run = svc.graph.write_one("seed/base_time", now_ms=int(time.time() * 1000), params=json.dumps(asdict(sizes)))
        if json.loads(run["params"]) != asdict(sizes):
            raise SystemExit(f"this graph was seeded with other sizes: {run['params']}")
        rows = generate(sizes, run["base_ms"])
        done = {r["id"] for r in svc.graph.read("seed/done_batches")}
        password_hash = svc.passwords.hash(DEMO_PASSWORD)
        written = {
            phase: write(svc, phase, rows[phase], batch_size, done, password_hash)
            for phase in ("users", "follows", "tweets", "likes")
        }
        return {"written": written, "seconds": round(time.perf_counter() - started, 1)}
    finally:
        svc.close()


def _iso(ms: np.ndarray) -> list[str]:
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms", timezone="UTC").tolist()


def _csv(path: Path, header: str, *columns: list) -> None:
    """One CSV file of neo4j-admin import from equal-length columns, written in slices."""
    line = ",".join(["{}"] * len(columns))
    step = 250_000
    with path.open("w", encoding="utf-8") as f:
        f.write(header + "\n")
        for start in range(0, len(columns[0]), step):
            f.writelines(line.format(*row) + "\n" for row in zip(*(c[start : start + step] for c in columns)))


def _in_parallel(first, second) -> None:
    """first() in a forked child while second() runs here (CSV formatting is CPU-bound Python)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            first()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    second()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("writing a CSV file failed in the forked writer")


def write_csv(g: Graph, folder: Path, password_hash: str) -> dict[str, list[tuple[str, Path]]]:
    """The graph as the node and relationship files of `neo4j-admin database import full`. Import
    ids are row numbers (its integer ids stop at 2**56, tweet ids are 63-bit); `id` is a property."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = g.user_ids.tolist()
    user_row = np.arange(len(ids)).tolist()
    names = [g.username(i) for i in ids]
    _csv(folder / "users.csv",
         ":ID(User),id:long,username,username_key,display_name,bio,password_hash,created_at:datetime",
         user_row, ids, names, [n.casefold() for n in names], [g.display_name(i) for i in ids], [BIO] * len(ids),
         ['"' + password_hash + '"'] * len(ids), _iso(g.user_ts))
    tweet_row, tweet_at = np.arange(len(g.tweet_ids)).tolist(), _iso(g.tweet_ts)
    _csv(folder / "tweets.csv", ":ID(Tweet),id:long,text,created_at:datetime",
         tweet_row, g.tweet_ids.tolist(), g.texts(), tweet_at)

    def user_rows(user_ids: np.ndarray) -> list[int]:
        return (user_ids - 1).tolist()  # user ids are 1..n

    def tweet_rows(tweet_ids: np.ndarray) -> list[int]:
        return np.searchsorted(g.tweet_ids, tweet_ids).tolist()  # tweet ids are sorted

    def likes() -> None:
        _csv(folder / "likes.csv", ":START_ID(User),:END_ID(Tweet),created_at:datetime",
             user_rows(g.likes[:, 0]), tweet_rows(g.likes[:, 1]), _iso(g.likes[:, 2]))

    def the_rest() -> None:
        _csv(folder / "posted.csv", ":START_ID(User),:END_ID(Tweet),created_at:datetime",
             user_rows(g.tweet_authors), tweet_row, tweet_at)
        _csv(folder / "follows.csv", ":START_ID(User),:END_ID(User),created_at:datetime",
             user_rows(g.follows[:, 0]), user_rows(g.follows[:, 1]), _iso(g.follows[:, 2]))

    _in_parallel(likes, the_rest)  # about half of the rows each: one core each
    return {
        "nodes": [("User", folder / "users.csv"), ("Tweet:Searchable", folder / "tweets.csv")],
        "relationships": [("POSTED", folder / "posted.csv"), ("FOLLOWS", folder / "follows.csv"),
                          ("LIKED", folder / "likes.csv")],
    }


def bulk(sizes: Sizes, data_dir: Path) -> dict:
    """A new database at any size, from CSV through `neo4j-admin database import full` (Community
    edition can import into its one user database while the server is stopped; Redis must be
    stopped too, and starts empty). Migrations run at the next start (stack/stackctl.py); `--warm`
    then fills Redis."""
    from stack.services import java_argv  # the stack's Neo4j: its jars and JVM options

    timings, started = {}, time.perf_counter()
    g = generate_arrays(sizes, int(time.time() * 1000))
    timings["generate_s"] = round(time.perf_counter() - started, 1)
    svc = bootstrap()  # for the password hasher only: nothing connects
    password_hash = svc.passwords.hash(DEMO_PASSWORD)
    svc.close()
    folder = data_dir / "import"
    step = time.perf_counter()
    files = write_csv(g, folder, password_hash)
    timings["csv_s"] = round(time.perf_counter() - step, 1)
    home = data_dir / "neo4j"
    argv = java_argv(
        "org.neo4j.cli.AdminTool", "database", "import", "full", "neo4j", "--overwrite-destination",
        "--id-type=integer", "--bad-tolerance=0", "--threads=2", f"--report-file={folder / 'import.report'}",
        *(f"--nodes={label}={path}" for label, path in files["nodes"]),
        *(f"--relationships={kind}={path}" for kind, path in files["relationships"]),
        heap=("-Xmx3g",),
    )
    step = time.perf_counter()
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL if not sys.stdout.isatty() else None)
    timings["import_s"] = round(time.perf_counter() - step, 1)
    shutil.rmtree(folder)
    # Redis's data names users and tweets of the replaced database: it starts empty next time.
    shutil.rmtree(data_dir / "redis" / "appendonlydir", ignore_errors=True)
    (data_dir / "redis" / "dump.rdb").unlink(missing_ok=True)
    timings["seconds"] = round(time.perf_counter() - started, 1)
    return timings


def warm() -> dict:
    """After a bulk import and the start that migrates it: the read models that every request
    needs at once (the celebrity list, the popular lists) are built now, not by the first reader."""
    from ranking.refresh import refresh_popular

    started = time.perf_counter()
    svc = bootstrap()
    try:
        migrate(svc.graph)
        svc.celebrities.load(svc.feed_source.celebrities(svc.settings.fanout_follower_threshold))
        scored = refresh_popular(svc)
        return {"popular": scored, "seconds": round(time.perf_counter() - started, 1)}
    finally:
        svc.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    d = Sizes()
    for field in ("users", "follows", "tweets", "likes", "seed"):
        parser.add_argument(f"--{field}", type=int, default=getattr(d, field))
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--bulk", action="store_true",
                        help="build a new database with neo4j-admin import (the stack of DATA_DIR must be stopped)")
    parser.add_argument("--warm", action="store_true", help="fill Redis after a bulk import, on the started stack")
    args = parser.parse_args(argv)
    sizes = Sizes(args.users, args.follows, args.tweets, args.likes, args.seed)
    if args.bulk:
        print(json.dumps(bulk(sizes, Path(os.environ.get("DATA_DIR", "var")).resolve())))
    elif args.warm:
        print(json.dumps(warm()))
    else:
        print(json.dumps(seed(sizes, args.batch)))


if __name__ == "__main__":
    main()
