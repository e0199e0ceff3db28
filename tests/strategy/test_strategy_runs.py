"""Run → update with new records → update with none; interruptions; the screened library."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from searchharvest.config import Settings
from searchharvest.dedup import dedupe
from searchharvest.errors import RetriesExhausted, RunInProgress, StrategyFileError
from searchharvest.export import read_file, write_file
from searchharvest.ratelimit import VirtualClock
from searchharvest.records import Author, Ids, Record
from searchharvest.strategy import RunIncomplete, RunInfo, RunOutcome, RunStore, Strategy
from searchharvest.strategy.store import StoredRecord
from tests.strategy.conftest import Apis

Harvest = Callable[..., RunOutcome]
NEW_KEYS = {
    "pmid:11748933",
    "pmid:11700088",
    "doi:10.7717/peerj.4375",
    "doi:10.1093/obo/9780199830060-0238",
    "doi:10.1093/obo/9780199830060-0023",
}


def new_keys(records: list[Record]) -> set[str]:
    """Which of the new works `records` are, by any identifier; one each."""
    found = [set(r.ids.keys()) & NEW_KEYS for r in records]
    assert all(len(keys) == 1 for keys in found)
    return set().union(*found)


def table_counts(store: RunStore) -> dict[str, int]:
    with sqlite3.connect(store.path) as conn:
        tables = ("runs", "run_databases", "run_records")
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_run_then_update_with_new_records_then_update_with_none(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    strategy = Strategy.load(strategy_file)
    first = harvest(strategy, "run")
    assert (first.kind, first.run_id, first.window_from) == ("run", 1, None)
    assert first.prisma.databases == {"pubmed": 2, "openalex": 2, "crossref": 20}
    assert len(first.records) == first.prisma.after_dedup == 24
    out = strategy_file.parent / "out"
    assert len(read_file(out / "hits.jsonl")) == 24
    assert {p.name for p in first.paths} == {"hits.jsonl", "hits.ris", "log.md", "prisma.json"}

    apis.updated = True
    apis.requests.clear()
    second = harvest(strategy, "update")
    since = (first.started - timedelta(days=7)).date()
    assert (second.kind, second.run_id, second.window_from) == ("update", 2, since)
    [esearch] = [p for p in apis.params("pubmed") if "term" in p]
    assert esearch["term"].endswith(f" AND {since:%Y/%m/%d}:3000/12/31[edat]")
    assert all(f"from-index-date:{since}" in p["filter"] for p in apis.params("crossref"))
    assert all("created" not in p["filter"] for p in apis.params("openalex"))
    assert second.windows["openalex"].since is None
    assert "Premium" in second.windows["openalex"].method
    assert new_keys(second.records) == NEW_KEYS
    assert second.previously_seen == second.prisma.previously_screened_removed == 24
    assert second.prisma.after_dedup == 5
    written = read_file(out / "hits.update-2.jsonl")
    assert new_keys(written) == NEW_KEYS
    log = (out / "log.update-2.md").read_text(encoding="utf-8")
    assert f"{since:%Y/%m/%d}:3000/12/31[edat]" in log
    assert f"from-index-date:{since}" in log
    assert json.loads((out / "prisma.update-2.json").read_text())["after_dedup"] == 5

    third = harvest(strategy, "update")
    assert third.records == []
    assert third.prisma.previously_screened_removed == 29
    runs = strategy.store.runs()
    assert [(r.id, r.kind, r.new_records) for r in runs] == [
        (1, "run", 24),
        (2, "update", 5),
        (3, "update", 0),
    ]
    assert runs[1].databases[0].native.endswith("[edat]")
    assert table_counts(strategy.store)["run_records"] == 24 + 29 + 29


def test_an_interrupted_update_leaves_the_store_as_it_was_and_can_be_rerun(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    strategy = Strategy.load(strategy_file)
    harvest(strategy, "run")
    before = table_counts(strategy.store)
    apis.updated, apis.fail = True, "crossref"
    with pytest.raises(RuntimeError, match="interrupted"):
        harvest(strategy, "update")
    assert table_counts(strategy.store) == before
    assert not list((strategy_file.parent / "out").glob("*.update-*"))
    apis.fail = None
    again = harvest(strategy, "update")
    assert again.run_id == 2
    assert new_keys(again.records) == NEW_KEYS


def test_a_second_run_of_the_same_strategy_stops_before_any_request(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    strategy = Strategy.load(strategy_file)
    harvest(strategy, "run")
    before = table_counts(strategy.store)
    apis.requests.clear()
    other = Strategy.load(strategy_file).store  # another process's update holds it
    with other.exclusive(), pytest.raises(RunInProgress, match="in progress"):
        harvest(strategy, "update")
    assert apis.requests == []
    assert table_counts(strategy.store) == before
    assert harvest(strategy, "update").run_id == 2  # released: the next one runs


def test_a_failed_database_records_nothing(strategy_file: Path, tmp_path: Path, apis: Apis) -> None:
    strategy = Strategy.load(strategy_file)

    def busy(request: httpx.Request) -> httpx.Response:
        if request.extensions["searchharvest"]["api"] == "openalex":
            return httpx.Response(503, headers={"Retry-After": "0"}, text="busy")
        return apis(request)

    settings = Settings(email="t@example.org", cache_dir=tmp_path / "c", max_attempts=2)
    with pytest.raises(RetriesExhausted):
        strategy.run(settings=settings, transport=httpx.MockTransport(busy), clock=VirtualClock())
    assert strategy.store.runs() == []
    assert not strategy.store.path.exists()


def test_an_incomplete_harvest_is_not_recorded(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    apis.crossref_missing = 5
    strategy = Strategy.load(strategy_file)
    with pytest.raises(RunIncomplete) as caught:
        harvest(strategy, "run")
    assert caught.value.databases == ("crossref",)
    assert strategy.store.runs() == []


def test_the_screened_library_removes_records_already_screened(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    screened = strategy_file.parent / "screened.ris"
    write_file(
        screened,
        [
            Record(
                ids=Ids(pmid="11700088"),
                title="Proton MRI of (13)C distribution by J and chemical shift editing.",
                year=2001,
            ),
            Record(ids=Ids(doi="10.1093/OBO/9780199830060-0238"), title="Communicating Ecology"),
        ],
    )
    text = strategy_file.read_text(encoding="utf-8")
    strategy_file.write_text(text + 'screened = "screened.ris"\n', encoding="utf-8")
    strategy = Strategy.load(strategy_file)
    harvest(strategy, "run")
    apis.updated = True
    update = harvest(strategy, "update")
    assert update.in_screened == 2
    assert new_keys(update.records) == NEW_KEYS - {
        "pmid:11700088",
        "doi:10.1093/obo/9780199830060-0238",
    }
    assert update.prisma.previously_screened_removed == 24 + 2


def test_the_first_update_without_a_run_searches_everything(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    outcome = harvest(Strategy.load(strategy_file), "update")
    assert (outcome.kind, outcome.window_from, len(outcome.records)) == ("run", None, 24)
    assert all("edat" not in p.get("term", "") for p in apis.params("pubmed"))
    assert (strategy_file.parent / "out" / "hits.ris").exists()


def test_a_changed_strategy_is_searched_in_full_by_the_next_update(
    strategy_file: Path, apis: Apis, harvest: Harvest
) -> None:
    harvest(Strategy.load(strategy_file), "run")
    text = strategy_file.read_text(encoding="utf-8")
    strategy_file.write_text(text.replace("mri[ti]", "mri[ti] OR proton[ti]"), encoding="utf-8")
    apis.updated = True
    apis.requests.clear()
    update = harvest(Strategy.load(strategy_file), "update")
    assert {w.since for w in update.windows.values()} == {None}
    assert "not searched with this query" in update.windows["pubmed"].method
    assert all("edat" not in p.get("term", "") for p in apis.params("pubmed"))
    assert all("from-index-date" not in p.get("filter", "") for p in apis.params("crossref"))
    assert len(update.records) == 5


def test_overlap_days_widens_the_window(strategy_file: Path, apis: Apis, harvest: Harvest) -> None:
    strategy = Strategy.load(strategy_file)
    first = harvest(strategy, "run")
    outcome = harvest(strategy, "update", overlap_days=30)
    assert outcome.window_from == (first.started - timedelta(days=30)).date()


def test_async_twins(strategy_file: Path, apis: Apis, tmp_path: Path) -> None:
    strategy = Strategy.load(strategy_file)
    settings = Settings(email="t@example.org", cache_dir=tmp_path / "c", max_attempts=1)

    async def both() -> tuple[RunOutcome, RunOutcome]:
        run = await strategy.arun(
            settings=settings, transport=httpx.MockTransport(apis), clock=VirtualClock()
        )
        update = await strategy.aupdate(
            settings=settings, transport=httpx.MockTransport(apis), clock=VirtualClock()
        )
        return run, update

    run, update = asyncio.run(both())
    assert (len(run.records), len(update.records)) == (24, 0)


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "x.runs.sqlite")
    assert store.runs() == []
    with sqlite3.connect(store.path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(StrategyFileError, match="newer"):
        store.runs()


def test_earlier_records_without_identifiers_are_matched_by_their_bibliographic_data(
    tmp_path: Path,
) -> None:
    store = RunStore(tmp_path / "s.runs.sqlite")
    old = Record(
        title="Co-production of public services: a systematic review",
        year=2021,
        authors=(Author(family="Smith", given="J"),),
        journal="Public Management Review",
    )
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    info = RunInfo(1, "run", moment, moment, None, "0" * 64, "0.1.0", 1, 0, 0, 1, ())
    store.record(info, [StoredRecord("crossref", old, True)])
    [kept] = store.prior_records()
    assert (kept.title, kept.year, kept.journal) == (old.title, 2021, old.journal)
    assert kept.authors[0].family == "Smith"
    again = Record(
        title="Co-production of public services: A systematic review.",
        year=2021,
        authors=(Author(family="Smith", given="Jane"),),
        journal="Public management review",
    )
    assert dedupe([again], against=store.prior_records()).prior_matches == 1
