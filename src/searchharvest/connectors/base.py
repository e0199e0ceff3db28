"""What every connector is, and the per-database report a harvest fills in.

A connector turns a `Compiled` query into a stream of `Record`s for one API: it pages,
parses and counts. It never decides what the query *means*: the harvest engine applies
the local matcher to the stream when the compiled query is broader than the strategy (or
when the connector learns at run time that the database bent the query, e.g. PubMed
ignoring a phrase it could not find in its phrase index).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any, ClassVar

from searchharvest.dialects.base import Compiled, Fidelity, Note
from searchharvest.http import HttpClient
from searchharvest.records import Provenance, Record


def native_text(native: str | dict[str, str]) -> str:
    """The native query as one line: PubMed's string, or `name=value` parameters."""
    return native if isinstance(native, str) else " & ".join(f"{k}={v}" for k, v in native.items())


@dataclass
class DatabaseReport:
    """What happened in one database: the numbers a search log and PRISMA need.

    Attributes:
        total: the number of records the API reported for the native query.
        retrieved: records received from the API.
        kept: records passed on after local filtering (== retrieved when none).
        unverified: records kept although the local filter could not decide (the record
            lacked the data, e.g. an abstract); they are kept because dropping them could
            lose a relevant study.
        complete: False when the harvest stopped before every reported record was seen
            (`max_records`, a safety cap, or an error).
        started_at: when the harvest of this database began (UTC); PRISMA-S asks a
            search log for the date and time each search was run.
        finished_at: when it ended, failed or was stopped (UTC); None while running.
    """

    db: str
    native: str | dict[str, str]
    fidelity: Fidelity
    notes: list[Note]
    filter_locally: bool
    started_at: datetime | None = None
    finished_at: datetime | None = None
    total: int | None = None
    retrieved: int = 0
    kept: int = 0
    unverified: int = 0
    requests: int = 0
    cache_hits: int = 0
    complete: bool = True
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """Database-specific facts, e.g. PubMed's QueryTranslation and date slices."""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "native": self.native,
            "fidelity": str(self.fidelity),
            "notes": [note.to_json() for note in self.notes],
            "filtered_locally": self.filter_locally,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "total": self.total,
            "retrieved": self.retrieved,
            "kept": self.kept,
            "unverified": self.unverified,
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "complete": self.complete,
            "warnings": list(self.warnings),
            "details": self.details,
            "error": self.error,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class Connector(ABC):
    """One API. Subclasses set `name` and implement `harvest`.

    A subclass is registered by being defined in a module of this package: see
    `searchharvest.connectors.get_connector`.
    """

    name: ClassVar[str]
    """The database name, the same as its dialect's (`pubmed`, `openalex`, `crossref`)."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def provenance(self, compiled: Compiled) -> Provenance:
        """The provenance stamped on every record of this harvest."""
        return Provenance(
            database=self.name,
            native_query=native_text(compiled.native),
            retrieved=datetime.now(UTC),
            library_version=version("searchharvest"),
        )

    @abstractmethod
    def harvest(
        self, compiled: Compiled, report: DatabaseReport, *, limit: int | None
    ) -> AsyncGenerator[Record, None]:
        """Yield every record the native query returns, filling `report` as it goes.

        Args:
            compiled: the compiled query for this database.
            report: updated in place (`total`, `retrieved`, `warnings`, `details`, and
                `filter_locally` when the database bent the query at run time).
            limit: stop after this many records (None: all). The engine passes a limit
                only when it does not filter locally.
        """
