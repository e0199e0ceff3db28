"""`searchharvest dedupe`: de-duplicate record files from anywhere, and the output helpers
that `search` and `demo` share with it (read files, de-duplicate, write records, groups,
the PRISMA diagram, print the counts)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.table import Table

from searchharvest.cli._app import InputError, library_errors, main, output_option, stderr
from searchharvest.dedup import DedupResult, Member, dedupe
from searchharvest.errors import RecordFileError
from searchharvest.export import get_format, read_file, write_file
from searchharvest.export._atomic import atomic_write
from searchharvest.prisma import PrismaCounts, check_diagram_path, prisma_counts, write_prisma
from searchharvest.records import Record
from searchharvest.searchlog import check_log_path

F = TypeVar("F", bound=Callable[..., Any])

GROUP_COLUMNS = ("group", "outcome", "member", "origin", "title", "year", "doi", "pmid", "links")
"""One row per record of a duplicate group; `links` gives the reason for every link."""


@contextmanager
def record_file_errors() -> Iterator[None]:
    """A record file that cannot be read or written is bad input (exit 2), not a failed
    harvest; the message names the file and, where the format allows, the line."""
    try:
        yield
    except RecordFileError as exc:
        raise InputError(str(exc)) from exc


@dataclass
class Labelled:
    """Records with a label each saying where it came from (`scopus.ris#12`, `pubmed`)."""

    records: list[Record] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, record: Record, label: str) -> None:
        self.records.append(record)
        self.labels.append(label)


def read_records(paths: Sequence[Path]) -> tuple[Labelled, dict[str, int]]:
    """Every record of every file, labelled `file#n`, and the number read per file.

    A file is named by its file name, or by its path when two inputs share a name.
    """
    names = [path.name for path in paths]
    found = Labelled()
    per_file: dict[str, int] = {}
    with record_file_errors():
        for path in paths:
            name = path.name if names.count(path.name) == 1 else str(path)
            batch = read_file(path)
            per_file[name] = per_file.get(name, 0) + len(batch)
            for number, record in enumerate(batch, start=1):
                found.add(record, f"{name}#{number}")
    return found, per_file


@dataclass(frozen=True, slots=True)
class Outputs:
    """Where to write: records (format by suffix), duplicate groups, diagram, search log."""

    records: Path
    groups: Path | None = None
    prisma: Path | None = None
    log: Path | None = None

    def check(self, *, dedup: bool, against: Sequence[Path]) -> None:
        """Refuse unwritable formats and contradictory options before any work is done."""
        with library_errors(), record_file_errors():
            if get_format(self.records).write is None:
                raise RecordFileError("this format is read-only", str(self.records))
            if self.prisma is not None:
                check_diagram_path(self.prisma)
            if self.log is not None:
                check_log_path(self.log)
        if self.groups is not None and self.groups.suffix.lower() != ".csv":
            raise InputError(f"{self.groups}: the duplicate groups are written as .csv")
        if not dedup and (against or self.groups is not None):
            raise InputError("--against and --groups need de-duplication; drop --no-dedup")


def dedup_options(func: F) -> F:
    """`--no-dedup`, `--against`, `--groups` and `--prisma`, shared by commands."""
    options = [
        click.option("--no-dedup", is_flag=True, help="Keep every record; do not de-duplicate."),
        click.option(
            "--against",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Records already screened (any readable format); repeatable. Matching "
            "records are removed and counted as previously screened.",
        ),
        click.option(
            "--groups",
            "groups_path",
            type=click.Path(path_type=Path),
            help="Write each duplicate group with the reason for every link (.csv).",
        ),
        click.option(
            "--prisma",
            "prisma_path",
            type=click.Path(path_type=Path),
            help="Write the PRISMA 2020 identification diagram (.svg, or .png).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def deduplicate(
    new: Labelled, identified: dict[str, int], prior: Labelled, *, enabled: bool
) -> tuple[list[Record], DedupResult | None, PrismaCounts]:
    """The records to write, the de-duplication (None when off) and the PRISMA counts."""
    if not enabled:
        counts = PrismaCounts(
            databases=identified, duplicates_removed=0, after_dedup=len(new.records)
        )
        return new.records, None, counts
    result = dedupe(new.records, against=prior.records)
    with library_errors():
        counts = prisma_counts(identified, result)
    return result.merged, result, counts


def _group_rows(result: DedupResult, new: Labelled, prior: Labelled) -> Iterator[dict[str, str]]:
    for number, group in enumerate(result.groups, start=1):
        outcome = "already screened" if group.has_prior else "merged"
        names = {member: f"m{i}" for i, member in enumerate(group.members, start=1)}
        for member, record in zip(group.members, group.records, strict=True):
            links = [
                f"{names[link.right if link.left == member else link.left]}: {link.reason}"
                for link in group.links
                if member in (link.left, link.right)
            ]
            yield {
                "group": str(number),
                "outcome": outcome,
                "member": names[member],
                "origin": _label(member, new, prior),
                "title": record.title or "",
                "year": "" if record.year is None else str(record.year),
                "doi": record.ids.doi or "",
                "pmid": record.ids.pmid or "",
                "links": "; ".join(links),
            }


def _label(member: Member, new: Labelled, prior: Labelled) -> str:
    if member.prior:
        return f"already screened: {prior.labels[member.index]}"
    return new.labels[member.index]


def write_groups(path: Path, result: DedupResult, new: Labelled, prior: Labelled) -> None:
    """Write every duplicate group, one row per record, so a reviewer can audit the links."""

    def write(fp: IO[str]) -> None:
        writer = csv.DictWriter(fp, fieldnames=GROUP_COLUMNS)
        writer.writeheader()
        writer.writerows(_group_rows(result, new, prior))

    try:
        atomic_write(path, write, newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc}") from exc


def counts_table(counts: PrismaCounts) -> Table:
    """The PRISMA counts for the terminal."""
    table = Table(title="PRISMA 2020 counts")
    table.add_column("box")
    table.add_column("n", justify="right")
    for label, n in counts.rows():
        table.add_row(label, str(n))
    return table


def write_outputs(
    outputs: Outputs,
    new: Labelled,
    identified: dict[str, int],
    prior: Labelled,
    *,
    dedup: bool,
) -> PrismaCounts:
    """De-duplicate, write the records, the groups and the diagram; return the counts."""
    records, result, counts = deduplicate(new, identified, prior, enabled=dedup)
    with record_file_errors():
        write_file(outputs.records, records)
    if outputs.groups is not None and result is not None:
        write_groups(outputs.groups, result, new, prior)
    if outputs.prisma is not None:
        with library_errors():
            write_prisma(outputs.prisma, counts)
    stderr.print(f"wrote {len(records)} records to {outputs.records}", markup=False, soft_wrap=True)
    return counts


@main.command("dedupe")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option()
@dedup_options
def dedupe_command(
    inputs: tuple[Path, ...],
    output: Path,
    no_dedup: bool,
    against: tuple[Path, ...],
    groups_path: Path | None,
    prisma_path: Path | None,
) -> None:
    """De-duplicate record files from any source into one file and print the PRISMA counts.

    INPUTS are RIS, CSV, BibTeX, JSON Lines or PubMed MEDLINE (.nbib) files, e.g. exports
    of Web of Science or Scopus; each file counts as one source. Records matching an
    --against file (a library already screened) are removed and counted apart.

    Example: searchharvest dedupe wos.ris scopus.ris --against screened.ris -o new.ris
    --groups groups.csv
    """
    outputs = Outputs(output, groups_path, prisma_path)
    outputs.check(dedup=not no_dedup, against=against)
    new, per_file = read_records(inputs)
    prior, _ = read_records(against)
    stderr.print(counts_table(write_outputs(outputs, new, per_file, prior, dedup=not no_dedup)))
