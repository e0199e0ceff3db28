"""PubMed-format (MEDLINE tagged, `.nbib`) files → `Record`.

Users bring these from PubMed's "Send to → Citation manager" or "Save → PubMed format".
Field reference: https://www.nlm.nih.gov/bsd/mms/medlineelements.html

`Bio.Medline` reads the fields but keeps each tag as a separate list, which loses which
`AD` (affiliation) and `AUID` (ORCID) belongs to which author. So each record's lines
are also walked in order to rebuild the author list; everything else comes from
`Bio.Medline`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from Bio import Medline

from searchharvest.mappers._common import dedupe, earliest_date, iso_date, parse_free_date, year_of
from searchharvest.mappers.languages import to_iso639_1
from searchharvest.records import Author, Ids, Provenance, Record

_ISSN = re.compile(r"\b(\d{4}-\d{3}[\dXx])\b")
_TAGGED_ID = re.compile(r"^(\S+)\s*\[(\w+)\]$")
_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"


def _chunks(handle: Iterable[str]) -> Iterator[list[str]]:
    """Group the lines of a file into records, which blank lines separate."""
    chunk: list[str] = []
    for line in handle:
        if line.strip():
            chunk.append(line if line.endswith("\n") else line + "\n")
        elif chunk and not line.startswith("      "):
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tagged(lines: list[str]) -> Iterator[tuple[str, str]]:
    """`(tag, value)` pairs in file order, continuation lines joined."""
    tag, value = "", ""
    for line in lines:
        if line.startswith("      "):
            value += " " + line.strip()
            continue
        if tag:
            yield tag, value
        tag, value = line[:4].strip(), line[6:].strip()
    if tag:
        yield tag, value


def _authors(lines: list[str]) -> tuple[Author, ...]:
    """Authors in order, each with the AD and AUID lines that follow it.

    `FAU` (full name) is followed by `AU` (short name) for the same person; an `AU`
    without a preceding `FAU` (older records) is a person of its own; `CN` is a group.
    """
    people: list[dict[str, Any]] = []
    short_name_pending = False
    for tag, value in _tagged(lines):
        if tag in ("FAU", "CN"):
            family, _, given = value.partition(",") if tag == "FAU" else (value, "", "")
            people.append({"family": family, "given": given, "ad": [], "orcid": None})
            short_name_pending = tag == "FAU"
        elif tag == "AU" and short_name_pending:
            short_name_pending = False
        elif tag == "AU":
            family, _, initials = value.rpartition(" ")
            people.append({"family": family or value, "given": initials if family else None})
            people[-1].update(ad=[], orcid=None)
        elif tag == "AD" and people:
            people[-1]["ad"].append(value)
        elif tag == "AUID" and people and value.upper().startswith("ORCID"):
            people[-1]["orcid"] = value
    return tuple(
        Author(
            family=p["family"],
            given=p["given"],
            orcid=p["orcid"],
            affiliations=dedupe(p["ad"]),
        )
        for p in people
    )


def _list(record: Any, tag: str) -> list[str]:
    value = record.get(tag, [])
    return [value] if isinstance(value, str) else list(value)


def _mesh(headings: list[str]) -> tuple[str, ...]:
    """`*Pain/drug therapy` or `Pain/*drug therapy` → `Pain*`; `Humans` → `Humans`."""
    result = []
    for heading in headings:
        descriptor = heading.split("/", 1)[0]
        name = descriptor.lstrip("*").strip()
        if name:
            result.append(f"{name}*" if "*" in heading else name)
    return tuple(result)


def _ids(record: Any) -> Ids:
    found: dict[str, str] = {}
    for value in [*_list(record, "LID"), *_list(record, "AID")]:
        match = _TAGGED_ID.match(value.strip())
        if match:
            found.setdefault(match.group(2).lower(), match.group(1))
    return Ids(
        doi=found.get("doi"), pmid=record.get("PMID"), pmcid=record.get("PMC") or found.get("pmc")
    )


def _dates(record: Any) -> str | None:
    electronic = record.get("DEP", "")
    dep = None
    if len(electronic) == 8 and electronic.isdigit():
        dep = iso_date(electronic[:4], int(electronic[4:6]), int(electronic[6:]))
    return earliest_date([parse_free_date(record.get("DP")), dep])


def _pages(record: Any) -> str | None:
    pages = record.get("PG")
    if pages:
        return str(pages)
    for value in _list(record, "LID"):
        match = _TAGGED_ID.match(value.strip())
        if match and match.group(2) == "pii":
            return match.group(1)
    return None


def read_nbib(handle: TextIO, *, provenance: Provenance | None = None) -> Iterator[Record]:
    """Read the records of a PubMed-format (`.nbib`) file.

    Args:
        handle: the open text file.
        provenance: attached to every record when given.

    Yields:
        One `Record` per record in the file, with the same fields the EFetch XML
        mapper fills (abstract structure is lost: the format has one `AB` paragraph).

    >>> import io
    >>> text = "PMID- 1\\nTI  - A title\\nFAU - Smith, Jane\\nAU  - Smith J\\nLA  - eng\\n"
    >>> record = next(read_nbib(io.StringIO(text)))
    >>> record.ids.pmid, record.title, record.authors[0].given, record.language
    ('1', 'A title', 'Jane', 'en')
    """
    provenances = (provenance,) if provenance is not None else ()
    for lines in _chunks(handle):
        record = next(iter(Medline.parse(lines)), None)  # type: ignore[no-untyped-call]
        if not record or "PMID" not in record:
            continue
        date = _dates(record)
        publication_types = tuple(_list(record, "PT"))
        pmid = record["PMID"].strip()
        yield Record(
            ids=_ids(record),
            title=record.get("TI") or record.get("BTI") or record.get("TT"),
            abstract=record.get("AB"),
            authors=_authors(lines),
            year=year_of(date),
            publication_date=date,
            journal=record.get("JT") or record.get("TA"),
            issn=dedupe(_ISSN.findall(record.get("IS", ""))),
            volume=record.get("VI"),
            issue=record.get("IP"),
            pages=_pages(record),
            type="posted-content" if "Preprint" in publication_types else "journal-article",
            language=to_iso639_1(next(iter(_list(record, "LA")), None)),
            keywords=dedupe(_list(record, "OT")),
            mesh=_mesh(_list(record, "MH")),
            publication_types=publication_types,
            url=_PUBMED_URL.format(pmid),
            sources=("pubmed",),
            provenance=provenances,
        )
