"""PubMed through the E-utilities: ESearch on the history server, then EFetch XML.

Rules (https://www.ncbi.nlm.nih.gov/books/NBK25499/):
- "For PubMed, ESearch can only retrieve the first 10,000 records matching the query";
  the live server refuses `retstart` above 9998, so a result set of up to 10,000 records
  is fetched whole (EFetch from `retstart` 0 with `retmax` 10,000). Above that, the
  search is split on entry date (`datetype=edat`, `mindate`/`maxdate`, day precision,
  both ends inclusive) into slices of at most 10,000 records. Entry dates are complete
  dates for every record, so the slices partition the result set exactly.
- The slices are found from the newest entry dates backwards, each slice's span guessed
  from the density of the previous one, and the last slice reaches back to the oldest
  record in one request: no request is spent on the empty centuries before the results.
- EFetch takes `retmax` up to 10,000 from the history server: one request per slice.
  The next slice's EFetch is in flight while the current one is parsed (in a thread,
  and for a big harvest also in child processes: see `_processes`).
- Very long terms go by POST ("more than several hundred characters ... consider using
  an HTTP POST call").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from datetime import date, timedelta
from functools import partial
from typing import ClassVar, Final

from searchharvest.connectors._overlap import cancel, in_thread, iterate_in_thread
from searchharvest.connectors._processes import MIN_RECORDS, Offloader
from searchharvest.connectors.base import Connector, DatabaseReport
from searchharvest.dialects.base import Compiled, Fidelity, Note
from searchharvest.errors import HarvestError
from searchharvest.mappers.pubmed import (
    ESearchResult,
    iter_pubmed_articles,
    parse_esearch,
    split_article_set,
)
from searchharvest.records import Provenance, Record

WINDOW: Final = 10_000
"""The most records one result set can be fetched with (`retstart` 0, `retmax` 10,000)."""

EFETCH_MAX: Final = 10_000
"""The most records one EFetch request returns from the history server."""

POST_ABOVE: Final = 1_500
"""Terms longer than this many characters are sent by POST."""

FIRST_DAY: Final = date(1781, 1, 1)
"""Earlier than any PubMed entry date."""

FILL: Final = 0.8
"""Share of the window a guessed slice aims at, so a denser stretch rarely overflows."""

CHILD_SHARE: Final = 0.8
"""A child parser gets 0.8 of the articles the parse thread gets: it also pickles its
records, and the harvest process unpickles them (measured on the benchmark's 10,000)."""

Slice = tuple[date, date, ESearchResult]
Batch = tuple[ESearchResult, int, int]
"""One EFetch: the result set, `retstart` and `retmax`."""


class PubMedConnector(Connector):
    """ESearch (usehistory=y) + EFetch XML, with automatic entry-date slicing."""

    name: ClassVar[str] = "pubmed"

    async def harvest(
        self, compiled: Compiled, report: DatabaseReport, *, limit: int | None
    ) -> AsyncGenerator[Record, None]:
        if not isinstance(compiled.native, str):
            raise TypeError("the PubMed dialect compiles to a query string")
        term = compiled.native
        first = await self._esearch(term)
        report.total = first.count
        report.details["query_translation"] = first.query_translation
        self._diagnose(first, report)
        if first.count == 0:
            return
        results = [first]
        if first.count > WINDOW:
            slices = await self._split(term, first.count)
            report.details["edat_slices"] = [
                {"from": start.isoformat(), "to": end.isoformat(), "count": found.count}
                for start, end, found in slices
            ]
            results = [found for _, _, found in slices]
            sliced = sum(found.count for found in results)
            if sliced != first.count:
                report.warnings.append(
                    f"PubMed counted {first.count} records but its entry-date slices hold "
                    f"{sliced}; records were probably added or removed during the harvest"
                )
        batches = list(_batches(results, limit))
        async with Offloader(self.http.settings.parse_processes) as pool:
            if sum(size for _, _, size in batches) >= MIN_RECORDS:
                pool.start()  # the children import the package while EFetch is on its way
            async for record in self._fetch_all(batches, report, compiled, pool):
                yield record

    async def _fetch_all(
        self, batches: list[Batch], report: DatabaseReport, compiled: Compiled, pool: Offloader
    ) -> AsyncGenerator[Record, None]:
        """EFetch every batch, the next one in flight while this one is parsed."""
        provenance = self.provenance(compiled)
        pending: asyncio.Task[bytes] | None = None
        try:
            for i, (found, start, size) in enumerate(batches):
                body = await pending if pending else await self._efetch(found, start, size)
                pending = None
                if i + 1 < len(batches):
                    pending = asyncio.create_task(self._efetch(*batches[i + 1]))
                received = 0
                async for chunk in _parse(body, provenance, pool):
                    received += len(chunk)
                    for record in chunk:
                        yield record
                if received < size:
                    report.complete = False  # a strategy run must not record a gap
                    report.warnings.append(
                        f"EFetch returned {received} of {size} records "
                        f"(retstart {start}); PubMed may have withdrawn some, or the "
                        "history set expired: re-run to fetch them"
                    )
        finally:
            await cancel(pending)

    def _diagnose(self, result: ESearchResult, report: DatabaseReport) -> None:
        """Turn what PubMed did with the query into notes, and filter if it bent it."""
        for phrase in result.phrases_not_found:
            report.notes.append(
                Note(
                    Fidelity.BROADER,
                    "PubMed did not find this phrase in its phrase index and searched "
                    "its words separately; the local filter restores the phrase",
                    phrase,
                )
            )
            report.filter_locally = True
            report.fidelity = max(report.fidelity, Fidelity.BROADER)
        report.warnings.extend(result.errors)
        report.warnings.extend(w for w in result.warnings if "No items found" not in w)

    async def _esearch(self, term: str, window: tuple[date, date] | None = None) -> ESearchResult:
        params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": "0"}
        if window is not None:
            params |= {
                "datetype": "edat",
                "mindate": window[0].strftime("%Y/%m/%d"),
                "maxdate": window[1].strftime("%Y/%m/%d"),
            }
        if len(term) > POST_ABOVE:
            response = await self.http.post(self.name, "esearch.fcgi", params)
        else:
            response = await self.http.get(self.name, "esearch.fcgi", params)
        return parse_esearch(response.content)

    async def _split(self, term: str, total: int) -> list[Slice]:
        """Cut the results into entry-date slices of at most `WINDOW`, oldest first.

        Walks back from the newest entry dates: each slice's span is guessed from the
        density of the one before (aiming at `FILL` of the window) and shrunk when it
        overflows (at least halved, so a dense stretch costs few extra requests); once
        the records left fit the window, one slice takes them all.
        """
        target = max(1, int(WINDOW * FILL))
        end = date.today() + _days(1)  # NCBI's today may be ahead of ours
        span = 366
        remaining = total
        slices: list[Slice] = []
        while True:
            start = FIRST_DAY if remaining <= WINDOW else max(FIRST_DAY, end - _days(span - 1))
            found = await self._esearch(term, (start, end))
            days = (end - start).days + 1
            if found.count > WINDOW:
                if start == end:
                    raise HarvestError(
                        f"{found.count} records share the entry date {start.isoformat()}; "
                        f"PubMed cannot page past {WINDOW} and a day cannot be split "
                        "further. Narrow the query (e.g. by publication type) and run the "
                        "parts separately",
                        f"esearch edat={start.isoformat()}",
                    )
                remaining = max(remaining, found.count)
                span = max(1, min(days // 2, days * target // found.count))
                continue
            if found.count:
                slices.append((start, end, found))
            remaining -= found.count
            if start == FIRST_DAY:
                return slices[::-1]
            span = days * target // found.count if found.count else days * 4
            end = start - _days(1)

    async def _efetch(self, found: ESearchResult, start: int, size: int) -> bytes:
        if found.webenv is None or found.query_key is None:
            raise HarvestError("ESearch returned no history (WebEnv/QueryKey)", "esearch")
        params = {
            "db": "pubmed",
            "query_key": found.query_key,
            "WebEnv": found.webenv,
            "retstart": str(start),
            "retmax": str(size),
            "retmode": "xml",
        }
        response = await self.http.get(self.name, "efetch.fcgi", params)
        return response.content


async def _parse(
    body: bytes, provenance: Provenance, pool: Offloader
) -> AsyncIterator[list[Record]]:
    """The body's records in order, in chunks; with child parsers, the body is cut into
    runs of articles and the children parse the later runs while the parse thread
    streams the first."""
    parts = [body]
    if pool.live_children:
        shares = [1.0] + [CHILD_SHARE] * pool.live_children
        parts = await in_thread(split_article_set, body, shares)
    later = [
        asyncio.create_task(pool.in_child(_parse_whole, part, provenance)) for part in parts[1:]
    ]
    try:
        async for chunk in iterate_in_thread(
            partial(iter_pubmed_articles, parts[0], provenance=provenance)
        ):
            yield chunk
        for task in later:
            yield await task
    finally:
        for task in later:
            await cancel(task)


def _parse_whole(body: bytes, provenance: Provenance) -> list[Record]:
    """One run of articles, parsed in a child process (module level: it is pickled)."""
    return list(iter_pubmed_articles(body, provenance=provenance))


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _batches(results: list[ESearchResult], limit: int | None) -> Iterator[Batch]:
    """The EFetch requests that cover `results`, stopping at `limit` records."""
    remaining = limit
    for found in results:
        for start in range(0, found.count, EFETCH_MAX):
            size = min(EFETCH_MAX, found.count - start)
            if remaining is not None:
                size = min(size, remaining)
                remaining -= size
            if size <= 0:
                return
            yield found, start, size
