"""`searchharvest search` and `searchharvest demo`: harvest a strategy into one file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from searchharvest.cli._app import (
    HarvestFailed,
    IncompleteHarvest,
    InputError,
    field_option,
    library_errors,
    main,
    parse_databases,
    parse_date,
    read_query,
    stderr,
)
from searchharvest.connectors import DatabaseReport, native_text
from searchharvest.demo import DEMO_QUERY, demo_search
from searchharvest.harvest import SearchResult, search
from searchharvest.query import Field
from searchharvest.records import Record


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
