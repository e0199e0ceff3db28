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
            payload = {**outcome.log.to_json(), "run": _run_json(outcome)}
            _write_text(target, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            _write_text(target, outcome.log.to_markdown() + "\n" + run_markdown(outcome))
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


def _run_json(outcome: RunOutcome) -> dict[str, object]:
    return {
        "kind": outcome.kind,
        "run_id": outcome.run_id,
        "window_from": outcome.window_from.isoformat() if outcome.window_from else None,
        "update_windows": {db: w.method for db, w in outcome.windows.items()},
        "previously_seen": outcome.previously_seen,
        "in_screened_library": outcome.in_screened,
    }


def run_markdown(outcome: RunOutcome) -> str:
    """The log section a strategy run adds: which run, the window per database, removals."""
    title = f"{outcome.kind} #{outcome.run_id}"
    lines = [f"## Strategy run: {title}", ""]
    if outcome.window_from:
        lines.append(f"- Searched what entered each database since {outcome.window_from}:")
    else:
        lines.append("- The whole strategy was searched:")
    lines += [f"  - {display_name(db)}: {w.method}" for db, w in outcome.windows.items()]
    lines += [
        f"- Removed as returned by an earlier run: {outcome.previously_seen}",
        f"- Removed as already in the screened library: {outcome.in_screened}",
        f"- New records written: {len(outcome.records)}",
    ]
    return "\n".join(lines) + "\n"
