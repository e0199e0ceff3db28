"""Record files: write and read RIS, CSV, BibTeX and JSON Lines, chosen by suffix.

Each format is one module with `write(records, fp)` and `read(fp) -> list[Record]`;
`write_file` and `read_file` pick the module from the file suffix (or `format=`), write
atomically, and turn every failure into `RecordFileError` naming the file (and the line
where the format allows). `.nbib` (PubMed MEDLINE) is read-only, through the PubMed mapper.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO, cast

from searchharvest.errors import RecordFileError
from searchharvest.export import bibtex, jsonl, ris
from searchharvest.export import csv as csv_format
from searchharvest.export._atomic import atomic_write
from searchharvest.mappers.medline import read_nbib
from searchharvest.records import Record

Writer = Callable[[Iterable[Record], IO[str]], None]
Reader = Callable[[IO[str]], list[Record]]


@dataclass(frozen=True, slots=True)
class Format:
    """One record file format: its writer (None when read-only) and reader."""

    name: str
    write: Writer | None
    read: Reader
    newline: str | None = None
    """`""` for CSV, whose module writes its own line ends."""


def _read_nbib(fp: IO[str]) -> list[Record]:
    return list(read_nbib(cast(TextIO, fp)))


FORMATS: dict[str, Format] = {
    "ris": Format("ris", ris.write, ris.read),
    "csv": Format("csv", csv_format.write, csv_format.read, newline=""),
    "csv-full": Format(
        "csv-full",
        functools.partial(csv_format.write, layout="full"),
        csv_format.read,
        newline="",
    ),
    "bibtex": Format("bibtex", bibtex.write, bibtex.read),
    "jsonl": Format("jsonl", jsonl.write, jsonl.read),
    "nbib": Format("nbib", None, _read_nbib),
}
"""Formats by name; `csv` is ASReview's layout, `csv-full` every Record field."""

SUFFIXES: dict[str, str] = {
    ".ris": "ris",
    ".csv": "csv",
    ".bib": "bibtex",
    ".jsonl": "jsonl",
    ".nbib": "nbib",
}
"""Format name by file suffix."""


def get_format(path: Path, format: str | None = None) -> Format:
    """The format named by `format`, else by the suffix of `path`.

    Raises:
        RecordFileError: neither names a known format.
    """
    name = format or SUFFIXES.get(path.suffix.lower())
    if name is None or name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        what = f"format {format!r}" if format else f"suffix {path.suffix!r}"
        raise RecordFileError(f"unknown {what}; known formats: {known}", str(path))
    return FORMATS[name]


def write_file(path: str | Path, records: Iterable[Record], format: str | None = None) -> Path:
    """Write `records` to `path` atomically (temp file + rename) and return the path.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "hits.ris"
    >>> write_file(out, [Record(title="A trial")]).name
    'hits.ris'

    Raises:
        RecordFileError: unknown or read-only format, or the file cannot be written.
    """
    target = Path(path)
    fmt = get_format(target, format)
    writer = fmt.write
    if writer is None:
        raise RecordFileError(f"{fmt.name} is read-only", str(target))
    items = list(records)
    try:
        atomic_write(target, lambda fp: writer(items, fp), newline=fmt.newline)
    except OSError as exc:
        raise RecordFileError(f"cannot write: {exc}", str(target)) from exc
    return target


def read_file(path: str | Path, format: str | None = None) -> list[Record]:
    """Read every record of a RIS, CSV, BibTeX, JSON Lines or MEDLINE (.nbib) file.

    Raises:
        RecordFileError: unknown format, unreadable file, or a record that is not valid.
    """
    source = Path(path)
    fmt = get_format(source, format)
    try:
        with open(source, encoding="utf-8-sig", newline=fmt.newline) as fp:
            return fmt.read(fp)
    except RecordFileError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordFileError(f"cannot read: {exc}", str(source)) from exc


__all__ = ["FORMATS", "SUFFIXES", "Format", "get_format", "read_file", "write_file"]
