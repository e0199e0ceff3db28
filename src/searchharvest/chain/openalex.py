"""Chaining through OpenAlex: `referenced_works` backward, the `cites:` filter forward.

Rules (https://developers.openalex.org/guides/filtering, /guides/page-through-results):
`|` ORs up to 100 values in one filter, `per_page` is at most 100, and cursor paging
starts at `cursor=*`. So 100 works are looked up in one list request, their references
come with them (`referenced_works`), and the citing works of 100 works come in pages of
100 from one `cites:` filter. Lookups by id, DOI and PMID use the `openalex:`, `doi:` and
`pmid:` filters; a `W…` id that OpenAlex has merged into another is not returned by the
filter and is reported as a link without metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from searchharvest.chain.base import (
    Direction,
    Links,
    SourceName,
    batches,
    fetch_provenance,
    id_keys,
    keys_with,
)
from searchharvest.connectors.openalex import PER_PAGE
from searchharvest.errors import HarvestError
from searchharvest.http import HttpClient
from searchharvest.mappers.openalex import (
    MAPPED_FIELDS,
    openalex_references,
    parse_openalex_page,
    parse_openalex_work,
)
from searchharvest.records import Provenance, Record

MAX_OR: Final = 100
"""Values ORed with `|` in one filter (the docs said 50 until 2025, 100 since)."""
SELECT: Final = ",".join((*MAPPED_FIELDS, "is_retracted", "referenced_works"))
"""Root-level fields only; `referenced_works` makes every lookup a backward link too."""

_FILTERS: Final = (
    ("openalex", "openalex"),
    ("doi", "doi"),
    ("pmid", "pmid"),
    ("pmcid", "pmcid"),
)
"""Identifier key prefix → OpenAlex filter name."""

_FRAGILE: Final = frozenset({"pmid", "pmcid"})
"""Filters OpenAlex has answered `400 Invalid` to when ORed (ourresearch/OpenAlex#8,
2025): a rejection there becomes a note, and those seeds go to PubMed instead."""


class OpenAlexLinks:
    """Batched OpenAlex lookups and links; remembers each work's references and retraction."""

    name: SourceName = "openalex"

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.referenced: dict[str, list[str]] = {}
        """`W…` → the `W…` ids it cites, for every work seen so far."""
        self.retracted: set[str] = set()
        """`W…` ids OpenAlex marks `is_retracted`."""
        self.notes: list[str] = []
        """Lookups OpenAlex refused, for the run's warnings."""

    async def fetch(self, keys: Sequence[str]) -> list[Record]:
        """Look works up by `openalex:`, `doi:`, `pmid:` and `pmcid:` keys, 100 per request."""
        records: list[Record] = []
        for prefix, filter_name in _FILTERS:
            for chunk in batches(keys_with(prefix, keys), MAX_OR):
                try:
                    found, _ = await self._list(f"{filter_name}:{'|'.join(chunk)}")
                    records.extend(found)
                except HarvestError as exc:
                    # a plain HarvestError is a 4xx answer; retries and budget errors are not
                    if filter_name not in _FRAGILE or type(exc) is not HarvestError:
                        raise
                    self.notes.append(f"openalex refused a {filter_name} lookup: {exc}")
        return records

    async def links(
        self, works: Sequence[Record], direction: Direction, limit: int | None = None
    ) -> Links:
        """References from `referenced_works`; citations from the `cites:` filter."""
        result = Links()
        by_id = await self._openalex_ids(works)
        result.queried.update(by_id.values())
        if direction == "references":
            missing = [w for w in by_id if w not in self.referenced]
            for chunk in batches(missing, MAX_OR):
                await self._list(f"openalex:{'|'.join(chunk)}")
            for work_id, key in by_id.items():
                for target in self.referenced.get(work_id, []):
                    result.add(key, f"openalex:{target}")
            return result
        for chunk in batches(list(by_id), MAX_OR):
            room = None if limit is None else max(limit - len(result.records), 0)
            citing, count = await self._list(f"cites:{'|'.join(chunk)}", room)
            result.skipped += count - len(citing)
            result.records.extend(citing)
            for record in citing:
                for cited in self.referenced.get(record.ids.openalex or "", []):
                    if cited in by_id:
                        result.add(by_id[cited], f"openalex:{record.ids.openalex}")
        return result

    async def _openalex_ids(self, works: Sequence[Record]) -> dict[str, str]:
        """`W…` id → work key; works known only by DOI or PMID are looked up in batches."""
        by_id = {w.ids.openalex: w.key for w in works if w.ids.openalex}
        unknown = {k: w.key for w in works if not w.ids.openalex for k in id_keys(w)}
        for record in await self.fetch(list(unknown)) if unknown else []:
            found_keys = id_keys(record)
            hit = next((unknown[k] for k in found_keys if k in unknown), None)
            if hit and record.ids.openalex:
                by_id.setdefault(record.ids.openalex, hit)
        return by_id

    async def _list(self, filter_value: str, limit: int | None = None) -> tuple[list[Record], int]:
        """The pages of one filter, up to `limit` works, and `meta.count`.

        References and retractions of every work read are remembered.
        """
        records: list[Record] = []
        count = 0
        cursor: str | None = "*"
        while cursor and (limit is None or len(records) < limit):
            params = {"filter": filter_value, "per_page": str(PER_PAGE), "select": SELECT}
            params["cursor"] = cursor
            response = await self.http.get(self.name, "/works", params)
            page = parse_openalex_page(response.content)
            provenance = fetch_provenance(self.name, f"filter={filter_value}")
            records.extend(self._read(raw, provenance) for raw in page.results)
            count = page.count
            # The live server sends a cursor with the page that completes the count too;
            # stopping at meta.count saves the request that would only return `[]`.
            done = not page.results or len(records) >= page.count
            cursor = None if done else page.next_cursor
        return records, max(count, len(records))

    def _read(self, raw: dict[str, Any], provenance: Provenance) -> Record:
        record = parse_openalex_work(raw, provenance=provenance)
        work_id = record.ids.openalex or ""
        self.referenced[work_id] = openalex_references(raw)
        if raw.get("is_retracted"):
            self.retracted.add(work_id)
        return record
