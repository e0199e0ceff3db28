"""The run store: every run of a strategy, in one SQLite file next to the strategy file.

Why SQLite through the standard library: it ships with Python (no dependency), one file
travels with the strategy (commit it, archive it with the review), any SQLite browser
reads it for an audit, and a transaction makes a run all-or-nothing, which is what
"an interrupted update leaves no trace" needs. diskcache would add a dependency and store
opaque pickles instead of tables a reviewer can query.

A run is written in ONE transaction, after its output files are safely on disk, so a
crash before that leaves the store exactly as it was and the update can simply be re-run.
The file is created only when the first run is recorded.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, astuple, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from searchharvest.errors import RunInProgress, StrategyFileError
from searchharvest.records import Author, Ids, Record

SCHEMA_VERSION: Final = 1
"""Bumped when the tables change; a store from a newer version is refused, not misread."""

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('run', 'update')),
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    window_from TEXT,
    strategy_sha256 TEXT NOT NULL,
    library_version TEXT NOT NULL,
    identified INTEGER NOT NULL,
    duplicates_removed INTEGER NOT NULL,
    previously_seen INTEGER NOT NULL,
    new_records INTEGER NOT NULL,
    outputs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_databases (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    db TEXT NOT NULL,
    native TEXT NOT NULL,
    fidelity TEXT NOT NULL,
    total INTEGER,
    retrieved INTEGER NOT NULL,
    kept INTEGER NOT NULL,
    window TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (run_id, db)
);
CREATE TABLE IF NOT EXISTS run_records (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    db TEXT NOT NULL,
    record_key TEXT NOT NULL,
    doi TEXT, pmid TEXT, pmcid TEXT, openalex TEXT,
    title TEXT, year INTEGER, first_author TEXT, journal TEXT,
    new INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS run_records_key ON run_records (record_key);
"""


@dataclass(frozen=True, slots=True)
class DatabaseRun:
    """One database in one run: what was sent and what came back.

    Attributes:
        window: how the update window was applied here, e.g. `entry date from
            2024-08-24 ([edat])`, or why the full strategy was re-run instead.
        signature: a hash of what was searched here before any window (query, filters,
            dates, default field); an update narrows only databases whose signature is
            unchanged since the last run.
    """

    db: str
    native: str
    fidelity: str
    total: int | None
    retrieved: int
    kept: int
    window: str
    signature: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One recorded run (`kind` is `run` or `update`)."""

    id: int
    kind: str
    started: datetime
    finished: datetime
    window_from: date | None
    strategy_sha256: str
    library_version: str
    identified: int
    duplicates_removed: int
    previously_seen: int
    new_records: int
    outputs: tuple[str, ...]
    databases: tuple[DatabaseRun, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The run as JSON-ready values (`searchharvest runs --json`)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "window_from": self.window_from.isoformat() if self.window_from else None,
            "strategy_sha256": self.strategy_sha256,
            "library_version": self.library_version,
            "identified": self.identified,
            "duplicates_removed": self.duplicates_removed,
            "previously_seen": self.previously_seen,
            "new_records": self.new_records,
            "outputs": list(self.outputs),
            "databases": [asdict(d) for d in self.databases],
        }


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record returned by one database in a run; `new` if it was not seen before."""

    db: str
    record: Record
    new: bool


class RunStore:
    """Read and append the runs of one strategy.

    >>> import tempfile, pathlib
    >>> RunStore(pathlib.Path(tempfile.mkdtemp()) / "x.runs.sqlite").runs()
    []
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_strategy(cls, strategy_path: Path) -> RunStore:
        """The store beside a strategy file: `NAME.toml` → `NAME.runs.sqlite`."""
        return cls(strategy_path.with_name(f"{strategy_path.stem}.runs.sqlite"))

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store for one whole run, from reading the last run to recording this one.

        The lock is an OS file lock on `NAME.runs.sqlite.lock`, so it is released even
        when the process is killed: no stale lock blocks the next scheduled update.

        Raises:
            RunInProgress: another process (or task) holds the store.
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        with lock_path.open("a+b") as handle:
            try:
                _lock(handle.fileno())
            except OSError as exc:
                raise RunInProgress(str(self.path)) from exc
            try:
                yield
            finally:
                _unlock(handle.fileno())

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path)) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                with conn:
                    conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise StrategyFileError(
                    f"run store version {row[0]} is newer than this searchharvest "
                    f"({SCHEMA_VERSION}); upgrade searchharvest",
                    str(self.path),
                )
            yield conn

    def runs(self) -> list[RunInfo]:
        """Every recorded run, oldest first (empty when nothing was recorded yet)."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
            dbs = conn.execute(
                "SELECT run_id, db, native, fidelity, total, retrieved, kept, window, signature "
                "FROM run_databases ORDER BY run_id, rowid"
            ).fetchall()
        per_run: dict[int, list[DatabaseRun]] = {}
        for run_id, *values in dbs:
            per_run.setdefault(run_id, []).append(DatabaseRun(*values))
        return [_run_info(row, tuple(per_run.get(row[0], ()))) for row in rows]

    def last_run(self) -> RunInfo | None:
        """The most recent recorded run, which an update continues from."""
        runs = self.runs()
        return runs[-1] if runs else None

    def next_id(self) -> int:
        """The id the next recorded run will get (names its output files)."""
        last = self.last_run()
        return 1 if last is None else last.id + 1

    def prior_records(self) -> list[Record]:
        """One record per distinct work returned by any earlier run, for de-duplication.

        Only identifiers, title, year, first author and journal are kept: enough for the
        identifier stage and the fuzzy stage of `dedupe()`.
        """
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT record_key, doi, pmid, pmcid, openalex, title, year, first_author, "
                "journal FROM run_records ORDER BY rowid"
            ).fetchall()
        seen: dict[str, Record] = {}
        for key, doi, pmid, pmcid, openalex, title, year, author, journal in rows:
            if key not in seen:
                seen[key] = Record(
                    ids=Ids(doi=doi, pmid=pmid, pmcid=pmcid, openalex=openalex),
                    title=title,
                    year=year,
                    authors=(Author(family=author),) if author else (),
                    journal=journal,
                )
        return list(seen.values())

    def record(self, run: RunInfo, records: Sequence[StoredRecord]) -> int:
        """Append a run, its databases and its records in one transaction; return its id."""
        with self._connect() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO runs (kind, started, finished, window_from, strategy_sha256, "
                "library_version, identified, duplicates_removed, previously_seen, "
                "new_records, outputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.kind,
                    run.started.isoformat(),
                    run.finished.isoformat(),
                    run.window_from.isoformat() if run.window_from else None,
                    run.strategy_sha256,
                    run.library_version,
                    run.identified,
                    run.duplicates_removed,
                    run.previously_seen,
                    run.new_records,
                    json.dumps(list(run.outputs)),
                ),
            )
            run_id = cursor.lastrowid
            assert run_id is not None
            conn.executemany(
                "INSERT INTO run_databases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, *astuple(d)) for d in run.databases],
            )
            conn.executemany(
                "INSERT INTO run_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_record_row(run_id, item) for item in records],
            )
        return run_id


def _run_info(row: tuple[object, ...], databases: tuple[DatabaseRun, ...]) -> RunInfo:
    (run_id, kind, started, finished, window, sha, lib, ident, dups, seen, new, outputs) = row
    return RunInfo(
        id=int(str(run_id)),
        kind=str(kind),
        started=datetime.fromisoformat(str(started)),
        finished=datetime.fromisoformat(str(finished)),
        window_from=date.fromisoformat(str(window)) if window else None,
        strategy_sha256=str(sha),
        library_version=str(lib),
        identified=int(str(ident)),
        duplicates_removed=int(str(dups)),
        previously_seen=int(str(seen)),
        new_records=int(str(new)),
        outputs=tuple(json.loads(str(outputs))),
        databases=databases,
    )


def _record_row(run_id: int, item: StoredRecord) -> tuple[object, ...]:
    r = item.record
    author = r.authors[0].family if r.authors else None
    ids = r.ids
    return (
        run_id,
        item.db,
        r.key,
        ids.doi,
        ids.pmid,
        ids.pmcid,
        ids.openalex,
        r.title,
        r.year,
        author,
        r.journal,
        int(item.new),
    )


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
