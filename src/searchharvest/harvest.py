"""Run one strategy against several databases: compile, harvest, filter locally, report.

`search()` and `asearch()` return the same `SearchResult`: iterate it with `for` (sync,
safe inside Jupyter) or `async for`. Records arrive lazily, database by database as they
are fetched; `result.reports` fills in while they do, and is complete once the
iteration ends. Queries are compiled when the result is created, so a syntax error or a
narrower-than-meant query fails before any request is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

import httpx

from searchharvest._sync import iterate_sync
from searchharvest.cache import ResponseCache
from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors import DatabaseReport, get_connector
from searchharvest.dialects.base import Compiled, Fidelity
from searchharvest.errors import ConfigError, SearchHarvestError
from searchharvest.http import HttpClient
from searchharvest.query.ast import Field, Node
from searchharvest.query.matcher import NO_MATCH, UNKNOWN, compile_matcher
from searchharvest.ratelimit import Clock
from searchharvest.records import Record

DEFAULT_DATABASES: tuple[str, ...] = ("pubmed", "openalex", "crossref")

Progress = Callable[[DatabaseReport], None]
"""Called after every record a database yields (and once when it finishes)."""

_DONE = object()


@dataclass
class SearchOptions:
    """How to run a search; the keyword arguments of `search()`."""

    databases: Sequence[str] = DEFAULT_DATABASES
    date_from: date | None = None
    date_to: date | None = None
    max_records: int | None = None
    """Most records kept per database (None: all)."""
    default_field: Field = Field.TIAB
    allow_narrower: bool = False
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Per-database native query strings written by hand (PubMed only: a query string;
    other databases: a query in the canonical language compiled for that database)."""


class SearchResult:
    """The records of one search (lazy) and a report per database.

    Attributes:
        compiled: the compiled query per database.
        reports: per-database counts, notes and warnings (complete after iteration).
        errors: database failures; the other databases still ran, and every record
            harvested before a failure was yielded.
    """

    def __init__(
        self,
        query: str | Node,
        options: SearchOptions,
        *,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: ResponseCache | Literal["default"] | None = "default",
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        if not options.databases:
            raise ConfigError("no database to search")
        if options.max_records is not None and options.max_records < 1:
            raise ConfigError("max_records must be at least 1")
        for db in options.databases:
            get_connector(db)  # unknown database → ConfigError before anything runs
        self.query = query
        self.options = options
        self.settings = settings or Settings.from_env()
        self._transport = transport
        self._cache = cache
        self._clock = clock
        self._progress = progress
        self.compiled: dict[str, Compiled] = {
            db: compile(
                options.overrides.get(db, query),
                db,
                default_field=options.default_field,
                date_from=options.date_from,
                date_to=options.date_to,
                allow_narrower=options.allow_narrower,
            )
            for db in options.databases
        }
        self.reports: dict[str, DatabaseReport] = {
            db: DatabaseReport(
                db=db,
                native=c.native,
                fidelity=c.fidelity,
                notes=list(c.notes),
                filter_locally=c.fidelity is Fidelity.BROADER,
            )
            for db, c in self.compiled.items()
        }
        self.errors: list[SearchHarvestError] = []
        self.started: datetime | None = None
        self.finished: datetime | None = None

    def set_progress(self, progress: Progress | None) -> None:
        """Replace the progress callback (before iterating)."""
        self._progress = progress

    def __iter__(self) -> Iterator[Record]:
        # Records cross from the event-loop thread in batches: one thread round trip per
        # record cost more CPU than mapping it.
        for batch in iterate_sync(self._batches):
            yield from batch

    async def __aiter__(self) -> AsyncIterator[Record]:
        async for batch in self._batches():
            for record in batch:
                yield record

    async def _batches(self) -> AsyncIterator[list[Record]]:
        """Records as they arrive: each batch is what the databases had queued, at least one."""
        self.started = datetime.now(UTC)
        queue: asyncio.Queue[object] = asyncio.Queue(maxsize=1_000)
        async with HttpClient(
            self.settings, transport=self._transport, cache=self._cache, clock=self._clock
        ) as http:
            tasks = [
                asyncio.create_task(self._run(db, http, queue)) for db in self.options.databases
            ]
            try:
                running = len(tasks)
                while running:
                    batch: list[Record] = []
                    item = await queue.get()
                    while True:
                        if item is _DONE:
                            running -= 1
                        else:
                            assert isinstance(item, Record)
                            batch.append(item)
                        if queue.empty():
                            break
                        item = queue.get_nowait()
                    if batch:
                        yield batch
                _raise_unexpected(await asyncio.gather(*tasks, return_exceptions=True))
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                for db, report in self.reports.items():
                    report.requests = http.stats[db].requests
                    report.cache_hits = http.stats[db].cache_hits
                self.finished = datetime.now(UTC)

    async def _run(self, db: str, http: HttpClient, queue: asyncio.Queue[object]) -> None:
        report = self.reports[db]
        compiled = self.compiled[db]
        matcher = compile_matcher(compiled.query, self.options.default_field)
        limit = self.options.max_records
        connector = get_connector(db)(http)
        report.started_at = datetime.now(UTC)
        try:
            stream = connector.harvest(
                compiled, report, limit=None if report.filter_locally else limit
            )
            async with aclosing(stream):  # stops the connector's prefetches at a break
                async for record in stream:
                    report.retrieved += 1
                    if report.filter_locally:
                        verdict = matcher(record)
                        if verdict is NO_MATCH:
                            continue
                        if verdict is UNKNOWN:
                            report.unverified += 1
                    report.kept += 1
                    await queue.put(record)
                    if self._progress:
                        self._progress(report)
                    if limit is not None and report.kept >= limit:
                        if report.total is not None and report.retrieved < report.total:
                            report.complete = False
                            report.warnings.append(
                                f"stopped at max_records={limit}; "
                                f"{report.total - report.retrieved} records not examined"
                            )
                        break
        except SearchHarvestError as exc:
            report.error = str(exc)
            report.complete = False
            self.errors.append(exc)
        except Exception as exc:
            report.error = f"{type(exc).__name__}: {exc}"
            report.complete = False
            raise
        finally:
            report.finished_at = datetime.now(UTC)
            if self._progress:
                self._progress(report)
            await queue.put(_DONE)


def _raise_unexpected(outcomes: Sequence[object]) -> None:
    """Re-raise a failure that is not a `SearchHarvestError` (a bug, not a bad answer).

    Expected failures are recorded per database in `errors`; anything else must not
    vanish in `gather(return_exceptions=True)` and leave a report that looks complete.
    """
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


def search(
    query: str | Node,
    databases: Sequence[str] = DEFAULT_DATABASES,
    date_from: date | None = None,
    date_to: date | None = None,
    max_records: int | None = None,
    *,
    default_field: Field = Field.TIAB,
    allow_narrower: bool = False,
    overrides: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cache: ResponseCache | Literal["default"] | None = "default",
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> SearchResult:
    """Search each database for `query`; iterate the result with `for`.

    Args:
        query: a query in the canonical language (see docs/query-language.md) or an AST.
        databases: names among `pubmed`, `openalex`, `crossref`.
        date_from: earliest publication date (inclusive).
        date_to: latest publication date (inclusive).
        max_records: most records kept per database.
        default_field: field searched by untagged terms.
        allow_narrower: accept a database that cannot retrieve everything the query means.
        overrides: per-database query written by hand for that database.
        settings: base URLs, keys, cache; default `Settings.from_env()`.
        transport: replaces the network (tests, the offline demo).
        cache: a `ResponseCache` to use, None to send every request, or "default" for
            the cache in `settings.cache_dir` (opened and closed by the search).
        clock: time source for rate limits and retry waits; tests pass a
            `VirtualClock` so waits cost nothing.
        progress: called as records arrive.

    Raises:
        QuerySyntaxError: the query does not parse.
        UnsupportedQueryError: a database would lose records and `allow_narrower` is off.
        ConfigError: an unknown database or a bad option.

    >>> result = search('"public sector"[ti]', ["pubmed"])  # doctest: +SKIP
    >>> records = list(result); result.reports["pubmed"].kept  # doctest: +SKIP
    """
    options = SearchOptions(
        databases=tuple(databases),
        date_from=date_from,
        date_to=date_to,
        max_records=max_records,
        default_field=default_field,
        allow_narrower=allow_narrower,
        overrides=dict(overrides or {}),
    )
    return SearchResult(
        query,
        options,
        settings=settings,
        transport=transport,
        cache=cache,
        clock=clock,
        progress=progress,
    )


def asearch(
    query: str | Node,
    databases: Sequence[str] = DEFAULT_DATABASES,
    date_from: date | None = None,
    date_to: date | None = None,
    max_records: int | None = None,
    *,
    default_field: Field = Field.TIAB,
    allow_narrower: bool = False,
    overrides: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cache: ResponseCache | Literal["default"] | None = "default",
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> SearchResult:
    """The async twin of `search()`: iterate the result with `async for`.

    Takes the same arguments as `search()`.

    >>> async def main() -> None:  # doctest: +SKIP
    ...     async for record in asearch('"public sector"[ti]', ["openalex"]):
    ...         print(record.title)
    """
    return search(
        query,
        databases,
        date_from,
        date_to,
        max_records,
        default_field=default_field,
        allow_narrower=allow_narrower,
        overrides=overrides,
        settings=settings,
        transport=transport,
        cache=cache,
        clock=clock,
        progress=progress,
    )
