"""`searchharvest chain`: citation chaining from seed studies into one record file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from searchharvest.chain import ChainResult, chain, write_network
from searchharvest.chain.engine import DirectionName
from searchharvest.cli._app import (
    HarvestFailed,
    IncompleteHarvest,
    InputError,
    library_errors,
    main,
    output_option,
    stderr,
)
from searchharvest.errors import RecordFileError
from searchharvest.export import get_format, read_file, write_file

DIRECTIONS: dict[str, DirectionName] = {
    "backward": "backward",
    "forward": "forward",
    "both": "both",
}
"""The `--direction` choices; the library also takes `references` and `citations`."""


def _sources(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        raise InputError("--via needs at least one source")
    return names


def coverage_table(result: ChainResult) -> Table:
    """Seeds, links and coverage per source, for the closing summary."""
    table = Table(title="Citation chaining summary")
    for column in (
        "source",
        "seeds queried",
        "with references",
        "with citations",
        "links",
        "requests",
    ):
        table.add_column(column, justify="right" if column != "source" else "left")
    for name, cov in result.coverage.items():
        table.add_row(
            name,
            str(cov.seeds_queried),
            str(cov.with_references),
            str(cov.with_citations),
            str(cov.links),
            str(result.requests.get(name, 0)),
        )
    return table


def print_summary(result: ChainResult, output: Path) -> None:
    """The closing summary on stderr: seeds, sources, new records, PRISMA counts."""
    given = len(result.seeds) + len(result.unresolved)
    stderr.print(f"seeds resolved: {len(result.seeds)} of {given}", markup=False)
    for seed in result.unresolved:
        stderr.print(f"  unresolved: {seed.label}: {seed.reason}", markup=False)
    stderr.print(coverage_table(result))
    stderr.print(f"new records per generation: {result.generations}", markup=False)
    for line in result.prisma.to_markdown().splitlines():
        stderr.print(line, markup=False, highlight=False)
    for warning in result.warnings:
        stderr.print(f"warning: {warning}", markup=False, highlight=False)
    stderr.print(f"wrote {len(result.records)} new records to {output}", markup=False)


@main.command("chain")
@click.option("--seeds", "seeds", required=True, help="Record file, or ids: DOIs, PMIDs, W….")
@click.option(
    "--direction",
    type=click.Choice(list(DIRECTIONS)),
    default="both",
    show_default=True,
    help="References (backward), citing works (forward), or both.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Generations to follow; each can multiply the records.",
)
@click.option(
    "--via",
    "via",
    default="openalex,pubmed,crossref",
    show_default=True,
    help="Sources to chain through, comma-separated.",
)
@click.option(
    "--against", "against", type=click.Path(path_type=Path), help="Records already screened."
)
@click.option(
    "--max-per-generation", type=click.IntRange(min=1), help="Cap on new works per generation."
)
@click.option(
    "--network", "network", type=click.Path(path_type=Path), help="Edges as .csv or .graphml."
)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), help="Run report as JSON."
)
@output_option()
def chain_command(
    seeds: str,
    direction: str,
    depth: int,
    via: str,
    against: Path | None,
    max_per_generation: int | None,
    network: Path | None,
    report_path: Path | None,
    output: Path,
) -> None:
    """Follow the references and citations of seed studies into new records.

    --seeds is a record file (RIS, CSV, BibTeX, JSON Lines, .nbib) or identifiers
    separated by commas. The output format follows the suffix of -o. Progress goes to
    stderr, then seeds resolved, links and coverage per source, and PRISMA counts.
    Exit 4 means a cap cut a generation; exit 1 a failure (what was found is written).

    Example: searchharvest chain --seeds included.ris --direction both --depth 1 -o found.ris
    """
    with library_errors():
        try:
            get_format(output)
            prior = read_file(against) if against is not None else []
        except RecordFileError as exc:
            raise InputError(str(exc)) from exc
        if network is not None and network.suffix.lower() not in {".csv", ".graphml"}:
            raise InputError(f"{network}: network files are .csv or .graphml")
        with Progress(
            TextColumn("{task.description:>13}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr,
        ) as bars:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int | None) -> None:
                if stage not in tasks:
                    tasks[stage] = bars.add_task(stage, total=total)
                bars.update(tasks[stage], completed=done, total=total)

            try:
                result = chain(
                    seeds,
                    DIRECTIONS[direction],
                    depth,
                    _sources(via),
                    against=prior,
                    max_per_generation=max_per_generation,
                    progress=progress,
                )
            except RecordFileError as exc:
                raise InputError(str(exc)) from exc
        write_file(output, result.records)
        if network is not None:
            write_network(network, result.edges, result.records, result.seeds)
        if report_path is not None:
            report_path.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    print_summary(result, output)
    if result.errors:
        raise HarvestFailed("; ".join(result.errors))
    if not result.seeds:
        raise InputError("no seed could be resolved (see the unresolved seeds above)")
    if not result.complete:
        raise IncompleteHarvest("chaining incomplete (see the warnings above)")
