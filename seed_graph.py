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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bootstrap import bootstrap
from graph.migrate import await_migrated, migrate
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
    when both sides are users (extra holds pairs that must come first, e.g. celebrity follows).
    Each draw keeps the first of its repeats and what was not drawn before (`seen`, sorted)."""
    pairs = extra if extra is not None else np.empty((0, 2), dtype=np.int64)
    seen = np.sort(pairs[:, 0] * n_right + pairs[:, 1])
    cdf = np.cumsum(right_p)
    cdf /= cdf[-1]
    while len(pairs) < count:
        need = int((count - len(pairs)) * 1.2) + 16
        left = rng.integers(0, n_left, need)
        # sorted draws find their place in the cdf far faster; the shuffle restores their order
        right = rng.permutation(cdf.searchsorted(np.sort(rng.random(need)), side="right"))
        fresh = np.stack([left, right], axis=1)
        if n_left == n_right:
            fresh = fresh[left != right]
        keys = fresh[:, 0] * n_right + fresh[:, 1]
        _, first = np.unique(keys, return_index=True)
        first.sort()
        at = np.minimum(seen.searchsorted(keys[first]), max(len(seen) - 1, 0))
        new = first[seen[at] != keys[first]] if len(seen) else first
        pairs = np.concatenate([pairs, fresh[new]])
        seen = np.sort(np.concatenate([seen, keys[new]]))
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
    assert sizes.tweets <= 1 << RANDOM_BITS, "a seeded tweet's id ends in its row number"
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


class Lines:
    """The rows of one CSV file as a byte matrix, one column of it per character, built by numpy
    column by column: millions of rows are formatted in about a second, not in a Python loop over
    them. A field narrower than its column (a number's leading zeros, a short word) is masked out
    when the rows are written."""

    def __init__(self, count: int):
        self.count = count
        self.cells: list[np.ndarray] = []
        self.keep: list[np.ndarray] = []

    def _column(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        cells = np.empty((self.count, width), np.uint8, order="F")  # a column is contiguous
        keep = np.ones((self.count, width), bool, order="F")
        self.cells.append(cells)
        self.keep.append(keep)
        return cells, keep

    def text(self, literal: str) -> Lines:
        cells, _ = self._column(len(literal.encode()))
        cells[:] = np.frombuffer(literal.encode(), np.uint8)
        return self

    def integers(self, values: np.ndarray) -> Lines:
        values = np.asarray(values, np.int64)
        width = len(str(int(values.max(initial=0))))
        cells, keep = self._column(width)
        _digits(cells, values, width)
        length = np.ones(self.count, np.int8)
        for power in range(1, width):
            length += values >= 10**power
        keep[:] = np.arange(width, dtype=np.int8) >= (width - length)[:, None]
        return self

    def words(self, vocabulary: list[str], which: np.ndarray) -> Lines:
        encoded = [w.encode() for w in vocabulary]
        width = max(map(len, encoded))
        table = np.frombuffer(b"".join(w.ljust(width) for w in encoded), np.uint8).reshape(-1, width)
        lengths = np.array([len(w) for w in encoded])
        cells, keep = self._column(width)
        for i in range(width):
            cells[:, i] = table[which, i]
        keep[:] = np.arange(width) < lengths[which][:, None]
        return self

    def iso(self, ms: np.ndarray) -> Lines:
        """Epoch milliseconds as UTC ISO-8601 (2026-12-04T20:22:00.764Z): 24 characters."""
        day, rest = np.divmod(np.asarray(ms, np.int64), DAY_MS)
        first = int(day.min(initial=0))
        days = np.arange(first, int(day.max(initial=0)) + 1).astype("datetime64[D]")
        dates = np.frombuffer("".join(np.datetime_as_string(days)).encode(), np.uint8).reshape(-1, 10)
        cells, _ = self._column(24)
        which = day - first
        for i in range(10):
            cells[:, i] = dates[which, i]
        hour, rest = np.divmod(rest, 3_600_000)
        minute, rest = np.divmod(rest, 60_000)
        second, milli = np.divmod(rest, 1000)
        for at, part, width in ((11, hour, 2), (14, minute, 2), (17, second, 2), (20, milli, 3)):
            _digits(cells[:, at : at + width], part, width)
        for at, sign in ((10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")):
            cells[:, at] = ord(sign)
        return self

    def write(self, path: Path, header: str) -> None:
        rows = np.concatenate(self.cells, axis=1)[np.concatenate(self.keep, axis=1)]
        with path.open("wb") as f:
            f.write(header.encode() + b"\n")
            rows.tofile(f)


def _digits(cells: np.ndarray, values: np.ndarray, width: int) -> None:
    """values' decimal digits, zero-padded to width, into the columns of cells."""
    rest = values.astype(np.uint32 if values.max(initial=0) < 2**32 else np.int64)
    for i in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        cells[:, i] = digit + 48


def write_csv(g: Graph, folder: Path, password_hash: str) -> dict[str, list[tuple[str, Path]]]:
    """The graph as the node and relationship files of `neo4j-admin database import full`. Import
    ids are row numbers (its integer ids stop at 2**56, tweet ids are 63-bit); `id` is a property."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(g.user_ids)
    users = Lines(n).integers(np.arange(n)).text(",").integers(g.user_ids).text(",")
    names = [g.username(i) for i in g.user_ids.tolist()]
    users.words(names, np.arange(n)).text(",").words([name.casefold() for name in names], np.arange(n))
    users.text(",").words([g.display_name(i) for i in g.user_ids.tolist()], np.arange(n))
    users.text(f',{BIO},"{password_hash}",').iso(g.user_ts).text("\n").write(
        folder / "users.csv",
        ":ID(User),id:long,username,username_key,display_name,bio,password_hash,created_at:datetime")
    tweets = Lines(len(g.tweet_ids)).integers(np.arange(len(g.tweet_ids))).text(",").integers(g.tweet_ids).text(",")
    for i in range(g.tweet_words.shape[1]):
        tweets.words(WORDS, g.tweet_words[:, i]).text(" " if i < g.tweet_words.shape[1] - 1 else ",")
    tweets.iso(g.tweet_ts).text("\n").write(folder / "tweets.csv", ":ID(Tweet),id:long,text,created_at:datetime")

    def relationships(name: str, header: str, start: np.ndarray, end: np.ndarray, ms: np.ndarray) -> None:
        rows = Lines(len(start)).integers(start).text(",").integers(end).text(",").iso(ms).text("\n")
        rows.write(folder / name, header)

    user_rows = lambda ids: ids - 1  # user ids are 1..n
    tweet_rows = lambda ids: ids & ((1 << RANDOM_BITS) - 1)  # a seeded tweet's id ends in its row
    relationships("posted.csv", ":START_ID(User),:END_ID(Tweet),created_at:datetime",
                  user_rows(g.tweet_authors), np.arange(len(g.tweet_ids)), g.tweet_ts)
    relationships("follows.csv", ":START_ID(User),:END_ID(User),created_at:datetime",
                  user_rows(g.follows[:, 0]), user_rows(g.follows[:, 1]), g.follows[:, 2])
    relationships("likes.csv", ":START_ID(User),:END_ID(Tweet),created_at:datetime",
                  user_rows(g.likes[:, 0]), tweet_rows(g.likes[:, 1]), g.likes[:, 2])
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
    from stack.config import dev_stack, seeded_marker
    from stack.services import java_argv, prepare_folders  # the stack's Neo4j: its jars, options, config

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
    if not (home / "conf").is_dir():  # a new data folder: Neo4j's home and config, as `make up` makes them
        prepare_folders(dev_stack({**os.environ, "DATA_DIR": str(data_dir)}))
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
    seeded_marker(data_dir).touch()  # `make up` must not add the demo's users to this graph
    # Redis's data names users and tweets of the replaced database: it starts empty next time.
    shutil.rmtree(data_dir / "redis" / "appendonlydir", ignore_errors=True)
    (data_dir / "redis" / "dump.rdb").unlink(missing_ok=True)
    timings["seconds"] = round(time.perf_counter() - started, 1)
    return timings


def warm() -> dict:
    """After a bulk import, during or after the start that migrates it: the read models that every
    request needs at once (the celebrity list, the popular lists) are built now, not by the first
    reader. Waits for the migrations (the stack's migrate step applies them) and their indexes."""
    from ranking.refresh import refresh_popular

    started = time.perf_counter()
    svc = bootstrap()
    try:
        await_migrated(svc.graph)
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
