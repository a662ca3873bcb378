"""The bulk seed's CSV files hold the same graph as the transactional seed's rows."""
from __future__ import annotations

import csv
from datetime import datetime

from seed_graph import Sizes, generate, generate_arrays, write_csv

BASE_MS = 1_780_000_000_000
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"  # commas inside: the field must be quoted


def _rows(path):
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        return next(reader), list(reader)


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_csv_files_hold_the_rows_of_the_transactional_seed(tmp_path):
    sizes = Sizes(users=60, follows=300, tweets=120, likes=250)
    rows = generate(sizes, BASE_MS)
    files = write_csv(generate_arrays(sizes, BASE_MS), tmp_path, HASH)
    assert [label for label, _ in files["nodes"]] == ["User", "Tweet:Searchable"]

    header, users = _rows(tmp_path / "users.csv")
    assert header[:2] == [":ID(User)", "id:long"] and header[-1] == "created_at:datetime"
    assert [[int(u[1]), u[2], u[3], u[4], u[5], _ms(u[7])] for u in users] == [
        [u["id"], u["username"], u["username_key"], u["display_name"], u["bio"], u["ts"]] for u in rows["users"]
    ]
    assert {u[6] for u in users} == {HASH}
    user_of = {u[0]: int(u[1]) for u in users}  # import id (row) -> user id

    _, tweets = _rows(tmp_path / "tweets.csv")
    tweet_of = {t[0]: int(t[1]) for t in tweets}
    _, posted = _rows(tmp_path / "posted.csv")
    assert [[tweet_of[p[1]], user_of[p[0]], _ms(t[3]), t[2]] for t, p in zip(tweets, posted)] == rows["tweets"]

    _, rels = _rows(tmp_path / "follows.csv")
    assert [[user_of[a], user_of[b], _ms(at)] for a, b, at in rels] == rows["follows"]
    _, rels = _rows(tmp_path / "likes.csv")
    assert [[user_of[a], tweet_of[b], _ms(at)] for a, b, at in rels] == rows["likes"]
