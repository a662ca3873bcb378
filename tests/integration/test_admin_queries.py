"""Every query of cypher/admin (docs/admin-guide.md) runs and returns the expected rows."""
import secrets
from pathlib import Path

import pytest

from domain.ids import new_id
from domain.rules import username_key

ADMIN_DIR = Path(__file__).resolve().parents[2] / "cypher" / "admin"
T0 = 1_700_000_000_000  # fixed follow and like times, so "newest first" has one answer


@pytest.fixture(scope="module")
def cli(services):
    from web.app import create_app
    from web.cli import register_commands

    app = create_app(services=services)
    register_commands(app)
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def people(services) -> dict[str, dict]:
    """Users written through the repository, named <prefix><role> under one fresh prefix."""
    prefix = "q" + secrets.token_hex(4)
    out = {}
    for role in ("ab", "abc", "x", "c", "f1", "f2", "f3", "author", "l1", "l2"):
        name = prefix + role
        user_id = services.users.create(
            id=new_id(), username=name, username_key=username_key(name), display_name=name.title(),
            password_hash="-", now_ms=T0,
        )
        out[role] = {"id": user_id, "username": name}
    out["prefix"] = prefix
    return out


def find_user(services, people, cli):
    rows = services.graph.read("admin/find_user", username=(people["prefix"] + "AB").upper())
    assert [r["username"] for r in rows] == [people["ab"]["username"], people["abc"]["username"]]
    assert rows[0]["id"] == people["ab"]["id"] and rows[0]["suspended"] is False
    assert (rows[0]["followers"], rows[0]["following"], rows[0]["tweets"]) == (0, 0, 0)


def who_follows_whom(services, people, cli):
    c, f1, f2, f3 = (people[r]["id"] for r in ("c", "f1", "f2", "f3"))
    services.users.follow(f1, c, T0)
    services.users.follow(c, f2, T0 + 1000)
    services.users.follow(f3, c, T0 + 2000)
    services.users.follow(f1, f2, T0 + 3000)  # not around c: left out
    rows = services.graph.read("admin/who_follows_whom", username=people["c"]["username"], limit=10)
    name = {people[r]["id"]: people[r]["username"] for r in ("c", "f1", "f2", "f3")}
    assert [(r["follower"], r["followee"]) for r in rows] == [
        (name[f3], name[c]), (name[c], name[f2]), (name[f1], name[c])
    ]
    assert rows[0]["since"].startswith("2023-11-14T22:13:22")
    assert len(services.graph.read("admin/who_follows_whom", username=people["c"]["username"], limit=2)) == 2


def tweet_likers(services, people, cli):
    tweet_id = new_id()
    services.tweets.create(tweet_id, people["author"]["id"], "liked twice", T0)
    services.tweets.like(people["l1"]["id"], tweet_id, T0 + 1000)
    services.tweets.like(people["l2"]["id"], tweet_id, T0 + 2000)
    expected = [people["l2"]["username"], people["l1"]["username"]]
    for given in (tweet_id, str(tweet_id)):  # a number, or the string the API shows
        rows = services.graph.read("admin/tweet_likers", tweet_id=given, limit=10)
        assert [r["username"] for r in rows] == expected
        assert {r["author"] for r in rows} == {people["author"]["username"]}


def audit_log(services, people, cli):
    target = people["x"]["username"]
    for verb in ("grant", "revoke"):
        result = cli.invoke(args=["roles", verb, target, "moderator"])
        assert result.exit_code == 0, result.output
    rows = services.graph.read("admin/audit_log", limit=2)
    assert [(r["actor"], r["target"]) for r in rows] == [("console", target)] * 2
    assert rows[0]["id"] > rows[1]["id"] and all(r["action"] and r["created_at"] for r in rows)
    printed = cli.invoke(args=["cypher", "run", "admin/audit_log", "limit=1"])
    assert printed.exit_code == 0 and target in printed.output and "(1 row)" in printed.output


QUERIES = {f.__name__: f for f in (find_user, who_follows_whom, tweet_likers, audit_log)}


def test_every_admin_query_has_a_case_here():
    assert sorted(p.stem for p in ADMIN_DIR.glob("*.cypher")) == sorted(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_admin_query_returns_the_expected_rows(name, services, people, cli):
    QUERIES[name](services, people, cli)
