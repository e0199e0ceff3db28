"""CSV in two layouts: ASReview's columns (the default) and every Record field.

ASReview reads `title`, `abstract`, `authors`, `keywords`, `year`, `doi` and `url` and
splits `authors` and `keywords` on `;` (asreview `data/base.py`, `data/utils.py`
`LIST_JOIN_CHAR`); the id columns (`pmid`, `pmcid`, `openalex`) ride along for
de-duplication and are ignored by ASReview. The `full` layout flattens every field, lists
joined with `; ` and provenance as JSON, so it round-trips. `read` accepts both.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any, Literal

from pydantic import ValidationError

from searchharvest.errors import RecordFileError
from searchharvest.export._fields import author_from_text, author_text, split_list, stream_name
from searchharvest.records import Record

Layout = Literal["asreview", "full"]

ASREVIEW_COLUMNS = ("title", "abstract", "authors", "keywords", "year", "doi", "url",
                    "pmid", "pmcid", "openalex", "journal")  # fmt: skip
FULL_COLUMNS = ("doi", "pmid", "pmcid", "openalex", "title", "abstract", "authors", "year",
                "publication_date", "journal", "issn", "volume", "issue", "pages", "type",
                "language", "keywords", "mesh", "publication_types", "url", "sources",
                "provenance")  # fmt: skip
_LISTS = ("issn", "keywords", "mesh", "publication_types", "sources")


def _row(record: Record, layout: Layout) -> dict[str, str]:
    sep = ";" if layout == "asreview" else "; "
    row: dict[str, str] = {
        "doi": record.ids.doi or "",
        "pmid": record.ids.pmid or "",
        "pmcid": record.ids.pmcid or "",
        "openalex": record.ids.openalex or "",
        "authors": sep.join(author_text(a) for a in record.authors),
        "year": str(record.year) if record.year is not None else "",
        "provenance": json.dumps([p.model_dump(mode="json") for p in record.provenance])
        if record.provenance
        else "",
    }
    for name in ("title", "abstract", "publication_date", "journal", "volume", "issue",
                 "pages", "type", "language", "url"):  # fmt: skip
        row[name] = getattr(record, name) or ""
    for name in _LISTS:
        row[name] = sep.join(getattr(record, name))
    return row


def write(records: Iterable[Record], fp: IO[str], layout: Layout = "asreview") -> None:
    """Write `records` as CSV with a header row (open `fp` with `newline=""`)."""
    columns = ASREVIEW_COLUMNS if layout == "asreview" else FULL_COLUMNS
    writer = csv.DictWriter(fp, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(_row(record, layout))


def _record(row: dict[str, str]) -> Record:
    def get(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    year = get("year")
    data: dict[str, Any] = {
        "ids": {k: get(k) for k in ("doi", "pmid", "pmcid", "openalex")},
        "title": get("title") or get("primary_title"),
        "authors": tuple(a for a in map(author_from_text, split_list(get("authors"))) if a),
        "year": int(float(year)) if year else None,
        "provenance": json.loads(row["provenance"]) if get("provenance") else (),
    }
    for name in ("abstract", "publication_date", "journal", "volume", "issue", "pages",
                 "type", "language", "url"):  # fmt: skip
        data[name] = get(name)
    for name in _LISTS:
        data[name] = split_list(get(name))
    return Record.model_validate(data)


def read(fp: IO[str]) -> list[Record]:
    """Read a CSV written by `write` (either layout) or any CSV with ASReview's columns.

    Raises:
        RecordFileError: a row is not a valid record (with its line number).
    """
    reader = csv.DictReader(fp)
    records: list[Record] = []
    for row in reader:
        try:
            records.append(_record(row))
        except (ValidationError, ValueError) as exc:
            raise RecordFileError(
                f"row is not a valid record: {exc}", stream_name(fp), reader.line_num
            ) from exc
    return records
