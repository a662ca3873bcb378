"""Replies and threads, boosts, mentions and hashtags, search, bookmarks, blocks and mutes through
the API, on the real graph (events handled inline). Users are made straight in the graph with a
session (tests/integration/personas.py), so the tests spend no time hashing passwords."""
from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from cache.feeds import feed_key
from domain.entities import MAX_TAGS
from jobs import runtime
from jobs.handlers import handle
from ranking.refresh import rescore
from social import follows, timeline, tweets
from domain.pages import PageRequest
from tests.conftest import inline_services
from tests.integration.personas import SessionUser, bare_user
from tests.unit.fakes import Events


@pytest.fixture
def person(app, services):
    def make(display_name: str | None = None):
        name = bare_user(services)
        user_id = services.users.id_by_username(name.casefold())
        if display_name:
            services.users.update_profile(user_id, {"display_name": display_name})
        return SessionUser(app, services, user_id, name)

    return make


def post(user, text: str, reply_to: str | None = None, status: int = 201) -> dict:
    body = {"text": text} | ({"in_reply_to_id": reply_to} if reply_to else {})
    r = user.post("/api/v1/tweets", json=body)
    assert r.status_code == status, r.get_json()
    return r.get_json().get("tweet") or r.get_json()


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def notes(user, type_: str) -> list[dict]:
    return [n for n in ok(user.get("/api/v1/notifications"))["notifications"] if n["type"] == type_]


def home(user, limit: int = 50) -> list[dict]:
    return ok(user.get(f"/api/v1/feed/home?limit={limit}"))["tweets"]


# --- 1. replies and threads -------------------------------------------------------------------

def test_a_reply_names_its_tweet_counts_and_notifies_its_author(person):
    alice, bob = person(), person()
    root = post(alice, "the root")
    assert root["in_reply_to"] is None and root["reply_count"] == 0
    reply = post(bob, "an answer", reply_to=root["id"])
    assert reply["in_reply_to"] == {"id": root["id"], "author": {"id": alice.id, "username": alice.username, "display_name": alice.username}}
    assert ok(bob.get(f"/api/v1/tweets/{root['id']}"))["tweet"]["reply_count"] == 1
    [note] = notes(alice, "reply")
    assert note["actor"]["username"] == bob.username and note["tweet"]["id"] == reply["id"]
    post(alice, "answering myself", reply_to=root["id"])
    assert len(notes(alice, "reply")) == 1
    assert ok(alice.get(f"/api/v1/tweets/{root['id']}"))["tweet"]["reply_count"] == 2


def test_context_lists_ancestors_and_descendants_oldest_first(person):
    alice, bob = person(), person()
    root = post(alice, "root")
    a = post(bob, "a", reply_to=root["id"])
    b = post(alice, "b", reply_to=a["id"])
    c = post(bob, "c", reply_to=root["id"])
    ctx = ok(bob.get(f"/api/v1/tweets/{b['id']}/context"))
    assert [t["id"] for t in ctx["ancestors"]] == [root["id"], a["id"]] and ctx["descendants"] == []
    ctx = ok(bob.get(f"/api/v1/tweets/{root['id']}/context"))
    assert ctx["ancestors"] == [] and [t["id"] for t in ctx["descendants"]] == [a["id"], b["id"], c["id"]]


def test_a_deleted_tweet_leaves_a_placeholder_in_its_thread(person):
    alice, bob = person(), person()
    root = post(alice, "root")
    middle = post(bob, "middle", reply_to=root["id"])
    leaf = post(alice, "leaf", reply_to=middle["id"])
    assert bob.delete(f"/api/v1/tweets/{middle['id']}").status_code == 204
    ctx = ok(alice.get(f"/api/v1/tweets/{leaf['id']}/context"))
    assert ctx["ancestors"] == [ok(alice.get(f"/api/v1/tweets/{root['id']}"))["tweet"],
                                {"id": middle["id"], "unavailable": "deleted"}]
    ctx = ok(alice.get(f"/api/v1/tweets/{root['id']}/context"))
    assert [t["id"] for t in ctx["descendants"]] == [middle["id"], leaf["id"]]
    assert ctx["descendants"][0] == {"id": middle["id"], "unavailable": "deleted"}
    assert ok(alice.get(f"/api/v1/tweets/{root['id']}"))["tweet"]["reply_count"] == 0
    assert ok(alice.get(f"/api/v1/tweets/{leaf['id']}"))["tweet"]["in_reply_to"]["id"] == middle["id"]
    assert alice.get(f"/api/v1/tweets/{middle['id']}").status_code == 404
    assert alice.delete(f"/api/v1/tweets/{leaf['id']}").status_code == 204  # the placeholder goes too
    assert ok(alice.get(f"/api/v1/tweets/{root['id']}/context"))["descendants"] == []


def test_replies_to_unknown_deleted_or_malformed_tweets_are_refused(person):
    alice = person()
    gone = post(alice, "soon gone")
    alice.delete(f"/api/v1/tweets/{gone['id']}")
    for target, status in ((gone["id"], 404), ("123456789", 404), ("abc", 400), ("-1", 400), ("9" * 30, 400)):
        r = alice.post("/api/v1/tweets", json={"text": "hello?", "in_reply_to_id": target})
        assert r.status_code == status, (target, r.get_json())
    r = alice.post("/api/v1/tweets", json={"text": "hello?", "in_reply_to_id": 12})
    assert r.status_code == 400
    assert alice.get("/api/v1/tweets/123456789/context").status_code == 404
    assert ok(alice.get(f"/api/v1/users/{alice.username}"))["user"]["tweets_count"] == 0



def test_a_reply_to_a_tweet_gone_from_the_graph_but_still_cached_is_refused_by_its_write(person, services):
    alice = person()
    gone = post(alice, "gone behind the cache's back")
    services.graph.driver.execute_query("MATCH (t:Tweet {id: $id}) DETACH DELETE t", id=int(gone["id"]))
    assert services.tweet_cache.author_of(int(gone["id"])) == int(alice.id)  # the body is still cached
    r = alice.post("/api/v1/tweets", json={"text": "hello?", "in_reply_to_id": gone["id"]})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "tweet_not_found"


# --- 2. boosts ------------------------------------------------------------------------------

def test_boost_is_idempotent_counts_and_flags(person):
    alice, bob = person(), person()
    tweet = post(alice, "boost me")
    for _ in range(2):
        assert ok(bob.post(f"/api/v1/tweets/{tweet['id']}/boost")) == {"boosted": True, "boost_count": 1}
    seen = ok(bob.get(f"/api/v1/tweets/{tweet['id']}"))["tweet"]
    assert seen["boosted"] is True and seen["boost_count"] == 1
    assert ok(alice.get(f"/api/v1/tweets/{tweet['id']}"))["tweet"]["boosted"] is False
    assert ok(alice.post(f"/api/v1/tweets/{tweet['id']}/boost")) == {"boosted": True, "boost_count": 2}  # own: allowed
    for _ in range(2):
        assert ok(bob.delete(f"/api/v1/tweets/{tweet['id']}/boost")) == {"boosted": False, "boost_count": 1}
    assert bob.post("/api/v1/tweets/123456789/boost").status_code == 404


def test_a_boost_shows_once_in_a_followers_feed_with_its_first_booster_and_notifies(services, person):
    reader, b1, b2, author = person(), person(), person(), person()
    for u in (b1, b2):
        reader.post(f"/api/v1/users/{u.username}/follow")
    home(reader)  # a warm feed receives the fan-out
    tweet = post(author, "worth passing on")
    b1.post(f"/api/v1/tweets/{tweet['id']}/boost")
    b2.post(f"/api/v1/tweets/{tweet['id']}/boost")
    shown = [t for t in home(reader) if t["id"] == tweet["id"]]
    assert len(shown) == 1
    assert shown[0]["boosted_by"] == {"id": b1.id, "username": b1.username, "display_name": b1.username}
    services.feeds.drop([int(reader.id)])  # the cold path agrees: a rebuilt feed also shows it once
    assert [t["boosted_by"]["username"] for t in home(reader) if t["id"] == tweet["id"]] == [b1.username]
    [note] = notes(author, "boost")
    assert note["count"] == 2 and {a["username"] for a in note["actors"]} == {b1.username, b2.username}
    b1.delete(f"/api/v1/tweets/{tweet['id']}/boost")
    b2.delete(f"/api/v1/tweets/{tweet['id']}/boost")
    assert notes(author, "boost") == [] and all(t["id"] != tweet["id"] for t in home(reader))


def test_a_followed_authors_tweet_is_not_repeated_by_a_boost(person):
    reader, author, booster = person(), person(), person()
    reader.post(f"/api/v1/users/{author.username}/follow")
    reader.post(f"/api/v1/users/{booster.username}/follow")
    home(reader)
    tweet = post(author, "already here")
    booster.post(f"/api/v1/tweets/{tweet['id']}/boost")
    shown = [t for t in home(reader) if t["id"] == tweet["id"]]
    assert len(shown) == 1 and "boosted_by" not in shown[0]


@pytest.fixture
def celebrity_services(services):
    svc = inline_services(replace(services.settings, fanout_follower_threshold=0))
    runtime.install(svc)
    yield svc
    svc.close()
    runtime.install(services)


def test_a_celebritys_boost_is_merged_at_read_time(celebrity_services, person):
    svc = celebrity_services
    reader, star, author = person(), person(), person()
    follows.follow(svc, int(reader.id), int(star.id))
    timeline.home_entries(svc, int(reader.id), PageRequest())
    tweet = tweets.post_tweet(svc, int(author.id), "seen through a star")
    tweets.boost(svc, int(star.id), int(tweet["id"]))
    assert not any(":" in m for m in svc.redis.lrange(feed_key(int(reader.id)), 0, -1))  # not fanned out
    entries, _ = timeline.home_entries(svc, int(reader.id), PageRequest())
    assert [(e[1], e[2]) for e in entries] == [(int(tweet["id"]), int(star.id))]


def test_boosts_raise_the_popularity_score(services, person):
    alice, bob = person(), person()
    tweet = post(alice, "popular soon")
    before = services.graph.read_one("ranking/tweet_scores", ids=[int(tweet["id"])], now_ms=0)["score"]
    bob.post(f"/api/v1/tweets/{tweet['id']}/boost")
    after = services.graph.read_one("ranking/tweet_scores", ids=[int(tweet["id"])], now_ms=0)["score"]
    assert after > before
    rescore(services, [int(tweet["id"])], at_ms=0)
    assert services.redis.zscore("popular:global", tweet["id"]) > before
    services.popular.remove(int(tweet["id"]), int(alice.id))


# --- 3. mentions and hashtags -----------------------------------------------------------------

def test_mentions_and_tags_are_edges_entities_and_notifications(services, person):
    alice, bob = person(), person()
    tweet = post(alice, f"hi @{bob.username.upper()} and @nobody_here_x, see #Graphs and #graphs #1")
    assert tweet["entities"] == {"mentions": [bob.username], "hashtags": ["graphs"]}
    got = ok(bob.get(f"/api/v1/tweets/{tweet['id']}"))["tweet"]
    assert got["entities"] == tweet["entities"]
    edges = services.driver.execute_query(
        "MATCH (t:Tweet {id: $id}) RETURN COLLECT { MATCH (t)-[:MENTIONS]->(u:User) RETURN u.id } AS mentions,"
        " COLLECT { MATCH (t)-[:TAGS]->(g:Tag) RETURN g.name } AS tags", id=int(tweet["id"]), database_="neo4j",
    ).records[0]
    assert edges["mentions"] == [int(bob.id)] and edges["tags"] == ["graphs"]
    [note] = notes(bob, "mention")
    assert note["actor"]["username"] == alice.username and note["tweet"]["id"] == tweet["id"]
    reply = post(alice, f"@{bob.username} again", reply_to=tweet["id"])  # alice's own tweet: a mention
    assert len(notes(bob, "mention")) == 2 and reply["entities"]["mentions"] == [bob.username]
    bob_reply = post(bob, f"@{alice.username} thanks", reply_to=tweet["id"])
    assert len(notes(alice, "reply")) == 1 and notes(alice, "mention") == []  # told once, as a reply
    assert bob_reply["in_reply_to"]["id"] == tweet["id"]


def test_tags_and_mentions_per_tweet_are_bounded(person):
    alice = person()
    text = " ".join(f"#t{i}" for i in range(40))[:140]
    tweet = post(alice, text)
    assert sorted(tweet["entities"]["hashtags"]) == sorted(f"t{i}" for i in range(MAX_TAGS))


def test_tag_page_and_trending(services, person):
    alice, bob = person(), person()
    tag = "tag" + alice.username.lower()
    first = post(alice, f"#{tag} one")
    second = post(bob, f"#{tag.upper()} two")
    page = ok(alice.get(f"/api/v1/tags/{tag}?limit=1"))
    assert [t["id"] for t in page["tweets"]] == [second["id"]] and page["next_cursor"]
    rest = ok(alice.get(f"/api/v1/tags/{tag.upper()}?limit=1&cursor={page['next_cursor']}"))
    assert [t["id"] for t in rest["tweets"]] == [first["id"]] and rest["next_cursor"] is None
    assert alice.get("/api/v1/tags/no%20tag").status_code == 400
    assert ok(alice.get("/api/v1/tags/unusedtag0x9"))["tweets"] == []
    services.trending.r.delete("trending:tags")
    top = ok(alice.get("/api/v1/tags/trending?k=50"))["tags"]
    assert {"tag": tag, "count": 2} in top
    assert alice.get("/api/v1/tags/trending?k=0").status_code == 400


# --- 4. search --------------------------------------------------------------------------------

def test_search_tweets_by_word_prefix_and_tag_ranked_and_paged(person):
    alice, bob = person(), person()
    word = "zq" + alice.username.lower()[-8:]
    weak = post(alice, f"{word} once")
    strong = post(alice, f"{word} {word} {word} #{word}")
    prefixed = post(bob, f"{word}xyz longer")
    found = ok(bob.get(f"/api/v1/search?q={word}"))["tweets"]
    assert {t["id"] for t in found} == {weak["id"], strong["id"], prefixed["id"]}
    assert found[0]["id"] == strong["id"]
    assert [t["id"] for t in ok(bob.get(f"/api/v1/search?q=%23{word}xyz"))["tweets"]] == [prefixed["id"]]
    seen, cursor = [], None
    while True:
        page = ok(bob.get(f"/api/v1/search?q={word}&limit=1" + (f"&cursor={cursor}" if cursor else "")))
        seen += [t["id"] for t in page["tweets"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [t["id"] for t in found]


def test_a_post_joins_the_search_index_when_the_search_group_handles_its_event(person, services):
    alice = person()
    word = "zi" + secrets.token_hex(4)
    held = Events()  # the post's event, not handled yet
    tweet = tweets.post_tweet(replace(services, bus=held), int(alice.id), f"a {word} to find")
    assert ok(alice.get(f"/api/v1/search?q={word}"))["tweets"] == []  # the post's own commit left Lucene alone
    handle(services, "search", held.published)
    assert [t["id"] for t in ok(alice.get(f"/api/v1/search?q={word}"))["tweets"]] == [tweet["id"]]


def test_search_users_by_username_and_display_name(person):
    word = "zarathustra" + secrets.token_hex(4)
    target = person(display_name=f"Quentin {word.title()}")
    other = person()
    assert [u["username"] for u in ok(other.get(f"/api/v1/search?type=users&q={word[:-2]}"))["users"]] == [target.username]
    assert [u["username"] for u in ok(other.get(f"/api/v1/search?type=users&q={target.username}"))["users"]] == [target.username]


BAD_QUERIES = ["*", '"', "AND OR NOT", "title:(a OR b) AND c~2 [x TO y] {a TO b} /re/ \\ && || !", "a" * 1000,
               "x" * 400 + " " + "y" * 599, "  ", "🙂 #", "\x00"]


def test_search_survives_lucene_syntax_and_bad_text(person):
    viewer = person()
    urls = [("/api/v1/search", {"q": q, "type": kind}) for q in BAD_QUERIES for kind in ("tweets", "users")]
    urls += [(f"/api/v1/search?q={raw}&type={kind}", None)  # lone surrogates, as UTF-8 and as CESU
             for raw in ("%ED%A0%80x", "%ED%B0%80", "%F0%9F", "%C0%AF") for kind in ("tweets", "users")]
    for path, query in urls:
        r = viewer.get(path, query_string=query)
        assert r.status_code in (200, 400), (path, query, r.get_data())
        assert b"lucene" not in r.get_data().lower() and b"fulltext" not in r.get_data().lower()


def test_search_refuses_missing_long_or_unknown_parameters(person):
    viewer = person()
    assert viewer.get("/api/v1/search").status_code == 400
    assert viewer.get("/api/v1/search", query_string={"q": "a" * 1001}).status_code == 400
    assert viewer.get("/api/v1/search?q=a&type=things").status_code == 400
    assert viewer.get("/api/v1/search?q=a&cursor=%%%").status_code == 400


# --- 5. bookmarks, blocks and mutes -------------------------------------------------------------

def test_bookmarks_are_private_idempotent_and_paged(person):
    alice, bob = person(), person()
    one, two = post(alice, "keep one"), post(alice, "keep two")
    for t in (one, two, two):
        assert ok(bob.post(f"/api/v1/tweets/{t['id']}/bookmark")) == {"bookmarked": True}
    assert ok(bob.get(f"/api/v1/tweets/{one['id']}"))["tweet"]["bookmarked"] is True
    assert ok(alice.get(f"/api/v1/tweets/{one['id']}"))["tweet"]["bookmarked"] is False
    page = ok(bob.get("/api/v1/bookmarks?limit=1"))
    assert [t["id"] for t in page["tweets"]] == [two["id"]]
    assert [t["id"] for t in ok(bob.get(f"/api/v1/bookmarks?cursor={page['next_cursor']}"))["tweets"]] == [one["id"]]
    assert ok(bob.delete(f"/api/v1/tweets/{two['id']}/bookmark")) == {"bookmarked": False}
    assert [t["id"] for t in ok(bob.get("/api/v1/bookmarks"))["tweets"]] == [one["id"]]
    assert ok(alice.get("/api/v1/bookmarks"))["tweets"] == []
    assert bob.post("/api/v1/tweets/123456789/bookmark").status_code == 404


def test_block_and_mute_lists_self_and_unknown(person):
    alice, bob, carol = person(), person(), person()
    for verb, listing in (("block", "blocks"), ("mute", "mutes")):
        assert ok(alice.post(f"/api/v1/users/{bob.username}/{verb}"))
        ok(alice.post(f"/api/v1/users/{carol.username}/{verb}"))
        assert [u["username"] for u in ok(alice.get(f"/api/v1/{listing}"))["users"]] == [carol.username, bob.username]
        r = alice.post(f"/api/v1/users/{alice.username}/{verb}")
        assert r.status_code == 422 and r.get_json()["error"]["code"] == f"cannot_{verb}_self"
        r = alice.post(f"/api/v1/users/nobody_zz_{verb}/{verb}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "user_not_found"
        ok(alice.delete(f"/api/v1/users/{carol.username}/{verb}"))
        ok(alice.delete(f"/api/v1/users/{carol.username}/{verb}"))
        assert [u["username"] for u in ok(alice.get(f"/api/v1/{listing}"))["users"]] == [bob.username]


def test_a_block_removes_follows_both_ways_and_refuses_interaction_both_ways(person):
    alice, bob = person(), person()
    alice.post(f"/api/v1/users/{bob.username}/follow")
    bob.post(f"/api/v1/users/{alice.username}/follow")
    tweet_a, tweet_b = post(alice, "alice's"), post(bob, "bob's")
    ok(alice.post(f"/api/v1/users/{bob.username}/block"))
    assert ok(alice.get(f"/api/v1/users/{alice.username}"))["user"]["followers_count"] == 0
    assert ok(alice.get(f"/api/v1/users/{alice.username}"))["user"]["following_count"] == 0
    for actor, target, tweet in ((bob, alice, tweet_a), (alice, bob, tweet_b)):
        for method, path, body in (
            ("POST", f"/api/v1/users/{target.username}/follow", None),
            ("POST", "/api/v1/tweets", {"text": "hey", "in_reply_to_id": tweet["id"]}),
            ("POST", f"/api/v1/tweets/{tweet['id']}/like", None),
            ("POST", f"/api/v1/tweets/{tweet['id']}/boost", None),
            ("POST", f"/api/v1/messages/{target.username}", {"text": "hello"}),
        ):
            r = actor.open(path, method, json=body)
            assert r.status_code == 403 and r.get_json()["error"]["code"] == "blocked", (path, r.get_json())
    post(bob, f"@{alice.username} you there?")
    assert notes(alice, "mention") == []
    ok(alice.delete(f"/api/v1/users/{bob.username}/block"))
    assert ok(bob.post(f"/api/v1/users/{alice.username}/follow")) == {"following": True}
