"""What every link source shares: directions, the `Links` answer and the source protocol.

A link source turns works into citation links through one database, in batches: the
number of requests grows with the number of batches, never with the number of records.
Targets are named by prefixed identifier keys (`openalex:W…`, `pmid:…`, `doi:…`), the
same keys `Ids.keys()` gives, so links from several sources meet on shared identifiers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Literal, Protocol

from searchharvest.records import Provenance, Record

Direction = Literal["references", "citations"]
"""`references`: the works a work cites (backward). `citations`: works citing it (forward)."""

SourceName = Literal["openalex", "pubmed", "crossref"]


@dataclass
class Links:
    """One source's answer for one direction and one generation.

    Attributes:
        targets: work key → identifier keys of the linked works, in the source's order.
        records: linked works the source already fetched while finding the links
            (OpenAlex `cites:` pages, Crossref references matched bibliographically).
        queried: keys of the works the source could look up (it knows their identifier).
        covered: keys of the works for which the source holds at least one link.
        notes: what the source could not do, for the run's warnings.
        skipped: linked works left out because `limit` was reached (the source knew
            of them but did not page through or match them).
    """

    targets: dict[str, list[str]] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    queried: set[str] = field(default_factory=set)
    covered: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    skipped: int = 0

    def add(self, work: str, target: str) -> None:
        """Record that `work` links to `target` (kept once, in first-seen order)."""
        found = self.targets.setdefault(work, [])
        if target not in found:
            found.append(target)
        self.covered.add(work)


class LinkSource(Protocol):
    """One database used for chaining: look works up by identifier and follow their links."""

    name: SourceName
    notes: list[str]
    """What the source could not do outside one `links()` answer (refused lookups)."""

    async def fetch(self, keys: Sequence[str]) -> list[Record]:
        """The records behind identifier keys this source understands (others are skipped)."""
        ...

    async def links(
        self, works: Sequence[Record], direction: Direction, limit: int | None = None
    ) -> Links:
        """The references or citations of `works`, keyed by each work's `Record.key`.

        `limit` bounds the linked works the source fetches or matches while finding the
        links (OpenAlex `cites:` pages, Crossref bibliographic matching); the rest are
        counted in `Links.skipped`.
        """
        ...


def batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """Consecutive slices of at most `size` items.

    >>> list(batches(["a", "b", "c"], 2))
    [['a', 'b'], ['c']]
    """
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def keys_with(prefix: str, keys: Sequence[str]) -> list[str]:
    """The bare values of the keys with `prefix` (`pmid:1` → `1`), without repeats."""
    wanted = f"{prefix}:"
    return list(dict.fromkeys(k[len(wanted) :] for k in keys if k.startswith(wanted)))


def fetch_provenance(database: str, native: str) -> Provenance:
    """The provenance of a record fetched for chaining (the engine adds the chain origin)."""
    return Provenance(
        database=database,
        native_query=native,
        retrieved=datetime.now(UTC),
        library_version=version("searchharvest"),
    )


def id_keys(record: Record) -> list[str]:
    """The prefixed identifier keys of `record` (`doi:…`, `pmid:…`, `openalex:W…`)."""
    return record.ids.keys()
