"""The visibility rule as a matrix: viewer × relation to an author × surface. A viewer does not see
the tweets, boosts or notifications of users they block, who block them, or whom they mute; a mute
hides nothing from the muted user (domain/visibility.py, docs/conversation.md).

RELATIONS × SURFACES = 5 × 14 = 70 cells. Each relation builds its small world once (before the
relation holds, so that what was there before must go too), then reads every surface."""
from __future__ import annotations

import pytest

from tests.integration.personas import SessionUser, bare_user

RELATIONS = {  # name: (who acts, verb, the viewer sees the author afterwards)
    "none": (None, None, True),
    "viewer_blocks_author": ("viewer", "block", False),
    "author_blocks_viewer": ("author", "block", False),
    "viewer_mutes_author": ("viewer", "mute", False),
    "author_mutes_viewer": ("author", "mute", True),
}
SURFACES = (
    "home_feed_boost", "home_feed_rebuilt", "tweet", "context_descendants", "context_ancestors", "tag_page",
    "search_tweets", "search_users", "popular", "user_tweets", "bookmarks", "old_notifications",
    "new_mention_notification", "recommendations",
)


def _user(app, services) -> SessionUser:
    name = bare_user(services)
    return SessionUser(app, services, services.users.id_by_username(name.casefold()), name)


def _json(r) -> dict:
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def _post(user, text: str, reply_to: str | None = None) -> dict:
    return _json(user.post("/api/v1/tweets", json={"text": text} | ({"in_reply_to_id": reply_to} if reply_to else {})))["tweet"]


def _ids(items) -> set[str]:
    return {t["id"] for t in items}


def observe(app, services, relation: str) -> dict[str, bool]:
    """Whether the viewer sees the author on each surface, once the relation holds."""
    viewer, author, friend = (_user(app, services) for _ in range(3))
    word, tag = "w" + author.username.lower(), "t" + author.username.lower()
    viewer.post(f"/api/v1/users/{friend.username}/follow")
    friend.post(f"/api/v1/users/{author.username}/follow")
    viewer.get("/api/v1/feed/home")  # warm: the boost is fanned out into it
    root = _post(viewer, "viewer's root")
    tweet = _post(author, f"{word} #{tag} @{viewer.username}")
    reply = _post(author, "author's reply", reply_to=root["id"])
    answer = _post(viewer, "viewer answers the author", reply_to=tweet["id"])
    author.post(f"/api/v1/tweets/{root['id']}/like")
    friend.post(f"/api/v1/tweets/{tweet['id']}/boost")
    viewer.post(f"/api/v1/tweets/{tweet['id']}/bookmark")

    actor, verb, _ = RELATIONS[relation]
    if actor is not None:
        me, other = (viewer, author) if actor == "viewer" else (author, viewer)
        _json(me.post(f"/api/v1/users/{other.username}/{verb}"))
    later = _post(author, f"later @{viewer.username}")

    seen = {}
    seen["home_feed_boost"] = tweet["id"] in _ids(_json(viewer.get("/api/v1/feed/home?limit=100"))["tweets"])
    services.feeds.drop([int(viewer.id)])
    seen["home_feed_rebuilt"] = tweet["id"] in _ids(_json(viewer.get("/api/v1/feed/home?limit=100"))["tweets"])
    seen["tweet"] = viewer.get(f"/api/v1/tweets/{tweet['id']}").status_code == 200
    seen["context_descendants"] = reply["id"] in _ids(
        _json(viewer.get(f"/api/v1/tweets/{root['id']}/context"))["descendants"])
    [ancestor] = _json(viewer.get(f"/api/v1/tweets/{answer['id']}/context"))["ancestors"]
    assert ancestor["id"] == tweet["id"]
    seen["context_ancestors"] = ancestor.get("unavailable") != "hidden"
    seen["tag_page"] = tweet["id"] in _ids(_json(viewer.get(f"/api/v1/tags/{tag}"))["tweets"])
    seen["search_tweets"] = tweet["id"] in _ids(_json(viewer.get(f"/api/v1/search?q={word}"))["tweets"])
    seen["search_users"] = author.id in _ids(
        _json(viewer.get(f"/api/v1/search?type=users&q={author.username}"))["users"])
    services.popular.update([{"id": int(tweet["id"]), "author_id": int(author.id), "score": 1e15}])
    try:
        seen["popular"] = tweet["id"] in _ids(_json(viewer.get("/api/v1/feed/popular?k=5"))["tweets"])
    finally:
        services.popular.remove(int(tweet["id"]), int(author.id))
    seen["user_tweets"] = tweet["id"] in _ids(_json(viewer.get(f"/api/v1/users/{author.username}/tweets"))["tweets"])
    seen["bookmarks"] = tweet["id"] in _ids(_json(viewer.get("/api/v1/bookmarks"))["tweets"])
    notes = _json(viewer.get("/api/v1/notifications?limit=100"))["notifications"]
    by_author = [n for n in notes if n["actor"]["id"] == author.id]
    seen["old_notifications"] = {n["type"] for n in by_author if n.get("tweet", {}).get("id") != later["id"]} >= {
        "mention", "like", "reply"}
    seen["new_mention_notification"] = any(n.get("tweet", {}).get("id") == later["id"] for n in by_author)
    picks = _json(viewer.get("/api/v1/recommendations/follows?limit=100"))["users"]
    seen["recommendations"] = author.id in {p["user"]["id"] for p in picks}
    return seen


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_visibility_matrix(app, services, relation):
    expected = RELATIONS[relation][2]
    seen = observe(app, services, relation)
    assert set(seen) == set(SURFACES)
    assert {s: v for s, v in seen.items() if v != expected} == {}, f"{relation}: surfaces that disagree"


def test_a_muted_followed_author_leaves_the_cached_feed_and_the_live_stream_until_unmuted(app, services):
    viewer, author = _user(app, services), _user(app, services)
    viewer.post(f"/api/v1/users/{author.username}/follow")
    viewer.get("/api/v1/feed/home")
    services.user_streams.seen(int(viewer.id))
    before = _post(author, "before the mute")
    _json(viewer.post(f"/api/v1/users/{author.username}/mute"))
    after = _post(author, "after the mute")
    assert _ids(_json(viewer.get("/api/v1/feed/home"))["tweets"]) & {before["id"], after["id"]} == set()
    streamed = {f.data for f in services.user_streams.after(int(viewer.id), "0-0") if f.event == "tweet"}
    assert any(before["id"] in d for d in streamed) and not any(after["id"] in d for d in streamed)
    mine = _post(viewer, "the muted author still sees me")
    assert author.get(f"/api/v1/tweets/{mine['id']}").status_code == 200
    _json(viewer.delete(f"/api/v1/users/{author.username}/mute"))
    assert _ids(_json(viewer.get("/api/v1/feed/home"))["tweets"]) >= {before["id"], after["id"]}
