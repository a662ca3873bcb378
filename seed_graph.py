"""Seeds the graph: a small demo by default, or a large power-law graph for benchmarks.

    python seed_graph.py                       # demo: 50 users
    python seed_graph.py --users 100000 --follows 2000000 --tweets 1000000 --likes 5000000

Rows are generated deterministically from --seed and written in batches, each committed with a
(:SeedBatch) marker, so an interrupted run resumes where it stopped and a rerun changes nothing.
Demo users sign in with the password `demo-password`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass

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


def generate(sizes: Sizes, base_ms: int) -> dict[str, list]:
    rng = np.random.default_rng(sizes.seed)
    n = sizes.users
    user_ids = np.arange(1, n + 1, dtype=np.int64)
    users = [
        {
            "id": int(i),
            "username": (NAMES[i - 1] if i <= len(NAMES) else f"user{i}"),
            "display_name": (NAMES[i - 1].capitalize() if i <= len(NAMES) else f"User {i}"),
            "bio": "Seeded for the demo.",
            "ts": base_ms - 60 * DAY_MS + int(i),
        }
        for i in user_ids.tolist()
    ]
    for u in users:
        u["username_key"] = u["username"].casefold()

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
    texts = [" ".join(WORDS[j] for j in row) for row in word_idx.tolist()]
    tweets = [
        [int(t), int(user_ids[a]), int(ts), text]
        for t, a, ts, text in zip(tweet_ids.tolist(), authors.tolist(), tweet_ts.tolist(), texts)
    ]

    # Likes favour a Zipf-ranked set of tweets (a random permutation decides which are hot).
    hot = rng.permutation(sizes.tweets)
    tweet_p = np.empty(sizes.tweets)
    tweet_p[hot] = zipf_weights(sizes.tweets, 0.9)
    like_pairs = unique_pairs(rng, n, sizes.tweets, sizes.likes, tweet_p)
    like_ts = tweet_ts[like_pairs[:, 1]] + rng.integers(1_000, 3 * DAY_MS, len(like_pairs))
    like_ts = np.minimum(like_ts, base_ms)
    likes = np.stack([user_ids[like_pairs[:, 0]], tweet_ids[like_pairs[:, 1]], like_ts], axis=1)

    order = np.argsort(follows[:, 0], kind="stable")
    return {
        "users": users,
        "follows": follows[order].tolist(),
        "tweets": tweets,
        "likes": likes[np.argsort(likes[:, 0], kind="stable")].tolist(),
    }


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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    d = Sizes()
    for field in ("users", "follows", "tweets", "likes", "seed"):
        parser.add_argument(f"--{field}", type=int, default=getattr(d, field))
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args(argv)
    sizes = Sizes(args.users, args.follows, args.tweets, args.likes, args.seed)
    print(json.dumps(seed(sizes, args.batch)))


if __name__ == "__main__":
    main()
