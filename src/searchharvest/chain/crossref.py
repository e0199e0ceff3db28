"""Chaining through Crossref: the `reference` lists members deposit (backward only).

Rules: several DOIs are looked up in one list request with repeated `doi:` filters
(`filter=doi:A,doi:B`, Crossref staff in CrossRef/rest-api-doc#301, who warn of URL
length limits, hence batches of 50). References deposited with a DOI are resolved in
those batches. A reference without a DOI is matched with `query.bibliographic` and two
rows, as Crossref's api_tips.md advises, and accepted only when `matches_reference`
verifies title, year and first author: that costs one request per unstructured
reference. The public REST API has no list of citing works (only
`is-referenced-by-count`), so Crossref adds nothing forward.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

from searchharvest.chain.base import (
    Direction,
    Links,
    SourceName,
    batches,
    fetch_provenance,
    keys_with,
)
from searchharvest.chain.matching import matches_reference, same_work
from searchharvest.http import HttpClient
from searchharvest.mappers.crossref import (
    CrossrefReference,
    crossref_references,
    parse_crossref_page,
    parse_crossref_work,
)
from searchharvest.records import Provenance, Record

MAX_DOIS: Final = 50
"""DOIs per `filter=doi:…` request; Crossref sets no number, only the URL length."""
LOOKUP_ROWS: Final = 2
"""Candidates per bibliographic lookup: two, so a tie shows (Crossref api_tips.md)."""


class CrossrefLinks:
    """Batched DOI lookups, deposited references, and verified bibliographic matching."""

    name: SourceName = "crossref"

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.notes: list[str] = []
        """What this source could not do, for the run's warnings."""
        self.references: dict[str, list[CrossrefReference]] = {}
        """DOI → its deposited references, for every work seen so far."""

    async def fetch(self, keys: Sequence[str]) -> list[Record]:
        """Look works up by `doi:` keys, 50 per request."""
        records: list[Record] = []
        for chunk in batches(keys_with("doi", keys), MAX_DOIS):
            native = ",".join(f"doi:{doi}" for doi in chunk)
            params = {"filter": native, "rows": str(len(chunk))}
            response = await self.http.get(self.name, "/works", params)
            provenance = fetch_provenance(self.name, f"filter={native}")
            for raw in parse_crossref_page(response.content).items:
                records.append(self._read(raw, provenance))
        return records

    async def lookup(self, wanted: Record) -> Record | None:
        """The Crossref work `wanted` describes (title, year, first author), if verified."""
        parts = [wanted.title or "", str(wanted.year or "")]
        if wanted.authors and wanted.authors[0].family:
            parts.append(wanted.authors[0].family)
        for candidate in await self._bibliographic(" ".join(p for p in parts if p)):
            if same_work(candidate, wanted):
                return candidate
        return None

    async def links(
        self, works: Sequence[Record], direction: Direction, limit: int | None = None
    ) -> Links:
        """Deposited references of `works`; Crossref has no citing-works list."""
        result = Links()
        if direction == "citations":
            result.notes.append("crossref: the public REST API lists no citing works")
            return result
        by_doi = {w.ids.doi: w.key for w in works if w.ids.doi}
        result.queried.update(by_doi.values())
        missing = [doi for doi in by_doi if doi not in self.references]
        await self.fetch([f"doi:{doi}" for doi in missing])
        unstructured: list[tuple[str, str]] = []
        for doi, key in by_doi.items():
            for reference in self.references.get(doi, []):
                if reference.doi:
                    result.add(key, f"doi:{reference.doi}")
                elif reference.text:
                    unstructured.append((key, reference.text))
        if limit is not None and len(unstructured) > limit:
            result.skipped = len(unstructured) - limit
            unstructured = unstructured[:limit]
        matches = await asyncio.gather(*(self._match(text) for _, text in unstructured))
        for (key, _), match in zip(unstructured, matches, strict=True):
            if match is not None and match.ids.doi:
                result.add(key, f"doi:{match.ids.doi}")
                result.records.append(match)
        rejected = sum(1 for match in matches if match is None)
        if rejected:
            result.notes.append(
                f"crossref: {rejected} of {len(matches)} references without a DOI had no "
                "verified match and were left out"
            )
        return result

    async def _match(self, text: str) -> Record | None:
        for candidate in await self._bibliographic(text):
            if matches_reference(candidate, text):
                return candidate
        return None

    async def _bibliographic(self, text: str) -> list[Record]:
        params = {"query.bibliographic": text, "rows": str(LOOKUP_ROWS)}
        response = await self.http.get(self.name, "/works", params)
        provenance = fetch_provenance(self.name, f"query.bibliographic={text}")
        return [self._read(raw, provenance) for raw in parse_crossref_page(response.content).items]

    def _read(self, raw: dict[str, Any], provenance: Provenance) -> Record:
        record = parse_crossref_work(raw, provenance=provenance)
        if record.ids.doi:
            self.references[record.ids.doi] = crossref_references(raw)
        return record
