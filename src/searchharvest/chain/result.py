"""`ChainResult`: what a chaining run found, how, and what it could not do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from searchharvest.chain.network import Edge
from searchharvest.chain.seeds import UnresolvedSeed
from searchharvest.prisma import PrismaCounts
from searchharvest.records import Record


@dataclass
class Coverage:
    """How much one source could say about the seeds (the first generation).

    Attributes:
        source: `openalex`, `pubmed` or `crossref`.
        seeds_queried: seeds this source could look up (it knew their identifier).
        with_references: seeds with at least one reference in this source.
        with_citations: seeds with at least one citing work in this source.
        links: links this source reported over all generations.
    """

    source: str
    seeds_queried: int = 0
    with_references: int = 0
    with_citations: int = 0
    links: int = 0


@dataclass
class ChainResult:
    """Records found by citation chaining, with everything needed to report the run.

    Each record's `provenance` carries a `ChainOrigin` per source and direction that
    reached it: the seeds it came from, the direction and the generation.
    """

    records: list[Record]
    """New records: de-duplicated across sources, against the seeds and the prior set."""
    seeds: list[Record]
    """The resolved seeds, merged with what the sources know about them."""
    unresolved: list[UnresolvedSeed]
    coverage: dict[str, Coverage]
    edges: list[Edge]
    """Citation links among seeds and found works (citing → cited), by record key."""
    retracted: list[str] = field(default_factory=list)
    """Keys of seeds and records a source marks as retracted."""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Failures that stopped the run early; `records` holds what was found before."""
    complete: bool = True
    """False when a cap cut a generation or a failure stopped the run."""
    generations: list[int] = field(default_factory=list)
    """New records per generation, before the final de-duplication."""
    identified: int = 0
    """Records as the sources returned them (PRISMA "citation searching")."""
    duplicates_removed: int = 0
    """Copies of one work from several sources or links, or of a seed."""
    prior_matches: int = 0
    """Records already in the prior (screened) set."""
    requests: dict[str, int] = field(default_factory=dict)
    """Requests sent over the network per source (cache hits not counted)."""

    @property
    def prisma(self) -> PrismaCounts:
        """The PRISMA 2020 identification counts of citation searching."""
        return PrismaCounts(
            databases={},
            citation_searching=self.identified,
            duplicates_removed=self.duplicates_removed,
            previously_screened_removed=self.prior_matches,
            after_dedup=len(self.records),
        )

    def to_json(self) -> dict[str, Any]:
        """The run report (no records), ready for `json.dumps`."""
        return {
            "seeds": {
                "given": len(self.seeds) + len(self.unresolved),
                "resolved": len(self.seeds),
                "unresolved": [{"seed": u.label, "reason": u.reason} for u in self.unresolved],
            },
            "coverage": {name: vars(c) for name, c in self.coverage.items()},
            "generations": self.generations,
            "records": len(self.records),
            "edges": len(self.edges),
            "retracted": self.retracted,
            "requests": self.requests,
            "complete": self.complete,
            "warnings": self.warnings,
            "errors": self.errors,
            "prisma": self.prisma.to_json(),
        }
