"""The API reference page: Swagger UI served by the app itself renders every operation of the
served OpenAPI document in Chromium, and nothing is loaded from another origin."""
from __future__ import annotations

import requests

from tests.e2e.conftest import WEB_URL


def test_the_docs_page_renders_every_operation_from_this_origin_only(browser, screenshots):
    doc = requests.get(f"{WEB_URL}/api/v1/openapi.json", timeout=10).json()
    operations = sum(len(ops) for ops in doc["paths"].values())
    context = browser.new_context(base_url=WEB_URL, viewport={"width": 1280, "height": 1800})
    page = context.new_page()
    requested, problems = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() == operations
    assert page.locator(".info .title").inner_text().startswith("socialgraph API")
    page.screenshot(path=screenshots / "api-docs.png")
    page.locator(".opblock-summary", has_text="/api/v1/tweets/{tweet_id}/likes").first.click()
    page.locator(".parameters-container", has_text="cursor").first.wait_for(timeout=10_000)
    page.screenshot(path=screenshots / "api-docs-operation.png")
    assert requested and all(url.startswith(WEB_URL) for url in requested), requested
    assert [p for p in problems if "source map" not in p.lower()] == []
    context.close()
