"""RIS for EndNote, Zotero, Rayyan and Covidence, written and read through rispy.

Tags written (see `docs/exports.md` for the sources): TY, AU (`Family, Given`, one per
author), TI, AB, T2 and JO (journal), PY, DA, VL, IS, SP, EP, DO, SN, KW, UR, LA,
AN (PubMed id: the accession number EndNote's PubMed filter and Zotero fill in), and N1
notes for the identifiers and fields RIS has no tag for, so that they round-trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import rispy
from pydantic import ValidationError

from searchharvest.errors import RecordFileError
from searchharvest.export._fields import (
    author_from_text,
    author_text,
    iso_date,
    join_pages,
    split_list,
    split_pages,
    stream_name,
    year_from,
)
from searchharvest.records import Record

TYPE_TO_RIS: dict[str, str] = {
    "journal-article": "JOUR",
    "proceedings-article": "CONF",
    "posted-content": "UNPB",
    "book": "BOOK",
    "book-chapter": "CHAP",
    "report": "RPRT",
    "dissertation": "THES",
    "dataset": "DATA",
    "standard": "STAND",
    "reference-entry": "ENCYC",
    "other": "GEN",
}
RIS_TO_TYPE: dict[str, str] = {v: k for k, v in TYPE_TO_RIS.items()} | {
    "CPAPER": "proceedings-article",
    "EJOUR": "journal-article",
    "JFULL": "journal-article",
    "INPR": "journal-article",
    "ECHAP": "book-chapter",
    "EBOOK": "book",
    "EDBOOK": "book",
}
_NOTES = {
    "PMCID": "pmcid",
    "OpenAlex": "openalex",
    "Sources": "sources",
    "Publication types": "publication_types",
    "MeSH": "mesh",
}


def _entry(record: Record) -> dict[str, Any]:
    first, last = split_pages(record.pages)
    notes = [
        f"{label}: {value}"
        for label, value in (
            ("PMCID", record.ids.pmcid),
            ("OpenAlex", record.ids.openalex),
            ("Sources", "; ".join(record.sources)),
            ("Publication types", "; ".join(record.publication_types)),
            ("MeSH", "; ".join(record.mesh)),
        )
        if value
    ]
    entry: dict[str, Any] = {
        "type_of_reference": TYPE_TO_RIS.get(record.type or "", "GEN"),
        "authors": [author_text(a) for a in record.authors if author_text(a)],
        "title": record.title,
        "abstract": record.abstract,
        "secondary_title": record.journal,
        "journal_name": record.journal,
        "year": str(record.year) if record.year else None,
        "date": record.publication_date.replace("-", "/") if record.publication_date else None,
        "volume": record.volume,
        "number": record.issue,
        "start_page": first,
        "end_page": last,
        "doi": record.ids.doi,
        "issn": "; ".join(record.issn) or None,
        "keywords": list(record.keywords),
        "urls": [record.url] if record.url else [],
        "language": record.language,
        "accession_number": record.ids.pmid,
        "notes": notes,
    }
    return {k: v for k, v in entry.items() if v not in (None, [], "")}


class _Writer(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no types
    """rispy's writer without its `1.` counter line before each reference, which
    strict importers read as garbage between references."""

    def set_header(self, count: int) -> None:
        return None


def write(records: Iterable[Record], fp: IO[str]) -> None:
    """Write `records` as RIS."""
    rispy.dump([_entry(r) for r in records], fp, implementation=_Writer)


def _one(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value else None


def _record(entry: dict[str, Any]) -> Record:
    notes: dict[str, str] = {}
    for note in entry.get("notes", []):
        label, sep, value = str(note).partition(": ")
        if sep and label in _NOTES:
            notes[_NOTES[label]] = value
    pmid = _one(entry.get("accession_number"))
    date = iso_date(_one(entry.get("date")))
    year = year_from(_one(entry.get("year")) or _one(entry.get("publication_year")) or date)
    names = entry.get("authors") or entry.get("first_authors") or []
    authors = [author_from_text(a) for a in names]
    return Record(
        ids={
            "doi": _one(entry.get("doi")),
            "pmid": pmid if pmid and pmid.isdigit() else None,
            "pmcid": notes.get("pmcid"),
            "openalex": notes.get("openalex"),
        },
        title=_one(entry.get("title")) or _one(entry.get("primary_title")),
        abstract=_one(entry.get("abstract")),
        authors=tuple(a for a in authors if a is not None),
        year=year,
        publication_date=date,
        journal=_one(entry.get("secondary_title"))
        or _one(entry.get("journal_name"))
        or _one(entry.get("alternate_title3")),
        issn=split_list(_one(entry.get("issn"))),
        volume=_one(entry.get("volume")),
        issue=_one(entry.get("number")),
        pages=join_pages(_one(entry.get("start_page")), _one(entry.get("end_page"))),
        type=RIS_TO_TYPE.get(_one(entry.get("type_of_reference")) or "", "other"),
        language=_one(entry.get("language")),
        keywords=tuple(entry.get("keywords", [])),
        mesh=split_list(notes.get("mesh")),
        publication_types=split_list(notes.get("publication_types")),
        url=_one(entry.get("urls")),
        sources=split_list(notes.get("sources")),
    )


def read(fp: IO[str]) -> list[Record]:
    """Read every RIS reference into a Record.

    Raises:
        RecordFileError: the file is not RIS, or a reference is not a valid record.
    """
    name = stream_name(fp)
    try:
        entries = rispy.load(fp)
    except (OSError, ValueError, KeyError) as exc:
        raise RecordFileError(f"not a RIS file: {exc}", name) from exc
    records: list[Record] = []
    for number, entry in enumerate(entries, start=1):
        try:
            records.append(_record(entry))
        except ValidationError as exc:
            raise RecordFileError(f"reference {number} is not a valid record: {exc}", name) from exc
    return records
