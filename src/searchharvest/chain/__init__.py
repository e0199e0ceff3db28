"""Citation chaining: from seed studies to the works they cite and the works citing them.

`chain()` / `achain()` resolve the seeds, follow references (backward) and citations
(forward) through OpenAlex, PubMed and Crossref in batches, and return de-duplicated
records that each carry their chaining origin. See docs/chaining.md.
"""

from __future__ import annotations

from searchharvest.chain.engine import DEFAULT_SOURCES, achain, chain
from searchharvest.chain.network import Edge, write_network
from searchharvest.chain.result import ChainResult, Coverage
from searchharvest.chain.seeds import Seed, UnresolvedSeed, load_seeds

__all__ = [
    "DEFAULT_SOURCES",
    "ChainResult",
    "Coverage",
    "Edge",
    "Seed",
    "UnresolvedSeed",
    "achain",
    "chain",
    "load_seeds",
    "write_network",
]
