"""The web client served at / as people use it, in Debian's Chromium against the running stack:
forms, the composer's counter, likes, follows, profile edits, sessions, and live updates between
two browsers. Screenshots go to tests/e2e/screenshots/."""
from __future__ import annotations

import re
import unicodedata

import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import unique_name
from tests.e2e.conftest import PASSWORD, WEB_URL, Person

VIEWPORT = {"width": 1200, "height": 800}

expect.set_options(timeout=15_000)  # generous: the test machine is often busy


def signed_in(browser: Browser, person: Person) -> tuple[BrowserContext, Page]:
    context = person.signed_in_context(browser, viewport=VIEWPORT)
    return context, context.new_page()


def tweet_on(page: Page, text: str):
    return page.locator("#feed .tweet, #profile-tweets .tweet").filter(has_text=text).first


def test_sign_up_sign_out_and_sign_in_through_the_forms(browser, screenshots):
    context = browser.new_context(base_url=WEB_URL, viewport=VIEWPORT)
    page = context.new_page()
    username = unique_name("s")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin\?next=/$"))  # the home page needs a session
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#form-error")).to_contain_text("8")  # the server's own message
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=screenshots / "web-signup.png")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(f"{WEB_URL}/")
    expect(page.locator(".nav .me")).to_have_text(f"@{username}")
    expect(page.locator("#feed-empty")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto("/sessions")
    expect(page).to_have_url(re.compile(r"/signin\?next=/sessions$"))  # the session really ended

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#form-error")).to_have_text("Wrong username or password.")
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=screenshots / "web-signin.png")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{WEB_URL}/sessions")  # back where the sign-in began
    expect(page.locator("#sessions .session")).to_have_count(1)
    context.close()


def test_composer_counts_code_points_after_nfc_as_the_server_does(browser, screenshots, make_person):
    context, page = signed_in(browser, make_person())
    page.goto("/")
    text, counter = page.locator("#compose-text"), page.locator("#compose-counter")
    post = page.locator("#compose-submit")
    expect(counter).to_have_text("140")
    expect(post).to_be_disabled()

    text.fill("e\u0301")  # e + combining acute: two code points that NFC makes one, é
    expect(counter).to_have_text("139")
    text.fill("e\u0301\U0001F600")  # an astral emoji: one code point, two UTF-16 units
    expect(counter).to_have_text("138")
    expect(post).to_be_enabled()

    text.fill("a" * 141)
    expect(counter).to_have_text("-1")
    expect(post).to_be_disabled()
    page.screenshot(path=screenshots / "web-composer-over-limit.png")

    # 280 code points as typed, 140 after NFC: the counter and the server both allow it.
    full = "e\u0301" * 139 + "\U0001F600"
    text.fill(full)
    expect(counter).to_have_text("0")
    post.click()
    expect(tweet_on(page, unicodedata.normalize("NFC", full)[:20])).to_be_visible()
    expect(counter).to_have_text("140")
    expect(page.locator("#compose-error")).to_be_hidden()
    context.close()


def test_like_and_follow_from_a_profile_reach_the_api_and_the_home_feed(browser, screenshots, make_person):
    author, reader = make_person("Grace Hopper"), make_person()
    tweet = author.tweet("Compilers are people too")
    context, page = signed_in(browser, reader)

    page.goto(f"/u/{author.username}")
    expect(page.locator("#profile-name")).to_have_text("Grace Hopper")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(page.locator('[data-stat="followers"] strong')).to_have_text("1")

    like = tweet_on(page, "Compilers are people too").locator(".like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".count")).to_have_text("1")
    assert author.call("GET", f"/tweets/{tweet['id']}")["tweet"]["like_count"] == 1
    page.screenshot(path=screenshots / "web-profile-followed-liked.png")

    page.get_by_role("link", name="Home").click()
    home_copy = tweet_on(page, "Compilers are people too")
    expect(home_copy).to_be_visible()  # the follow brought the author's tweets into the feed
    expect(home_copy.locator(".like")).to_have_attribute("aria-pressed", "true")
    home_copy.locator(".like").click()
    expect(home_copy.locator(".like .count")).to_have_text("0")
    assert author.call("GET", f"/tweets/{tweet['id']}")["tweet"]["like_count"] == 0

    page.goto(f"/u/{author.username}")
    page.get_by_role("button", name="Unfollow").click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    expect(page.locator('[data-stat="followers"] strong')).to_have_text("0")
    context.close()


def test_profile_edit_saves_display_name_and_bio(browser, screenshots, make_person):
    person = make_person()
    context, page = signed_in(browser, person)
    page.goto(f"/u/{person.username}")
    page.get_by_role("button", name="Edit profile").click()
    page.get_by_label("Display name").fill("Émile 🚲")
    page.get_by_label("Bio").fill("Rides between graph databases.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-name")).to_have_text("Émile 🚲")
    expect(page.locator("#profile-edit")).to_be_hidden()

    page.reload()
    expect(page.locator("#profile-name")).to_have_text("Émile 🚲")
    expect(page.locator("#profile-bio")).to_have_text("Rides between graph databases.")
    page.screenshot(path=screenshots / "web-profile-edited.png")
    user = requests.get(f"{WEB_URL}/api/v1/users/{person.username}", timeout=10).json()["user"]
    assert (user["display_name"], user["bio"]) == ("Émile 🚲", "Rides between graph databases.")
    context.close()


def test_sessions_page_revokes_another_browser_which_is_signed_out_at_once(browser, screenshots, make_person):
    person = make_person()
    username = person.username
    laptop, laptop_page = signed_in(browser, person)
    phone, phone_page = signed_in(browser, person)
    phone_page.goto("/")
    expect(phone_page.locator(".nav .me")).to_have_text(f"@{username}")

    laptop_page.goto("/sessions")
    sessions = laptop_page.locator("#sessions .session")
    expect(sessions).to_have_count(2)
    expect(sessions.filter(has_text="This browser")).to_have_count(1)
    laptop_page.screenshot(path=screenshots / "web-sessions.png")
    sessions.filter(has_not_text="This browser").get_by_role("button", name="Revoke").click()
    expect(sessions).to_have_count(1)

    phone_page.reload()
    expect(phone_page).to_have_url(re.compile(r"/signin\?next=/$"))
    laptop_page.goto("/")
    expect(laptop_page.locator(".nav .me")).to_have_text(f"@{username}")  # the laptop stays signed in
    laptop.close()
    phone.close()


def test_a_like_a_tweet_and_a_message_reach_the_other_browser_without_reloading(browser, screenshots, make_person):
    alice, bob = make_person("Alice"), make_person("Bob")
    bob.call("POST", f"/users/{alice.username}/follow")
    bobs_tweet = bob.tweet("Who wants to talk graphs?")
    alice_context, alice_page = signed_in(browser, alice)
    bob_context, bob_page = signed_in(browser, bob)
    elsewhere = []  # no CDN: every request, the event stream and the WebSocket stay on the app's origin
    for context in (alice_context, bob_context):
        context.on("request", lambda r: r.url.startswith(f"{WEB_URL}/") or elsewhere.append(r.url))
    ws_url = WEB_URL.replace("http", "ws", 1)
    for page in (alice_page, bob_page):
        page.on("websocket", lambda ws: ws.url.startswith(f"{ws_url}/") or elsewhere.append(ws.url))

    bob_page.goto("/")
    expect(bob_page.locator("body")).to_have_attribute("data-stream", "open")
    expect(bob_page.locator("#unread-badge")).to_be_hidden()

    alice_page.goto(f"/u/{bob.username}")
    tweet_on(alice_page, bobs_tweet["text"]).locator(".like").click()
    expect(bob_page.locator("#unread-badge")).to_have_text("1")  # over the event stream

    alice_page.goto("/")
    alice_page.locator("#compose-text").fill("Me! Paths, cycles, the lot.")
    alice_page.locator("#compose-submit").click()
    expect(tweet_on(bob_page, "Me! Paths, cycles, the lot.")).to_be_visible()  # the feed grows live
    bob_page.screenshot(path=screenshots / "web-live-badge-and-tweet.png")

    bob_page.goto(f"/messages/{alice.username}")
    expect(bob_page.locator("body")).to_have_attribute("data-socket", "open")
    alice_page.goto(f"/messages/{bob.username}")
    expect(alice_page.locator("body")).to_have_attribute("data-socket", "open")
    alice_page.locator("#message-text").fill("Coffee at 3? ☕")
    alice_page.get_by_role("button", name="Send").click()

    expect(bob_page.locator("#messages .message").filter(has_text="Coffee at 3? ☕")).to_be_visible()
    expect(alice_page.locator("#messages .message.mine").filter(has_text="Coffee at 3? ☕")).to_be_visible()
    bob_page.locator("#message-text").fill("Deal.")
    bob_page.get_by_role("button", name="Send").click()
    expect(alice_page.locator("#messages .message").filter(has_text="Deal.")).to_be_visible()
    bob_page.screenshot(path=screenshots / "web-live-message.png")

    bob_page.goto("/notifications")
    expect(bob_page.locator("#notifications .notification[data-type=like]")).to_contain_text("Alice")
    expect(bob_page.locator("#unread-badge")).to_be_hidden()  # seen, so marked read
    bob_page.screenshot(path=screenshots / "web-notifications.png")
    assert elsewhere == []
    alice_context.close()
    bob_context.close()
