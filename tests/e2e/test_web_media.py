"""Media through the web client in Debian's Chromium, against the running stack (its real worker
processes the uploads): attach an audio file and a PNG, watch the chunked upload's progress bar and
the processed preview, play the audio, and find both tweets in a follower's feed."""
from __future__ import annotations

from playwright.sync_api import Browser, Page, Route, expect

from tests import media_samples
from tests.e2e.conftest import Person

VIEWPORT = {"width": 1200, "height": 900}

expect.set_options(timeout=30_000)  # generous: processing runs on a busy machine


def signed_in(browser: Browser, person: Person) -> Page:
    # bypass_csp: wait_for_function compiles its predicate in the page, which the app's CSP forbids
    page = person.signed_in_context(browser, viewport=VIEWPORT, bypass_csp=True).new_page()
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-stream", "open")
    return page


def test_attach_audio_and_png_see_progress_and_preview_play_and_reach_a_follower(
        browser, screenshots, make_person, tmp_path):
    author, follower = make_person("Ada"), make_person()
    follower.call("POST", f"/users/{author.username}/follow")
    page = signed_in(browser, author)
    attachment = page.locator("#compose-media .attachment")
    submit = page.locator("#compose-submit")

    # The second chunk of the audio is held back until the upload in progress has been seen.
    held: list[Route] = []
    page.route("**/api/v1/media/*/chunks/1",
               lambda route: held.append(route) if route.request.method == "PUT" else route.continue_())
    sound = tmp_path / "tone.wav"
    sound.write_bytes(media_samples.wav(seconds=80, rate=16000))  # 2.4 MiB: three chunks
    page.locator("#compose-text").fill("a tone to listen to")
    page.set_input_files("#compose-file", str(sound))
    progress = attachment.locator("progress")
    expect(progress).to_be_visible()
    page.wait_for_function("document.querySelector('#compose-media progress').value > 0.3")
    expect(attachment).to_have_attribute("data-state", "uploading")
    expect(submit).to_be_disabled()  # nothing is posted before processing has finished
    page.screenshot(path=screenshots / "media-composer-uploading.png")
    for route in held:
        route.fallback()
    expect(attachment).to_have_attribute("data-state", "ready")
    expect(progress).to_be_hidden()
    expect(submit).to_be_enabled()
    submit.click()
    audio_tweet = page.locator("#feed .tweet").filter(has_text="a tone to listen to")
    expect(audio_tweet.locator("figure.audio svg.waveform rect")).to_have_count(100)
    expect(attachment).to_have_count(0)

    page.eval_on_selector("#feed .tweet figure.audio audio", "a => { a.muted = true; return a.play(); }")
    page.wait_for_function("document.querySelector('#feed .tweet figure.audio audio').currentTime > 0.5")
    expect(audio_tweet.locator("svg.waveform rect.played").first).to_be_attached()

    picture = tmp_path / "photo.png"
    picture.write_bytes(media_samples.png(1600, 900, color=(20, 120, 200)))
    page.locator("#compose-text").fill("a blue picture")
    page.set_input_files("#compose-file", str(picture))
    expect(attachment).to_have_attribute("data-state", "ready")
    preview = attachment.locator("img.upload-thumb")
    expect(preview).to_be_visible()
    assert "-preview.webp" in preview.get_attribute("src")
    submit.click()
    image_tweet = page.locator("#feed .tweet").filter(has_text="a blue picture")
    thumbnail = image_tweet.locator(".media a.image img")
    expect(thumbnail).to_be_visible()
    page.wait_for_function("document.querySelector('#feed .tweet .media a.image img').naturalWidth === 640")
    with page.context.expect_page() as opened:
        thumbnail.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(".png")
    assert full.evaluate("document.querySelector('img').naturalWidth") == 1600

    reader = signed_in(browser, follower)
    feed = reader.locator("#feed .tweet")
    expect(feed.filter(has_text="a blue picture").locator(".media a.image img")).to_be_visible()
    expect(feed.filter(has_text="a tone to listen to").locator("figure.audio audio")).to_be_attached()
    reader.wait_for_function("document.querySelector('#feed .tweet .media a.image img').complete")
    reader.screenshot(path=screenshots / "media-tweets-in-feed.png")
