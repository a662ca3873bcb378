"""Pure parts of recommendations and of `flask cypher run`: the reason wording, parameters, the table."""
import pytest

from social.recommendations import because_followed_by
from web.cli_cypher import parse_param, table


@pytest.mark.parametrize(
    ("via", "common", "reason"),
    [
        (["alice"], 1, "followed by alice, who you follow"),
        (["alice", "bob"], 2, "followed by alice and bob, who you follow"),
        (["alice", "bob", "carol"], 3, "followed by alice and 2 others you follow"),
        (["alice", "bob", "carol"], 4, "followed by alice and 3 others you follow"),
    ],
)
def test_reason_names_the_best_ranked_shared_followee_and_counts_the_rest(via, common, reason):
    assert because_followed_by(via, common) == reason


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("limit=10", ("limit", 10)),
        ("hours=0.5", ("hours", 0.5)),
        ("exclude=[1, 2]", ("exclude", [1, 2])),
        ("flag=true", ("flag", True)),
        ("username=ada", ("username", "ada")),
        ('username="007"', ("username", "007")),
        ("text=a=b", ("text", "a=b")),
        ("tweet_id=", ("tweet_id", "")),
    ],
)
def test_cli_parameters_are_json_where_they_parse_else_text(text, pair):
    assert parse_param(text) == pair


@pytest.mark.parametrize("text", ["limit", "=5", "two words=1"])
def test_cli_parameters_without_a_key_are_refused(text):
    with pytest.raises(Exception, match="KEY=VALUE"):
        parse_param(text)


def test_table_aligns_columns_and_writes_values_as_cypher_does():
    rows = [{"id": 1, "name": "ada", "score": 0.123456789, "via": ["b"], "ok": True, "gone": None}]
    assert table(rows).splitlines() == [
        "id | name | score    | via   | ok   | gone",
        "---+------+----------+-------+------+-----",
        '1  | ada  | 0.123457 | ["b"] | true | null',
        "(1 row)",
    ]
    assert table([]) == "(no rows)"
