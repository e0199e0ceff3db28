"""searchharvest: one Boolean strategy, compiled for each database, harvested and exported.

>>> from searchharvest import compile
>>> compile('"public sector"[ti] AND coproduc*', "pubmed").native
'"public sector"[ti] AND coproduc*[tiab]'
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_WHERE: dict[str, str] = {
    "Author": "searchharvest.records",
    "ChainOrigin": "searchharvest.records",
    "ChainResult": "searchharvest.chain",
    "Compiled": "searchharvest.dialects.base",
    "ConfigError": "searchharvest.errors",
    "DatabaseReport": "searchharvest.connectors",
    "DedupConfig": "searchharvest.dedup",
    "DedupResult": "searchharvest.dedup",
    "Fidelity": "searchharvest.dialects.base",
    "Field": "searchharvest.query",
    "HarvestError": "searchharvest.errors",
    "Ids": "searchharvest.records",
    "LintWarning": "searchharvest.query",
    "MalformedResponse": "searchharvest.errors",
    "Note": "searchharvest.dialects.base",
    "OfflineCacheMiss": "searchharvest.errors",
    "PrismaCounts": "searchharvest.prisma",
    "Provenance": "searchharvest.records",
    "QueryError": "searchharvest.errors",
    "QuerySyntaxError": "searchharvest.errors",
    "Record": "searchharvest.records",
    "RecordFileError": "searchharvest.errors",
    "ResponseCache": "searchharvest.cache",
    "RetriesExhausted": "searchharvest.errors",
    "RunInProgress": "searchharvest.errors",
    "RunIncomplete": "searchharvest.errors",
    "RunOutcome": "searchharvest.strategy",
    "RunStore": "searchharvest.strategy",
    "SearchHarvestError": "searchharvest.errors",
    "SearchLog": "searchharvest.searchlog",
    "SearchResult": "searchharvest.harvest",
    "Settings": "searchharvest.config",
    "Strategy": "searchharvest.strategy",
    "StrategyFileError": "searchharvest.errors",
    "UnsupportedQueryError": "searchharvest.errors",
    "achain": "searchharvest.chain",
    "asearch": "searchharvest.harvest",
    "chain": "searchharvest.chain",
    "compile": "searchharvest.compiler",
    "dedupe": "searchharvest.dedup",
    "lint": "searchharvest.query",
    "normalize": "searchharvest.query",
    "parse": "searchharvest.query",
    "prisma_counts": "searchharvest.prisma",
    "prisma_svg": "searchharvest.prisma",
    "read_file": "searchharvest.export",
    "search": "searchharvest.harvest",
    "to_string": "searchharvest.query",
    "write_file": "searchharvest.export",
    "write_prisma": "searchharvest.prisma",
    "write_search_log": "searchharvest.searchlog",
}
"""The module behind each public name. Names are imported on first use (PEP 562), so
`import searchharvest.records` (a child parser process, a script that only reads
records) does not pay for chaining, de-duplication and numpy. The `TYPE_CHECKING`
imports above say the same for type checkers; a test keeps the two in step."""


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'searchharvest' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
