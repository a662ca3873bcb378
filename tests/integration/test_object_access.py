"""Object-level access and escalation: a user acts on their own objects only, whatever their id."""
from __future__ import annotations

import secrets
import time

from tests.integration.personas import promote

ADMIN = "/api/v1/admin"


def test_sessions_listing_shows_only_the_callers_own(make_user):
    alice, bob = make_user(), make_user()
    ids = {s["id"] for s in bob.get("/api/v1/auth/sessions").get_json()["sessions"]}
    assert ids == {bob.session_id} and alice.session_id not in ids


def test_another_users_session_id_is_not_found_even_for_an_admin(services, make_user):
    alice, admin_user = make_user(), promote(services, make_user(), "admin")
    for caller in (make_user(), admin_user):
        r = caller.delete(f"/api/v1/auth/sessions/{alice.session_id}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "session_not_found"
    assert alice.get("/api/v1/users/me").status_code == 200


def test_another_users_tokens_are_neither_listed_nor_revocable(app, make_user):
    alice, bob = make_user(), make_user()
    created = alice.post("/api/v1/auth/tokens", json={"name": "alice's"}).get_json()
    assert bob.get("/api/v1/auth/tokens").get_json()["tokens"] == []
    r = bob.delete(f"/api/v1/auth/tokens/{created['id']}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "token_not_found"
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert app.test_client().get("/api/v1/users/me", headers=bearer).get_json()["user"]["id"] == alice.id


def test_another_users_tweet_cannot_be_deleted_but_a_moderators_may(services, make_user):
    alice, bob, moderator = make_user(), make_user(), promote(services, make_user(), "moderator")
    tweet = alice.tweet("mine")
    r = bob.delete(f"/api/v1/tweets/{tweet['id']}")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_tweet_author"
    assert bob.get(f"/api/v1/tweets/{tweet['id']}").status_code == 200
    assert moderator.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    assert bob.get(f"/api/v1/tweets/{tweet['id']}").status_code == 404


def test_plain_users_and_moderators_cannot_assign_roles_or_read_admin_data(services, make_user):
    user, moderator, target = make_user(), promote(services, make_user(), "moderator"), make_user()
    for caller in (user, moderator):
        for method, path, body in (
            ("put", f"{ADMIN}/users/{caller.username}/roles", {"roles": ["admin"]}),
            ("put", f"{ADMIN}/users/{target.username}/roles", {"roles": ["moderator"]}),
            ("put", f"{ADMIN}/groups/g-{secrets.token_hex(3)}", {"roles": ["admin"]}),
            ("get", f"{ADMIN}/users/{target.username}", None),
            ("get", f"{ADMIN}/audit", None),
        ):
            r = getattr(caller, method)(path, json=body) if body else caller.get(path)
            assert r.status_code == 403 and r.get_json()["error"]["code"] == "missing_permission", (method, path)
    assert "admin" not in user.get("/api/v1/users/me").get_json()["roles"]


def test_no_one_changes_their_own_roles_or_groups_not_even_an_admin(services, make_user):
    admin_user = promote(services, make_user(), "admin")
    r = admin_user.put(f"{ADMIN}/users/{admin_user.username}/roles", json={"roles": []})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "cannot_change_own_roles"
    group = "g-" + secrets.token_hex(4)
    admin_user.put(f"{ADMIN}/groups/{group}", json={"roles": ["moderator"]})
    r = admin_user.put(f"{ADMIN}/groups/{group}/members/{admin_user.username}")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "cannot_change_own_roles"
    assert admin_user.get("/api/v1/users/me").get_json()["roles"] == ["admin", "user"]


def test_a_role_assigner_cannot_grant_what_they_do_not_hold(services, make_user):
    """A role that may assign roles but holds nothing else must not mint admins or moderators."""
    services.driver.execute_query(
        "MERGE (r:Role {name: 'role_clerk'}) WITH r MATCH (p:Permission {name: 'roles:assign'}) MERGE (r)-[:GRANTS]->(p)"
    )
    clerk, target = promote(services, make_user(), "role_clerk"), make_user()
    path = f"{ADMIN}/users/{target.username}/roles"
    for roles in (["admin"], ["moderator"], ["role_clerk", "moderator"]):
        r = clerk.put(path, json={"roles": roles})
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "role_not_held", roles
    assert clerk.put(path, json={"roles": ["role_clerk"]}).status_code == 200
    group = "g-" + secrets.token_hex(4)
    r = clerk.put(f"{ADMIN}/groups/{group}", json={"roles": ["admin"]})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "role_not_held"
    assert services.policy.groups(group) == []


def test_a_conversation_is_readable_only_by_its_two_parties(make_user):
    alice, bob, carol = make_user(), make_user(), make_user()
    assert alice.post(f"/api/v1/messages/{bob.username}", json={"text": "just us"}).status_code == 201
    assert [m["text"] for m in bob.get(f"/api/v1/messages/{alice.username}").get_json()["messages"]] == ["just us"]
    for party in (alice, bob):
        assert carol.get(f"/api/v1/messages/{party.username}").get_json()["messages"] == []


def _notifications(user, wait_for: int = 0) -> dict:
    """Notifications come through the event relay; give it a moment when some are expected."""
    deadline = time.monotonic() + 5
    while True:
        body = user.get("/api/v1/notifications").get_json()
        if len(body["notifications"]) >= wait_for or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_notifications_are_the_callers_own_and_marking_read_touches_no_one_else(make_user):
    alice, bob, carol = make_user(), make_user(), make_user()
    bob.post(f"/api/v1/users/{alice.username}/follow")
    mine = _notifications(alice, wait_for=1)
    assert mine["unread_count"] == 1
    assert _notifications(carol)["notifications"] == []
    assert carol.post("/api/v1/notifications/read", json={"up_to": mine["notifications"][0]["id"]}).status_code == 204
    assert _notifications(alice)["unread_count"] == 1
