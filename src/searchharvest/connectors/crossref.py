"""Crossref `/works` with cursor paging.

Rules (https://api.crossref.org/swagger-ui/index.html, github.com/CrossRef/rest-api-doc):
- `rows` is at most 1,000; `cursor=*` then `next-cursor` pages through any query. "If the
  number of returned items is fewer than the number of expected rows then the end of the
  result set has been reached."
- `select` limits the elements returned (fewer bytes, faster answers).
- Query words are OR-matched and relevance-ranked, so the total can be huge. Harvesting
  stops at exactly `scan_limit` records (the last page asks for just the rows left)
  unless the caller raises it; the report then says the harvest is incomplete and how
  many records were not examined, never silently.
- Cursor paging is sequential in requests, but the next page is requested as soon as
  the current page's JSON gives its cursor, while the current items are mapped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from functools import partial
from typing import Any, ClassVar, Final

from searchharvest.connectors._overlap import cancel, in_thread, iterate_in_thread
from searchharvest.connectors.base import Connector, DatabaseReport
from searchharvest.dialects.base import Compiled
from searchharvest.http import HttpClient
from searchharvest.mappers.crossref import CrossrefPage, parse_crossref_page, parse_crossref_work
from searchharvest.records import Provenance, Record

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
    ) -> AsyncGenerator[Record, None]:
        if not isinstance(compiled.native, dict):
            raise TypeError("the Crossref dialect compiles to request parameters")
        provenance = self.provenance(compiled)
        stop_at = self.scan_limit if limit is None else min(self.scan_limit, limit)
        fetched = 0
        first = self._page(compiled.native, "*", min(self.rows, stop_at))
        pending: asyncio.Task[CrossrefPage] | None = asyncio.create_task(first)
        try:
            while pending is not None:
                page = await pending
                pending = None
                report.total = total = page.total
                asked = min(self.rows, stop_at - fetched)
                fetched += len(page.items)
                if len(page.items) == asked and fetched < min(total, stop_at) and page.next_cursor:
                    rows = min(self.rows, stop_at - fetched)
                    pending = asyncio.create_task(
                        self._page(compiled.native, page.next_cursor, rows)
                    )
                async for chunk in iterate_in_thread(partial(_map, page.items, provenance)):
                    for record in chunk:
                        yield record
        finally:
            await cancel(pending)
        if fetched >= total or (limit is not None and fetched >= limit):
            return
        report.complete = False
        if fetched >= self.scan_limit:
            report.warnings.append(
                f"stopped after examining {fetched} of {total} Crossref records "
                f"(scan limit {self.scan_limit}); {total - fetched} records were not "
                "examined. Raise the scan limit or narrow the query to see them all"
            )
        else:
            report.warnings.append(
                f"Crossref reported {total} records but the cursor ended after {fetched}"
            )

    async def _page(self, native: dict[str, str], cursor: str, rows: int) -> CrossrefPage:
        """One cursor page, its JSON decoded in a worker thread."""
        params = {**native, "rows": str(rows), "cursor": cursor, "select": SELECT}
        response = await self.http.get(self.name, "/works", params)
        return await in_thread(parse_crossref_page, response.content)


def _map(items: list[dict[str, Any]], provenance: Provenance) -> Iterator[Record]:
    return (parse_crossref_work(raw, provenance=provenance) for raw in items)
