"""The update window per database: by entry/indexing date where the database has one.

A missed study is the worst bug an update can have, so the window is never applied through
the publication date (a trial indexed a year after it was published would fall outside).

- PubMed: `[edat]`, the date the record entered PubMed, AND-ed to the query
  (https://pubmed.ncbi.nlm.nih.gov/help/#search-by-date). Exact.
- Crossref: the `from-index-date` filter, "metadata indexed since (inclusive)"
  (https://www.crossref.org/documentation/retrieve-metadata/rest-api/rest-api-filters/).
  Records re-indexed after a correction come back too: broader, never narrower, and
  de-duplication against earlier runs removes them.
- OpenAlex: `from_created_date` is documented only for Premium keys
  (https://docs.openalex.org/api-entities/works/filter-works#from_created_date), so the
  whole strategy is re-run there and de-duplication against every earlier run keeps only
  what is new. The search log says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from searchharvest.dialects.base import Compiled
from searchharvest.dialects.pubmed import PubMed
from searchharvest.query.ast import And, DateRange, Field, Node, PartialDate

OPEN_END: Final = PartialDate(*(int(part) for part in PubMed.OPEN_END.split("/")))
"""The open end PubMed users write for "until now", as the PubMed dialect writes it."""

CROSSREF_FILTER: Final = "from-index-date"


@dataclass(frozen=True, slots=True)
class Window:
    """How the update window is applied in one database.

    Attributes:
        since: the first entry/indexing date searched, or None for a full re-run.
        method: one line for the search log: the native filter, or why there is none.
    """

    since: date | None
    method: str


FULL_RUN: Final = Window(None, "full strategy (no earlier run to continue from)")
"""The window of a first run."""

CHANGED: Final = Window(
    None,
    "full strategy: this database was not searched with this query, filters and dates in "
    "the last run, so a window would miss older records that now match",
)
"""The window when the strategy for a database changed since the last run."""


def with_entry_date(db: str, query: Node, since: date) -> tuple[Node, Window]:
    """The query for `db` in an update since `since`, and how the window was applied."""
    if db == "pubmed":
        bound = DateRange(PartialDate(since.year, since.month, since.day), OPEN_END, Field.EDAT)
        return And((query, bound)), Window(since, f"entry date from {since} ([edat])")
    if db == "crossref":
        return query, Window(since, f"indexed from {since} ({CROSSREF_FILTER})")
    if db == "openalex":
        return query, Window(
            None,
            "full strategy: OpenAlex documents from_created_date for Premium keys only; "
            "de-duplicated against every earlier run",
        )
    return query, Window(
        None, f"full strategy: no entry-date filter known for {db}; de-duplicated instead"
    )


def apply_filter(compiled: Compiled, window: Window) -> Compiled:
    """Add the native indexing-date filter where the dialect cannot express it (Crossref)."""
    if compiled.db != "crossref" or window.since is None or not isinstance(compiled.native, dict):
        return compiled
    native = dict(compiled.native)
    bound = f"{CROSSREF_FILTER}:{window.since.isoformat()}"
    native["filter"] = f"{native['filter']},{bound}" if native.get("filter") else bound
    return replace(compiled, native=native)
