"""Strategy files, reproducible runs and scheduled update searches.

A strategy file (TOML) names the query, databases, limits and outputs; `Strategy.run()`
harvests it and records the run in a SQLite run store beside the file; `Strategy.update()`
searches only what entered the databases since the last run and writes only new records.
See docs/strategies.md.
"""

from __future__ import annotations

from searchharvest.errors import RunIncomplete
from searchharvest.strategy.run import RunOutcome, Strategy
from searchharvest.strategy.schema import StrategySpec
from searchharvest.strategy.store import DatabaseRun, RunInfo, RunStore
from searchharvest.strategy.window import Window

__all__ = [
    "DatabaseRun",
    "RunIncomplete",
    "RunInfo",
    "RunOutcome",
    "RunStore",
    "Strategy",
    "StrategySpec",
    "Window",
]
