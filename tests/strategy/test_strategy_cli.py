"""`searchharvest check|run|update|runs` against a loopback server: exit codes and --report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from searchharvest.cli import main
from searchharvest.cli._app import EXIT_INCOMPLETE, EXIT_INPUT, EXIT_NARROWER, EXIT_NO_NEW
from tests.conftest import loopback_urls
from tests.strategy.conftest import Apis

PREFIXES = {"/eutils": "pubmed", "/openalex": "openalex", "/crossref": "crossref"}


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def loopback(httpserver: HTTPServer, apis: Apis, tmp_path: Path) -> dict[str, str]:
    """Every API on one loopback server, answered by `apis` from the recorded bodies."""

    def handle(request: Request) -> Response:
        api = next(name for prefix, name in PREFIXES.items() if request.path.startswith(prefix))
        forwarded = httpx.Request(
            request.method,
            request.url,
            content=request.get_data(),
            headers=dict(request.headers),
            extensions={"searchharvest": {"api": api}},
        )
        answer = apis(forwarded)
        return Response(
            answer.content, answer.status_code, content_type=answer.headers["content-type"]
        )

    httpserver.expect_request(re.compile("/.*")).respond_with_handler(handle)
    return {**loopback_urls(httpserver, tmp_path), "SEARCHHARVEST_MAX_ATTEMPTS": "1"}


def report(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_run_update_update_exit_codes_and_reports(
    strategy_file: Path, apis: Apis, loopback: dict[str, str], tmp_path: Path
) -> None:
    summary = tmp_path / "report.json"
    first = invoke("run", str(strategy_file), "--report", str(summary), env=loopback)
    assert first.exit_code == 0, first.stderr
    assert report(summary)["status"] == "new-records"
    assert report(summary)["new_records"] == 24

    apis.updated = True
    second = invoke("update", str(strategy_file), "--report", str(summary), env=loopback)
    assert second.exit_code == 0, second.stderr
    data = report(summary)
    assert (data["status"], data["new_records"], data["run_id"]) == ("new-records", 5, 2)
    windows = {d["db"]: d["update_window"] for d in data["databases"]}  # type: ignore[attr-defined]
    assert "[edat]" in windows["pubmed"]
    assert "from-index-date" in windows["crossref"]
    assert "5 new records" in second.stderr

    third = invoke("update", str(strategy_file), "--report", str(summary), env=loopback)
    assert third.exit_code == EXIT_NO_NEW
    assert (report(summary)["status"], report(summary)["exit_code"]) == ("no-new-records", 5)
    quiet = invoke("update", str(strategy_file), "--zero-exit-when-none", env=loopback)
    assert quiet.exit_code == 0

    listed = invoke("runs", str(strategy_file))
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0].startswith("#1 run ")
    runs = json.loads(invoke("runs", str(strategy_file), "--json").stdout)
    assert [(r["kind"], r["new_records"]) for r in runs] == [
        ("run", 24),
        ("update", 5),
        ("update", 0),
        ("update", 0),
    ]


def test_a_cached_run_replays_offline(
    strategy_file: Path, apis: Apis, loopback: dict[str, str]
) -> None:
    online = invoke("run", str(strategy_file), "--use-cache", env=loopback)
    assert online.exit_code == 0, online.stderr
    apis.fail = "pubmed"
    offline = invoke("run", str(strategy_file), "--offline", env=loopback)
    assert offline.exit_code == 0, offline.stderr
    assert "24 new records" in offline.stderr
    missed = invoke("update", str(strategy_file), env={**loopback, "SEARCHHARVEST_OFFLINE": "1"})
    assert missed.exit_code == 1
    assert "offline mode" in missed.stderr


def test_a_bad_strategy_file_exits_2_with_a_failure_report(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\nquery = "a AND"\n[output]\nrecords = ["a.ris"]\n')
    summary = tmp_path / "report.json"
    result = invoke("update", str(path), "--report", str(summary))
    assert result.exit_code == EXIT_INPUT
    assert f"{path}:2: query syntax" in result.stderr
    assert report(summary)["status"] == "failed"
    assert report(summary)["exit_code"] == EXIT_INPUT


def test_an_incomplete_harvest_exits_4_and_records_nothing(
    strategy_file: Path, apis: Apis, loopback: dict[str, str], tmp_path: Path
) -> None:
    apis.crossref_missing = 5
    result = invoke("run", str(strategy_file), env=loopback)
    assert result.exit_code == EXIT_INCOMPLETE, result.stderr
    assert "nothing was recorded" in result.stderr
    assert invoke("runs", str(strategy_file)).stdout.strip() == "no runs recorded"


def test_a_missing_screened_library_exits_2_before_any_request(
    strategy_file: Path, apis: Apis, loopback: dict[str, str]
) -> None:
    text = strategy_file.read_text(encoding="utf-8")
    strategy_file.write_text(text + 'screened = "absent.ris"\n', encoding="utf-8")
    result = invoke("update", str(strategy_file), env=loopback)
    assert result.exit_code == EXIT_INPUT
    assert "absent.ris" in result.stderr
    assert apis.requests == []


def test_check_exits_3_when_a_database_would_lose_records(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\nquery = "coproduc*"\n[output]\nrecords = ["a.ris"]\n')
    result = invoke("check", str(path))
    assert result.exit_code == EXIT_NARROWER
    assert "Crossref has no truncation" in result.stderr


def test_check_prints_each_native_query(strategy_file: Path) -> None:
    result = invoke("check", str(strategy_file))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pubmed (exact): aids[ti] OR chromatium[ti]")
    assert lines[-1].endswith("valid; run store review.runs.sqlite")
