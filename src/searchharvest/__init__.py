"""searchharvest: one Boolean strategy, compiled for each database, harvested and exported.

>>> from searchharvest import compile
>>> compile('"public sector"[ti] AND coproduc*', "pubmed").native
'"public sector"[ti] AND coproduc*[tiab]'
"""

from __future__ import annotations

from importlib.metadata import version

from searchharvest.cache import ResponseCache
from searchharvest.chain import ChainResult, achain, chain
from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors import DatabaseReport
from searchharvest.dedup import DedupConfig, DedupResult, dedupe
from searchharvest.dialects.base import Compiled, Fidelity, Note
from searchharvest.errors import (
    ConfigError,
    HarvestError,
    MalformedResponse,
    OfflineCacheMiss,
    QueryError,
    QuerySyntaxError,
    RecordFileError,
    RetriesExhausted,
    RunIncomplete,
    RunInProgress,
    SearchHarvestError,
    StrategyFileError,
    UnsupportedQueryError,
)
from searchharvest.export import read_file, write_file
from searchharvest.harvest import SearchResult, asearch, search
from searchharvest.prisma import PrismaCounts, prisma_counts, prisma_svg, write_prisma
from searchharvest.query import Field, LintWarning, lint, normalize, parse, to_string
from searchharvest.records import Author, ChainOrigin, Ids, Provenance, Record
from searchharvest.searchlog import SearchLog, write_search_log
from searchharvest.strategy import RunOutcome, RunStore, Strategy

__version__ = version("searchharvest")

__all__ = [
    "Author",
    "ChainOrigin",
    "ChainResult",
    "Compiled",
    "ConfigError",
    "DatabaseReport",
    "DedupConfig",
    "DedupResult",
    "Fidelity",
    "Field",
    "HarvestError",
    "Ids",
    "LintWarning",
    "MalformedResponse",
    "Note",
    "OfflineCacheMiss",
    "PrismaCounts",
    "Provenance",
    "QueryError",
    "QuerySyntaxError",
    "Record",
    "RecordFileError",
    "ResponseCache",
    "RetriesExhausted",
    "RunInProgress",
    "RunIncomplete",
    "RunOutcome",
    "RunStore",
    "SearchHarvestError",
    "SearchLog",
    "SearchResult",
    "Settings",
    "Strategy",
    "StrategyFileError",
    "UnsupportedQueryError",
    "__version__",
    "achain",
    "asearch",
    "chain",
    "compile",
    "dedupe",
    "lint",
    "normalize",
    "parse",
    "prisma_counts",
    "prisma_svg",
    "read_file",
    "search",
    "to_string",
    "write_file",
    "write_prisma",
    "write_search_log",
]
