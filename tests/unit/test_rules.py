import pytest

from domain import rules
from domain.errors import Unprocessable
from domain import ids
from domain.ids import id_time_ms, new_id
from domain.pages import decode_cursor, encode_cursor
from domain.errors import BadRequest

E_ACUTE_DECOMPOSED = "e\u0301"  # two code points, one after NFC
ASTRAL_EMOJI = "\U0001F600"


@pytest.mark.parametrize("length", [1, 139, 140])
def test_tweet_of_up_to_140_code_points_is_accepted(length):
    assert len(rules.check_tweet_text("a" * length)) == length


def test_tweet_of_141_code_points_is_refused_with_limit_and_length():
    with pytest.raises(Unprocessable) as err:
        rules.check_tweet_text("a" * 141)
    assert err.value.code == "tweet_too_long"
    assert err.value.details["limit"] == 140 and err.value.details["length"] == 141


@pytest.mark.parametrize("count,ok", [(139, True), (140, True), (141, False)])
def test_combining_sequences_count_once_after_nfc(count, ok):
    text = E_ACUTE_DECOMPOSED * count
    assert len(text) == 2 * count
    if ok:
        assert rules.check_tweet_text(text) == "\u00e9" * count
    else:
        with pytest.raises(Unprocessable):
            rules.check_tweet_text(text)


@pytest.mark.parametrize("count,ok", [(139, True), (140, True), (141, False)])
def test_astral_emoji_count_as_one(count, ok):
    if ok:
        assert rules.check_tweet_text(ASTRAL_EMOJI * count)
    else:
        with pytest.raises(Unprocessable):
            rules.check_tweet_text(ASTRAL_EMOJI * count)


@pytest.mark.parametrize("text", ["", " ", "\n\t ", "\u3000"])
def test_empty_or_white_space_tweet_is_refused(text):
    with pytest.raises(Unprocessable) as err:
        rules.check_tweet_text(text)
    assert err.value.code == "tweet_empty"


@pytest.mark.parametrize("name", ["a", "Alice_99", "x" * 15])
def test_valid_usernames(name):
    assert rules.check_username(name) == name


@pytest.mark.parametrize("name", ["", "x" * 16, "has space", "dash-ed", "émile", "a.b", "ｆｕｌｌ"])
def test_invalid_usernames(name):
    with pytest.raises(Unprocessable):
        rules.check_username(name)


def test_usernames_are_unique_without_regard_to_case():
    assert rules.username_key("Alice") == rules.username_key("aLICE")


def test_ids_sort_by_time():
    a, b = new_id(1_800_000_000_000), new_id(1_800_000_000_001)
    assert a < b
    assert id_time_ms(a) == 1_800_000_000_000


def test_cursor_round_trip_and_garbage_refused():
    assert decode_cursor(encode_cursor((5, 7)), 2) == (5, 7)
    for bad in ["!!!", encode_cursor((5,)), "Zm9v", encode_cursor((1, 2, 3))]:
        with pytest.raises(BadRequest):
            decode_cursor(bad, 2)


def test_ids_made_in_one_millisecond_by_one_process_never_repeat():
    at = 1_800_000_000_000
    made = [new_id(at) for _ in range(40_000)]  # 14 random bits alone repeat about 25,000 times here
    assert len(set(made)) == len(made)
    assert all(at <= id_time_ms(i) <= at + 4 for i in made)


def test_ids_never_repeat_after_one_far_from_now():
    new_id(1_900_000_000_000)  # a time given, or a clock set back: the ids after it start anew
    at = 1_800_000_200_000
    made = [new_id(at) for _ in range(5_000)]
    assert len(set(made)) == len(made)


def test_ids_of_two_nodes_in_one_millisecond_never_meet():
    at = 1_800_000_100_000
    try:
        ids.use_node(7)
        first = {new_id(at) for _ in range(3_000)}
        ids.use_node(7 + 256)  # a lease past 255 wraps: node 7 again
        assert {i % 256 for i in first | {new_id(at)}} == {7}
        ids.use_node(8)
        second = {new_id(at) for _ in range(3_000)}
    finally:
        ids.use_node(0)
    assert {i % 256 for i in second} == {8}
    assert not first & second
