"""Pure rules of the conversation features: mentions and tags, search queries, feed entries, and
the visibility rule."""
from __future__ import annotations

import pytest

from domain import entities, search
from domain.entries import boost_member, member_of, parse_member
from domain.errors import BadRequest, Forbidden
from domain.visibility import Relations


def test_mentions_need_a_word_boundary_and_are_folded_distinct_and_bounded():
    assert entities.mentions("hi @Ada, @ada! mail me at bob@example.com @x_1 @@no") == ["ada", "x_1"]
    many = " ".join(f"@u{i}" for i in range(30))
    assert entities.mentions(many) == [f"u{i}" for i in range(entities.MAX_MENTIONS)]


def test_hashtags_are_folded_not_only_digits_and_bounded():
    assert entities.hashtags("#Graph #graph #2024 #a_b x#y &#39; #Ünï") == ["graph", "a_b", "ünï"]
    assert len(entities.hashtags(" ".join(f"#t{i}" for i in range(200)))) == entities.MAX_TAGS


def test_a_tag_in_a_path_may_carry_its_hash_and_any_case():
    assert entities.check_tag("#Neo4j") == entities.check_tag("neo4j") == "neo4j"
    for bad in ("", "no tag", "123", "#", "a" * 65):
        with pytest.raises(BadRequest):
            entities.check_tag(bad)


@pytest.mark.parametrize("q", ["*", '"', "\\", "()", "[]{}", "&& || !", "🙂", "\ud800"])
def test_queries_without_words_search_for_nothing(q):
    assert search.lucene_query(q) is None


def test_lucene_syntax_never_survives_and_operators_become_words():
    query = search.lucene_query('title:"x" AND y* OR NOT z~2')
    assert query == "(title OR title*) AND (x OR x*) AND (and OR and*) AND (y OR y*) AND (or OR or*) AND (not OR not*)" \
        " AND (z OR z*) AND (2 OR 2*)"
    assert search.lucene_query(" ".join(f"w{i}" for i in range(50))).count(" AND ") == search.MAX_TERMS - 1


def test_a_query_is_required_and_bounded():
    for q in (None, "", "   ", "a" * 1001):
        with pytest.raises(BadRequest):
            search.check_query(q)
    assert search.check_query("a" * 1000)


def test_feed_members_round_trip():
    assert parse_member("123") == (123, 123, None) == parse_member(b"123")
    assert parse_member(boost_member(9, 5, 7)) == (9, 5, 7)
    assert member_of((9, 5, 7)) == "9:5:7" and member_of((5, 5, None)) == "5"


def test_the_visibility_rule_hides_blocks_both_ways_and_own_mutes_only():
    me = Relations(blocks=frozenset({1}), blocked_by=frozenset({2}), mutes=frozenset({3}))
    assert me.hidden == {1, 2, 3}
    for other in (1, 2):
        with pytest.raises(Forbidden) as refused:
            me.check_may_interact(other)
        assert refused.value.code == "blocked"
    me.check_may_interact(3)  # a mute hides, it does not refuse
