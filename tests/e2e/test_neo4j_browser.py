"""Neo4j Browser as an admin uses it (docs/admin-guide.md): the page loads in Debian's Chromium,
connects to the stack's database, and runs an admin query pasted from cypher/admin with :param."""
import os
import secrets
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make test`; Playwright never downloads one
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(TIMEOUT_MS)
        yield page
        browser.close()


def run_in_editor(page: Page, text: str) -> None:
    """Paste into the main editor and run, as Ctrl+Enter does for a multi-line query."""
    page.locator("#monaco-main-editor").click()
    page.keyboard.insert_text(text)
    page.keyboard.press("Control+Enter")


def test_neo4j_browser_connects_to_the_database_and_runs_an_admin_query(page):
    SCREENSHOTS.mkdir(exist_ok=True)
    bolt_port = os.environ["NEO4J_URI"].rsplit(":", 1)[1]
    page.goto(f"http://127.0.0.1:{os.environ['NEO4J_HTTP_PORT']}/browser/")

    # The server tells the Browser its advertised Bolt address: the connect form comes filled in.
    assert page.get_by_test_id("boltaddress").input_value() == f"127.0.0.1:{bolt_port}"
    page.get_by_test_id("username").fill(os.environ["NEO4J_USER"])
    page.get_by_test_id("password").fill(os.environ["NEO4J_PASSWORD"])
    page.get_by_test_id("connect").click()
    page.get_by_text(f"You are connected as user {os.environ['NEO4J_USER']}").wait_for()
    page.screenshot(path=SCREENSHOTS / "neo4j-browser-connected.png")

    username = "Adm" + secrets.token_hex(5)
    r = requests.post(
        f"{os.environ['WEB_URL']}/api/v1/auth/register",
        json={"username": username, "password": "correct horse"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    run_in_editor(page, f":param username => '{username.lower()}'")
    page.get_by_test_id("frame").first.get_by_text("Successfully set your parameters").wait_for()
    run_in_editor(page, (ROOT / "cypher" / "admin" / "find_user.cypher").read_text())
    result = page.get_by_test_id("frame").first
    result.get_by_text("Started streaming 1 records").wait_for()
    result.get_by_text(f'"{username}"', exact=True).first.wait_for()
    page.screenshot(path=SCREENSHOTS / "neo4j-browser-find-user.png")
