"""Chaining through PubMed: ELink `pubmed_pubmed_refs` backward, `_citedin` forward.

Rules (NBK25499, https://www.ncbi.nlm.nih.gov/books/NBK25499/): ids sent as repeated
`id=` parameters get one LinkSet each, while a comma-joined list is merged into one set
that no longer says which input each link came from (Bio.Entrez `elink` docstring), so
links are asked for with repeated `id=`. "If more than about 200 UIDs are to be provided,
the request should be made using the HTTP POST method": ELink batches stop at 200 ids per
GET, and EFetch sends its ids comma-joined by POST, 200 at a time.

Coverage is partial by design: PubMed holds references only for PMC open-access articles
and publishers that deposit them, and says "Cited by" "may not be a complete list".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from searchharvest.cache import Params
from searchharvest.chain.base import (
    Direction,
    Links,
    SourceName,
    batches,
    fetch_provenance,
    keys_with,
)
from searchharvest.errors import MalformedResponse
from searchharvest.http import HttpClient
from searchharvest.mappers.pubmed import iter_pubmed_articles, parse_elink_json
from searchharvest.records import Record

MAX_GET_IDS: Final = 200
"""Ids per ELink GET; NBK25499 asks for POST above about 200."""
MAX_POST_IDS: Final = 200
"""Ids per EFetch POST, which keeps each XML answer to a few megabytes."""
LINKNAMES: Final[dict[Direction, str]] = {
    "references": "pubmed_pubmed_refs",
    "citations": "pubmed_pubmed_citedin",
}


def _repeated_ids(ids: Sequence[str]) -> Params:
    """ELink parameters with one `id=` per input, so each input keeps its own LinkSet."""
    return {"id": list(ids)}


class PubMedLinks:
    """Batched ELink links and EFetch lookups by PMID."""

    name: SourceName = "pubmed"

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.notes: list[str] = []
        """What this source could not do, for the run's warnings."""

    async def fetch(self, keys: Sequence[str]) -> list[Record]:
        """Fetch PubMed records for `pmid:` keys by EFetch POST, 200 per request."""
        records: list[Record] = []
        for chunk in batches(keys_with("pmid", keys), MAX_POST_IDS):
            data = {"db": "pubmed", "id": ",".join(chunk), "retmode": "xml"}
            response = await self.http.post(self.name, "efetch.fcgi", data)
            provenance = fetch_provenance(self.name, f"efetch id={','.join(chunk)}")
            records.extend(iter_pubmed_articles(response.content, provenance=provenance))
        return records

    async def links(
        self, works: Sequence[Record], direction: Direction, limit: int | None = None
    ) -> Links:
        """The PMIDs each work cites (`references`) or is cited by (`citations`).

        ELink answers ids only, so `limit` has nothing to bound here; the engine caps
        the EFetch of the linked works.
        """
        result = Links()
        by_pmid = {w.ids.pmid: w.key for w in works if w.ids.pmid}
        result.queried.update(by_pmid.values())
        linkname = LINKNAMES[direction]
        for chunk in batches(list(by_pmid), MAX_GET_IDS):
            params = {
                **_repeated_ids(chunk),
                "dbfrom": "pubmed",
                "db": "pubmed",
                "linkname": linkname,
                "retmode": "json",
            }
            response = await self.http.get(self.name, "elink.fcgi", params)
            try:
                linksets = parse_elink_json(json.loads(response.content))
            except ValueError as exc:
                raise MalformedResponse(f"ELink answer is not JSON: {exc}", "elink") from exc
            for source_id, by_name in linksets.items():
                if source_id not in by_pmid:
                    continue
                for target in by_name.get(linkname, []):
                    result.add(by_pmid[source_id], f"pmid:{target}")
        return result
