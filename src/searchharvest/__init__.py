"""searchharvest: one Boolean strategy, compiled for each database, harvested and exported.

>>> from searchharvest import compile
>>> compile('"public sector"[ti] AND coproduc*', "pubmed").native
'"public sector"[ti] AND coproduc*[tiab]'
"""

from __future__ import annotations

from importlib.metadata import version

from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors import DatabaseReport
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
    SearchHarvestError,
    StrategyFileError,
    UnsupportedQueryError,
)
from searchharvest.harvest import SearchResult, asearch, search
from searchharvest.query import Field, LintWarning, lint, normalize, parse, to_string
from searchharvest.records import Author, Ids, Provenance, Record

__version__ = version("searchharvest")

__all__ = [
    "Author",
    "Compiled",
    "ConfigError",
    "DatabaseReport",
    "Fidelity",
    "Field",
    "HarvestError",
    "Ids",
    "LintWarning",
    "MalformedResponse",
    "Note",
    "OfflineCacheMiss",
    "Provenance",
    "QueryError",
    "QuerySyntaxError",
    "Record",
    "RecordFileError",
    "RetriesExhausted",
    "SearchHarvestError",
    "SearchResult",
    "Settings",
    "StrategyFileError",
    "UnsupportedQueryError",
    "__version__",
    "asearch",
    "compile",
    "lint",
    "normalize",
    "parse",
    "search",
    "to_string",
]
