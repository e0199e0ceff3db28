"""Shared helpers for the connector tests: run one connector offline on a virtual clock."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from searchharvest.cassette import CassetteTransport
from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors import Connector, DatabaseReport, get_connector
from searchharvest.dialects.base import Fidelity
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock
from searchharvest.records import Record

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"

ConnectorFactory = Callable[[HttpClient], Connector]


@dataclass
class Harvested:
    """What one connector run produced."""

    records: list[Record]
    report: DatabaseReport
    http: HttpClient


Harvest = Callable[..., Harvested]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that never reach the real APIs (every test passes a transport)."""
    return Settings(
        email="tester@example.org", cache_dir=tmp_path / "cache", max_attempts=2, parse_processes=0
    )


@pytest.fixture
def cassette() -> Callable[..., CassetteTransport]:
    """Loads the named cassettes of `cassettes/tests/`."""

    def load(*names: str) -> CassetteTransport:
        return CassetteTransport.from_files([CASSETTES / "tests" / f"{n}.json" for n in names])

    return load


def fresh_report(db: str, query: str) -> DatabaseReport:
    """The report the harvest engine would start `db` with."""
    compiled = compile(query, db)
    return DatabaseReport(
        db=db,
        native=compiled.native,
        fidelity=compiled.fidelity,
        notes=list(compiled.notes),
        filter_locally=compiled.fidelity is Fidelity.BROADER,
    )


@pytest.fixture
def harvest(settings: Settings) -> Harvest:
    """Run one connector on `query` with `transport`, no cache, on a virtual clock
    (child parsers off unless `parse_processes` says otherwise)."""

    def run(
        transport: httpx.AsyncBaseTransport,
        query: str,
        db: str,
        *,
        connector: ConnectorFactory | None = None,
        limit: int | None = None,
        report: DatabaseReport | None = None,
        parse_processes: int | None = None,
    ) -> Harvested:
        compiled = compile(query, db)
        filled = report or fresh_report(db, query)
        chosen = settings
        if parse_processes is not None:
            chosen = dataclasses.replace(settings, parse_processes=parse_processes)

        async def go() -> Harvested:
            async with HttpClient(
                chosen, transport=transport, cache=None, clock=VirtualClock()
            ) as http:
                made = connector(http) if connector else get_connector(db)(http)
                records = [r async for r in made.harvest(compiled, filled, limit=limit)]
                return Harvested(records, filled, http)

        return asyncio.run(go())

    return run
