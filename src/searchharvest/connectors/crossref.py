"""Crossref `/works` with cursor paging.

Rules (https://api.crossref.org/swagger-ui/index.html, github.com/CrossRef/rest-api-doc):
- `rows` is at most 1,000; `cursor=*` then `next-cursor` pages through any query. "If the
  number of returned items is fewer than the number of expected rows then the end of the
  result set has been reached."
- `select` limits the elements returned (fewer bytes, faster answers).
- Query words are OR-matched and relevance-ranked, so the total can be huge. Harvesting
  stops at `scan_limit` records unless the caller raises it; the report then says the
  harvest is incomplete and how many records were not examined, never silently.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar, Final

from searchharvest.connectors.base import Connector, DatabaseReport
from searchharvest.dialects.base import Compiled
from searchharvest.http import HttpClient
from searchharvest.mappers.crossref import parse_crossref_page, parse_crossref_work
from searchharvest.records import Record

ROWS: Final = 1_000
"""The documented maximum `rows`."""

SCAN_LIMIT: Final = 100_000
"""Default most records examined in one Crossref harvest (100 requests)."""

SELECT: Final = ",".join(
    (
        "DOI",
        "title",
        "subtitle",
        "abstract",
        "author",
        "container-title",
        "ISSN",
        "volume",
        "issue",
        "page",
        "type",
        "language",
        "subject",
        "published-print",
        "published-online",
        "published",
        "issued",
        "URL",
        "references-count",
    )
)


class CrossrefConnector(Connector):
    """Cursor-paged `/works` harvest of the compiled query words and filters."""

    name: ClassVar[str] = "crossref"

    def __init__(self, http: HttpClient, scan_limit: int = SCAN_LIMIT, rows: int = ROWS) -> None:
        super().__init__(http)
        self.scan_limit = scan_limit
        self.rows = rows

    async def harvest(
        self, compiled: Compiled, report: DatabaseReport, *, limit: int | None
    ) -> AsyncIterator[Record]:
        if not isinstance(compiled.native, dict):
            raise TypeError("the Crossref dialect compiles to request parameters")
        provenance = self.provenance(compiled)
        cursor: str | None = "*"
        fetched = 0
        total: int | None = None
        while cursor is not None:
            rows = self.rows if limit is None else min(self.rows, limit - fetched)
            params = {**compiled.native, "rows": str(rows), "cursor": cursor, "select": SELECT}
            page = parse_crossref_page((await self.http.get(self.name, "/works", params)).content)
            if total is None:
                total = page.total
                report.total = total
            for raw in page.items:
                yield parse_crossref_work(raw, provenance=provenance)
            fetched += len(page.items)
            if len(page.items) < rows and fetched < total:
                report.complete = False
                report.warnings.append(
                    f"Crossref reported {total} records but the cursor ended after {fetched}"
                )
            if len(page.items) < rows or fetched >= total:
                return
            if limit is not None and fetched >= limit:
                return
            if fetched >= self.scan_limit:
                report.complete = False
                report.warnings.append(
                    f"stopped after examining {fetched} of {total} Crossref records "
                    f"(scan limit {self.scan_limit}); {total - fetched} records were not "
                    "examined. Raise the scan limit or narrow the query to see them all"
                )
                return
            cursor = page.next_cursor
