"""`searchharvest check|run|update|runs STRATEGY.toml`: strategy files as scheduled jobs.

Exit codes a scheduler can act on: 0 new records were written, 5 the run succeeded with
no new records (or 0 with `--zero-exit-when-none`), 1 a database failed, 2 the strategy
file or a path in it is wrong, 3 a database would lose records, 4 a harvest stopped early.
On failure nothing is recorded in the run store, so the same command can simply be re-run.
`--report FILE.json` is written in every case, with `status` and `exit_code`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from searchharvest.cli._app import (
    EXIT_NO_NEW,
    CliError,
    IncompleteHarvest,
    InputError,
    library_errors,
    main,
    stderr,
)
from searchharvest.compiler import compile as compile_query
from searchharvest.config import Settings
from searchharvest.connectors import native_text
from searchharvest.errors import RecordFileError, StrategyFileError
from searchharvest.query.printer import to_string
from searchharvest.strategy import RunIncomplete, RunOutcome, Strategy

_STRATEGY = click.argument(
    "strategy_path", metavar="STRATEGY.toml", type=click.Path(path_type=Path)
)
_REPORT = click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Write a JSON summary here (also on failure): status, exit_code, counts, files.",
)
_ZERO = click.option(
    "--zero-exit-when-none",
    is_flag=True,
    help=f"Exit 0 instead of {EXIT_NO_NEW} when no new records were found.",
)


@contextmanager
def strategy_errors(report_path: Path | None) -> Iterator[None]:
    """Map strategy errors to exit codes; write a failure report before exiting."""
    try:
        with library_errors():
            try:
                yield
            except (StrategyFileError, RecordFileError) as exc:
                raise InputError(str(exc)) from exc
            except RunIncomplete as exc:
                raise IncompleteHarvest(str(exc)) from exc
    except CliError as exc:
        if report_path is not None:
            _write_report(
                report_path,
                {"status": "failed", "exit_code": exc.exit_code, "error": exc.format_message()},
            )
        raise


def _write_report(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _finish(
    outcome: RunOutcome, strategy: Strategy, report_path: Path | None, zero_when_none: bool
) -> None:
    """Print the summary, write the report, exit by whether anything is new."""
    table = Table(title=f"{strategy.spec.name}: {outcome.kind} #{outcome.run_id}")
    for column in ("database", "window", "total", "retrieved", "kept"):
        table.add_column(column, overflow="fold")
    for db, report in outcome.reports.items():
        table.add_row(
            db,
            outcome.windows[db].method,
            "?" if report.total is None else str(report.total),
            str(report.retrieved),
            str(report.kept),
        )
    stderr.print(table)
    stderr.print(
        f"{len(outcome.records)} new records; {outcome.prisma.duplicates_removed} duplicates, "
        f"{outcome.previously_seen} seen in earlier runs, {outcome.in_screened} already "
        "screened removed",
        markup=False,
    )
    for path in outcome.paths:
        stderr.print(f"wrote {path}", markup=False)
    none = not outcome.records
    code = EXIT_NO_NEW if none and not zero_when_none else 0
    if report_path is not None:
        status = "no-new-records" if none else "new-records"
        summary = {"status": status, "exit_code": code, "strategy": str(strategy.path)}
        _write_report(report_path, {**summary, **outcome.to_json()})
    if code:
        raise click.exceptions.Exit(code)


@main.command("check")
@_STRATEGY
def check_command(strategy_path: Path) -> None:
    """Validate a strategy file and show what each database will be sent.

    Exit code 0 when the file is valid; 2 with the file, line and reason of the first
    mistake; 3 when a database would lose records.

    Example: searchharvest check examples/coproduction.toml
    """
    with strategy_errors(None):
        strategy = Strategy.load(strategy_path)
        spec = strategy.spec
        for db in spec.databases:
            compiled = compile_query(
                to_string(strategy.query_for(db)),
                db,
                default_field=spec.field,
                date_from=spec.dates.first,
                date_to=spec.dates.last,
                allow_narrower=spec.allow_narrower,
            )
            click.echo(f"{db} ({compiled.fidelity}): {native_text(compiled.native)}")
    click.echo(f"{strategy_path}: valid; run store {strategy.store.path.name}")


def _settings(strategy: Strategy, offline: bool) -> Settings:
    return Settings.from_env(email=strategy.spec.contact_email, offline=offline or None)


@main.command("run")
@_STRATEGY
@_REPORT
@click.option(
    "--use-cache",
    is_flag=True,
    help="Keep (and reuse) the responses in the response cache, so --offline can replay "
    "this run later. Off by default: a cached answer hides what entered a database since.",
)
@click.option("--offline", is_flag=True, help="Answer only from the response cache.")
@_ZERO
def run_command(
    strategy_path: Path,
    report_path: Path | None,
    use_cache: bool,
    offline: bool,
    zero_exit_when_none: bool,
) -> None:
    """Run a whole strategy file: harvest, de-duplicate, write, record the run.

    Writes the records, search log and PRISMA counts named in the file and records the
    run (time, native queries, counts, every record's identifiers) in NAME.runs.sqlite
    beside it. Exit codes: 0 records written, 5 none found, 1-4 as for `search`.

    Example: searchharvest run examples/coproduction.toml --report run.json
    """
    with strategy_errors(report_path):
        strategy = Strategy.load(strategy_path)
        outcome = strategy.run(
            settings=_settings(strategy, offline),
            cache="default" if offline or use_cache else None,
        )
    _finish(outcome, strategy, report_path, zero_exit_when_none)


@main.command("update")
@_STRATEGY
@click.option(
    "--overlap-days",
    type=click.IntRange(min=0, max=366),
    help="Days searched again before the last run (default: the file's update.overlap_days).",
)
@_REPORT
@_ZERO
def update_command(
    strategy_path: Path,
    overlap_days: int | None,
    report_path: Path | None,
    zero_exit_when_none: bool,
) -> None:
    """Search what entered each database since the last run; write only new records.

    The window is the last run's start minus the overlap, by entry/indexing date where the
    database has one (PubMed [edat], Crossref from-index-date); OpenAlex re-runs the whole
    strategy. Records returned by any earlier run or present in the screened library are
    removed. Exit codes: 0 new records, 5 none (0 with --zero-exit-when-none), 1 failed,
    2 bad file, 4 incomplete; nothing is recorded on failure, so re-run the same command.

    Example: searchharvest update examples/coproduction.toml --report update.json
    """
    with strategy_errors(report_path):
        strategy = Strategy.load(strategy_path)
        outcome = strategy.update(overlap_days=overlap_days, settings=_settings(strategy, False))
    _finish(outcome, strategy, report_path, zero_exit_when_none)


@main.command("runs")
@_STRATEGY
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def runs_command(strategy_path: Path, as_json: bool) -> None:
    """List the recorded runs of a strategy file, oldest first.

    Example: searchharvest runs examples/coproduction.toml
    """
    with strategy_errors(None):
        runs = Strategy.load(strategy_path).store.runs()
    if as_json:
        click.echo(json.dumps([run.to_json() for run in runs], indent=2))
        return
    for run in runs:
        window = f" since {run.window_from}" if run.window_from else ""
        click.echo(
            f"#{run.id} {run.kind}{window} {run.started.isoformat(timespec='seconds')}: "
            f"{run.identified} identified, {run.new_records} new"
        )
    if not runs:
        click.echo("no runs recorded")
