"""Flask CLI commands for operators: `flask --app wsgi db migrate`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from graph.migrate import migrate
from web.cli_cypher import cypher_commands


def register_commands(app: Flask) -> None:
    db = AppGroup("db", help="The graph schema.")

    @db.command("migrate")
    def migrate_command():
        """Apply the Cypher migrations that have not run yet."""
        applied = migrate(app.extensions["services"].graph)
        click.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none new'}")

    app.cli.add_command(db)
    app.cli.add_command(cypher_commands(app))
