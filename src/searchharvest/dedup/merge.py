"""`merge()`: one record from several copies of a work, losing nothing a reviewer needs.

Which value wins, field by field (ties go to the earlier record):

| field | winner |
|---|---|
| ids (doi, pmid, pmcid, openalex) | first non-empty of each identifier |
| title | first title not written in capitals, else the first title |
| abstract | the longest |
| authors | the longest list; equal length: the one with the most given-name letters |
| publication_date, year | the most precise date (`2021-03-04` over `2021`); year from it |
| journal, volume, issue, pages, type, language, url | first non-empty |
| issn, keywords, mesh, publication_types | union, first-seen order |
| sources, provenance | union, first-seen order: every input stays traceable |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from searchharvest.records import Author, Ids, Record

T = TypeVar("T")


def _union(values: Iterable[Iterable[T]]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(v for group in values for v in group))


def _first(records: Sequence[Record], get: Callable[[Record], T | None]) -> T | None:
    return next((v for v in map(get, records) if v), None)


def _author_weight(authors: tuple[Author, ...]) -> tuple[int, int]:
    return len(authors), sum(len(a.given or "") for a in authors)


def merge(records: Sequence[Record]) -> Record:
    """Merge copies of one work into a single record (see the module table for winners).

    Raises:
        ValueError: `records` is empty.

    >>> copies = [Record(title="A", sources=("pubmed",)), Record(sources=("openalex",))]
    >>> merge(copies).sources
    ('pubmed', 'openalex')
    """
    if not records:
        raise ValueError("merge() needs at least one record")
    if len(records) == 1:
        return records[0]
    # Every value comes from an already validated Record, so the merged one is built
    # without validating again (on a large harvest that was most of the merge time).
    ids = Ids.model_construct(
        doi=_first(records, lambda r: r.ids.doi),
        pmid=_first(records, lambda r: r.ids.pmid),
        pmcid=_first(records, lambda r: r.ids.pmcid),
        openalex=_first(records, lambda r: r.ids.openalex),
    )
    titles = [r.title for r in records if r.title]
    title = next((t for t in titles if not t.isupper()), titles[0] if titles else None)
    abstract = max((r.abstract for r in records if r.abstract), key=len, default=None)
    authors = max((r.authors for r in records), key=_author_weight)
    dated = [r for r in records if r.publication_date]
    best_date = max(dated, key=lambda r: len(r.publication_date or "")) if dated else None
    if best_date is not None and best_date.publication_date:
        year: int | None = int(best_date.publication_date[:4])
    else:
        year = _first(records, lambda r: r.year)
    return Record.model_construct(
        ids=ids,
        title=title,
        abstract=abstract,
        authors=authors,
        year=year,
        publication_date=best_date.publication_date if best_date else None,
        journal=_first(records, lambda r: r.journal),
        issn=_union(r.issn for r in records),
        volume=_first(records, lambda r: r.volume),
        issue=_first(records, lambda r: r.issue),
        pages=_first(records, lambda r: r.pages),
        type=_first(records, lambda r: r.type),
        language=_first(records, lambda r: r.language),
        keywords=_union(r.keywords for r in records),
        mesh=_union(r.mesh for r in records),
        publication_types=_union(r.publication_types for r in records),
        url=_first(records, lambda r: r.url),
        sources=_union(r.sources for r in records),
        provenance=_union(r.provenance for r in records),
    )
