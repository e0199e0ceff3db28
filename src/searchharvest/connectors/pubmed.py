"""PubMed through the E-utilities: ESearch on the history server, then EFetch XML.

Rules (https://www.ncbi.nlm.nih.gov/books/NBK25499/):
- "For PubMed, ESearch can only retrieve the first 10,000 records matching the query";
  the live server refuses `retstart` above 9998. We get past that window by splitting the
  search on entry date (`datetype=edat`, `mindate`/`maxdate`, day precision, both ends
  inclusive) until every slice holds at most 9,999 records. Entry dates are complete
  dates for every record, so the slices partition the result set exactly.
- EFetch takes `retmax` up to 10,000 from the history server: one request per slice.
- Very long terms go by POST ("more than several hundred characters ... consider using
  an HTTP POST call").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import ClassVar, Final

from searchharvest.connectors.base import Connector, DatabaseReport
from searchharvest.dialects.base import Compiled, Fidelity, Note
from searchharvest.errors import HarvestError
from searchharvest.mappers.pubmed import ESearchResult, iter_pubmed_articles, parse_esearch
from searchharvest.records import Record

WINDOW: Final = 9_999
"""The most records one ESearch result set can page through."""

EFETCH_MAX: Final = 10_000
"""The most records one EFetch request returns from the history server."""

POST_ABOVE: Final = 1_500
"""Terms longer than this many characters are sent by POST."""

FIRST_DAY: Final = date(1781, 1, 1)
"""Earlier than any PubMed entry date."""


class PubMedConnector(Connector):
    """ESearch (usehistory=y) + EFetch XML, with automatic entry-date slicing."""

    name: ClassVar[str] = "pubmed"

    async def harvest(
        self, compiled: Compiled, report: DatabaseReport, *, limit: int | None
    ) -> AsyncIterator[Record]:
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
            last_day = date.today() + timedelta(days=366)
            slices = await self._split(term, FIRST_DAY, last_day)
            report.details["edat_slices"] = [
                {"from": start.isoformat(), "to": end.isoformat(), "count": found.count}
                for start, end, found in slices
            ]
            results = [found for _, _, found in slices]
        provenance = self.provenance(compiled)
        remaining = limit
        for found in results:
            for start in range(0, found.count, EFETCH_MAX):
                size = min(EFETCH_MAX, found.count - start)
                if remaining is not None:
                    size = min(size, remaining)
                if size <= 0:
                    return
                received = 0
                for record in iter_pubmed_articles(
                    await self._efetch(found, start, size), provenance=provenance
                ):
                    received += 1
                    yield record
                if received < size:
                    report.warnings.append(
                        f"EFetch returned {received} of {size} records "
                        f"(retstart {start}); PubMed may have withdrawn some"
                    )
                if remaining is not None:
                    remaining -= received

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

    async def _split(
        self, term: str, start: date, end: date
    ) -> list[tuple[date, date, ESearchResult]]:
        """Bisect [start, end] by entry date until each slice fits the ESearch window."""
        found = await self._esearch(term, (start, end))
        if found.count <= WINDOW:
            return [(start, end, found)] if found.count else []
        if start == end:
            raise HarvestError(
                f"{found.count} records share the entry date {start.isoformat()}; PubMed "
                f"cannot page past {WINDOW} and a day cannot be split further. Narrow the "
                "query (e.g. by publication type) and run the parts separately",
                f"esearch edat={start.isoformat()}",
            )
        middle = start + (end - start) // 2
        return [
            *await self._split(term, start, middle),
            *await self._split(term, middle + timedelta(days=1), end),
        ]

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
