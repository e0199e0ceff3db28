"""`searchharvest chain` end to end on the fake APIs: files written, summary, exit codes."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchharvest.chain import chain
from searchharvest.cli import cmd_chain, main
from searchharvest.export import read_file, write_file
from searchharvest.records import Record
from tests.chain.fakeapis import Work, World


@pytest.fixture
def run(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke the CLI with the library's `chain` answering from `world`."""
    monkeypatch.setattr(cmd_chain, "chain", functools.partial(chain, transport=world.transport()))
    env = {"SEARCHHARVEST_CACHE_DIR": str(tmp_path / "cache"), "SEARCHHARVEST_MAX_ATTEMPTS": "1"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def small(world: World) -> World:
    world.add("r1", Work("First reference on peer support", openalex="W11", doi="10.1000/r1"))
    world.add("r2", Work("Second reference on peer support", openalex="W12", doi="10.1000/r2"))
    world.add(
        "c1", Work("A work citing the seed on peer support", openalex="W13", references=["s"])
    )
    world.add(
        "s", Work("Seed on peer support", openalex="W10", doi="10.1000/s", references=["r1", "r2"])
    )
    return world


def test_chain_writes_records_network_and_report(run, small: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, net, report = tmp_path / "found.ris", tmp_path / "net.graphml", tmp_path / "report.json"
    result = run(
        "chain",
        "--seeds",
        "10.1000/s",
        "--via",
        "openalex",
        "-o",
        str(out),
        "--network",
        str(net),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert sorted(r.title or "" for r in read_file(out)) == [
        "A work citing the seed on peer support",
        "First reference on peer support",
        "Second reference on peer support",
    ]
    assert net.read_text(encoding="utf-8").count("<edge ") == 3
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["coverage"]["openalex"]["with_references"] == 1
    assert data["prisma"]["citation_searching"] == 3
    assert "seeds resolved: 1 of 1" in result.output
    assert "Records identified from citation searching | 3" in result.output


def test_chain_from_a_seed_file_against_screened_records(run, small: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeds = write_file(tmp_path / "included.csv", [Record(ids={"openalex": "W10"}, title="Seed")])
    prior = write_file(
        tmp_path / "screened.jsonl",
        [Record(ids={"doi": "10.1000/r1"}, title="First reference on peer support")],
    )
    out = tmp_path / "found.jsonl"
    result = run(
        "chain",
        "--seeds",
        str(seeds),
        "--direction",
        "backward",
        "--via",
        "openalex",
        "--against",
        str(prior),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert [r.ids.doi for r in read_file(out)] == ["10.1000/r2"]
    assert "already screened | 1" in result.output


def test_bad_seeds_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("chain", "--seeds", "no-such-thing", "-o", str(tmp_path / "x.ris"))
    assert result.exit_code == 2
    assert "not a DOI" in result.output


def test_unknown_output_format_exits_2_before_any_request(
    run, world: World, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = run("chain", "--seeds", "W10", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 2
    assert not world.requests


def test_cap_exits_4_with_the_kept_records_written(run, small: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "found.jsonl"
    result = run(
        "chain",
        "--seeds",
        "W10",
        "--direction",
        "backward",
        "--via",
        "openalex",
        "--max-per-generation",
        "1",
        "-o",
        str(out),
    )
    assert result.exit_code == 4
    assert len(read_file(out)) == 1


def test_failure_exits_1_with_partial_output(run, small: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small.works["s"].pmid = "10"
    small.fail = "elink.fcgi"
    out = tmp_path / "found.jsonl"
    result = run(
        "chain",
        "--seeds",
        "W10",
        "--direction",
        "backward",
        "--via",
        "openalex,pubmed",
        "-o",
        str(out),
    )
    assert result.exit_code == 1
    assert len(read_file(out)) == 2
    assert "pubmed: RetriesExhausted" in result.output


def test_help_ends_with_an_example(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chain", "--help")
    assert "Example: searchharvest chain --seeds" in result.output
