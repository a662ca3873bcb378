"""Operations endpoints and the OpenAPI document."""
from web.openapi import NOT_API, openapi_path


def test_healthz_and_readyz(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_metrics_are_prometheus_text(client):
    client.get("/healthz")
    r = client.get("/metrics")
    assert r.status_code == 200 and "http_requests_total" in r.get_data(as_text=True)


def test_openapi_lists_every_route_the_app_serves(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    served = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] not in NOT_API
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert served == documented
    assert "requestBody" in doc["paths"]["/api/v1/tweets"]["post"]
    assert doc["paths"]["/api/v1/feed/home"]["get"]["security"]
    assert "application/octet-stream" in doc["paths"]["/api/v1/media/{media_id}/chunks/{index}"]["put"]["requestBody"]["content"]


def test_every_route_declares_a_policy(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and getattr(app.view_functions[rule.endpoint], "requirement", None) is None
    ]
    assert missing == []
