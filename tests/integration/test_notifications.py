"""Notifications through the API: likes of one tweet and follows gather into groups (Mastodon's
rule: a group spans at most 12 hours from its first event), unlikes and unfollows take an actor
back, read marks, pages, and the frame pushed to the recipient's live stream. Events are handled
inline (the `services` fixture), so each effect is there when the request returns."""
from __future__ import annotations

import orjson
import pytest

from social import accounts, notify, tweets
from domain.clock import now_ms
from domain.events import Envelope, Followed, LikeChanged, unwrap
from domain.ids import new_id
from tests.conftest import unique_name

HOUR = 3_600_000


def listing(user, query: str = "") -> dict:
    r = user.get(f"/api/v1/notifications{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_like_notifies_the_author_with_the_tweet_and_counts_as_unread(make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet("like this")
    assert fan.post(f"/api/v1/tweets/{tweet['id']}/like").status_code == 200
    page = listing(author)
    [note] = page["notifications"]
    assert note["type"] == "like" and note["read"] is False and note["count"] == 1
    assert note["actor"] == {"id": fan.id, "username": fan.username, "display_name": fan.username}
    assert note["tweet"]["id"] == tweet["id"] and note["tweet"]["like_count"] == 1
    assert page["unread_count"] == 1 and page["next_cursor"] is None
    assert listing(fan)["notifications"] == []


def test_liking_your_own_tweet_notifies_nobody(make_user):
    author = make_user()
    tweet = author.tweet("me, myself")
    author.post(f"/api/v1/tweets/{tweet['id']}/like")
    assert listing(author) == {"notifications": [], "next_cursor": None, "unread_count": 0}


def test_likes_of_one_tweet_group_with_the_newest_actors_first(make_user):
    author = make_user()
    fans = [make_user() for _ in range(4)]
    first, second = author.tweet("one"), author.tweet("two")
    for fan in fans:
        fan.post(f"/api/v1/tweets/{first['id']}/like")
    fans[0].post(f"/api/v1/tweets/{second['id']}/like")
    single, grouped = listing(author)["notifications"]
    assert single["tweet"]["id"] == second["id"] and single["count"] == 1
    assert grouped["tweet"]["id"] == first["id"] and grouped["count"] == 4
    assert [a["username"] for a in grouped["actors"]] == [f.username for f in fans[::-1][:3]]
    assert int(single["id"]) > int(grouped["id"])  # the newest group first
    assert listing(author)["unread_count"] == 2


def test_an_unlike_takes_the_actor_back_and_an_empty_group_goes(make_user):
    author, a, b = make_user(), make_user(), make_user()
    tweet = author.tweet("fickle")
    a.post(f"/api/v1/tweets/{tweet['id']}/like")
    b.post(f"/api/v1/tweets/{tweet['id']}/like")
    b.delete(f"/api/v1/tweets/{tweet['id']}/like")
    [note] = listing(author)["notifications"]
    assert note["count"] == 1 and note["actor"]["username"] == a.username
    a.delete(f"/api/v1/tweets/{tweet['id']}/like")
    assert listing(author)["notifications"] == []


def test_follows_group_and_an_unfollow_takes_the_follower_back(make_user):
    star, a, b = make_user(), make_user(), make_user()
    a.post(f"/api/v1/users/{star.username}/follow")
    b.post(f"/api/v1/users/{star.username}/follow")
    [note] = listing(star)["notifications"]
    assert note["type"] == "follow" and note["count"] == 2 and "tweet" not in note
    assert note["actor"]["username"] == b.username
    b.delete(f"/api/v1/users/{star.username}/follow")
    assert listing(star)["notifications"][0]["actors"] == [{"id": a.id, "username": a.username, "display_name": a.username}]


def test_a_group_spans_at_most_twelve_hours_from_its_first_event(services):
    star = int(accounts.register(services, unique_name(), "long-password", None)["id"])
    fans = [int(accounts.register(services, unique_name(), "long-password", None)["id"]) for _ in range(3)]
    start = now_ms() - 30 * HOUR
    for fan, at in zip(fans, (start, start + 11 * HOUR, start + 13 * HOUR)):
        event = Envelope(new_id(at), at, Followed(fan, star))
        notify.on_follows(services, [event])
    newer, older = services.notifications.hydrate(services.notifications.page_ids(star, None, 10))
    assert [a["id"] for a in older["actors"]] == [fans[1], fans[0]]
    assert [a["id"] for a in newer["actors"]] == [fans[2]]


def test_read_marks_up_to_an_id_and_a_new_like_makes_its_group_unread_again(make_user):
    author, a, b, c = make_user(), make_user(), make_user(), make_user()
    old, new = author.tweet("old"), author.tweet("new")
    a.post(f"/api/v1/tweets/{old['id']}/like")
    b.post(f"/api/v1/tweets/{new['id']}/like")
    newest, oldest = listing(author)["notifications"]
    assert author.post("/api/v1/notifications/read", json={"up_to": oldest["id"]}).status_code == 204
    page = listing(author)
    assert [n["read"] for n in page["notifications"]] == [False, True] and page["unread_count"] == 1
    assert author.post("/api/v1/notifications/read").status_code == 204  # no body: all of them
    assert listing(author)["unread_count"] == 0
    c.post(f"/api/v1/tweets/{old['id']}/like")
    page = listing(author)
    top = page["notifications"][0]
    assert top["tweet"]["id"] == old["id"] and top["read"] is False and top["count"] == 2
    assert top["group_key"] == oldest["group_key"] and int(top["id"]) > int(newest["id"])
    assert page["unread_count"] == 1


def test_notifications_page_with_cursors(make_user):
    star = make_user()
    fans = [make_user() for _ in range(3)]
    tweet_ids = [star.tweet(f"t{i}")["id"] for i in range(3)]
    for fan, tweet_id in zip(fans, tweet_ids):
        fan.post(f"/api/v1/tweets/{tweet_id}/like")
    seen, cursor = [], None
    while True:
        page = listing(star, f"?limit=2{f'&cursor={cursor}' if cursor else ''}")
        seen += [n["tweet"]["id"] for n in page["notifications"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == tweet_ids[::-1]


def test_likes_of_a_deleted_tweet_leave_the_notifications(make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet("regret")
    fan.post(f"/api/v1/tweets/{tweet['id']}/like")
    assert author.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    assert listing(author) == {"notifications": [], "next_cursor": None, "unread_count": 0}


def test_the_notification_is_pushed_to_the_recipients_live_stream_once(services, make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet("push it")
    fan.post(f"/api/v1/tweets/{tweet['id']}/like")
    [event] = services.graph.driver.execute_query(
        "MATCH (e:Event {type: 'LikeChanged'}) WHERE e.payload CONTAINS $fan RETURN e.id AS id, e.type AS type, "
        "e.payload AS payload, e.created_at.epochMillis AS at_ms", fan=f'"user_id":{fan.id}',
        result_transformer_=lambda r: r.data(),
    )
    notify.on_likes(services, [unwrap(**event)])  # delivered again after a crash
    frames = [f for f in services.user_streams.after(int(author.id), "0-0") if f.event == "notification"]
    assert len(frames) == 1
    assert '"type":"notification"' in frames[0].data and tweet["id"] in frames[0].data


def test_each_like_of_a_batch_pushes_its_group_as_that_like_left_it(services):
    author = int(accounts.register(services, unique_name(), "long-password", None)["id"])
    fans = [int(accounts.register(services, unique_name(), "long-password", None)["id"]) for _ in range(2)]
    tweet_id = int(tweets.post_tweet(services, author, "batched")["id"])
    for fan in fans:  # the likes' writes and write-through, without their events
        row = services.tweets.like(fan, tweet_id, now_ms())
        services.tweet_cache.set_count("like", tweet_id, row["version"], row["like_count"])
    at = now_ms()
    batch = [Envelope(new_id(at + i), at + i, LikeChanged(fan, tweet_id, True)) for i, fan in enumerate(fans)]
    notify.on_likes(services, batch)  # one transaction, as the consumer handles a batch
    pushed = [orjson.loads(f.data)["notification"] for f in services.user_streams.after(author, "0-0")]
    assert [(n["actor"]["id"], n["count"]) for n in pushed] == [(str(fans[0]), 1), (str(fans[1]), 2)]
    assert pushed[0]["group_key"] == pushed[1]["group_key"] and pushed[1]["tweet"]["like_count"] == 2


def test_a_like_pushes_the_tweet_with_its_own_authors_flags(services, make_user):
    """The frame and the listing show the liked tweet as its author sees it (the author's own like
    and bookmark of it), not as nobody or as the fan sees it."""
    vain, modest, fan = make_user(), make_user(), make_user()
    shown, plain = vain.tweet("mine, liked and kept"), modest.tweet("mine")
    assert vain.post(f"/api/v1/tweets/{shown['id']}/like").status_code == 200
    assert vain.post(f"/api/v1/tweets/{shown['id']}/bookmark").status_code in (200, 204)
    assert fan.post(f"/api/v1/tweets/{plain['id']}/bookmark").status_code in (200, 204)
    for tweet in (shown, plain):
        assert fan.post(f"/api/v1/tweets/{tweet['id']}/like").status_code == 200
    for user, own in ((vain, True), (modest, False)):
        [note] = [orjson.loads(f.data)["notification"] for f in services.user_streams.after(int(user.id), "0-0")
                  if f.event == "notification"]
        [listed] = listing(user)["notifications"]
        for tweet in (note["tweet"], listed["tweet"]):
            assert (tweet["liked"], tweet["bookmarked"], tweet["boosted"]) == (own, own, False)
            assert tweet["like_count"] == (2 if own else 1)


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"up_to": 12}, 400, "invalid_parameter"),
        ({"up_to": "12x"}, 400, "invalid_parameter"),
        ({"up_to": "1", "extra": 1}, 400, "unknown_field"),
        ("[", 400, "invalid_json"),
    ],
)
def test_bad_read_marks_are_400_and_change_nothing(make_user, body, status, code):
    author, fan = make_user(), make_user()
    fan.post(f"/api/v1/users/{author.username}/follow")
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    r = author.post("/api/v1/notifications/read", **kwargs)
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert listing(author)["unread_count"] == 1


def test_notifications_need_a_signed_in_user(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read").status_code == 401
