"""The home page's script renders each tweet exactly as social/hydrate.py does (cache/home_page.py),
and leaves to it every tweet whose parts Redis lacks."""
from __future__ import annotations

from cache.tweets import count_key, flag_key
from domain.pages import PageRequest
from social import accounts, feed, follows, hydrate, relations, tweets
from tests.conftest import single_server, unique_name

pytestmark = single_server("the page's script renders tweets on one server; on a cluster the page is split "
                           "by slot and social/hydrate.py renders every tweet (docs/scale-out.md)")


def new_user(svc, display_name: str | None = None) -> int:
    return int(accounts.register(svc, unique_name(), "long-password", display_name)["id"])


def page_of(svc, reader: int) -> list[bytes]:
    shown, _, top = feed.home(svc, reader, PageRequest(limit=20), 5)
    return shown + top


def rendered(svc, reader: int) -> dict[int, bytes | None]:
    found = svc.home_pages.read(reader, None, 21, 5).found
    return {t: None if r is None else r.split(b"|", 1)[1] + b"}" for t, r in zip(found.ids, found.tweets)}


def test_the_script_renders_each_tweet_as_hydration_does(services):
    svc = services
    author, other, muted, stranger, reader = (new_user(svc, 'Zoë "Z" \\ Ω'), *(new_user(svc) for _ in range(4)))
    for followee in (author, other, muted):
        follows.follow(svc, reader, followee)
    first = int(tweets.post_tweet(svc, author, 'plain "quoted" ü 😀 #tag')["id"])
    reply = int(tweets.post_tweet(svc, other, "a reply", in_reply_to_id=first)["id"])
    hidden = int(tweets.post_tweet(svc, muted, "not shown")["id"])
    tweets.like(svc, reader, first)
    tweets.like(svc, other, first)
    tweets.bookmark(svc, reader, reply, True)
    tweets.boost(svc, other, first)
    tweets.boost(svc, reader, reply)
    far = int(tweets.post_tweet(svc, stranger, "from afar")["id"])
    tweets.boost(svc, other, far)  # in the reader's feed as a boost: they follow other, not stranger
    relations.mute(svc, reader, muted)
    before = page_of(svc, reader)  # warms every part the script reads

    made = rendered(svc, reader)
    assert {first, reply, far, hidden} <= set(made) and None not in made.values()  # hiding is hydrate's
    assert {t: made[t] for t in made if t != hidden} == hydrate.tweets_by_id(svc, list(made), reader)
    assert b'"liked":true' in made[first] and b'"bookmarked":true' in made[reply]
    assert b'"boosted":true' in made[reply] and b'"like_count":2' in made[first]
    assert any(b'"boosted_by"' in b for b in before) and b"not shown" not in b"".join(before)

    svc.raw_redis.hdel(count_key("like"), first)  # a part missing: that tweet is left to hydration
    assert rendered(svc, reader)[first] is None and rendered(svc, reader)[reply] is not None
    assert page_of(svc, reader) == before
    svc.raw_redis.delete(flag_key("bookmarked", reader))  # a flag set cold: nothing is rendered
    assert set(rendered(svc, reader).values()) == {None}
    assert page_of(svc, reader) == before
