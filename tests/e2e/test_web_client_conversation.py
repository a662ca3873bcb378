"""The web client's conversation features in Debian's Chromium against the running stack: replies
and the thread view, boosts, bookmarks, blocks and mutes, search, tag pages, linked mentions and
tags, and the notifications they bring. Screenshots go to tests/e2e/screenshots/."""
from __future__ import annotations

import re
import secrets
import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import WEB_URL, Person
from tests.e2e.test_web_client import signed_in

expect.set_options(timeout=30_000)  # generous: the test machine is often very busy


def tweet_in(page: Page, where: str, text: str):
    return page.locator(f"{where} .tweet").filter(has_text=text).first


def notified(person: Person, kind: str, attempts: int = 120) -> None:
    """Waits until the person has a notification of this kind: notifications are made by the
    consumers, off the request, and the page shows those that exist when it loads."""
    for _ in range(attempts):
        if any(n["type"] == kind for n in person.call("GET", "/notifications?limit=50")["notifications"]):
            return
        time.sleep(0.25)
    raise AssertionError(f"no {kind} notification for {person.username}")


def searchable(person: Person, word: str, attempts: int = 120) -> None:
    """Waits until a search for the word finds a tweet: the search consumer group indexes new
    tweets in batches, off the request."""
    for _ in range(attempts):
        if person.call("GET", f"/search?q={word}")["tweets"]:
            return
        time.sleep(0.25)
    raise AssertionError(f"no tweet with {word} is searchable")


def loaded(page: Page, list_selector: str) -> None:
    """A paged list has its first page: an item, or its visible "nothing here" note."""
    page.locator(f"{list_selector} > li, {list_selector}-empty:not([hidden])").first.wait_for()


def home_until(page: Page, text: str, attempts: int = 10):
    """The home feed, reloaded until the tweet arrives (fan-out runs in the jobs, off the request)."""
    for _ in range(attempts):
        page.goto("/")
        loaded(page, "#feed")
        item = tweet_in(page, "#feed", text)
        if item.count():
            return item
        page.wait_for_timeout(500)
    return tweet_in(page, "#feed", text)


def test_reply_opens_the_thread_and_the_reply_joins_it_as_a_tree(browser, screenshots, make_person):
    author, reader = make_person("Ada"), make_person("Bob")
    root = author.tweet("Which graph is the prettiest?")
    first = author.call("POST", "/tweets", 201, json={"text": "Asking for a friend", "in_reply_to_id": root["id"]})["tweet"]
    context, page = signed_in(browser, reader)

    page.goto(f"/u/{author.username}")
    item = tweet_in(page, "#profile-tweets", "Asking for a friend")
    expect(item.locator(".replying-to")).to_contain_text(f"Replying to @{author.username}")
    item.get_by_role("link", name="Reply", exact=True).click()
    expect(page).to_have_url(f"{WEB_URL}/t/{first['id']}#reply")
    expect(page.locator("#ancestors .tweet")).to_have_count(1)
    expect(page.locator("#ancestors .tweet")).to_contain_text("Which graph is the prettiest?")
    expect(page.locator("#focus .tweet.focus")).to_contain_text("Asking for a friend")
    expect(page.locator("#reply-text")).to_be_focused()
    expect(page.locator("#reply-text")).to_have_value(f"@{author.username} ")
    page.locator("#reply-text").fill(f"@{author.username} the Petersen graph, surely")
    page.locator("#reply-submit").click()
    expect(tweet_in(page, "#replies", "the Petersen graph")).to_be_visible()
    expect(page.locator("#focus .reply .count")).to_have_text("1")
    expect(page.locator("#replies-empty")).to_be_hidden()
    page.screenshot(path=screenshots / "web-thread-reply.png")

    thread = author.call("GET", f"/tweets/{root['id']}/context")
    assert [t["text"] for t in thread["descendants"]] == [
        "Asking for a friend", f"@{author.username} the Petersen graph, surely"]
    page.goto(f"/t/{root['id']}")
    expect(page.locator("#ancestors .tweet")).to_have_count(0)
    expect(page.locator("#replies .tweet")).to_have_count(2)
    expect(page.locator('#replies .tweet[data-depth="1"]')).to_contain_text("Asking for a friend")
    expect(page.locator('#replies .tweet[data-depth="2"]')).to_contain_text("the Petersen graph")
    expect(page.locator("#focus .reply .count")).to_have_text("1")
    page.screenshot(path=screenshots / "web-thread-tree.png")

    notified(author, "reply")
    author_context, author_page = signed_in(browser, author)
    author_page.goto("/notifications")
    replied = author_page.locator("#notifications .notification[data-type=reply]")
    expect(replied).to_contain_text("replied to your tweet")
    expect(replied).to_contain_text("the Petersen graph")
    replied.locator("a.quoted").click()
    expect(author_page).to_have_url(re.compile(r"/t/\d+$"))
    expect(author_page.locator("#focus .tweet")).to_contain_text("the Petersen graph")
    expect(author_page.locator("#ancestors .tweet")).to_have_count(2)
    author_context.close()
    context.close()


def test_a_deleted_tweet_in_a_thread_is_a_placeholder(browser, screenshots, make_person):
    author, reader = make_person(), make_person()
    root = author.tweet("This one will go")
    reply = reader.call("POST", "/tweets", 201, json={"text": "Answer stays", "in_reply_to_id": root["id"]})["tweet"]
    author.call("DELETE", f"/tweets/{root['id']}", 204)
    context, page = signed_in(browser, reader)
    page.goto(f"/t/{reply['id']}")
    expect(page.locator("#ancestors .tweet.unavailable")).to_have_text("This tweet was deleted.")
    expect(page.locator("#focus .tweet")).to_contain_text("Answer stays")
    expect(page.locator("#focus .replying-to")).to_contain_text("Replying to")
    page.goto(f"/t/{root['id']}")
    expect(page.locator("#thread-error")).to_be_visible()
    context.close()


def test_boost_reaches_the_boosters_followers_with_boosted_by_and_notifies_the_author(
        browser, screenshots, make_person):
    author, booster, follower = make_person("Grace"), make_person("Boosty"), make_person()
    follower.call("POST", f"/users/{booster.username}/follow")
    tweet = author.tweet("Boost me gently")
    context, page = signed_in(browser, booster)
    page.goto(f"/u/{author.username}")
    boost = tweet_in(page, "#profile-tweets", "Boost me gently").locator(".boost")
    expect(boost).to_have_attribute("aria-pressed", "false")
    boost.click()
    expect(boost).to_have_attribute("aria-pressed", "true")
    expect(boost.locator(".count")).to_have_text("1")
    expect(boost).to_have_attribute("aria-label", "Undo boost")
    assert author.call("GET", f"/tweets/{tweet['id']}")["tweet"]["boost_count"] == 1

    follower_context, follower_page = signed_in(browser, follower)
    item = home_until(follower_page, "Boost me gently")
    expect(item.locator(".boosted-by")).to_have_text("⟳ Boosty boosted")
    expect(item.locator(".boosted-by a")).to_have_attribute("href", f"/u/{booster.username}")
    expect(item.locator(".boost .count")).to_have_text("1")
    follower_page.screenshot(path=screenshots / "web-boosted-in-feed.png")

    notified(author, "boost")
    author_context, author_page = signed_in(browser, author)
    author_page.goto("/notifications")
    expect(author_page.locator("#notifications .notification[data-type=boost]")).to_contain_text("boosted your tweet")
    author_context.close()

    boost.click()
    expect(boost).to_have_attribute("aria-pressed", "false")
    expect(boost.locator(".count")).to_have_text("0")
    assert author.call("GET", f"/tweets/{tweet['id']}")["tweet"]["boost_count"] == 0
    follower_context.close()
    context.close()


def test_bookmark_keeps_a_tweet_on_the_bookmarks_page_until_it_is_removed(browser, screenshots, make_person):
    author, reader = make_person(), make_person()
    tweet = author.tweet("Worth keeping for later")
    context, page = signed_in(browser, reader)
    page.goto(f"/t/{tweet['id']}")
    bookmark = page.locator("#focus .bookmark")
    bookmark.click()
    expect(bookmark).to_have_attribute("aria-pressed", "true")
    expect(bookmark).to_have_attribute("aria-label", "Remove bookmark")
    assert [t["id"] for t in reader.call("GET", "/bookmarks")["tweets"]] == [tweet["id"]]

    page.get_by_role("link", name="Bookmarks").click()
    expect(page).to_have_url(f"{WEB_URL}/bookmarks")
    kept = tweet_in(page, "#tweets", "Worth keeping for later")
    expect(kept.locator(".bookmark")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=screenshots / "web-bookmarks.png")
    kept.locator(".bookmark").click()
    expect(kept.locator(".bookmark")).to_have_attribute("aria-pressed", "false")
    assert reader.call("GET", "/bookmarks")["tweets"] == []
    page.reload()
    expect(page.locator("#tweets-empty")).to_be_visible()
    context.close()


def test_block_and_mute_from_profiles_then_undo_both_on_the_blocks_page(browser, screenshots, make_person):
    me, pest, bore = make_person(), make_person("Pest"), make_person("Bore")
    me.call("POST", f"/users/{pest.username}/follow")
    pest.call("POST", f"/users/{me.username}/follow")
    context, page = signed_in(browser, me)

    page.goto(f"/u/{pest.username}")
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_role("button", name="Unblock")).to_be_visible()
    expect(page.locator('[data-stat="followers"] strong')).to_have_text("0")  # follows end both ways
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    assert [u["username"] for u in me.call("GET", "/blocks")["users"]] == [pest.username]
    assert pest.call("POST", f"/users/{me.username}/follow", 403)["error"]["code"] == "blocked"
    page.screenshot(path=screenshots / "web-profile-blocked.png")

    page.goto(f"/u/{bore.username}")
    page.get_by_role("button", name="Mute", exact=True).click()
    expect(page.get_by_role("button", name="Unmute")).to_be_visible()
    assert [u["username"] for u in me.call("GET", "/mutes")["users"]] == [bore.username]

    page.goto(f"/u/{me.username}")
    page.get_by_role("link", name="Blocked and muted").click()
    expect(page).to_have_url(f"{WEB_URL}/blocks")
    blocked = page.locator("#blocks .person")
    muted = page.locator("#mutes .person")
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text(pest.username)
    expect(muted).to_contain_text(bore.username)
    page.screenshot(path=screenshots / "web-blocks-and-mutes.png")
    blocked.get_by_role("button", name="Unblock").click()
    expect(blocked).to_have_count(0)
    expect(page.locator("#blocks-empty")).to_be_visible()
    muted.get_by_role("button", name="Unmute").click()
    expect(muted).to_have_count(0)
    assert me.call("GET", "/blocks")["users"] == [] and me.call("GET", "/mutes")["users"] == []
    context.close()


def test_search_from_the_top_bar_finds_tweets_and_people(browser, screenshots, make_person):
    word = "zeb" + secrets.token_hex(4)
    author = make_person(f"Searchable {word}")
    author.tweet(f"A tweet about {word} and graphs")
    searchable(author, word)
    context, page = signed_in(browser, make_person())
    page.goto("/")
    page.get_by_role("searchbox", name="Search").fill(word)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{WEB_URL}/search?q={word}")
    expect(page.locator("#search-tabs a[aria-current=page]")).to_have_text("Tweets")
    expect(tweet_in(page, "#results", f"A tweet about {word}")).to_be_visible()
    page.screenshot(path=screenshots / "web-search-tweets.png")

    page.get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{WEB_URL}/search?q={word}&type=users")
    expect(page.locator("#results .person")).to_contain_text(author.username)
    page.screenshot(path=screenshots / "web-search-people.png")

    for hostile in ['"', "*", "AND OR NOT", "title:(a OR", "\\"]:
        page.locator("#search-q").fill(hostile)
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("#results-title")).to_contain_text(hostile)
        loaded(page, "#results")
        expect(page.locator("#toast")).to_be_hidden()  # no server error shown
    context.close()


def test_mentions_and_tags_link_to_the_profile_and_the_tag_page_and_markup_stays_text(
        browser, screenshots, make_person):
    tag = "gr" + secrets.token_hex(4)
    friend, author, reader = make_person("Friend"), make_person(), make_person()
    text = f"Hi @{friend.username} and @nobody{tag}, see #{tag.upper()} <b>bold</b> <img src=x onerror=alert(1)>"
    tweet = author.tweet(text)
    assert tweet["entities"] == {"mentions": [friend.username], "hashtags": [tag]}
    context, page = signed_in(browser, reader)
    page.goto(f"/t/{tweet['id']}")
    body = page.locator("#focus .tweet .text")
    expect(body).to_have_text(text)
    expect(body.locator("a.mention")).to_have_count(1)
    expect(body.locator("a.mention")).to_have_attribute("href", f"/u/{friend.username}")
    expect(body.locator("a.hashtag")).to_have_attribute("href", f"/tags/{tag}")
    expect(body.locator("b, img")).to_have_count(0)
    page.screenshot(path=screenshots / "web-mentions-and-tags.png")

    body.locator("a.hashtag").click()
    expect(page).to_have_url(f"{WEB_URL}/tags/{tag}")
    expect(page.locator("h1")).to_have_text(f"#{tag}")
    expect(tweet_in(page, "#tweets", "<b>bold</b>")).to_be_visible()
    page.screenshot(path=screenshots / "web-tag-page.png")
    tweet_in(page, "#tweets", "<b>bold</b>").locator("a.mention").click()
    expect(page).to_have_url(f"{WEB_URL}/u/{friend.username}")
    expect(page.locator("#profile-name")).to_have_text("Friend")

    notified(friend, "mention")
    friend_context, friend_page = signed_in(browser, friend)
    friend_page.goto("/notifications")
    expect(friend_page.locator("#notifications .notification[data-type=mention]")).to_contain_text("mentioned you")
    friend_context.close()
    context.close()
