"""`flask --app wsgi ranking refresh [pagerank|popular|all]`: the scheduled ranking jobs, now."""
from __future__ import annotations

import click
import neo4j
from flask import Flask
from flask.cli import AppGroup

from ranking import refresh

TARGETS = ("pagerank", "popular", "all")


def ranking_commands(app: Flask) -> AppGroup:
    group = AppGroup("ranking", help="PageRank and the popular tweets, as the scheduler refreshes them.")

    @group.command("refresh")
    @click.argument("target", type=click.Choice(TARGETS), default="all")
    def refresh_command(target: str):
        """Recompute PageRank (written to User.rank), the popular tweets (the Redis top K), or both,
        in this process rather than through the worker's queue."""
        svc = app.extensions["services"]
        try:
            if target in ("pagerank", "all"):
                stats = refresh.refresh_pagerank(svc)
                click.echo(
                    f"pagerank: {stats['users']} users, {stats['edges']} follows "
                    f"(load {stats['load_s']} s, compute {stats['compute_s']} s, write {stats['write_s']} s)"
                )
            if target in ("popular", "all"):
                click.echo(f"popular: {refresh.refresh_popular(svc)} recent tweets scored")
        except neo4j.exceptions.DriverError as err:
            raise click.ClickException(f"Neo4j is not reachable: {err}") from None

    return group
