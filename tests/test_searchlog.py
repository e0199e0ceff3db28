"""The PRISMA-S search log: built from the offline demo, free of caller identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from searchharvest._resources import data_path
from searchharvest.cassette import CassetteTransport
from searchharvest.config import Settings
from searchharvest.demo import DEMO_QUERY, demo_search
from searchharvest.errors import ConfigError
from searchharvest.harvest import DEFAULT_DATABASES, SearchOptions, SearchResult
from searchharvest.prisma import PrismaCounts
from searchharvest.searchlog import SearchLog, scrub, write_search_log

EMAIL = "reviewer@example.org"
KEY = "ncbi-secret-key-123"


@pytest.fixture(scope="module")
def demo() -> SearchResult:
    result = demo_search()
    list(result)
    return result


@pytest.fixture(scope="module")
def log(demo: SearchResult) -> SearchLog:
    kept = {db: r.kept for db, r in demo.reports.items()}
    prisma = PrismaCounts(databases=kept, duplicates_removed=1, after_dedup=sum(kept.values()) - 1)
    return SearchLog.from_result(demo, prisma=prisma)


def test_log_has_one_entry_per_database_with_the_report_numbers(
    demo: SearchResult, log: SearchLog
) -> None:
    assert [e.database for e in log.databases] == list(DEFAULT_DATABASES)
    for entry in log.databases:
        report = demo.reports[entry.database]
        assert entry.native == report.native
        assert (entry.total, entry.retrieved, entry.kept) == (
            report.total,
            report.retrieved,
            report.kept,
        )
        assert entry.fidelity == str(report.fidelity)
        assert entry.started_at == report.started_at
        assert entry.started_at is not None
        assert entry.complete
    assert log.query == DEMO_QUERY
    assert log.default_field == "tiab"
    assert log.library_version


def test_markdown_has_a_section_per_database_with_the_query_in_a_code_block(
    demo: SearchResult, log: SearchLog
) -> None:
    text = log.to_markdown()
    assert text.startswith("# Search log\n")
    for heading in ("## PubMed", "## OpenAlex", "## Crossref", "## PRISMA 2020 counts"):
        assert f"\n{heading}\n" in text
    pubmed = demo.reports["pubmed"].native
    assert isinstance(pubmed, str)
    assert f"```text\n{pubmed}\n```" in text
    assert "```text\nquery.bibliographic=" in text
    assert '- Fidelity: broader\n  - broader: `"language models"[ti]`' in text
    assert f"- Records reported by Crossref: {demo.reports['crossref'].total}" in text


def test_json_round_trips(log: SearchLog) -> None:
    data = json.loads(json.dumps(log.to_json()))
    assert log.prisma is not None
    assert data["prisma"]["identified_total"] == log.prisma.identified_total
    assert data["databases"][0]["started_at"].endswith("Z")
    assert SearchLog.model_validate(data) == log


def test_caller_identity_never_enters_the_log(tmp_path: Path) -> None:
    settings = Settings(email=EMAIL, ncbi_api_key=SecretStr(KEY), openalex_api_key=SecretStr(KEY))
    result = SearchResult(
        DEMO_QUERY,
        SearchOptions(databases=DEFAULT_DATABASES),
        settings=settings,
        transport=CassetteTransport.from_dir(data_path("cassettes", "demo")),
        cache=None,
    )
    list(result)
    result.reports[
        "crossref"
    ].error = f"gave up [GET https://api.crossref.org/works?mailto={EMAIL}&api_key={KEY}]"
    result.reports["crossref"].warnings.append(f"contact {EMAIL}")
    result.reports["openalex"].details["request"] = {"mailto": EMAIL, "filter": "x"}
    log = SearchLog.from_result(result)
    for path in (tmp_path / "log.md", tmp_path / "log.json"):
        write_search_log(path, log)
        text = path.read_text(encoding="utf-8")
        assert EMAIL not in text
        assert KEY not in text
    assert log.databases[1].details["request"] == {"filter": "x"}
    assert (
        log.databases[2].error
        == "gave up [GET https://api.crossref.org/works?mailto=***&api_key=***]"
    )


def test_scrub_keeps_the_rest_of_the_text() -> None:
    assert scrub("term=a&tool=searchharvest&retmax=20") == "term=a&tool=***&retmax=20"


def test_write_by_suffix(tmp_path: Path, log: SearchLog) -> None:
    write_search_log(tmp_path / "log.md", log)
    write_search_log(tmp_path / "log.json", log)
    assert (tmp_path / "log.md").read_text(encoding="utf-8") == log.to_markdown()
    assert json.loads((tmp_path / "log.json").read_text(encoding="utf-8")) == log.to_json()
    with pytest.raises(ConfigError, match=r"\.md or \.json"):
        write_search_log(tmp_path / "log.txt", log)


def test_a_database_that_never_ran_says_so(demo: SearchResult) -> None:
    fresh = demo_search()
    text = SearchLog.from_result(fresh).to_markdown()
    assert "- Date and time run: not run" in text
    assert "- Run: not run to not run" in text
