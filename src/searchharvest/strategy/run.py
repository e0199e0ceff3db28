"""`Strategy`: load a strategy file, run it, update it; `RunOutcome`: what a run produced.

A run harvests the whole strategy; an update harvests the window since the last recorded
run (by entry/indexing date, see `window.py`), de-duplicates against every earlier run and
the screened library, and writes only the new records. Nothing is recorded unless every
database finished: an incomplete harvest recorded as a baseline would let the next update
skip the records it missed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import httpx

from searchharvest._sync import run_sync
from searchharvest.cache import ResponseCache
from searchharvest.config import Settings
from searchharvest.connectors import DatabaseReport, native_text
from searchharvest.dedup import DedupResult, dedupe
from searchharvest.errors import RunIncomplete
from searchharvest.export import read_file
from searchharvest.harvest import SearchOptions, SearchResult
from searchharvest.prisma import PrismaCounts, prisma_counts
from searchharvest.query.ast import And, Node, Or, Phrase, Term
from searchharvest.query.ast import Field as FieldTag
from searchharvest.query.parser import parse
from searchharvest.query.printer import to_string
from searchharvest.ratelimit import Clock
from searchharvest.records import Record
from searchharvest.searchlog import SearchLog
from searchharvest.strategy.load import load_spec
from searchharvest.strategy.outputs import write_outputs
from searchharvest.strategy.schema import StrategySpec
from searchharvest.strategy.store import DatabaseRun, RunInfo, RunStore, StoredRecord
from searchharvest.strategy.window import (
    CHANGED,
    FULL_RUN,
    Window,
    apply_filter,
    with_entry_date,
)

Kind = Literal["run", "update"]
CacheArg = ResponseCache | Literal["default"] | None


@dataclass(frozen=True)
class RunOutcome:
    """What one run or update produced.

    Attributes:
        records: the new, de-duplicated records (the ones written).
        prisma: PRISMA counts for this run alone.
        reports: per-database counts, native queries and notes.
        windows: how the update window was applied in each database.
        log: the PRISMA-S search log of this run.
        paths: every file written.
        previously_seen: records removed because an earlier run returned them.
        in_screened: records removed because the screened library has them.
    """

    kind: Kind
    run_id: int
    started: datetime
    finished: datetime
    window_from: date | None
    records: list[Record]
    prisma: PrismaCounts
    reports: dict[str, DatabaseReport]
    windows: dict[str, Window]
    log: SearchLog
    paths: list[Path] = field(default_factory=list)
    previously_seen: int = 0
    in_screened: int = 0

    def to_json(self) -> dict[str, Any]:
        """The machine-readable summary a scheduler reads (`--report FILE.json`)."""
        return {
            "kind": self.kind,
            "run_id": self.run_id,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "window_from": self.window_from.isoformat() if self.window_from else None,
            "new_records": len(self.records),
            "previously_seen": self.previously_seen,
            "in_screened_library": self.in_screened,
            "prisma": self.prisma.to_json(),
            "databases": [
                {**report.to_json(), "update_window": self.windows[db].method}
                for db, report in self.reports.items()
            ],
            "outputs": [str(p) for p in self.paths],
        }


@dataclass(frozen=True)
class Strategy:
    """A validated strategy file and the run store beside it.

    >>> strategy = Strategy.load("examples/coproduction.toml")  # doctest: +SKIP
    >>> outcome = strategy.update()  # doctest: +SKIP
    >>> len(outcome.records), outcome.prisma.previously_screened_removed  # doctest: +SKIP
    """

    spec: StrategySpec
    path: Path
    text: str

    @classmethod
    def load(cls, path: str | Path) -> Strategy:
        """Read and validate a strategy file.

        Raises:
            StrategyFileError: with the line of the first mistake.
        """
        spec, text = load_spec(path)
        return cls(spec, Path(path).resolve(), text)

    @property
    def store(self) -> RunStore:
        """The run store beside the strategy file (`NAME.runs.sqlite`)."""
        return RunStore.for_strategy(self.path)

    def query_for(self, db: str) -> Node:
        """The query sent to `db`: its override or the canonical query, with the filters."""
        node = parse(self.spec.overrides.get(db, self.spec.query))
        limits: list[Node] = list(node.items) if isinstance(node, And) else [node]
        languages = self.spec.filters.languages
        if languages:
            limits.append(_any_of([Term(lang, field=FieldTag.LA) for lang in languages]))
        types = self.spec.filters.publication_types
        if types:
            limits.append(_any_of([_words(t, FieldTag.PT) for t in types]))
        return _all_of(limits)

    def run(
        self,
        *,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: CacheArg = None,
        clock: Clock | None = None,
    ) -> RunOutcome:
        """Run the whole strategy, write the outputs and record the run (see `arun`)."""
        return run_sync(self.arun(settings=settings, transport=transport, cache=cache, clock=clock))

    def update(
        self,
        *,
        overlap_days: int | None = None,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: CacheArg = None,
        clock: Clock | None = None,
    ) -> RunOutcome:
        """Search what is new since the last run (see `aupdate`)."""
        return run_sync(
            self.aupdate(
                overlap_days=overlap_days,
                settings=settings,
                transport=transport,
                cache=cache,
                clock=clock,
            )
        )

    async def arun(
        self,
        *,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: CacheArg = None,
        clock: Clock | None = None,
    ) -> RunOutcome:
        """Run the whole strategy: harvest, de-duplicate, write, then record the run.

        Args:
            settings: default `Settings.from_env(email=contact_email)`.
            transport: replaces the network (tests).
            cache: the response cache; None (the default) asks every database afresh,
                because a cached answer would hide what entered the database since;
                `"default"` with offline settings replays a run from the cache.
            clock: virtual time for the rate limiter (tests).

        Raises:
            HarvestError: a database failed; nothing was recorded.
            RunIncomplete: a database stopped early; nothing was recorded.
            RunInProgress: another run of this strategy holds the store; nothing was sent.
        """
        return await self._execute("run", None, settings, transport, cache, clock)

    async def aupdate(
        self,
        *,
        overlap_days: int | None = None,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: CacheArg = None,
        clock: Clock | None = None,
    ) -> RunOutcome:
        """Search since the last run minus `overlap_days`; write only the new records.

        With no earlier run this is a first run. Records returned by any earlier run, or
        present in the strategy's `screened` library, are removed and counted.

        Args:
            overlap_days: days searched again before the last run (default: the file's
                `update.overlap_days`).
            settings, transport, cache, clock: as for `arun`.
        """
        return await self._execute("update", overlap_days, settings, transport, cache, clock)

    async def _execute(
        self,
        kind: Kind,
        overlap_days: int | None,
        settings: Settings | None,
        transport: httpx.AsyncBaseTransport | None,
        cache: CacheArg,
        clock: Clock | None,
    ) -> RunOutcome:
        with self.store.exclusive():
            return await self._execute_locked(kind, overlap_days, settings, transport, cache, clock)

    async def _execute_locked(
        self,
        kind: Kind,
        overlap_days: int | None,
        settings: Settings | None,
        transport: httpx.AsyncBaseTransport | None,
        cache: CacheArg,
        clock: Clock | None,
    ) -> RunOutcome:
        started = datetime.now(UTC)
        store = self.store
        last = store.last_run() if kind == "update" else None
        overlap = self.spec.update.overlap_days if overlap_days is None else overlap_days
        since = (last.started - timedelta(days=overlap)).date() if last else None
        screened = self._screened() if kind == "update" else []  # a bad file fails first
        before = {d.db: d.signature for d in last.databases} if last else {}
        result, windows = self._search(since, before, settings, transport, cache, clock)
        records = [record async for record in result]
        if result.errors:
            raise result.errors[0]
        incomplete = [db for db, report in result.reports.items() if not report.complete]
        if incomplete:
            raise RunIncomplete(incomplete)
        prior = store.prior_records() if last else []
        dedup = dedupe(records, against=[*prior, *screened])
        prisma = prisma_counts({db: r.kept for db, r in result.reports.items()}, dedup)
        seen, in_screened, old = _prior_split(dedup, len(prior))
        run_id = store.next_id()
        outcome = RunOutcome(
            kind=kind if last else "run",
            run_id=run_id,
            started=started,
            finished=datetime.now(UTC),
            window_from=since,
            records=dedup.merged,
            prisma=prisma,
            reports=dict(result.reports),
            windows=windows,
            log=_search_log(result, prisma, self.spec),
            previously_seen=seen,
            in_screened=in_screened,
        )
        outcome.paths.extend(write_outputs(self.spec, outcome))
        stored = [StoredRecord(_source(r), r, i not in old) for i, r in enumerate(records)]
        store.record(self._run_info(outcome), stored)
        return outcome

    def signature(self, db: str) -> str:
        """A hash of what `db` is searched for before any update window is added."""
        spec = self.spec
        parts = [to_string(self.query_for(db)), spec.default_field, str(spec.allow_narrower)]
        parts += [str(spec.dates.first), str(spec.dates.last)]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def _search(
        self,
        since: date | None,
        before: dict[str, str],
        settings: Settings | None,
        transport: httpx.AsyncBaseTransport | None,
        cache: CacheArg,
        clock: Clock | None,
    ) -> tuple[SearchResult, dict[str, Window]]:
        queries: dict[str, str] = {}
        windows: dict[str, Window] = {}
        for db in self.spec.databases:
            node = self.query_for(db)
            windows[db] = FULL_RUN
            if since is not None and before.get(db) == self.signature(db):
                node, windows[db] = with_entry_date(db, node, since)
            elif since is not None:
                windows[db] = CHANGED
            queries[db] = to_string(node)
        options = SearchOptions(
            databases=self.spec.databases,
            date_from=self.spec.dates.first,
            date_to=self.spec.dates.last,
            default_field=self.spec.field,
            allow_narrower=self.spec.allow_narrower,
            overrides=queries,
        )
        result = SearchResult(
            self.spec.query,
            options,
            settings=settings or Settings.from_env(email=self.spec.contact_email),
            transport=transport,
            cache=cache,
            clock=clock,
        )
        for db, window in windows.items():
            result.compiled[db] = apply_filter(result.compiled[db], window)
            result.reports[db].native = result.compiled[db].native
            result.reports[db].details["update_window"] = window.method
        return result, windows

    def _screened(self) -> list[Record]:
        path = self.spec.update.screened
        return read_file(path) if path else []

    def _run_info(self, outcome: RunOutcome) -> RunInfo:
        return RunInfo(
            id=outcome.run_id,
            kind=outcome.kind,
            started=outcome.started,
            finished=outcome.finished,
            window_from=outcome.window_from,
            strategy_sha256=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            library_version=version("searchharvest"),
            identified=outcome.prisma.identified_total,
            duplicates_removed=outcome.prisma.duplicates_removed,
            previously_seen=outcome.prisma.previously_screened_removed,
            new_records=len(outcome.records),
            outputs=tuple(str(p) for p in outcome.paths),
            databases=tuple(
                DatabaseRun(
                    db=db,
                    native=native_text(report.native),
                    fidelity=str(report.fidelity),
                    total=report.total,
                    retrieved=report.retrieved,
                    kept=report.kept,
                    window=outcome.windows[db].method,
                    signature=self.signature(db),
                )
                for db, report in outcome.reports.items()
            ),
        )


def _search_log(result: SearchResult, prisma: PrismaCounts, spec: StrategySpec) -> SearchLog:
    """The search log, naming as hand-written only the overrides the file holds.

    Every database gets its own query through `overrides` (filters and update windows are
    added per database), but only the file's `[overrides]` were written by a person.
    """
    log = SearchLog.from_result(result, prisma=prisma)
    entries = [
        entry.model_copy(update={"override": spec.overrides.get(entry.database)})
        for entry in log.databases
    ]
    return log.model_copy(update={"databases": entries})


def _all_of(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _any_of(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def _words(text: str, tag: FieldTag) -> Node:
    words = tuple(text.split())
    return Term(words[0], field=tag) if len(words) == 1 else Phrase(words, field=tag)


def _source(record: Record) -> str:
    return record.provenance[0].database if record.provenance else "unknown"


def _prior_split(dedup: DedupResult, n_runs: int) -> tuple[int, int, set[int]]:
    """Records removed as seen in an earlier run, as in the screened library, and their indices.

    `against` is the earlier runs' records followed by the screened library, so a prior
    member's index tells which of the two it came from; a work in both counts as seen.
    """
    seen = screened = 0
    old: set[int] = set()
    for group in dedup.groups:
        if not group.has_prior:
            continue
        fresh = [m.index for m in group.members if not m.prior]
        old.update(fresh)
        if any(m.prior and m.index < n_runs for m in group.members):
            seen += len(fresh)
        else:
            screened += len(fresh)
    return seen, screened, old
