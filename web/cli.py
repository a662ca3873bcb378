"""Flask CLI commands for operators: `flask --app wsgi db migrate`, `roles ...`, `groups ...`,
`ranking refresh ...` (web/cli_ranking.py) and `cypher run ...` (web/cli_cypher.py)."""
from __future__ import annotations

from contextlib import contextmanager

import click
from flask import Flask
from flask.cli import AppGroup

from graph.migrate import migrate
from graph.warmup import warm
from social import admin
from domain.errors import AppError
from web.cli_cypher import cypher_commands
from web.cli_ranking import ranking_commands


@contextmanager
def _refusals():
    """A refused command prints the reason and exits 1, as the API would answer 4xx."""
    try:
        yield
    except AppError as err:
        raise click.ClickException(f"{err.code}: {err.message}") from None


def _show(view: dict) -> None:
    roles = ", ".join(view["effective_roles"])
    groups = ", ".join(view["groups"]) or "none"
    suspended = " (suspended)" if view["suspended"] else ""
    click.echo(f"{view['user']['username']}{suspended}: roles {roles}; groups {groups}")


def register_commands(app: Flask) -> None:
    svc = app.extensions["services"]
    db = AppGroup("db", help="The graph schema.")

    @db.command("migrate")
    def migrate_command():
        """Apply the Cypher migrations that have not run yet, wait for their indexes, then warm every
        query (Neo4j's plan cache serves every process, and the stack migrates before any starts)."""
        applied = migrate(svc.graph)
        if applied:
            svc.grants.invalidate_all()  # a migration may change what a role grants
        click.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none new'}")
        if svc.settings.warm_query_plans:
            click.echo(f"warmed {warm(svc.graph)} queries")

    roles = AppGroup("roles", help="Roles held by users (the console is exempt from the escalation rules).")

    @roles.command("grant")
    @click.argument("username")
    @click.argument("role")
    def grant_role(username: str, role: str):
        """Give USERNAME the ROLE (user, moderator, admin)."""
        with _refusals():
            _show(admin.change_role(svc, None, username, role, True))

    @roles.command("revoke")
    @click.argument("username")
    @click.argument("role")
    def revoke_role(username: str, role: str):
        """Take the ROLE from USERNAME (roles given by a group stay until they leave it)."""
        with _refusals():
            _show(admin.change_role(svc, None, username, role, False))

    @roles.command("show")
    @click.argument("username")
    def show_roles(username: str):
        """Print USERNAME's roles and groups."""
        with _refusals():
            _show(admin.user_view(svc, username))

    groups = AppGroup("groups", help="Groups, whose members hold the group's roles.")

    @groups.command("list")
    def list_groups():
        """Print every group with its roles and member count."""
        for group in admin.groups(svc):
            click.echo(f"{group['name']}: roles {', '.join(group['roles']) or 'none'}; {group['members_count']} member(s)")

    def _set_role(name: str, role: str, held: bool) -> None:
        existing = {g["name"]: g["roles"] for g in admin.groups(svc)}.get(name, [])
        wanted = set(existing) | {role} if held else set(existing) - {role}
        group = admin.set_group_roles(svc, None, name, sorted(wanted))
        click.echo(f"{group['name']}: roles {', '.join(group['roles']) or 'none'}")

    @groups.command("grant")
    @click.argument("group")
    @click.argument("role")
    def grant_group_role(group: str, role: str):
        """Give GROUP the ROLE (the group is created when new)."""
        with _refusals():
            _set_role(group, role, True)

    @groups.command("revoke")
    @click.argument("group")
    @click.argument("role")
    def revoke_group_role(group: str, role: str):
        """Take the ROLE from GROUP."""
        with _refusals():
            _set_role(group, role, False)

    @groups.command("add")
    @click.argument("group")
    @click.argument("username")
    def add_member(group: str, username: str):
        """Put USERNAME in GROUP."""
        with _refusals():
            _show(admin.set_member(svc, None, group, username, True))

    @groups.command("remove")
    @click.argument("group")
    @click.argument("username")
    def remove_member(group: str, username: str):
        """Take USERNAME out of GROUP."""
        with _refusals():
            _show(admin.set_member(svc, None, group, username, False))

    @groups.command("delete")
    @click.argument("group")
    def delete_group(group: str):
        """Delete GROUP; its members lose the roles it gave."""
        with _refusals():
            admin.delete_group(svc, None, group)
            click.echo(f"deleted group {group}")

    for command in (db, roles, groups):
        app.cli.add_command(command)
    app.cli.add_command(cypher_commands(app))
    app.cli.add_command(ranking_commands(app))
