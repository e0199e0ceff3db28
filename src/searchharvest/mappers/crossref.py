"""Crossref REST work JSON → `Record`, plus the list envelope and the reference list.

Work format reference: https://github.com/CrossRef/rest-api-doc/blob/master/api_format.md
(current docs: https://api.crossref.org/swagger-ui/index.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from searchharvest.errors import MalformedResponse
from searchharvest.mappers._common import (
    WORK_TYPES,
    dedupe,
    earliest_date,
    iso_date,
    provenance_tuple,
    year_of,
)
from searchharvest.mappers.jats import jats_to_text
from searchharvest.mappers.languages import to_iso639_1
from searchharvest.records import Author, Ids, Provenance, Record

_TYPES: Final[dict[str, str]] = {
    "book-section": "book-chapter",
    "book-part": "book-chapter",
    "book-track": "book-chapter",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "report-component": "report",
    "report-series": "report",
}
"""Crossref types that are not in `WORK_TYPES` but have an obvious form; any other
(journal, journal-issue, proceedings, database, grant, ...) becomes `other`."""


def _date(raw: dict[str, Any], key: str) -> str | None:
    """`{"date-parts": [[2015, 11, 19]]}` → `2015-11-19`; `[[null]]` → None."""
    parts = (raw.get(key) or {}).get("date-parts") or [[]]
    first = parts[0] or []
    values = [int(p) if isinstance(p, int | str) and str(p).isdigit() else None for p in first]
    values += [None] * (3 - len(values))
    return iso_date(values[0], values[1], values[2])


def publication_date(raw: dict[str, Any]) -> str | None:
    """The earliest of `published-print` and `published-online`, else `issued`, else
    `published`.

    Crossref's `issued` is already "the earliest known publication date", but it may
    be the only date a member deposited; print and online dates, when present, are the
    members' own statements and win. The earliest is taken so a record of an article
    that was online in December and in print in January carries the December date.

    >>> publication_date({"published-print": {"date-parts": [[2021, 1]]},
    ...                   "published-online": {"date-parts": [[2020, 12, 3]]}})
    '2020-12-03'
    """
    found = earliest_date([_date(raw, "published-print"), _date(raw, "published-online")])
    return found or _date(raw, "issued") or _date(raw, "published")


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value if isinstance(value, str) else None


def _author(raw: dict[str, Any]) -> Author:
    return Author(
        family=raw.get("family") or raw.get("name"),
        given=raw.get("given"),
        orcid=raw.get("ORCID"),
        affiliations=dedupe(a.get("name") for a in raw.get("affiliation") or []),
    )


def parse_crossref_work(raw: dict[str, Any], *, provenance: Provenance | None = None) -> Record:
    """Map one Crossref work (`message` of /works/{doi}, or an `items` entry) to a `Record`.

    The title is `title[0]`, followed by `: subtitle[0]` when there is a subtitle, as
    a citation prints it. `subject` (journal-level subject areas) is not mapped to
    keywords: it describes the journal, not the work.

    Raises:
        MalformedResponse: `raw` is not a work object (no `DOI`).

    >>> parse_crossref_work({"DOI": "10.1000/X", "title": ["T"], "type": "monograph"}).type
    'book'
    """
    if not isinstance(raw, dict) or not raw.get("DOI"):
        raise MalformedResponse("Crossref work without a DOI", "crossref work")
    title, subtitle = _first(raw.get("title")), _first(raw.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    abstract = raw.get("abstract")
    date = publication_date(raw)
    raw_type = raw.get("type")
    work_type = None
    if raw_type:
        work_type = raw_type if raw_type in WORK_TYPES else _TYPES.get(raw_type, "other")
    return Record(
        ids=Ids(doi=raw.get("DOI")),
        title=title,
        abstract=jats_to_text(abstract) if isinstance(abstract, str) else None,
        authors=tuple(_author(a) for a in raw.get("author") or []),
        year=year_of(date),
        publication_date=date,
        journal=_first(raw.get("container-title")),
        issn=dedupe(raw.get("ISSN") or []),
        volume=raw.get("volume"),
        issue=raw.get("issue"),
        pages=raw.get("page") or raw.get("article-number"),
        type=work_type,
        language=to_iso639_1(raw.get("language")),
        publication_types=(raw_type,) if raw_type else (),
        url=raw.get("URL"),
        sources=("crossref",),
        provenance=provenance_tuple(provenance),
    )


@dataclass(frozen=True, slots=True)
class CrossrefReference:
    """One entry of a work's `reference` list, for citation chaining.

    Many references have no DOI; then `text` holds the unstructured citation or, when
    there is none, the structured fields joined (author, year, title, journal, ...), so
    the reference can still be matched by title.
    """

    doi: str | None
    text: str | None
    key: str | None


_REFERENCE_FIELDS: Final = (
    "author",
    "year",
    "article-title",
    "volume-title",
    "series-title",
    "journal-title",
    "volume",
    "first-page",
)


def crossref_references(raw: dict[str, Any]) -> list[CrossrefReference]:
    """The references a Crossref work deposits (`reference`), DOI or citation text each.

    >>> crossref_references({"reference": [{"key": "r1", "DOI": "10.1000/A"}]})
    [CrossrefReference(doi='10.1000/a', text=None, key='r1')]
    """
    references = []
    for entry in raw.get("reference") or []:
        doi = Ids(doi=entry.get("DOI")).doi
        text = entry.get("unstructured")
        if not doi and not text:
            text = ", ".join(str(entry[f]) for f in _REFERENCE_FIELDS if entry.get(f)) or None
        references.append(
            CrossrefReference(doi=doi, text=text if not doi else None, key=entry.get("key"))
        )
    return references


@dataclass(frozen=True, slots=True)
class CrossrefPage:
    """One page of a Crossref `work-list` answer; `next_cursor` only with `cursor=`."""

    total: int
    next_cursor: str | None
    items: list[dict[str, Any]]


def _message(body: bytes | dict[str, Any], request: str) -> Any:
    """The `message` of an answer; a `status: failed` body raises with the server's text."""
    data: Any = body
    if isinstance(body, bytes):
        try:
            data = orjson.loads(body)
        except ValueError as exc:
            text = body[:200].decode("utf-8", "replace").strip()
            raise MalformedResponse(f"Crossref answer is not JSON: {text!r}", request) from exc
    if not isinstance(data, dict):
        raise MalformedResponse("Crossref answer is not a JSON object", request)
    if data.get("status") != "ok":
        message = data.get("message")
        if isinstance(message, list):
            message = "; ".join(
                str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in message
            )
        raise MalformedResponse(f"Crossref {data.get('message-type', 'error')}: {message}", request)
    return data.get("message")


def parse_crossref_page(body: bytes | dict[str, Any]) -> CrossrefPage:
    """Read a `/works` list answer.

    Raises:
        MalformedResponse: not JSON, a `status: failed` body (with the server's message),
            or not a `work-list`.

    >>> parse_crossref_page({"status": "ok", "message-type": "work-list",
    ...                      "message": {"total-results": 0, "items": []}})
    CrossrefPage(total=0, next_cursor=None, items=[])
    """
    message = _message(body, "crossref works")
    if not isinstance(message, dict) or not isinstance(message.get("items"), list):
        raise MalformedResponse("Crossref answer without message.items", "crossref works")
    total = message.get("total-results")
    if not isinstance(total, int):
        raise MalformedResponse("Crossref answer without total-results", "crossref works")
    return CrossrefPage(total=total, next_cursor=message.get("next-cursor"), items=message["items"])


def parse_crossref_single(
    body: bytes | dict[str, Any], *, provenance: Provenance | None = None
) -> Record:
    """Read a `/works/{doi}` answer into a `Record`.

    Raises:
        MalformedResponse: not JSON, a `status: failed` body, or no work in it.
    """
    message = _message(body, "crossref work")
    if not isinstance(message, dict):
        raise MalformedResponse("Crossref answer without a work message", "crossref work")
    return parse_crossref_work(message, provenance=provenance)
