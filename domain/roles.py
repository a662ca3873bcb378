"""Roles and permissions as values, and the rules that keep admin actions from escalating privilege."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.errors import Forbidden, Unprocessable

EVERYONE = "user"
STAFF_ROLES = frozenset({"moderator", "admin"})
GROUP_NAME_RE = re.compile(r"[a-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Grant:
    """What one user may do, as the graph said at one moment: effective roles (direct, through groups,
    and everyone's `user`) and the permissions those roles grant."""

    user_id: int
    username: str
    roles: frozenset[str]
    permissions: frozenset[str]
    suspended: bool = False

    @property
    def staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


@dataclass(frozen=True)
class AdminAction:
    """One line of the audit log: who did what to whom, recorded in the transaction of the change."""

    id: int
    at_ms: int
    actor: str
    actor_id: int | None
    action: str
    target: str
    target_user_id: int | None = None
    target_group: str | None = None
    details: dict = field(default_factory=dict)


def check_roles(requested: list[str], known: dict[str, frozenset[str]]) -> frozenset[str]:
    """The roles to hold directly; `user` is everyone's anyway, so it is accepted and left out."""
    unknown = sorted(set(requested) - set(known))
    if unknown:
        raise Unprocessable(
            "unknown_role", f"No such role: {', '.join(unknown)}.", field="roles", known=sorted(known)
        )
    return frozenset(requested) - {EVERYONE}


def check_may_change(actor: Grant | None, roles: frozenset[str], known: dict[str, frozenset[str]]) -> None:
    """Granting or taking away a role needs every permission that role carries: no one hands out
    more than they hold. The console operator (actor None) bootstraps the first admin."""
    if actor is None:
        return
    beyond = sorted(r for r in roles if not known[r] <= actor.permissions)
    if beyond:
        raise Forbidden(
            "role_not_held",
            f"You cannot grant or remove a role whose permissions you do not hold: {', '.join(beyond)}.",
            roles=beyond,
        )


def check_not_self(actor: Grant | None, target_user_id: int, code: str, message: str) -> None:
    if actor is not None and actor.user_id == target_user_id:
        raise Forbidden(code, message)


def check_outranks(actor: Grant | None, target: Grant) -> None:
    """Suspending needs at least the target's permissions, so a lesser role cannot silence a greater."""
    if actor is not None and not target.permissions <= actor.permissions:
        raise Forbidden("target_outranks_you", "That user holds permissions you do not.")


def check_group_name(name: str) -> str:
    if not GROUP_NAME_RE.fullmatch(name):
        raise Unprocessable(
            "invalid_group_name",
            "A group name is 1 to 32 lower-case letters, digits, '_' or '-'.",
            field="name",
        )
    return name
