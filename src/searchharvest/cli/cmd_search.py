"""`searchharvest search` and `searchharvest demo`: harvest a strategy into one file.

Both de-duplicate by default and print the PRISMA 2020 counts; the helpers that read
record files, de-duplicate and write the outputs are shared with `searchharvest dedupe`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from searchharvest.cli._app import (
    F,
    HarvestFailed,
    IncompleteHarvest,
    field_option,
    library_errors,
    main,
    output_option,
    parse_databases,
    parse_date,
    read_query,
    stderr,
)
from searchharvest.cli.cmd_dedupe import (
    Labelled,
    Outputs,
    counts_table,
    dedup_options,
    read_records,
    write_outputs,
)
from searchharvest.connectors import DatabaseReport, native_text
from searchharvest.demo import DEMO_QUERY, demo_search
from searchharvest.harvest import SearchResult, search
from searchharvest.query import Field
from searchharvest.records import Record
from searchharvest.searchlog import SearchLog, write_search_log


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


def _database(record: Record) -> str:
    if record.provenance:
        return record.provenance[0].database
    return record.sources[0] if record.sources else "unknown"


def _harvest(result: SearchResult) -> Iterator[Record]:
    """The records of `result`, with a progress bar per database on stderr."""
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
        yield from result


def log_option(func: F) -> F:
    return click.option(
        "--log",
        "log_path",
        type=click.Path(path_type=Path),
        help="Write the PRISMA-S search log (.md or .json).",
    )(func)


def run_search(
    result: SearchResult,
    outputs: Outputs,
    report_path: Path | None,
    *,
    dedup: bool = True,
    against: Sequence[Path] = (),
) -> None:
    """Harvest, de-duplicate, write every output and exit by outcome.

    Records harvested before a failure are still de-duplicated and written (exit 1).
    """
    outputs.check(dedup=dedup, against=against)
    prior, _ = read_records(against)  # a bad prior library fails before the harvest
    new = Labelled()
    finished = False
    try:
        for record in _harvest(result):
            new.add(record, _database(record))
        finished = True
    finally:
        identified = dict.fromkeys(result.options.databases, 0)
        for label in new.labels:
            identified[label] = identified.get(label, 0) + 1
        counts = write_outputs(outputs, new, identified, prior, dedup=dedup)
    reports = list(result.reports.values())
    stderr.print(summary_table(reports))
    for report in reports:
        stderr.print(f"{report.db} native query: {native_text(report.native)}", markup=False)
        for note in report.notes:
            stderr.print(f"  {note.describe()}", markup=False, highlight=False)
    stderr.print(counts_table(counts))
    if finished and outputs.log is not None:
        with library_errors():
            write_search_log(outputs.log, SearchLog.from_result(result, prisma=counts))
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
@output_option()
@click.option("--report", "report_path", type=click.Path(path_type=Path))
@click.option("--allow-narrower", is_flag=True, help="Run even if a database would lose records.")
@field_option
@dedup_options
@log_option
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
    no_dedup: bool,
    against: tuple[Path, ...],
    groups_path: Path | None,
    prisma_path: Path | None,
    log_path: Path | None,
) -> None:
    """Harvest every record QUERY matches in each database into one de-duplicated file.

    QUERY is the query text, or @FILE. The output format follows the file suffix.
    Duplicates across and within databases are merged (--no-dedup keeps all), records
    in --against files are removed, and the PRISMA 2020 counts are printed. Progress
    goes to stderr, then a summary per database.

    Example: searchharvest search '"public sector"[ti] AND coproduc*' --db pubmed -o out.ris
    --prisma prisma.svg --log searchlog.md
    """
    text = read_query(query)
    outputs = Outputs(output, groups_path, prisma_path, log_path)
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
        run_search(result, outputs, report_path, dedup=not no_dedup, against=against)


@main.command("demo")
@output_option(Path("demo.jsonl"))
@click.option("--report", "report_path", type=click.Path(path_type=Path))
@dedup_options
@log_option
def demo_command(
    output: Path,
    report_path: Path | None,
    no_dedup: bool,
    against: tuple[Path, ...],
    groups_path: Path | None,
    prisma_path: Path | None,
    log_path: Path | None,
) -> None:
    """Run the bundled example search offline, from the recorded real responses.

    Shows every step without network access or keys: compile for three databases,
    harvest, filter locally where a database is broader, de-duplicate, write records,
    the PRISMA counts and a summary.

    Example: searchharvest demo -o demo.ris --prisma prisma.svg --log searchlog.md
    """
    stderr.print(f"demo query: {DEMO_QUERY}", markup=False)
    outputs = Outputs(output, groups_path, prisma_path, log_path)
    with library_errors():
        run_search(demo_search(), outputs, report_path, dedup=not no_dedup, against=against)
