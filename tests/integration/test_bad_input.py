"""Every bad request gets the contract's error shape and status, and changes nothing."""
import pytest

from bootstrap import bootstrap
from web.app import create_app


def error_of(r):
    body = r.get_json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


@pytest.mark.parametrize(
    "data,content_type,code",
    [
        ("{not json", "application/json", "invalid_json"),
        ("[1, 2]", "application/json", "invalid_json"),
        ('"text"', "application/json", "invalid_json"),
        ("", "application/json", "invalid_json"),
        ('{"text": 5}', "application/json", "invalid_parameter"),
        ('{"text": null}', "application/json", "invalid_parameter"),
        ('{"txt": "hi"}', "application/json", "unknown_field"),
        ("\xff\xfe", "application/json", "invalid_json"),
    ],
)
def test_malformed_tweet_bodies_are_400(make_user, data, content_type, code):
    alice = make_user()
    r = alice.post("/api/v1/tweets", data=data, content_type=content_type)
    assert r.status_code == 400
    assert error_of(r)["code"] == code
    assert alice.get(f"/api/v1/users/{alice.username}").get_json()["user"]["tweets_count"] == 0


def test_oversize_body_is_413(make_user):
    alice = make_user()
    r = alice.post("/api/v1/tweets", data='{"text": "' + "a" * 70_000 + '"}', content_type="application/json")
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "cursor=%%%", "cursor=Zm9v"])
def test_bad_page_parameters_are_400(make_user, query):
    alice = make_user()
    r = alice.get(f"/api/v1/users/{alice.username}/followers?{query}")
    assert r.status_code == 400 and error_of(r)["code"] in {"invalid_parameter", "invalid_cursor"}


@pytest.mark.parametrize("query", ["k=0", "k=51", "k=x"])
def test_bad_k_is_400(client, query):
    r = client.get(f"/api/v1/feed/popular?{query}")
    assert r.status_code == 400


def test_unknown_resources_are_404_json(client):
    for path in ["/api/v1/users/nobody_here_x", "/api/v1/tweets/12345", "/api/v1/nothing", "/api/v1/tweets/1/likes"]:
        r = client.get(path)
        assert r.status_code == 404 and error_of(r)["code"].endswith("not_found"), path


def test_wrong_method_is_405_json(client):
    r = client.put("/api/v1/feed/popular")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_anonymous_writes_are_401(client):
    for method, path in [("post", "/api/v1/tweets"), ("get", "/api/v1/feed/home"), ("patch", "/api/v1/users/me"), ("get", "/api/v1/auth/sessions")]:
        r = getattr(client, method)(path, json={})
        assert r.status_code == 401 and error_of(r)["code"] == "not_authenticated"


@pytest.fixture(scope="module")
def down_app(services):
    """The same app wired to ports where nothing listens: a down Neo4j and a down Redis."""
    from dataclasses import replace

    settings = replace(services.settings, neo4j_uri="bolt://127.0.0.1:1", redis_url="redis://127.0.0.1:1/0")
    svc = bootstrap(settings)
    yield create_app(services=svc)
    svc.close()


def test_dependencies_down_give_503_with_retry_after_not_500(down_app):
    c = down_app.test_client()
    cookied = down_app.test_client()
    cookied.set_cookie("sid", "abc")
    for r in [
        c.get("/readyz"),
        c.get("/api/v1/users/someone"),
        c.post("/api/v1/auth/register", json={"username": "someone", "password": "longenough"}),
        c.post("/api/v1/auth/login", json={"username": "someone", "password": "longenough"}),
        c.get("/api/v1/feed/home", headers={"Authorization": "Bearer x"}),
        cookied.get("/api/v1/feed/home"),
    ]:
        assert r.status_code == 503, r.get_json()
        assert int(r.headers["Retry-After"]) > 0
        assert error_of(r)["code"] in {"neo4j_unavailable", "redis_unavailable", "not_ready"}
    assert c.get("/healthz").status_code == 200
    assert set(c.get("/readyz").get_json()["error"]["down"]) == {"neo4j", "redis"}
