"""OpenAlex work JSON → `Record`, plus the list-page envelope and reference ids.

Work object reference: https://developers.openalex.org/api-reference/works
(older copy: https://docs.openalex.org/api-entities/works/work-object).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from searchharvest.errors import MalformedResponse
from searchharvest.mappers._common import dedupe, provenance_tuple, year_of
from searchharvest.mappers.languages import to_iso639_1
from searchharvest.records import Provenance, Record, normalize_openalex

MAPPED_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "doi",
    "title",
    "display_name",
    "publication_year",
    "publication_date",
    "ids",
    "language",
    "type",
    "primary_location",
    "authorships",
    "biblio",
    "abstract_inverted_index",
    "keywords",
    "mesh",
)
"""The root-level work fields `parse_openalex_work` reads: the base of every `select`."""

_TYPES: Final[dict[str, str]] = {
    "article": "journal-article",
    "review": "journal-article",
    "letter": "journal-article",
    "editorial": "journal-article",
    "erratum": "journal-article",
    "retraction": "journal-article",
    "preprint": "posted-content",
    "book": "book",
    "book-chapter": "book-chapter",
    "reference-entry": "reference-entry",
    "report": "report",
    "dissertation": "dissertation",
    "dataset": "dataset",
    "standard": "standard",
    "peer-review": "peer-review",
    "supplementary-materials": "component",
}
"""OpenAlex work type → `Record.type`; article genres collapse to their form. Any other
type (paratext, libguides, grant, other) becomes `other`."""

_PARTICLES: Final[frozenset[str]] = frozenset(
    {"da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "la", "le", "ten", "ter"}
    | {"van", "von", "zu"}
)
"""Lower-case name particles that belong to the family name (`Ludwig van Beethoven`)."""


def invert_abstract(index: dict[str, list[int]] | None) -> str | None:
    """Rebuild the plain abstract from OpenAlex's `abstract_inverted_index`.

    OpenAlex ships abstracts only as `{word: [positions]}` for legal reasons; putting
    every word back at its positions restores the text (punctuation stays attached to
    its word, so nothing else is needed). The words go into one list indexed by
    position, as long as the number of positions, with no sort: this runs for every
    harvested work. Positions that do not fit that list (gaps, negative or non-integer
    values) take the sorted path, with the same result.

    >>> invert_abstract({"Hello": [0], "world.": [1, 3], "big": [2]})
    'Hello world. big world.'
    """
    if not index:
        return None
    slots: list[str | None] = [None] * sum(map(len, index.values()))
    try:
        for word, places in index.items():
            for place in places:
                if place < 0:
                    raise IndexError(place)
                slots[place] = word
    except (IndexError, TypeError):  # a gap past the end, or not list indices
        return _invert_sorted(index)
    return " ".join([word for word in slots if word is not None]) or None


def _invert_sorted(index: dict[str, list[int]]) -> str | None:
    """Any positions that sort (negative, sparse, non-integer), placed by sorting."""
    words: dict[int, str] = {}
    for word, places in index.items():
        for place in places:
            words[place] = word
    return " ".join(words[p] for p in sorted(words)) or None


def split_name(
    display_name: str | None, raw_name: str | None = None
) -> tuple[str | None, str | None]:
    """Split an OpenAlex author name into `(family, given)`.

    OpenAlex gives one display string. When the name as printed in the work
    (`raw_author_name`) is written `Family, Given`, that split is used; otherwise the
    last word of `display_name` is the family name, together with any lower-case
    particles before it (`van`, `de`, ...), and the rest is the given name.

    >>> split_name("Andres M. Bran"), split_name("Ludwig van Beethoven")
    (('Bran', 'Andres M.'), ('van Beethoven', 'Ludwig'))
    >>> split_name("Heather Piwowar", "Piwowar, Heather A.")
    ('Piwowar', 'Heather A.')
    """
    if raw_name and raw_name.count(",") == 1:
        family, given = (part.strip() for part in raw_name.split(","))
        if family and given:
            return family, given
    tokens = (display_name or raw_name or "").split()
    if not tokens:
        return None, None
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(tokens[start:]), " ".join(tokens[:start]) or None


def _author(authorship: dict[str, Any]) -> dict[str, Any]:
    """The fields of one `Author`, left for `Record.model_validate` to check.

    An absent ORCID or affiliation list is left out rather than set to None, so `Author`
    takes its default without running its validator (six authors a work on average).
    """
    person = authorship.get("author") or {}
    family, given = split_name(person.get("display_name"), authorship.get("raw_author_name"))
    author: dict[str, Any] = {"family": family, "given": given}
    if orcid := person.get("orcid"):
        author["orcid"] = orcid
    institutions = [i.get("display_name") for i in authorship.get("institutions") or []]
    if affiliations := dedupe([*institutions, *(authorship.get("raw_affiliation_strings") or [])]):
        author["affiliations"] = affiliations
    return author


def _mesh(entries: list[dict[str, Any]] | None) -> tuple[str, ...]:
    """One heading per descriptor (OpenAlex repeats it per qualifier), `*` if any is major."""
    major: dict[str, bool] = {}
    for entry in entries or []:
        name = entry.get("descriptor_name")
        if name:
            major[name] = major.get(name, False) or bool(entry.get("is_major_topic"))
    return tuple(f"{name}*" if is_major else name for name, is_major in major.items())


def _pages(biblio: dict[str, Any]) -> str | None:
    first, last = biblio.get("first_page"), biblio.get("last_page")
    if first and last and first != last:
        return f"{first}-{last}"
    return first or last


def parse_openalex_work(raw: dict[str, Any], *, provenance: Provenance | None = None) -> Record:
    """Map one OpenAlex work object to a `Record`.

    `keywords` are OpenAlex's own machine-assigned keywords (`keywords[].display_name`),
    not the author keywords PubMed carries. Affiliations are the institutions' display
    names followed by the raw affiliation strings.

    Args:
        raw: one element of `results`, or a single-work response.
        provenance: attached to the record when given.

    Raises:
        MalformedResponse: `raw` is not a work object (no `id`).

    >>> parse_openalex_work({"id": "https://openalex.org/W1", "title": "T"}).ids.openalex
    'W1'
    """
    if not isinstance(raw, dict) or not raw.get("id"):
        raise MalformedResponse("OpenAlex work without an id", "openalex work")
    ids = raw.get("ids") or {}
    location = raw.get("primary_location") or {}
    source = location.get("source") or {}
    biblio = raw.get("biblio") or {}
    raw_type = raw.get("type")
    date = raw.get("publication_date")
    year = raw.get("publication_year")
    return Record.model_validate(
        {
            "ids": {
                "doi": raw.get("doi") or ids.get("doi"),
                "pmid": ids.get("pmid"),
                "pmcid": ids.get("pmcid"),
                "openalex": raw.get("id") or ids.get("openalex"),
            },
            "title": raw.get("title") or raw.get("display_name"),
            "abstract": invert_abstract(raw.get("abstract_inverted_index")),
            "authors": [_author(a) for a in raw.get("authorships") or []],
            "year": year if isinstance(year, int) else year_of(date),
            "publication_date": date,
            "journal": source.get("display_name"),
            "issn": dedupe([*(source.get("issn") or []), source.get("issn_l")]),
            "volume": biblio.get("volume"),
            "issue": biblio.get("issue"),
            "pages": _pages(biblio),
            "type": _TYPES.get(raw_type, "other") if raw_type else None,
            "language": to_iso639_1(raw.get("language")),
            "keywords": dedupe(k.get("display_name") for k in raw.get("keywords") or []),
            "mesh": _mesh(raw.get("mesh")),
            "publication_types": (raw_type,) if raw_type else (),
            "url": raw.get("id"),
            "sources": ("openalex",),
            "provenance": provenance_tuple(provenance),
        }
    )


def openalex_references(raw: dict[str, Any]) -> list[str]:
    """The bare `W…` ids of the works this work cites (`referenced_works`).

    Some ids point at works OpenAlex has since merged; a lookup follows the redirect.
    The count is `len()` of the result (OpenAlex also sends `referenced_works_count`).

    >>> openalex_references({"referenced_works": ["https://openalex.org/W12", "x"]})
    ['W12']
    """
    ids = (normalize_openalex(w) for w in raw.get("referenced_works") or [] if isinstance(w, str))
    return [w for w in ids if w]


@dataclass(frozen=True, slots=True)
class OpenAlexPage:
    """One page of an OpenAlex list answer.

    `next_cursor` is None with basic paging and on the last cursor page. With `cursor=*`
    the first page carries a cursor even when every result fits on it; only the next
    request returns `results: []` and a null cursor.
    """

    count: int
    next_cursor: str | None
    results: list[dict[str, Any]]


def parse_openalex_page(body: bytes | dict[str, Any]) -> OpenAlexPage:
    """Read the `{"meta": {...}, "results": [...]}` envelope of a list answer.

    Raises:
        MalformedResponse: not JSON, or not the documented shape (an error body such as
            `{"error": ..., "message": ...}` included, with the server's message).

    >>> parse_openalex_page({"meta": {"count": 0, "next_cursor": None}, "results": []})
    OpenAlexPage(count=0, next_cursor=None, results=[])
    """
    data: Any = body
    if isinstance(body, bytes):
        try:
            data = orjson.loads(body)
        except ValueError as exc:
            raise MalformedResponse(f"OpenAlex answer is not JSON: {exc}", "openalex list") from exc
    if not isinstance(data, dict):
        raise MalformedResponse("OpenAlex answer is not a JSON object", "openalex list")
    meta, results = data.get("meta"), data.get("results")
    if not isinstance(meta, dict) or not isinstance(results, list):
        message = data.get("message") or data.get("error") or "no meta/results"
        raise MalformedResponse(f"OpenAlex error: {message}", "openalex list")
    count = meta.get("count")
    if not isinstance(count, int):
        raise MalformedResponse("OpenAlex meta without an integer count", "openalex list")
    return OpenAlexPage(count=count, next_cursor=meta.get("next_cursor"), results=results)
