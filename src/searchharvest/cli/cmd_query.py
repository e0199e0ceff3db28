"""`searchharvest lint` and `searchharvest compile`: look at a query before running it."""

from __future__ import annotations

import json

import click

from searchharvest.cli._app import field_option, library_errors, main, parse_date, read_query
from searchharvest.compiler import compile as compile_query
from searchharvest.connectors import connector_names
from searchharvest.query import Field, lint


@main.command("lint")
@click.argument("query")
@field_option
def lint_command(query: str, default_field: str) -> None:
    """Check a strategy the way a peer reviewer of search strategies would.

    QUERY is the query text, or @FILE to read it from a file. Exit code 0 even with
    warnings; 2 when the query does not parse.

    Example: searchharvest lint 'a OR b AND c'
    """
    text = read_query(query)
    with library_errors():
        warnings = lint(text, default_field=Field(default_field))
    for warning in warnings:
        click.echo(f"{warning.severity} [{warning.code}] at offset {warning.span.start}:")
        click.echo(f"  {warning.message}")
        click.echo(f"  {text}")
        width = max(1, warning.span.end - warning.span.start)
        click.echo("  " + " " * warning.span.start + "^" * width)
    if not warnings:
        click.echo("no warnings")


@main.command("compile")
@click.argument("query")
@click.option("--db", "db", required=True, help=f"One of: {', '.join(connector_names())}.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--from", "date_from", help="Earliest publication date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Latest publication date, YYYY-MM-DD.")
@click.option(
    "--allow-narrower", is_flag=True, help="Compile even if the database would lose records."
)
@field_option
def compile_command(
    query: str,
    db: str,
    as_json: bool,
    date_from: str | None,
    date_to: str | None,
    allow_narrower: bool,
    default_field: str,
) -> None:
    """Show a query in one database's native form, with its fidelity report.

    QUERY is the query text, or @FILE to read it from a file.

    Example: searchharvest compile '"public service*" AND health' --db pubmed --json
    """
    text = read_query(query)
    with library_errors():
        compiled = compile_query(
            text,
            db.strip().lower(),
            default_field=Field(default_field),
            date_from=parse_date(date_from, "--from"),
            date_to=parse_date(date_to, "--to"),
            allow_narrower=allow_narrower,
        )
        warnings = lint(text, default_field=Field(default_field))
    if as_json:
        payload = compiled.to_json()
        payload["lint"] = [
            {"code": w.code, "severity": w.severity, "offset": w.span.start, "message": w.message}
            for w in warnings
        ]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if isinstance(compiled.native, str):
        click.echo(compiled.native)
    else:
        for key, value in compiled.native.items():
            click.echo(f"{key}={value}")
    click.echo(f"fidelity: {compiled.fidelity}", err=True)
    for note in compiled.notes:
        click.echo(f"  - {note.describe()}", err=True)
    for warning in warnings:
        click.echo(f"lint {warning.severity} [{warning.code}]: {warning.message}", err=True)
