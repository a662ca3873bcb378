"""`flask --app wsgi cypher run NAME key=value ... --format table|csv|json`: the queries written
for people, from the shell, as a table to read or as CSV or JSON for a notebook."""
from __future__ import annotations

import csv
import io
import json
import re

import click
import neo4j
from flask import Flask
from flask.cli import AppGroup

from graph.driver import CYPHER_DIR

FOLDERS = ("recommendations", "analytics", "admin")
RUNNABLE = re.compile(rf"({'|'.join(FOLDERS)})/[a-z0-9_]+")


def cypher_commands(app: Flask) -> AppGroup:
    """Only the queries of cypher/recommendations, cypher/analytics and cypher/admin may be run,
    each in a read transaction, so the shell can never write through them."""
    group = AppGroup("cypher", help="Run the queries of cypher/recommendations, cypher/analytics and cypher/admin.")

    @group.command("run")
    @click.argument("name")
    @click.argument("params", nargs=-1)
    @click.option("--format", "output", type=click.Choice(sorted(FORMATS)), default="table", show_default=True,
                  help="table to read; csv (a header row, lists and maps as JSON) or json (an array of row objects).")
    def run_command(name: str, params: tuple[str, ...], output: str):
        """Run query NAME (e.g. recommendations/who_to_follow) with KEY=VALUE parameters and print
        its rows. Values are read as JSON where they parse (10, 0.5, true, [1, 2], "007"), else as text."""
        if not RUNNABLE.fullmatch(name) or not (CYPHER_DIR / f"{name}.cypher").is_file():
            raise click.BadParameter(f"{name!r} is not one of: {', '.join(runnable())}", param_hint="NAME")
        try:
            rows = app.extensions["services"].graph.read(name, **dict(map(parse_param, params)))
        except neo4j.exceptions.Neo4jError as err:
            raise click.ClickException(err.message or str(err)) from None
        except neo4j.exceptions.DriverError as err:
            raise click.ClickException(f"Neo4j is not reachable: {err}") from None
        click.echo(FORMATS[output](rows), nl=output != "csv")

    return group


def runnable() -> list[str]:
    return sorted(f"{folder}/{path.stem}" for folder in FOLDERS for path in (CYPHER_DIR / folder).glob("*.cypher"))


def parse_param(text: str) -> tuple[str, object]:
    key, sep, raw = text.partition("=")
    if not sep or not key.isidentifier():
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint="PARAMS")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


def cell(value) -> str:
    """Values as Cypher would write them: true, null, ["a"]; floats to six significant digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, list, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def table(rows: list[dict]) -> str:
    """Aligned columns under a header, as Neo4j Browser's table view shows them."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    lines = [columns] + [[cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    text = [" | ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(text + [f"({len(rows)} row{'' if len(rows) == 1 else 's'})"])


def csv_text(rows: list[dict]) -> str:
    """RFC 4180 CSV with a header row; cells as in the table, floats at full precision."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows([repr(v) if isinstance(v, float) else cell(v) for v in row.values()] for row in rows)
    return out.getvalue()


def json_text(rows: list[dict]) -> str:
    """The rows as a JSON array of objects; dates and other Neo4j values as their ISO text."""
    return json.dumps(rows, default=str, ensure_ascii=False, indent=1)


FORMATS = {"table": table, "csv": csv_text, "json": json_text}
