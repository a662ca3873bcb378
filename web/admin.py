"""Admin endpoints: a user's roles and suspension, groups, and the audit log."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import admin
from web.context import services as svc
from web.inputs import Body, PageQuery, query, takes
from web.outputs import AdminUser, AuditPage, GroupBody, GroupList, responds
from web.policy import allow, current_grant
from web.presenters import no_content, page

bp = Blueprint("admin", __name__, url_prefix="/api/v1/admin")


class Roles(Body):
    roles: list[str]


@bp.get("/users/<username>")
@allow("admin:read")
@responds(AdminUser)
def user(username: str):
    """A user with their roles, groups and suspension."""
    return jsonify(admin.user_view(svc(), username, current_user.user_id))


@bp.put("/users/<username>/roles")
@allow("roles:assign", rate="admin")
@responds(AdminUser, errors=(422,))
@takes(Roles)
def set_roles(body: Roles, username: str):
    """Set the roles a user holds directly; only roles whose permissions you hold, never your own."""
    return jsonify(admin.set_roles(svc(), current_grant(), username, body.roles))


@bp.post("/users/<username>/suspend")
@allow("users:suspend", rate="admin")
@responds(AdminUser, errors=(422,))
def suspend(username: str):
    """Suspend a user: every session and token ends at once, and login is refused."""
    return jsonify(admin.set_suspended(svc(), current_grant(), username, True))


@bp.post("/users/<username>/unsuspend")
@allow("users:suspend", rate="admin")
@responds(AdminUser, errors=(422,))
def unsuspend(username: str):
    """Lift a suspension (sessions and tokens stay revoked)."""
    return jsonify(admin.set_suspended(svc(), current_grant(), username, False))


@bp.get("/groups")
@allow("admin:read")
@responds(GroupList)
def groups():
    """Every group with its roles and member count."""
    return jsonify({"groups": admin.groups(svc())})


@bp.put("/groups/<name>")
@allow("roles:assign", rate="admin")
@responds(GroupBody, errors=(422,))
@takes(Roles)
def set_group_roles(body: Roles, name: str):
    """Create a group or set its roles."""
    return jsonify({"group": admin.set_group_roles(svc(), current_grant(), name, body.roles)})


@bp.delete("/groups/<name>")
@allow("roles:assign", rate="admin")
@responds(None, 204, errors=(422,))
def delete_group(name: str):
    """Delete a group; its members lose the roles it gave."""
    admin.delete_group(svc(), current_grant(), name)
    return no_content()


@bp.put("/groups/<name>/members/<username>")
@allow("roles:assign", rate="admin")
@responds(AdminUser, errors=(422,))
def add_member(name: str, username: str):
    """Put a user in a group (they gain its roles)."""
    return jsonify(admin.set_member(svc(), current_grant(), name, username, True))


@bp.delete("/groups/<name>/members/<username>")
@allow("roles:assign", rate="admin")
@responds(AdminUser, errors=(422,))
def remove_member(name: str, username: str):
    """Take a user out of a group."""
    return jsonify(admin.set_member(svc(), current_grant(), name, username, False))


@bp.get("/audit")
@allow("admin:read")
@responds(AuditPage)
@query(PageQuery)
def audit(query: PageQuery):
    """Admin actions, newest first: who did what to whom, and when."""
    items, cursor = admin.audit_page(svc(), query.page(1))
    return page("entries", items, cursor)
