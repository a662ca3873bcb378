"""Roles, groups, suspension and the audit log in the graph. Every change is written together with
its audit entry, in one transaction."""
from __future__ import annotations

import json
from dataclasses import asdict

from domain.pages import PageRequest
from domain.roles import AdminAction
from graph.driver import Graph


def _audit(action: AdminAction) -> tuple[str, dict]:
    params = asdict(action)
    params["details"] = json.dumps(action.details, sort_keys=True)
    return "audit/record", params


class PolicyRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def grant(self, user_id: int) -> dict | None:
        """Effective roles and permissions, direct roles, groups and suspension of one user."""
        return self.graph.read_one("policy/grant", user_id=user_id)

    def roles(self) -> dict[str, frozenset[str]]:
        return {r["role"]: frozenset(r["permissions"]) for r in self.graph.read("policy/roles")}

    def groups(self, name: str | None = None) -> list[dict]:
        return self.graph.read("policy/groups", name=name)

    def set_roles(self, user_id: int, roles: frozenset[str], action: AdminAction) -> None:
        self.graph.write_all(("policy/set_roles", {"user_id": user_id, "roles": sorted(roles)}), _audit(action))

    def set_suspended(self, user_id: int, suspended: bool, action: AdminAction) -> list[str]:
        """Suspension also deletes the user's API tokens; returns their hashes for the token cache."""
        steps = [("policy/set_suspended", {"user_id": user_id, "suspended": suspended})]
        if suspended:
            steps.append(("tokens/delete_all", {"user_id": user_id}))
        results = self.graph.write_all(*steps, _audit(action))
        return [row["hash"] for row in results[1]] if suspended else []

    def set_group_roles(self, name: str, roles: frozenset[str], action: AdminAction) -> None:
        self.graph.write_all(
            ("policy/set_group_roles", {"name": name, "roles": sorted(roles), "now_ms": action.at_ms}),
            _audit(action),
        )

    def add_member(self, name: str, user_id: int, action: AdminAction) -> bool:
        results = self.graph.write_all(
            ("policy/add_member", {"name": name, "user_id": user_id, "now_ms": action.at_ms}), _audit(action)
        )
        return bool(results[0])

    def remove_member(self, name: str, user_id: int, action: AdminAction) -> bool:
        results = self.graph.write_all(("policy/remove_member", {"name": name, "user_id": user_id}), _audit(action))
        return results[0][0]["removed"] > 0

    def delete_group(self, name: str, action: AdminAction) -> list[int] | None:
        """The ids of the former members, or None when there was no such group."""
        results = self.graph.write_all(("policy/delete_group", {"name": name}), _audit(action))
        return results[0][0]["member_ids"] if results[0] else None

    def audit_page(self, page: PageRequest) -> list[dict]:
        before_id = page.key[0] if page.key else None
        rows = self.graph.read("audit/page", before_id=before_id, limit=page.limit + 1)
        for row in rows:
            row["details"] = json.loads(row["details"]) if row["details"] else {}
        return rows
