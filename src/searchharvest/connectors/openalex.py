"""OpenAlex `/works` with cursor paging.

Rules (https://developers.openalex.org/guides/page-through-results,
https://developers.openalex.org/guides/searching):
- `per_page` is at most 100; `cursor=*` starts deep paging and `meta.next_cursor` goes on.
  The first page carries a cursor even when every result fits on it, so we stop as soon
  as we hold `meta.count` records instead of spending one more request on an empty page.
- "the whole request URL is limited to about 4 KB": a query that does not fit is split
  into chunks whose union is the query (`dialects.openalex.split_or`), each run on its
  own, and the records are merged by OpenAlex id.
- Trailing wildcards are documented as supported, but older documentation said they were
  silently stripped. Before a query with truncation runs, the connector checks once
  (two one-record requests, cached) that `machin*` finds more works than `machine`; if
  not, truncation would silently lose records, so it raises `UnsupportedQueryError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar, Final

from searchharvest.connectors.base import Connector, DatabaseReport
from searchharvest.dialects.base import Compiled, Fidelity, Note
from searchharvest.dialects.openalex import split_or
from searchharvest.errors import UnsupportedQueryError
from searchharvest.mappers.openalex import parse_openalex_page, parse_openalex_work
from searchharvest.query.ast import Near, Phrase, Term, walk
from searchharvest.records import Record

PER_PAGE: Final = 100
"""The documented maximum page size (lowered from 200 to 100 in 2026)."""

SELECT: Final = ",".join(
    (
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
        "referenced_works_count",
    )
)
"""Root-level fields only ("select" rejects nested paths)."""

PROBE_FILTER: Final = "title_and_abstract.search:"


def _has_truncation(compiled: Compiled) -> bool:
    return any(
        isinstance(node, Term | Phrase | Near) and node.truncated for node in walk(compiled.query)
    )


class OpenAlexConnector(Connector):
    """Cursor-paged `/works` harvest of the compiled filter."""

    name: ClassVar[str] = "openalex"

    async def harvest(
        self, compiled: Compiled, report: DatabaseReport, *, limit: int | None
    ) -> AsyncIterator[Record]:
        if not isinstance(compiled.native, dict):
            raise TypeError("the OpenAlex dialect compiles to request parameters")
        if _has_truncation(compiled):
            await self._check_wildcards(compiled)
        chunks = split_or(compiled)
        if len(chunks) > 1:
            report.details["url_chunks"] = [chunk.native for chunk in chunks]
            report.notes.append(
                Note(
                    Fidelity.EXACT,
                    f"the request URL is over OpenAlex's limit; sent as {len(chunks)} "
                    "requests whose union is the query",
                    "(whole query)",
                )
            )
        provenance = self.provenance(compiled)
        seen: set[str] = set()
        total = 0
        yielded = 0
        for chunk in chunks:
            assert isinstance(chunk.native, dict)
            cursor: str | None = "*"
            fetched = 0
            count: int | None = None
            while cursor is not None and (count is None or fetched < count):
                params = {**chunk.native, "per_page": str(PER_PAGE), "cursor": cursor}
                params["select"] = SELECT
                page = parse_openalex_page(
                    (await self.http.get(self.name, "/works", params)).content
                )
                if count is None:
                    count = page.count
                    total += page.count
                    report.total = total
                if not page.results:
                    break
                fetched += len(page.results)
                cursor = page.next_cursor
                for raw in page.results:
                    record = parse_openalex_work(raw, provenance=provenance)
                    key = record.ids.openalex or record.key
                    if key in seen:
                        continue
                    seen.add(key)
                    yield record
                    yielded += 1
                    if limit is not None and yielded >= limit:
                        return
            if count is not None and fetched < count:
                report.complete = False
                report.warnings.append(
                    f"OpenAlex reported {count} records but paging ended after {fetched}"
                )
        if len(chunks) > 1:
            report.total = len(seen)
            report.details["chunk_total_with_overlap"] = total

    async def _check_wildcards(self, compiled: Compiled) -> None:
        """Raise if OpenAlex strips `*` instead of expanding it (see module docstring)."""

        async def count(search: str) -> int:
            params = {"filter": PROBE_FILTER + search, "per_page": "1", "select": "id"}
            response = await self.http.get(self.name, "/works", params)
            return parse_openalex_page(response.content).count

        if await count("machin*") > await count("machine"):
            return
        raise UnsupportedQueryError(
            self.name,
            [
                Note(
                    Fidelity.NARROWER,
                    "OpenAlex did not expand the trailing wildcard in a check "
                    "(machin* found no more works than machine), so truncated terms "
                    "would only match the bare stem",
                    "truncation",
                )
            ],
        )
