"""The API as clients learn it: a complete OpenAPI document, Link and X-RateLimit-* headers, JSON-only
bodies (415), and ids or cursors out of range that are 400/404, never 500."""
from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import pytest

from web.app import create_app
from web.openapi import NOT_API

API = "/api/v1"


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get(f"{API}/openapi.json").get_json()


def test_every_api_route_declares_its_answers(app):
    undeclared = [rule.rule for rule in app.url_map.iter_rules()
                  if rule.endpoint.split(".")[0] not in NOT_API and not getattr(app.view_functions[rule.endpoint], "responses", None)]
    assert undeclared == []


def test_the_document_lists_parameters_bodies_and_schemas(doc):
    assert doc["openapi"].startswith("3.1")
    likes = doc["paths"]["/api/v1/tweets/{tweet_id}/likes"]["get"]
    params = {p["name"]: p for p in likes["parameters"]}
    assert params["tweet_id"]["in"] == "path" and params["tweet_id"]["schema"]["pattern"]
    assert params["limit"]["schema"]["maximum"] == 100 and params["limit"]["schema"]["minimum"] == 1
    assert params["cursor"]["in"] == "query"
    assert likes["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UserPage"}
    assert {"400", "404", "429", "503"} <= set(likes["responses"])
    post = doc["paths"]["/api/v1/tweets"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NewTweet"}
    assert {"201", "400", "401", "403", "413", "415", "422", "429"} <= set(post["responses"])
    assert post["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    tweet = doc["components"]["schemas"]["Tweet"]["properties"]
    assert {"in_reply_to", "reply_count", "boost_count", "boosted", "bookmarked", "entities", "media"} <= set(tweet)


def test_every_page_takes_limit_and_cursor_and_answers_link(doc):
    for path, ops in doc["paths"].items():
        for op in ops.values():
            answer = op["responses"].get("200", {})
            if "Link" in answer.get("headers", {}):
                assert {"limit", "cursor"} <= {p["name"] for p in op["parameters"]}, path


def test_docs_md_names_every_route(doc):
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for path in doc["paths"]:
        short = path.removeprefix(API)
        short = re.sub(r"\{[a-z_]*id\}", "{id}", short)
        assert short in text, f"docs/api.md does not name {path}"


def test_a_page_with_a_next_one_answers_an_absolute_link(make_user):
    alice = make_user()
    for i in range(3):
        alice.tweet(f"t{i}")
    first = alice.get(f"{API}/users/{alice.username}/tweets?limit=2")
    link = first.headers["Link"]
    match = re.fullmatch(r'<(http://[^>]+)>; rel="next"', link)
    assert match, link
    url = match.group(1)
    assert url.startswith(f"http://localhost{API}/users/{alice.username}/tweets?") and "limit=2" in url
    assert f"cursor={first.get_json()['next_cursor']}" in url
    last = alice.get(url.removeprefix("http://localhost"))
    assert [t["text"] for t in last.get_json()["tweets"]] == ["t0"]
    assert "Link" not in last.headers and last.get_json()["next_cursor"] is None


def test_the_home_feed_links_its_next_page(make_user):
    alice = make_user()
    for i in range(2):
        alice.tweet(f"h{i}")
    r = alice.get(f"{API}/feed/home?limit=1&k=3")
    assert "k=3" in r.headers["Link"] and "cursor=" in r.headers["Link"]


@pytest.fixture(scope="module")
def limited(services):
    settings = dataclasses.replace(services.settings, rate_limit_enabled=True)
    return create_app(services=dataclasses.replace(services, settings=settings))


def test_limited_responses_carry_the_budget(limited, make_user):
    from tests.conftest import ApiUser

    user = make_user()
    alice = ApiUser(limited, user.username, user.password)
    first = alice.get(f"{API}/users/{alice.username}")
    second = alice.post(f"{API}/tweets", json={"text": "x" * 141})  # refused, but limited all the same
    assert second.status_code == 422
    for r in (first, second):
        assert int(r.headers["X-RateLimit-Limit"]) >= int(r.headers["X-RateLimit-Remaining"]) >= 0
        assert int(r.headers["X-RateLimit-Reset"]) > 0
    again = alice.get(f"{API}/users/{alice.username}")
    assert int(again.headers["X-RateLimit-Remaining"]) < int(first.headers["X-RateLimit-Remaining"])
    assert "X-RateLimit-Limit" not in limited.test_client().get("/healthz").headers  # probes are not limited


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_a_body_that_is_not_json_is_415_and_changes_nothing(make_user, content_type):
    alice = make_user()
    r = alice.post(f"{API}/tweets", data='{"text": "hi"}', headers={"Content-Type": content_type} if content_type else {})
    assert r.status_code == 415 and r.get_json()["error"]["code"] == "unsupported_media_type"
    assert alice.get(f"{API}/users/{alice.username}").get_json()["user"]["tweets_count"] == 0


def test_a_login_form_from_another_site_is_415(client, make_user):
    alice = make_user()
    r = client.post(f"{API}/auth/login", data=f'{{"username": "{alice.username}", "password": "{alice.password}"}}',
                    content_type="text/plain")
    assert r.status_code == 415 and "sid" not in r.headers.get("Set-Cookie", "")


def test_json_with_a_charset_and_bodiless_writes_are_accepted(make_user):
    alice = make_user()
    r = alice.post(f"{API}/tweets", data='{"text": "hi"}', content_type="application/json; charset=utf-8")
    assert r.status_code == 201
    assert alice.post(f"{API}/tweets/{r.get_json()['tweet']['id']}/like").status_code == 200
    assert alice.post(f"{API}/notifications/read").status_code == 204


def _cursor(*parts: int) -> str:
    return base64.urlsafe_b64encode(".".join(map(str, parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("tweet_id", ["9999999999999999999", "9223372036854775808", "0", "-1", "١٢", "99999999999999999999"])
def test_ids_out_of_range_are_404(client, tweet_id):
    for path in (f"{API}/tweets/{tweet_id}", f"{API}/tweets/{tweet_id}/likes"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("cursor", [_cursor(2**63), _cursor(2**63, 1), _cursor(1, 10**30), "MTIz٣", _cursor(-5)])
def test_cursors_out_of_range_are_400(make_user, cursor):
    alice = make_user()
    for path in (f"/users/{alice.username}/tweets", f"/users/{alice.username}/followers", "/feed/home", "/notifications"):
        r = alice.get(f"{API}{path}?cursor={cursor}")
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_cursor", path


@pytest.mark.parametrize("value", ["²", "１０", "+5", " 5", "1_0", "5.0", "99999999999999999999"])
def test_numbers_in_queries_are_ascii_digits(make_user, value):
    alice = make_user()
    for path in (f"/users/{alice.username}/tweets?limit=", "/feed/home?k=", "/recommendations/follows?limit="):
        r = alice.get(f"{API}{path}{value}")
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter", path


@pytest.mark.parametrize("up_to", ["9999999999999999999", "0", "abc"])
def test_mark_read_up_to_an_impossible_id_is_400(make_user, up_to):
    assert make_user().post(f"{API}/notifications/read", json={"up_to": up_to}).status_code == 400


def test_a_route_that_accepts_raw_bytes_takes_them_and_refuses_json(services, make_user):
    from tests.conftest import ApiUser
    from web.inputs import accepts
    from web.outputs import responds
    from web.policy import SIGNED_IN, allow

    raw_app = create_app(services=services)

    @allow(SIGNED_IN)
    @responds(None, 204)
    @accepts("application/octet-stream")
    def chunk():
        """A raw chunk."""
        return "", 204

    raw_app.add_url_rule(f"{API}/raw-chunk", "raw_chunk", chunk, methods=["PUT"])
    user = make_user()
    alice = ApiUser(raw_app, user.username, user.password)
    assert alice.put(f"{API}/raw-chunk", data=b"\x00\xff", content_type="application/octet-stream").status_code == 204
    refused = alice.put(f"{API}/raw-chunk", json={"bytes": "no"})
    assert refused.status_code == 415 and refused.get_json()["error"]["accepted"] == ["application/octet-stream"]
    doc = alice.get(f"{API}/openapi.json").get_json()
    assert list(doc["paths"][f"{API}/raw-chunk"]["put"]["requestBody"]["content"]) == ["application/octet-stream"]
