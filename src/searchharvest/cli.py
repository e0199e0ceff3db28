"""The `searchharvest` command: a thin skin over the public API.

Each command parses its options, calls one library function and renders the result.
Library exceptions become messages and exit codes here, in one place:

- 0: success
- 1: a harvest failed (records harvested before the failure were still written)
- 2: bad input: query syntax (with a caret under the problem), options, files
- 3: a database cannot retrieve everything the query means (fidelity narrower)
- 4: the harvest finished but is incomplete (a cap was reached; see the summary)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from searchharvest import __version__
from searchharvest.compiler import compile as compile_query
from searchharvest.connectors import DatabaseReport, connector_names, native_text
from searchharvest.demo import DEMO_QUERY, demo_search
from searchharvest.errors import (
    ConfigError,
    QueryError,
    QuerySyntaxError,
    SearchHarvestError,
    UnsupportedQueryError,
)
from searchharvest.harvest import SearchResult, search
from searchharvest.query import Field, lint
from searchharvest.records import Record

EXIT_HARVEST = 1
EXIT_INPUT = 2
EXIT_NARROWER = 3
EXIT_INCOMPLETE = 4

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True)


class CliError(click.ClickException):
    """A library error shown as one message; subclasses set the exit code."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class InputError(CliError):
    exit_code = EXIT_INPUT


class HarvestFailed(CliError):
    exit_code = EXIT_HARVEST


class NarrowerError(CliError):
    exit_code = EXIT_NARROWER


class IncompleteHarvest(CliError):
    exit_code = EXIT_INCOMPLETE


@contextmanager
def library_errors() -> Iterator[None]:
    """Map library exceptions to exit codes and clear messages."""
    try:
        yield
    except QuerySyntaxError as exc:
        raise InputError(f"query syntax: {exc}") from exc
    except UnsupportedQueryError as exc:
        raise NarrowerError(str(exc)) from exc
    except (QueryError, ConfigError) as exc:
        raise InputError(str(exc)) from exc
    except SearchHarvestError as exc:
        raise HarvestFailed(str(exc)) from exc


def read_query(value: str) -> str:
    """QUERY or `@path`: the query text."""
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read query file {path}: {exc.strerror}") from exc
    return value


def parse_databases(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        raise InputError("--db needs at least one database")
    return names


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from exc


def field_option(func: F) -> F:
    return click.option(
        "--default-field",
        type=click.Choice(["tiab", "ti", "ab"]),
        default="tiab",
        show_default=True,
        help="Field searched by terms written without a field tag.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchharvest")
def main() -> None:
    """Compile one Boolean search strategy for PubMed, OpenAlex and Crossref and harvest it.

    Example: searchharvest compile '(co-produc* OR codesign*) AND health' --db openalex
    """


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


def write_jsonl(path: Path, records: Sequence[Record]) -> None:
    """Write records as JSON Lines atomically (temp file + rename)."""
    temp = path.with_name(path.name + ".part")
    with temp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")
    temp.replace(path)


def summary_table(reports: Sequence[DatabaseReport]) -> Table:
    table = Table(title="Harvest summary", show_lines=True)
    for column in ("database", "fidelity", "total", "retrieved", "kept", "notes"):
        table.add_column(column, overflow="fold")
    for report in reports:
        extra = []
        if report.unverified:
            extra.append(f"{report.unverified} kept unverified")
        if not report.complete:
            extra.append("INCOMPLETE")
        if report.error:
            extra.append(f"failed: {report.error}")
        extra.extend(report.warnings)
        table.add_row(
            report.db,
            str(report.fidelity),
            "?" if report.total is None else str(report.total),
            str(report.retrieved),
            str(report.kept),
            Text("\n".join(extra)),
        )
    return table


def run_search(result: SearchResult, output: Path, report_path: Path | None) -> None:
    """Harvest with progress bars, write the output and the report, exit by outcome."""
    if output.suffix.lower() != ".jsonl":
        raise InputError(f"{output}: unsupported output format {output.suffix!r} (use .jsonl)")
    records: list[Record] = []
    with Progress(
        TextColumn("{task.description:>9}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=stderr,
        transient=False,
    ) as bars:
        tasks: dict[str, TaskID] = {
            db: bars.add_task(db, total=None) for db in result.options.databases
        }

        def progress(report: DatabaseReport) -> None:
            bars.update(tasks[report.db], completed=report.retrieved, total=report.total)

        result.set_progress(progress)
        try:
            records.extend(result)
        finally:
            write_jsonl(output, records)
    reports = list(result.reports.values())
    stderr.print(summary_table(reports))
    for report in reports:
        stderr.print(f"{report.db} native query: {native_text(report.native)}", markup=False)
        for note in report.notes:
            stderr.print(f"  {note.describe()}", markup=False, highlight=False)
    stderr.print(f"wrote {len(records)} records to {output}", markup=False)
    if report_path is not None:
        report_path.write_text(
            json.dumps({"databases": [r.to_json() for r in reports]}, indent=2) + "\n",
            encoding="utf-8",
        )
    if result.errors:
        raise HarvestFailed("; ".join(f"{type(e).__name__}: {e}" for e in result.errors))
    if not all(r.complete for r in reports):
        raise IncompleteHarvest("harvest incomplete (see the summary above)")


@main.command("search")
@click.argument("query")
@click.option("--db", "databases", default="pubmed,openalex,crossref", show_default=True)
@click.option("--from", "date_from", help="Earliest publication date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Latest publication date, YYYY-MM-DD.")
@click.option("--max", "max_records", type=click.IntRange(min=1), help="Most records per database.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--report", "report_path", type=click.Path(path_type=Path))
@click.option("--allow-narrower", is_flag=True, help="Run even if a database would lose records.")
@field_option
def search_command(
    query: str,
    databases: str,
    date_from: str | None,
    date_to: str | None,
    max_records: int | None,
    output: Path,
    report_path: Path | None,
    allow_narrower: bool,
    default_field: str,
) -> None:
    """Harvest every record QUERY matches in each database into one file.

    QUERY is the query text, or @FILE. The output format follows the file suffix
    (.jsonl). Progress goes to stderr, then a summary per database.

    Example: searchharvest search '"public sector"[ti] AND coproduc*' --db pubmed -o out.jsonl
    """
    text = read_query(query)
    with library_errors():
        result = search(
            text,
            parse_databases(databases),
            date_from=parse_date(date_from, "--from"),
            date_to=parse_date(date_to, "--to"),
            max_records=max_records,
            default_field=Field(default_field),
            allow_narrower=allow_narrower,
        )
        run_search(result, output, report_path)


@main.command("demo")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("demo.jsonl"))
@click.option("--report", "report_path", type=click.Path(path_type=Path))
def demo_command(output: Path, report_path: Path | None) -> None:
    """Run the bundled example search offline, from the recorded real responses.

    Shows every step without network access or keys: compile for three databases,
    harvest, filter locally where a database is broader, write records and a summary.

    Example: searchharvest demo -o demo.jsonl --report demo-report.json
    """
    stderr.print(f"demo query: {DEMO_QUERY}", markup=False)
    with library_errors():
        run_search(demo_search(), output, report_path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
