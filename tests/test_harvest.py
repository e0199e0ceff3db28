"""The harvest engine: three databases at once, failures, caps, cache, base URLs, twins."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterable, Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from searchharvest import harvest as harvest_module
from searchharvest.cache import ResponseCache
from searchharvest.cassette import CassetteTransport
from searchharvest.config import Settings
from searchharvest.connectors import native_text
from searchharvest.demo import demo_search
from searchharvest.errors import (
    ConfigError,
    QuerySyntaxError,
    RetriesExhausted,
    UnsupportedQueryError,
)
from searchharvest.harvest import asearch, search
from searchharvest.ratelimit import VirtualClock
from searchharvest.records import Record

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
QUERY = 'aids[ti] OR chromatium[ti] OR "language models"[ti] OR widget[ti]'
ESEARCH = (CASSETTES / "tests" / "pubmed_esearch_flow.xml").read_bytes()
"""Derived from a real ESearch answer (see cassettes/tests/pubmed.json): Count 2."""
EFETCH = (CASSETTES / "pubmed" / "biopython__pubmed1.xml").read_text(encoding="utf-8")
OPENALEX = json.loads(
    (CASSETTES / "openalex" / "paperqa__test_title_search_paper_attributes2.body3.json").read_text(
        encoding="utf-8"
    )
)
CROSSREF = json.loads(
    (CASSETTES / "crossref" / "habanero__test_cursor.body0.json").read_text(encoding="utf-8")
)


def efetch_body(retmax: int) -> str:
    """The real two-article EFetch answer cut to its first `retmax` articles."""
    articles = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", EFETCH, re.S)
    head = EFETCH[: EFETCH.index("<PubmedArticle>")]
    return head + "".join(articles[:retmax]) + "</PubmedArticleSet>"


def openalex_page() -> dict[str, Any]:
    """The real title.search answer with the cursor meta the live server sends."""
    meta = {**OPENALEX["meta"], "page": None, "per_page": 100, "next_cursor": "IlsxMDAuMF0i"}
    return {**OPENALEX, "meta": meta}


def crossref_page(rows: int) -> dict[str, Any]:
    """The real cursor=* page for 'widget', its total set to the 20 items it holds."""
    items = CROSSREF["message"]["items"][:rows]
    message = {**CROSSREF["message"], "items": items, "total-results": 20}
    return {**CROSSREF, "message": message}


class ThreeApis:
    """Answers PubMed, OpenAlex and Crossref from real bodies; can fail one API with 503."""

    def __init__(self, failing: str | None = None) -> None:
        self.failing = failing
        self.calls: Counter[str] = Counter()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        api = request.extensions["searchharvest"]["api"]
        self.calls[api] += 1
        params = request.url.params
        if api == self.failing:
            return httpx.Response(503, headers={"Retry-After": "0"}, text="busy")
        if api == "pubmed" and request.url.path.endswith("esearch.fcgi"):
            return httpx.Response(200, content=ESEARCH)
        if api == "pubmed":
            return httpx.Response(200, text=efetch_body(int(params["retmax"])))
        if api == "openalex":
            return httpx.Response(200, json=openalex_page())
        return httpx.Response(200, json=crossref_page(int(params["rows"])))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Polite settings (faster limits) with a private cache; requests go to transports."""
    return Settings(
        email="tester@example.org",
        ncbi_api_key="TESTKEY0123456789",  # type: ignore[arg-type]
        cache_dir=tmp_path / "cache",
        max_attempts=2,
    )


def by_source(records: list[Record]) -> Counter[str]:
    return Counter(r.provenance[0].database for r in records)


def test_three_databases_at_once_with_provenance(settings: Settings) -> None:
    apis = ThreeApis()
    result = search(QUERY, settings=settings, transport=httpx.MockTransport(apis))
    records = list(result)
    reports = result.reports
    assert by_source(records) == {db: reports[db].kept for db in ("pubmed", "openalex", "crossref")}
    assert (reports["pubmed"].retrieved, reports["pubmed"].kept) == (2, 2)
    assert reports["openalex"].kept == 2
    assert reports["crossref"].total == 20
    assert result.errors == []
    assert all(r.complete and r.error is None for r in reports.values())
    assert {db: reports[db].requests for db in reports} == dict(apis.calls)
    for record in records:
        [provenance] = record.provenance
        compiled = result.compiled[provenance.database]
        assert provenance.native_query == native_text(compiled.native)
        assert provenance.library_version == version("searchharvest")
    assert result.started is not None
    assert result.finished is not None
    assert result.started <= result.finished


def test_max_records_caps_each_database(settings: Settings) -> None:
    result = search(
        QUERY, max_records=1, settings=settings, transport=httpx.MockTransport(ThreeApis())
    )
    records = list(result)
    assert by_source(records) == {"pubmed": 1, "openalex": 1, "crossref": 1}
    for report in result.reports.values():
        assert report.kept == 1
        assert report.complete is False
        assert any("stopped at max_records=1" in w for w in report.warnings)


def test_one_failing_database_leaves_the_others_complete(settings: Settings) -> None:
    apis = ThreeApis(failing="crossref")
    result = search(QUERY, settings=settings, transport=httpx.MockTransport(apis))
    records = list(result)
    assert set(by_source(records)) == {"pubmed", "openalex"}
    [error] = result.errors
    assert isinstance(error, RetriesExhausted)
    failed = result.reports["crossref"]
    assert failed.complete is False
    assert failed.error is not None
    assert "503" in failed.error
    assert apis.calls["crossref"] == settings.max_attempts
    assert result.reports["pubmed"].complete
    assert result.reports["pubmed"].error is None


@pytest.mark.parametrize(
    ("query", "databases", "error", "message"),
    [
        ("aids[ti] AND (", ["pubmed"], QuerySyntaxError, "offset"),
        ("machin*[ti]", ["pubmed", "crossref"], UnsupportedQueryError, "truncation"),
        ("aids[ti]", ["pubmed", "pubmde"], ConfigError, "did you mean 'pubmed'?"),
    ],
)
def test_compile_errors_come_before_any_request(
    settings: Settings, query: str, databases: list[str], error: type[Exception], message: str
) -> None:
    apis = ThreeApis()
    with pytest.raises(error, match=re.escape(message)):
        search(query, databases, settings=settings, transport=httpx.MockTransport(apis))
    assert sum(apis.calls.values()) == 0


def test_a_second_identical_run_is_served_from_the_cache(settings: Settings) -> None:
    first_apis, second_apis = ThreeApis(), ThreeApis()
    first = list(search(QUERY, settings=settings, transport=httpx.MockTransport(first_apis)))
    again = search(QUERY, settings=settings, transport=httpx.MockTransport(second_apis))
    second = list(again)
    assert sum(first_apis.calls.values()) > 0
    assert sum(second_apis.calls.values()) == 0
    assert Counter(r.key for r in second) == Counter(r.key for r in first)  # any arrival order
    assert all(r.requests == 0 and r.cache_hits > 0 for r in again.reports.values())


def test_every_request_goes_to_the_configured_base_urls(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        ESEARCH, content_type="text/xml"
    )
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(
        efetch_body(2), content_type="text/xml"
    )
    httpserver.expect_request("/crossref/works").respond_with_json(crossref_page(20))
    local = Settings(
        pubmed_url=httpserver.url_for("/eutils"),
        crossref_url=httpserver.url_for("/crossref"),
        email="tester@example.org",
        cache_dir=tmp_path / "cache",
    )
    result = search(QUERY, ["pubmed", "crossref"], settings=local)
    records = list(result)
    paths = [request.path for request, _ in httpserver.log]
    assert sorted(paths) == ["/crossref/works", "/eutils/efetch.fcgi", "/eutils/esearch.fcgi"]
    assert sum(r.requests for r in result.reports.values()) == len(paths)
    assert by_source(records)["pubmed"] == 2
    assert result.errors == []


def test_phrase_not_found_is_filtered_by_the_local_matcher(settings: Settings) -> None:
    transport = CassetteTransport.from_files([CASSETTES / "tests" / "pubmed.json"])
    query = '"correctional facilities"[ti] OR "chromatium spectra"[tiab]'
    result = search(query, ["pubmed"], settings=settings, transport=transport)
    assert [r.ids.pmid for r in result] == ["12091962"]
    report = result.reports["pubmed"]
    assert report.filter_locally is True
    assert (report.retrieved, report.kept) == (2, 1)


def test_the_async_twin_yields_the_same_records(settings: Settings) -> None:
    async def collect() -> list[Record]:
        result = asearch(QUERY, settings=settings, transport=httpx.MockTransport(ThreeApis()))
        return [record async for record in result]

    records = asyncio.run(collect())
    assert by_source(records)["pubmed"] == 2
    assert len(records) == len(
        list(search(QUERY, settings=settings, transport=httpx.MockTransport(ThreeApis())))
    )


def test_sync_iteration_works_inside_a_running_event_loop(settings: Settings) -> None:
    async def inside_a_loop() -> list[Record]:
        asyncio.get_running_loop()
        return list(
            search(QUERY, ["pubmed"], settings=settings, transport=httpx.MockTransport(ThreeApis()))
        )

    assert [r.ids.pmid for r in asyncio.run(inside_a_loop())] == ["12091962", "9997"]


def test_an_unexpected_failure_is_raised_not_swallowed(settings: Settings) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if request.extensions["searchharvest"]["api"] == "openalex":
            raise RuntimeError("a bug, not a bad answer")
        return ThreeApis()(request)

    result = search(QUERY, settings=settings, transport=httpx.MockTransport(broken))
    with pytest.raises(RuntimeError, match="a bug, not a bad answer"):
        list(result)
    report = result.reports["openalex"]
    assert report.complete is False
    assert report.error == "RuntimeError: a bug, not a bad answer"


def test_cache_none_sends_every_request_again(settings: Settings) -> None:
    apis = ThreeApis()
    for _ in range(2):
        result = search(QUERY, settings=settings, transport=httpx.MockTransport(apis), cache=None)
        list(result)
        assert all(r.cache_hits == 0 for r in result.reports.values())
    assert apis.calls == {"pubmed": 4, "openalex": 2, "crossref": 2}
    assert not settings.cache_dir.exists()


def test_an_explicit_cache_is_used_and_left_open(settings: Settings, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "mine", settings.cache_ttl)
    try:
        list(
            search(
                QUERY, settings=settings, transport=httpx.MockTransport(ThreeApis()), cache=cache
            )
        )
        again = search(
            QUERY, settings=settings, transport=httpx.MockTransport(ThreeApis()), cache=cache
        )
        list(again)
        assert all(r.requests == 0 and r.cache_hits > 0 for r in again.reports.values())
    finally:
        cache.close()


def test_an_injected_clock_paces_the_requests(settings: Settings) -> None:
    clock = VirtualClock(start=1_000.0)
    result = search(
        QUERY,
        settings=settings,
        transport=httpx.MockTransport(ThreeApis()),
        cache=None,
        clock=clock,
    )
    list(result)
    assert clock.now() > 1_000.0  # PubMed's second request waited its turn on this clock
    assert result.reports["pubmed"].requests == 2


def test_each_report_records_when_its_database_ran(settings: Settings) -> None:
    before = datetime.now(UTC)
    result = search(QUERY, settings=settings, transport=httpx.MockTransport(ThreeApis()))
    assert all(r.started_at is None for r in result.reports.values())
    list(result)
    after = datetime.now(UTC)
    for report in result.reports.values():
        assert report.started_at is not None
        assert report.finished_at is not None
        assert before <= report.started_at <= report.finished_at <= after
        assert report.started_at.tzinfo is UTC
        data = report.to_json()
        assert data["started_at"] == report.started_at.isoformat()
        assert data["finished_at"] == report.finished_at.isoformat()


def test_sync_iteration_hands_records_over_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread hop carries every record queued by then, not one record each."""
    hops: list[int] = []
    real = harvest_module.iterate_sync

    def counting(factory: Callable[[], AsyncIterable[list[Record]]]) -> Iterator[list[Record]]:
        for batch in real(factory):
            hops.append(len(batch))
            yield batch

    monkeypatch.setattr(harvest_module, "iterate_sync", counting)
    records = list(demo_search())
    assert sum(hops) == len(records) > 1
    assert len(hops) < len(records)
