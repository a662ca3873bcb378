"""Use cases of administration: who may do what (cached grants), roles, groups, suspension, audit.

An actor of None is the operator at the console (`flask --app wsgi roles ...`): the bootstrap that
makes the first admin, recorded in the audit log as "console" and exempt from the escalation rules.
"""
from __future__ import annotations

from typing import Protocol

from domain.clock import now_ms
from domain.errors import NotFound
from domain.ids import new_id, public
from domain.pages import PageRequest, split_page
from domain.roles import (
    AdminAction,
    Grant,
    check_group_name,
    check_may_change,
    check_not_self,
    check_outranks,
    check_roles,
)
from social import ports, security_log
from social.accounts import user_id_of


class AdminPorts(Protocol):
    """What administration uses: the policy graph, the cached grants, and the sessions and tokens a suspension revokes."""

    users: ports.UserStore
    policy: ports.PolicyStore
    grants: ports.GrantCache
    sessions: ports.SessionStore
    token_cache: ports.TokenCache
    revocations: ports.Revocations

CONSOLE = "console"


def grant_of(svc: AdminPorts, user_id: int, cached: tuple[Grant | None, str] | None = None) -> Grant | None:
    """The user's grant from Redis while current, else from the graph (then cached); None if no such
    user. cached: what the request already read of the grant cache (GrantCache.get's answer)."""
    grant, stamp = cached if cached is not None else svc.grants.get(user_id)
    if grant is None:
        row = svc.policy.grant(user_id)
        if row is None:
            return None
        grant = _grant(row)
        svc.grants.put(grant, stamp)
    return grant


def _grant(row: dict) -> Grant:
    return Grant(
        user_id=row["user_id"],
        username=row["username"],
        roles=frozenset(row["roles"]),
        permissions=frozenset(row["permissions"]),
        suspended=row["suspended"],
    )


def _actor_name(actor: Grant | None) -> str:
    return actor.username if actor else CONSOLE


def _action(actor: Grant | None, action: str, target: str, **kw) -> AdminAction:
    return AdminAction(
        id=new_id(),
        at_ms=now_ms(),
        actor=_actor_name(actor),
        actor_id=actor.user_id if actor else None,
        action=action,
        target=target,
        **kw,
    )


def _target(svc: AdminPorts, username: str) -> dict:
    row = svc.policy.grant(user_id_of(svc, username))
    if row is None:
        raise NotFound("user_not_found", f"No user is called {username!r}.")
    return row


def user_view(svc: AdminPorts, username: str, viewer_id: int | None = None) -> dict:
    """What an admin sees of a user: `roles` are the ones held directly (what PUT sets)."""
    row = _target(svc, username)
    return {
        "user": svc.users.hydrate([row["user_id"]], viewer_id)[0],
        "roles": ["user", *row["direct_roles"]],
        "groups": row["groups"],
        "effective_roles": sorted(row["roles"]),
        "permissions": sorted(row["permissions"]),
        "suspended": row["suspended"],
    }


def set_roles(svc: AdminPorts, actor: Grant | None, username: str, roles: list[str]) -> dict:
    known = svc.policy.roles()
    wanted = check_roles(roles, known)
    target = _target(svc, username)
    check_not_self(actor, target["user_id"], "cannot_change_own_roles", "No one can change their own roles.")
    held = frozenset(target["direct_roles"])
    check_may_change(actor, wanted ^ held, known)
    details = {"added": sorted(wanted - held), "removed": sorted(held - wanted)}
    action = _action(actor, "roles.set", target["username"], target_user_id=target["user_id"], details=details)
    svc.policy.set_roles(target["user_id"], wanted, action)
    svc.grants.invalidate(target["user_id"])
    security_log.event("roles.set", actor=action.actor, user_id=target["user_id"], **details)
    return user_view(svc, username)


def change_role(svc: AdminPorts, actor: Grant | None, username: str, role: str, held: bool) -> dict:
    """Grants (held) or revokes one role, keeping the others: the console's `roles grant|revoke`."""
    current = set(_target(svc, username)["direct_roles"])
    current = current | {role} if held else current - {role}
    check_roles([role], svc.policy.roles())
    return set_roles(svc, actor, username, sorted(current))


def set_suspended(svc: AdminPorts, actor: Grant | None, username: str, suspended: bool) -> dict:
    """Suspension revokes every session and token at once; a suspended user cannot log in."""
    target = _target(svc, username)
    verb = "suspend" if suspended else "unsuspend"
    check_not_self(actor, target["user_id"], f"cannot_{verb}_self", f"No one can {verb} themselves.")
    check_outranks(actor, _grant(target))
    action = _action(actor, f"user.{verb}", target["username"], target_user_id=target["user_id"])
    token_hashes = svc.policy.set_suspended(target["user_id"], suspended, action)
    svc.grants.invalidate(target["user_id"])
    if suspended:
        svc.sessions.revoke_all(target["user_id"])
        svc.token_cache.forget(*token_hashes)
        svc.revocations.announce(target["user_id"], None)
    security_log.event(f"user.{verb}", actor=action.actor, user_id=target["user_id"])
    return user_view(svc, username)


def groups(svc: AdminPorts) -> list[dict]:
    return svc.policy.groups()


def _group(svc: AdminPorts, name: str) -> dict:
    found = svc.policy.groups(check_group_name(name))
    if not found:
        raise NotFound("group_not_found", f"No group is called {name!r}.")
    return found[0]


def set_group_roles(svc: AdminPorts, actor: Grant | None, name: str, roles: list[str]) -> dict:
    """Creates the group when new. Its members' grants all change, so every cached grant is dropped."""
    check_group_name(name)
    known = svc.policy.roles()
    wanted = check_roles(roles, known)
    existing = svc.policy.groups(name)
    held = frozenset(existing[0]["roles"]) if existing else frozenset()
    check_may_change(actor, wanted ^ held, known)
    details = {"added": sorted(wanted - held), "removed": sorted(held - wanted)}
    svc.policy.set_group_roles(name, wanted, _action(actor, "group.roles_set", name, target_group=name, details=details))
    svc.grants.invalidate_all()
    security_log.event("group.roles_set", actor=_actor_name(actor), group=name, **details)
    return _group(svc, name)


def delete_group(svc: AdminPorts, actor: Grant | None, name: str) -> None:
    group = _group(svc, name)
    check_may_change(actor, frozenset(group["roles"]), svc.policy.roles())
    member_ids = svc.policy.delete_group(name, _action(actor, "group.delete", name, details={"roles": group["roles"]}))
    security_log.event("group.deleted", actor=_actor_name(actor), group=name, roles=group["roles"])
    svc.grants.invalidate(*(member_ids or []))


def set_member(svc: AdminPorts, actor: Grant | None, name: str, username: str, member: bool) -> dict:
    """Adds (member) or removes a user; joining a group is gaining its roles, so the same rules hold."""
    group = _group(svc, name)
    target = _target(svc, username)
    check_not_self(actor, target["user_id"], "cannot_change_own_roles", "No one can change their own groups.")
    check_may_change(actor, frozenset(group["roles"]), svc.policy.roles())
    if not member and name not in target["groups"]:
        raise NotFound("not_a_member", f"{target['username']} is not in group {name!r}.")
    verb = "member_added" if member else "member_removed"
    action = _action(actor, f"group.{verb}", target["username"], target_user_id=target["user_id"], details={"group": name})
    if member:
        svc.policy.add_member(name, target["user_id"], action)
    else:
        svc.policy.remove_member(name, target["user_id"], action)
    svc.grants.invalidate(target["user_id"])
    security_log.event(f"group.{verb}", actor=action.actor, group=name, user_id=target["user_id"])
    return user_view(svc, username)


def audit_page(svc: AdminPorts, page: PageRequest) -> tuple[list, str | None]:
    rows, cursor = split_page(svc.policy.audit_page(page), page.limit, lambda r: (r["id"],))
    return [public(row) for row in rows], cursor

