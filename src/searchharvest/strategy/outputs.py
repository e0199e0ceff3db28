"""Write a run's files: records, search log and PRISMA counts, each atomically.

A run writes the paths named in the strategy file; an update writes beside them with the
run number before the suffix (`hits.ris` → `hits.update-3.ris`), so earlier results are
never overwritten and every file can be traced to its row in the run store. Every file is
written to a temporary name and renamed, so a crash leaves no half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from searchharvest.connectors import native_text
from searchharvest.export import write_file
from searchharvest.export._atomic import atomic_write
from searchharvest.prisma import display_name, write_prisma
from searchharvest.strategy.schema import StrategySpec

if TYPE_CHECKING:
    from searchharvest.strategy.run import RunOutcome


def output_path(path: Path, kind: str, run_id: int) -> Path:
    """The file a run writes for a configured `path`: numbered for an update.

    >>> output_path(Path("out/hits.ris"), "update", 3).as_posix()
    'out/hits.update-3.ris'
    """
    if kind == "run":
        return path
    return path.with_name(f"{path.stem}.update-{run_id}{path.suffix}")


def write_outputs(spec: StrategySpec, outcome: RunOutcome) -> list[Path]:
    """Write every output the strategy names; return the paths written."""
    written: list[Path] = []
    for configured in spec.output.records:
        target = _prepared(configured, outcome)
        write_file(target, outcome.records)
        written.append(target)
    if spec.output.prisma:
        target = _prepared(spec.output.prisma, outcome)
        _write_prisma(target, spec, outcome)
        written.append(target)
    if spec.output.log:
        target = _prepared(spec.output.log, outcome)
        if target.suffix.lower() == ".json":
            text = json.dumps({"strategy": _strategy_json(spec), **outcome.to_json()}, indent=2)
            _write_text(target, text + "\n")
        else:
            _write_text(target, search_log_markdown(spec, outcome))
        written.append(target)
    return written


def _prepared(configured: Path, outcome: RunOutcome) -> Path:
    target = output_path(configured, outcome.kind, outcome.run_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _write_text(path: Path, text: str) -> None:
    def write(fp: TextIO) -> None:
        fp.write(text)

    atomic_write(path, write)


def _write_prisma(path: Path, spec: StrategySpec, outcome: RunOutcome) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        _write_text(path, json.dumps(outcome.prisma.to_json(), indent=2) + "\n")
    elif suffix == ".md":
        _write_text(path, outcome.prisma.to_markdown())
    else:
        title = f"{spec.name}: {'update' if outcome.kind == 'update' else 'search'}"
        write_prisma(path, outcome.prisma, title=title)


def _strategy_json(spec: StrategySpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "query": spec.query,
        "overrides": dict(spec.overrides),
        "databases": list(spec.databases),
        "default_field": spec.default_field,
        "date_from": spec.dates.first.isoformat() if spec.dates.first else None,
        "date_to": spec.dates.last.isoformat() if spec.dates.last else None,
        "languages": list(spec.filters.languages),
        "publication_types": list(spec.filters.publication_types),
    }


def search_log_markdown(spec: StrategySpec, outcome: RunOutcome) -> str:
    """The search log as PRISMA-S asks: each database, its native query, when, how many."""
    lines = [
        f"# Search log: {spec.name}",
        "",
        f"- Run: {outcome.kind} #{outcome.run_id}",
        f"- Started: {outcome.started.isoformat()}",
        f"- Finished: {outcome.finished.isoformat()}",
    ]
    if outcome.window_from:
        lines.append(f"- Update window: entered or indexed since {outcome.window_from}")
    dates = spec.dates
    if dates.first or dates.last:
        lines.append(f"- Publication dates: {dates.first or 'any'} to {dates.last or 'any'}")
    lines += ["", "## Strategy", "", "```", spec.query.strip(), "```", ""]
    for db, report in outcome.reports.items():
        lines += [
            f"## {display_name(db)}",
            "",
            f"- Native query: `{native_text(report.native)}`",
            f"- Update window: {outcome.windows[db].method}",
            f"- Run at: {report.started_at.isoformat() if report.started_at else 'unknown'}",
            f"- Fidelity: {report.fidelity}",
            f"- Reported by the database: {'unknown' if report.total is None else report.total}",
            f"- Retrieved: {report.retrieved}; kept after local filtering: {report.kept}",
        ]
        lines += [f"- Note: {note.describe()}" for note in report.notes]
        lines += [f"- Warning: {warning}" for warning in report.warnings]
        lines.append("")
    lines += [
        "## PRISMA counts",
        "",
        outcome.prisma.to_markdown().rstrip("\n"),
        "",
        f"Removed as returned by an earlier run: {outcome.previously_seen}; "
        f"as already in the screened library: {outcome.in_screened}.",
        "",
    ]
    return "\n".join(lines)
