"""Users, follows, tweets, likes and the home feed through the API, on the real graph."""
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import unique_name


def test_follow_is_idempotent_and_counts_are_exact(make_user):
    alice, bob = make_user(), make_user()
    for _ in range(2):
        r = alice.post(f"/api/v1/users/{bob.username}/follow")
        assert r.status_code == 200 and r.get_json() == {"following": True}
    seen = alice.get(f"/api/v1/users/{bob.username}").get_json()["user"]
    assert seen["followers_count"] == 1 and seen["following"] is True and seen["followed_by"] is False
    assert alice.get(f"/api/v1/users/{alice.username}").get_json()["user"]["following_count"] == 1
    for _ in range(2):
        r = alice.delete(f"/api/v1/users/{bob.username}/follow")
        assert r.status_code == 200 and r.get_json() == {"following": False}
    assert alice.get(f"/api/v1/users/{bob.username}").get_json()["user"]["followers_count"] == 0


def test_follow_self_is_422_and_unknown_user_404(make_user):
    alice = make_user()
    r = alice.post(f"/api/v1/users/{alice.username}/follow")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "cannot_follow_self"
    r = alice.post(f"/api/v1/users/{unique_name()}/follow")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "user_not_found"


def test_follow_needs_sign_in(client, make_user):
    bob = make_user()
    r = client.post(f"/api/v1/users/{bob.username}/follow")
    assert r.status_code == 401


def test_followers_and_following_pages_walk_with_cursors(make_user):
    star = make_user()
    fans = [make_user() for _ in range(5)]
    for fan in fans:
        fan.post(f"/api/v1/users/{star.username}/follow")
    seen, cursor = [], None
    while True:
        url = f"/api/v1/users/{star.username}/followers?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = star.get(url).get_json()
        assert len(body["users"]) <= 2
        seen += [u["username"] for u in body["users"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f.username for f in reversed(fans)]
    following = fans[0].get(f"/api/v1/users/{fans[0].username}/following").get_json()
    assert [u["username"] for u in following["users"]] == [star.username] and following["next_cursor"] is None


def test_profile_update_and_limits(make_user):
    alice = make_user()
    r = alice.patch("/api/v1/users/me", json={"display_name": "Alice A.", "bio": "graphs"})
    assert r.status_code == 200 and r.get_json()["user"]["bio"] == "graphs"
    r = alice.patch("/api/v1/users/me", json={"bio": "x" * 161})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "bio_too_long"
    r = alice.patch("/api/v1/users/me", json={"display_name": "y" * 51})
    assert r.status_code == 422
    me = alice.get("/api/v1/users/me").get_json()
    assert me["user"]["display_name"] == "Alice A." and me["user"]["bio"] == "graphs" and "user" in me["roles"]


def test_post_get_and_delete_tweet(make_user):
    alice, bob = make_user(), make_user()
    tweet = alice.tweet("first words")
    assert tweet["text"] == "first words" and tweet["author"]["username"] == alice.username
    assert tweet["like_count"] == 0 and tweet["liked"] is False
    assert bob.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["id"] == tweet["id"]
    r = bob.delete(f"/api/v1/tweets/{tweet['id']}")
    assert r.status_code == 403
    assert alice.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    r = bob.get(f"/api/v1/tweets/{tweet['id']}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "tweet_not_found"


def test_tweet_text_rules_through_the_api(make_user):
    alice = make_user()
    assert alice.post("/api/v1/tweets", json={"text": "e\u0301" * 140}).status_code == 201
    assert alice.post("/api/v1/tweets", json={"text": "\U0001F600" * 140}).status_code == 201
    r = alice.post("/api/v1/tweets", json={"text": "a" * 141})
    err = r.get_json()["error"]
    assert r.status_code == 422 and err["code"] == "tweet_too_long" and (err["limit"], err["length"]) == (140, 141)
    r = alice.post("/api/v1/tweets", json={"text": "  \n "})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "tweet_empty"
    assert alice.get(f"/api/v1/users/{alice.username}").get_json()["user"]["tweets_count"] == 2


def test_cypher_looking_text_is_stored_literally(make_user):
    alice = make_user()
    text = "'}) MATCH (n) DETACH DELETE n //"
    tweet = alice.tweet(text)
    assert alice.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["text"] == text
    assert alice.get(f"/api/v1/users/{alice.username}").status_code == 200


def test_like_unlike_idempotent_with_exact_count(make_user):
    alice, bob = make_user(), make_user()
    tweet = alice.tweet()
    for _ in range(2):
        assert bob.post(f"/api/v1/tweets/{tweet['id']}/like").get_json() == {"liked": True, "like_count": 1}
    assert bob.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["liked"] is True
    assert alice.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["liked"] is False
    likes = alice.get(f"/api/v1/tweets/{tweet['id']}/likes").get_json()
    assert [u["username"] for u in likes["users"]] == [bob.username]
    for _ in range(2):
        assert bob.delete(f"/api/v1/tweets/{tweet['id']}/like").get_json() == {"liked": False, "like_count": 0}
    assert bob.post("/api/v1/tweets/999/like").status_code == 404
    assert bob.post("/api/v1/tweets/not-an-id/like").status_code == 404


def test_fifty_parallel_likes_by_fifty_users_count_fifty(make_user):
    author = make_user()
    tweet = author.tweet("like me")
    fans = [make_user() for _ in range(50)]
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda f: f.post(f"/api/v1/tweets/{tweet['id']}/like").status_code, fans))
    assert codes == [200] * 50
    assert author.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["like_count"] == 50


def test_parallel_likes_by_one_user_leave_one_like(make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: fan.post(f"/api/v1/tweets/{tweet['id']}/like"), range(16)))
    assert author.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["like_count"] == 1


def test_parallel_follow_and_unfollow_leave_exact_counts(make_user):
    star = make_user()
    fans = [make_user() for _ in range(20)]

    def churn(fan):
        for _ in range(3):
            fan.post(f"/api/v1/users/{star.username}/follow")
            fan.delete(f"/api/v1/users/{star.username}/follow")
        fan.post(f"/api/v1/users/{star.username}/follow")
        fan.post(f"/api/v1/users/{star.username}/follow")

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(churn, fans))
    assert star.get(f"/api/v1/users/{star.username}").get_json()["user"]["followers_count"] == 20
    pages = star.get(f"/api/v1/users/{star.username}/followers?limit=100").get_json()["users"]
    assert len(pages) == 20


def test_home_feed_has_own_and_followed_tweets_newest_first(make_user):
    me, friend, stranger = make_user(), make_user(), make_user()
    me.post(f"/api/v1/users/{friend.username}/follow")
    posted = [me.tweet("mine 1"), friend.tweet("friend 1"), stranger.tweet("stranger"), me.tweet("mine 2"), friend.tweet("friend 2")]
    expected = [t["id"] for t in posted if t["author"]["username"] != stranger.username][::-1]
    got, cursor = [], None
    while True:
        body = me.get("/api/v1/feed/home?limit=3" + (f"&cursor={cursor}" if cursor else "")).get_json()
        assert "popular" in body
        got += [t["id"] for t in body["tweets"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert got == expected
    me.delete(f"/api/v1/users/{friend.username}/follow")
    body = me.get("/api/v1/feed/home").get_json()
    assert {t["author"]["username"] for t in body["tweets"]} == {me.username}
