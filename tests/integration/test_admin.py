"""Administration: roles, groups, suspension, the audit log and the console commands."""
from __future__ import annotations

import secrets

from cache.grants import grant_key
from tests.conftest import ApiUser, unique_name
from social.admin import grant_of
from domain.roles import Grant
from tests.integration.personas import SessionUser, promote

ADMIN = "/api/v1/admin"


def _wsgi_cli(app, *args):
    from web.cli import register_commands

    if "roles" not in app.cli.commands:
        register_commands(app)
    return app.test_cli_runner().invoke(args=list(args))


def _audit(admin_user, limit=100):
    return admin_user.get(f"{ADMIN}/audit?limit={limit}").get_json()["entries"]


def test_console_grants_the_first_admin_and_the_audit_log_names_the_console(app, services, make_user):
    first = make_user()
    result = _wsgi_cli(app, "roles", "grant", first.username, "admin")
    assert result.exit_code == 0, result.output
    assert "admin" in result.output
    assert first.get("/api/v1/users/me").get_json()["roles"] == ["admin", "user"]
    entry = next(e for e in _audit(first) if e["target"] == first.username)
    assert (entry["actor"], entry["action"], entry["details"]) == ("console", "roles.set", {"added": ["admin"], "removed": []})

    assert _wsgi_cli(app, "roles", "revoke", first.username, "admin").exit_code == 0
    assert first.get(f"{ADMIN}/audit").status_code == 403


def test_console_refuses_unknown_roles_and_users_with_exit_code_1(app, make_user):
    user = make_user()
    bad_role = _wsgi_cli(app, "roles", "grant", user.username, "overlord")
    assert bad_role.exit_code == 1 and "unknown_role" in bad_role.output
    assert _wsgi_cli(app, "roles", "grant", unique_name(), "admin").exit_code == 1
    assert user.get("/api/v1/users/me").get_json()["roles"] == ["user"]


def test_console_groups_give_their_roles_to_members(app, make_user):
    user = make_user()
    group = "g-" + secrets.token_hex(4)
    assert _wsgi_cli(app, "groups", "grant", group, "moderator").exit_code == 0
    assert _wsgi_cli(app, "groups", "add", group, user.username).exit_code == 0
    assert "moderator" in user.get("/api/v1/users/me").get_json()["roles"]
    listed = _wsgi_cli(app, "groups", "list").output
    assert f"{group}: roles moderator; 1 member(s)" in listed
    assert _wsgi_cli(app, "groups", "delete", group).exit_code == 0
    assert user.get("/api/v1/users/me").get_json()["roles"] == ["user"]


def test_admin_reads_a_user_with_roles_groups_and_suspension(services, make_user):
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    r = admin_user.get(f"{ADMIN}/users/{target.username.upper()}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["user"]["username"] == target.username
    assert (body["roles"], body["groups"], body["suspended"]) == (["user"], [], False)
    assert admin_user.get(f"{ADMIN}/users/{unique_name()}").status_code == 404


def test_granting_a_role_takes_effect_on_the_next_request_though_the_grant_was_cached(services, make_user):
    admin_user, target, author = promote(services, make_user(), "admin"), make_user(), make_user()
    tweet = author.tweet("moderate me")
    assert target.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 403  # caches target's grant
    assert services.redis.exists(grant_key(target.id))

    r = admin_user.put(f"{ADMIN}/users/{target.username}/roles", json={"roles": ["moderator"]})
    assert r.status_code == 200 and r.get_json()["roles"] == ["user", "moderator"]
    assert target.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204

    assert admin_user.put(f"{ADMIN}/users/{target.username}/roles", json={"roles": []}).status_code == 200
    other = author.tweet("not yours")
    assert target.delete(f"/api/v1/tweets/{other['id']}").status_code == 403


def test_a_grant_cached_by_a_reader_that_raced_the_change_is_not_used(services, make_user):
    target = make_user()
    user_id = int(target.id)
    services.redis.delete(grant_key(user_id))
    _, stamp = services.grants.get(user_id)  # a reader misses the cache and takes the stamp ...
    old = services.policy.grant(user_id)  # ... reads the graph before the change ...
    promote(services, target, "moderator")  # ... the change commits and bumps the version ...
    stale = Grant(user_id, target.username, frozenset(old["roles"]), frozenset(old["permissions"]))
    services.grants.put(stale, stamp)  # ... and the reader caches what it read
    assert "moderator" in grant_of(services, user_id).roles


def test_bad_role_requests_are_refused_and_change_nothing(services, make_user):
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    path = f"{ADMIN}/users/{target.username}/roles"
    r = admin_user.put(path, json={"roles": ["moderator", "overlord"]})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "unknown_role"
    assert admin_user.put(path, json={"roles": "admin"}).status_code == 400
    assert admin_user.put(path, json={"roles": ["admin"], "extra": 1}).status_code == 400
    assert admin_user.put(f"{ADMIN}/users/{unique_name()}/roles", json={"roles": []}).status_code == 404
    assert admin_user.get(f"{ADMIN}/users/{target.username}").get_json()["roles"] == ["user"]


def test_suspension_ends_every_session_and_token_at_once_and_blocks_login(app, services, make_user):
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    second = ApiUser(app, target.username, target.password)
    token = target.post("/api/v1/auth/tokens", json={"name": "cli"}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/users/me", headers=bearer).status_code == 200  # cached token

    r = admin_user.post(f"{ADMIN}/users/{target.username}/suspend")
    assert r.status_code == 200 and r.get_json()["suspended"] is True
    assert target.get("/api/v1/users/me").status_code == 401
    assert second.get("/api/v1/users/me").status_code == 401
    assert app.test_client().get("/api/v1/users/me", headers=bearer).status_code == 401
    login = app.test_client().post("/api/v1/auth/login", json={"username": target.username, "password": target.password})
    assert login.status_code == 403 and login.get_json()["error"]["code"] == "account_suspended"

    assert admin_user.post(f"{ADMIN}/users/{target.username}/unsuspend").get_json()["suspended"] is False
    assert ApiUser(app, target.username, target.password).get("/api/v1/users/me").status_code == 200
    assert app.test_client().get("/api/v1/users/me", headers=bearer).status_code == 401


def test_a_session_that_survived_a_suspension_ends_at_its_next_request(app, services, make_user):
    """A login racing the suspend can create a session after revoke_all: the decision still refuses it."""
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    admin_user.post(f"{ADMIN}/users/{target.username}/suspend")
    late = SessionUser(app, services, int(target.id), target.username)
    assert late.get("/api/v1/users/me").status_code == 401
    assert services.sessions.list(int(target.id)) == []


def test_no_one_suspends_themselves_and_moderators_cannot_suspend(services, make_user):
    admin_user, moderator, target = promote(services, make_user(), "admin"), promote(services, make_user(), "moderator"), make_user()
    r = admin_user.post(f"{ADMIN}/users/{admin_user.username}/suspend")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "cannot_suspend_self"
    r = moderator.post(f"{ADMIN}/users/{target.username}/suspend")
    assert r.status_code == 403 and r.get_json()["error"] == {
        "code": "missing_permission",
        "message": "This needs the users:suspend permission.",
        "permission": "users:suspend",
    }
    assert target.get("/api/v1/users/me").status_code == 200


def test_groups_through_the_api_grant_and_withdraw_roles_of_members_at_once(services, make_user):
    admin_user, member, author = promote(services, make_user(), "admin"), make_user(), make_user()
    group = "mods-" + secrets.token_hex(4)
    assert member.get("/api/v1/users/me").get_json()["roles"] == ["user"]

    r = admin_user.put(f"{ADMIN}/groups/{group}", json={"roles": ["moderator"]})
    assert r.status_code == 200 and r.get_json()["group"] == {"name": group, "roles": ["moderator"], "members_count": 0}
    r = admin_user.put(f"{ADMIN}/groups/{group}/members/{member.username}")
    assert r.status_code == 200 and r.get_json()["groups"] == [group]
    assert member.get("/api/v1/users/me").get_json()["roles"] == ["moderator", "user"]
    assert member.delete(f"/api/v1/tweets/{author.tweet()['id']}").status_code == 204

    assert admin_user.put(f"{ADMIN}/groups/{group}", json={"roles": []}).status_code == 200  # all members at once
    assert member.get("/api/v1/users/me").get_json()["roles"] == ["user"]
    assert admin_user.put(f"{ADMIN}/groups/{group}", json={"roles": ["moderator"]}).status_code == 200
    assert admin_user.delete(f"{ADMIN}/groups/{group}/members/{member.username}").status_code == 200
    assert member.get("/api/v1/users/me").get_json()["roles"] == ["user"]
    r = admin_user.delete(f"{ADMIN}/groups/{group}/members/{member.username}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_a_member"

    assert group in [g["name"] for g in admin_user.get(f"{ADMIN}/groups").get_json()["groups"]]
    assert admin_user.delete(f"{ADMIN}/groups/{group}").status_code == 204
    assert admin_user.delete(f"{ADMIN}/groups/{group}").status_code == 404
    r = admin_user.put(f"{ADMIN}/groups/Not Valid", json={"roles": []})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_group_name"


def test_the_audit_log_records_who_did_what_to_whom_newest_first_in_pages(services, make_user):
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    admin_user.put(f"{ADMIN}/users/{target.username}/roles", json={"roles": ["moderator"]})
    admin_user.post(f"{ADMIN}/users/{target.username}/suspend")
    admin_user.post(f"{ADMIN}/users/{target.username}/unsuspend")

    first = admin_user.get(f"{ADMIN}/audit?limit=2").get_json()
    assert [(e["actor"], e["action"], e["target"]) for e in first["entries"]] == [
        (admin_user.username, "user.unsuspend", target.username),
        (admin_user.username, "user.suspend", target.username),
    ]
    assert all(e["created_at"].endswith("Z") and e["id"].isdigit() for e in first["entries"])
    second = admin_user.get(f"{ADMIN}/audit?limit=1&cursor={first['next_cursor']}").get_json()
    assert second["entries"][0]["action"] == "roles.set"
    assert second["entries"][0]["details"] == {"added": ["moderator"], "removed": []}
    assert admin_user.get(f"{ADMIN}/audit?cursor=nonsense").status_code == 400


def test_refused_admin_actions_leave_no_audit_entry(services, make_user):
    admin_user, target = promote(services, make_user(), "admin"), make_user()
    before = _audit(admin_user, 5)
    admin_user.put(f"{ADMIN}/users/{admin_user.username}/roles", json={"roles": []})
    admin_user.put(f"{ADMIN}/users/{target.username}/roles", json={"roles": ["overlord"]})
    target.post(f"{ADMIN}/users/{admin_user.username}/suspend")
    assert _audit(admin_user, 5) == before
