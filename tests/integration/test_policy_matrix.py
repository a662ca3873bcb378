"""Every route × every kind of caller, generated from the routes' own declarations.

The expected answer comes from the declaration alone (PUBLIC, SIGNED_IN or a permission, and what
each role grants in the graph), except for the object-level rules listed in OBJECT_RULES.
"""
from __future__ import annotations

import secrets

from social import accounts, admin, media, tweets
from tests import media_samples
from web.limits import LIMITS
from web.policy import PUBLIC, SIGNED_IN
from tests.integration.personas import SessionUser, bare_user, promote, suspend

PERSONAS = ("anonymous", "suspended", "other", "user", "moderator", "admin")
ALLOW = "allow"

# Requests on objects of `user` by other callers: another's session or token is "not found"; another's
# tweet is visible, so deleting it is refused (moderators and admins hold tweets:delete_any).
HIDDEN = {"other": 404, "moderator": 404, "admin": 404}
OBJECT_RULES = {
    ("DELETE", "/api/v1/auth/sessions/<session_id>"): HIDDEN,
    ("DELETE", "/api/v1/auth/tokens/<token_id>"): HIDDEN,
    ("DELETE", "/api/v1/tweets/<tweet_id>"): {"other": 403},
    ("GET", "/api/v1/media/<media_id>"): HIDDEN,  # an upload is its uploader's alone
    ("PUT", "/api/v1/media/<media_id>/chunks/<index>"): HIDDEN,
    ("POST", "/api/v1/media/<media_id>/finalize"): HIDDEN,
}


def declared_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule, getattr(view, "requirement", None), getattr(view, "rate_class", None)


def test_every_route_declares_a_policy_and_a_known_rate_class(app, services):
    permissions = set().union(*services.policy.roles().values())
    for method, rule, requirement, rate in declared_routes(app):
        assert requirement is not None, f"{method} {rule.rule} declares no policy: add @allow(...)"
        assert requirement in (PUBLIC, SIGNED_IN) or requirement in permissions, (
            f"{method} {rule.rule} needs {requirement!r}, which no role grants"
        )
        assert rate is None or rate in LIMITS, f"{method} {rule.rule} names rate class {rate!r}"


def test_a_route_without_a_declaration_is_refused(app):
    from web.app import create_app

    fresh = create_app(services=app.extensions["services"])
    fresh.add_url_rule("/api/v1/undeclared", "undeclared", lambda: "secret")
    r = fresh.test_client().get("/api/v1/undeclared")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "no_policy"


def _expected(method, rule, requirement, persona, grants):
    if requirement == PUBLIC:
        return ALLOW
    if persona in ("anonymous", "suspended"):
        return 401
    if requirement != SIGNED_IN and requirement not in grants[persona]:
        return 403
    return OBJECT_RULES.get((method, rule.rule), {}).get(persona, ALLOW)


class Row:
    """Fresh objects of `user` for one route, so that no request of the row spoils another's;
    admin actions get a new target user, group routes a new group."""

    def __init__(self, services, owner_id: int, owner_name: str):
        self.services = services
        self.owner_id = owner_id
        self.owner_name = owner_name

    def path(self, rule) -> str:
        values = {}
        for name in rule.arguments:
            if name == "username":  # a block or mute of the owner would refuse the rows after it
                fresh = "/admin/" in rule.rule or rule.rule.endswith(("/block", "/mute"))
                values[name] = bare_user(self.services) if fresh else self.owner_name
            elif name == "tweet_id":
                values[name] = tweets.post_tweet(self.services, self.owner_id, "matrix")["id"]
            elif name == "session_id":
                values[name] = self.services.sessions.create(self.owner_id, self.owner_name, "matrix")[1].id
            elif name == "token_id":
                values[name] = accounts.create_token(self.services, self.owner_id, "matrix")["id"]
            elif name == "tag":
                values[name] = "matrix"
            elif name == "media_id" and "file_name" in rule.arguments:
                values[name], values["file_name"] = ready_media(self.services, self.owner_id)
            elif name == "media_id":
                values[name] = media.start_upload(self.services, self.owner_id, "image", 10)["id"]
            elif name == "index":
                values[name] = "0"
            elif name == "file_name":
                continue  # with media_id
            elif name == "tag":
                values[name] = "matrix"
            elif name == "name":
                values[name] = "m-" + secrets.token_hex(6)
                admin.set_group_roles(self.services, None, values[name], [])
            else:
                raise AssertionError(f"the matrix has no fixture for <{name}> in {rule.rule}: add one")
        if "name" in values and "username" in values:
            admin.set_member(self.services, None, values["name"], values["username"], True)
        return rule.rule.replace("<", "{").replace(">", "}").format(**values)


def ready_media(services, owner_id: int) -> tuple[str, str]:
    """A processed image of the owner's: its id and its file's name."""
    png = media_samples.png(8, 8)
    upload = media.start_upload(services, owner_id, "image", len(png))
    media.put_chunk(services, owner_id, int(upload["id"]), 0, [png])
    media.finalize(services, owner_id, int(upload["id"]))
    return upload["id"], media.get_media(services, owner_id, int(upload["id"]))["url"].rsplit("/", 1)[1]


def _outcome(response) -> str | int:
    return response.status_code if response.status_code in (401, 403, 404) else ALLOW


def test_matrix_of_routes_and_callers(app, services, make_user, client):
    """Each row signs every persona in afresh, so a logout in one row cannot spoil the next. The
    suspended persona's session is made after its suspension: the race of a login with a suspend."""
    roles = services.policy.roles()
    users = {
        "suspended": suspend(services, make_user()),
        "other": make_user(),
        "user": make_user(),
        "moderator": promote(services, make_user(), "moderator"),
        "admin": promote(services, make_user(), "admin"),
    }
    grants = {
        "other": roles["user"],
        "user": roles["user"],
        "moderator": roles["user"] | roles["moderator"],
        "admin": roles["admin"],
    }
    routes = list(declared_routes(app))
    mismatches, cells = [], 0
    for method, rule, requirement, _ in routes:
        row = Row(services, int(users["user"].id), users["user"].username)
        for persona in PERSONAS:
            user = users.get(persona)
            caller = SessionUser(app, services, int(user.id), user.username) if user else client
            response = caller.open(row.path(rule), method=method)
            response.close()
            cells += 1
            want = _expected(method, rule, requirement, persona, grants)
            got = _outcome(response)
            if got != want:
                mismatches.append(f"{method} {rule.rule} as {persona}: expected {want}, got {response.status_code}")
    print(f"policy matrix: {len(routes)} routes x {len(PERSONAS)} callers = {cells} cells")
    assert cells == len(PERSONAS) * len(routes)
    assert not mismatches, "\n".join(mismatches)
