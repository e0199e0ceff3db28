"""The bundled example search, replayed offline from recorded real responses.

The query is chosen to match records that PubMed, OpenAlex and Crossref really returned
in the recordings kept in `cassettes/` (see cassettes/PROVENANCE.md and
cassettes/make_demo.py), so the demo exercises an exact database (PubMed) and two broader
ones whose records the local matcher filters, with no network and no keys.
"""

from __future__ import annotations

from typing import Final

from searchharvest._resources import data_path
from searchharvest.cassette import CassetteTransport
from searchharvest.config import Settings
from searchharvest.harvest import DEFAULT_DATABASES, SearchOptions, SearchResult

DEMO_QUERY: Final = 'widget[ti] OR ecology[ti] OR "language models"[ti] OR "pain perception"[ti]'


def demo_search() -> SearchResult:
    """The demo query over the three databases, answered by the demo cassettes only."""
    transport = CassetteTransport.from_dir(data_path("cassettes", "demo"))
    return SearchResult(
        DEMO_QUERY,
        SearchOptions(databases=DEFAULT_DATABASES),
        settings=Settings(),
        transport=transport,
        cache=None,
    )
