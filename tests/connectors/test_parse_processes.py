"""Child parser processes: the same records as the parse thread alone, and a safe fallback."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import pickle
import threading
from collections.abc import Callable
from contextlib import aclosing
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors import _processes, get_connector
from searchharvest.connectors import openalex as openalex_module
from searchharvest.connectors import pubmed as pubmed_module
from searchharvest.connectors._child import serve
from searchharvest.connectors._processes import EXIT_THREAD, HEADER, Offloader
from searchharvest.errors import ConfigError, MalformedResponse
from searchharvest.http import HttpClient
from searchharvest.mappers.pubmed import iter_pubmed_articles, split_article_set
from searchharvest.ratelimit import VirtualClock
from searchharvest.records import Provenance, Record
from tests.connectors.conftest import Harvest, fresh_report
from tests.connectors.test_connector_openalex import PagedServer
from tests.connectors.test_connector_pubmed import EntrezByEntryDate, _spread

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
REAL_EFETCH = (CASSETTES / "pubmed" / "biopython__pubmed1.xml").read_bytes()
"""A real EFetch answer with two articles."""
PROVENANCE = Provenance(
    database="pubmed",
    native_query="cancer[ti]",
    retrieved=datetime(2026, 1, 2, tzinfo=UTC),
    library_version="0",
)


@pytest.fixture
def offloaders(monkeypatch: pytest.MonkeyPatch) -> list[Offloader]:
    """Every `Offloader` the connectors create; children start for any harvest size."""
    made: list[Offloader] = []

    class Recorded(Offloader):
        def __init__(self, processes: int) -> None:
            super().__init__(processes)
            made.append(self)

    for module in (pubmed_module, openalex_module):
        monkeypatch.setattr(module, "Offloader", Recorded)
        monkeypatch.setattr(module, "MIN_RECORDS", 1)
    return made


def _without_retrieval_time(records: list[Record]) -> list[Record]:
    return [r.model_copy(update={"provenance": ()}) for r in records]


def test_pubmed_children_parse_part_of_the_body_into_the_same_records(
    harvest: Harvest, offloaders: list[Offloader]
) -> None:
    days = _spread(600, date(2020, 1, 1), 30)
    alone = harvest(
        httpx.MockTransport(EntrezByEntryDate(days)), "cancer[ti]", "pubmed", parse_processes=0
    ).records
    helped = harvest(
        httpx.MockTransport(EntrezByEntryDate(days)), "cancer[ti]", "pubmed", parse_processes=1
    ).records
    assert len(helped) == 600
    assert _without_retrieval_time(helped) == _without_retrieval_time(alone)
    assert [pool.offloaded for pool in offloaders] == [0, 1]  # one part went to the child
    assert all(not pool.children for pool in offloaders)  # stopped with the harvest


def test_openalex_children_map_pages_into_the_same_records_in_order(
    harvest: Harvest, offloaders: list[Offloader]
) -> None:
    alone = harvest(
        httpx.MockTransport(PagedServer(700)), "cancer[ti]", "openalex", parse_processes=0
    ).records
    helped = harvest(
        httpx.MockTransport(PagedServer(700)), "cancer[ti]", "openalex", parse_processes=1
    ).records
    assert [r.ids.openalex for r in helped] == [f"W9{n:09d}" for n in range(700)]
    assert _without_retrieval_time(helped) == _without_retrieval_time(alone)
    assert offloaders[1].offloaded >= 1


def test_a_child_that_cannot_start_leaves_the_parse_thread_to_do_it(
    harvest: Harvest, offloaders: list[Offloader], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_processes.sys, "executable", str(Path("no") / "such" / "python"))
    records = harvest(
        httpx.MockTransport(EntrezByEntryDate(_spread(300, date(2020, 1, 1), 9))),
        "cancer[ti]",
        "pubmed",
        parse_processes=1,
    ).records
    assert len(records) == 300
    assert offloaders[0].offloaded == 0


def test_a_child_that_dies_mid_harvest_costs_only_speed(
    harvest: Harvest, offloaders: list[Offloader], monkeypatch: pytest.MonkeyPatch
) -> None:
    call = _processes._Child.call

    def die_first(self: _processes._Child, function: Callable[..., object], args: tuple) -> object:
        self.process.kill()
        self.process.wait()
        return call(self, function, args)

    monkeypatch.setattr(_processes._Child, "call", die_first)
    records = harvest(
        httpx.MockTransport(PagedServer(500)), "cancer[ti]", "openalex", parse_processes=1
    ).records
    assert [r.ids.openalex for r in records] == [f"W9{n:09d}" for n in range(500)]
    assert offloaders[0].offloaded == 0


def test_a_task_that_fails_in_the_child_raises_its_real_error_from_the_thread() -> None:
    async def go() -> None:
        async with Offloader(1) as pool:
            pool.start()
            with pytest.raises(MalformedResponse, match="not well-formed"):
                await pool.in_child(pubmed_module._parse_whole, b"<PubmedArticleSet><", PROVENANCE)
            assert pool.live_children == 1  # a failing task does not cost the child
            records = await pool.in_child(pubmed_module._parse_whole, REAL_EFETCH, PROVENANCE)
            assert len(records) == 2
            assert pool.offloaded == 1

    asyncio.run(go())


def test_the_child_answers_each_task_and_reports_a_failure_without_stopping() -> None:
    requests = io.BytesIO()
    for task in ((len, ("abc",)), (int, ("not a number",)), (sorted, ([3, 1, 2],))):
        message = pickle.dumps(task)
        requests.write(HEADER.pack(len(message)) + message)
    requests.seek(0)
    answers = io.BytesIO()
    serve(requests, answers)
    answers.seek(0)
    replies = []
    while header := answers.read(HEADER.size):
        replies.append(pickle.loads(answers.read(HEADER.unpack(header)[0])))
    assert replies[0] == (True, 3)
    assert replies[1][0] is False
    assert "ValueError" in replies[1][1]
    assert replies[2] == (True, [1, 2, 3])


def _articles(pmids: list[str]) -> bytes:
    head, rest = REAL_EFETCH.split(b"<PubmedArticle>", 1)
    article = b"<PubmedArticle>" + rest.split(b"</PubmedArticle>", 1)[0] + b"</PubmedArticle>"
    pmid = b"12091962"
    body = b"".join(article.replace(pmid, p.encode()) for p in pmids)
    return head + body + b"</PubmedArticleSet>"


@pytest.mark.parametrize("shares", [[1, 1], [1.0, 0.8], [1, 1, 1], [5, 1]])
def test_split_parts_hold_every_article_once_in_order(shares: list[float]) -> None:
    pmids = [str(30_000_000 + i) for i in range(40)]
    parts = split_article_set(_articles(pmids), shares)
    assert len(parts) == len(shares)
    assert [r.ids.pmid for part in parts for r in iter_pubmed_articles(part)] == pmids


def test_split_sizes_follow_the_shares() -> None:
    parts = split_article_set(_articles([str(30_000_000 + i) for i in range(90)]), [2, 1])
    counts = [part.count(b"<PubmedArticle>") for part in parts]
    assert counts == [60, 30]


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body.replace(b"<ArticleTitle>", b"<ArticleTitle><!-- note -->", 1),
        lambda body: body.replace(b"<ArticleTitle>", b"<ArticleTitle><![CDATA[x]]>", 1),
        lambda body: body.replace(b"<ArticleTitle>", b"<ArticleTitle><?pi <PubmedArticle>?>", 1),
        lambda body: body.replace(
            b"<PubmedArticleSet>", b'<!DOCTYPE x [<!ENTITY a "b">]><PubmedArticleSet>', 1
        ),
    ],
    ids=["comment", "cdata", "processing-instruction", "internal-subset"],
)
def test_a_body_a_byte_search_cannot_cut_safely_stays_whole(
    change: Callable[[bytes], bytes],
) -> None:
    body = change(_articles(["1", "2", "3", "4"]))
    assert split_article_set(body, [1, 1]) == [body]


def test_a_comment_before_the_first_article_goes_into_every_part() -> None:
    pmids = [str(30_000_000 + i) for i in range(6)]
    body = _articles(pmids).replace(b"<PubmedArticleSet>", b"<PubmedArticleSet><!-- x -->", 1)
    parts = split_article_set(body, [1, 1])
    assert len(parts) == 2
    assert [r.ids.pmid for part in parts for r in iter_pubmed_articles(part)] == pmids


def test_a_body_without_articles_stays_whole() -> None:
    body = b"<eFetchResult><ERROR>Empty result - nothing todo</ERROR></eFetchResult>"
    assert split_article_set(body, [1, 1]) == [body]


def test_parse_processes_setting_is_read_from_the_environment_and_checked(tmp_path: Path) -> None:
    env = {"SEARCHHARVEST_PARSE_PROCESSES": "0"}
    assert Settings.from_env(env, cache_dir=tmp_path).parse_processes == 0
    assert Settings.from_env({}, cache_dir=tmp_path).parse_processes in (0, 1, 2)
    for bad in ("-1", "1.5", "many"):
        with pytest.raises(ConfigError, match="SEARCHHARVEST_PARSE_PROCESSES"):
            Settings.from_env({"SEARCHHARVEST_PARSE_PROCESSES": bad}, cache_dir=tmp_path)


def test_stopping_a_harvest_early_stops_its_children(
    settings: Settings, offloaders: list[Offloader]
) -> None:
    server = EntrezByEntryDate(_spread(3_000, date(2020, 1, 1), 30))

    async def first_record() -> Record:
        async with HttpClient(
            dataclasses.replace(settings, parse_processes=1),
            transport=httpx.MockTransport(server),
            cache=None,
            clock=VirtualClock(),
        ) as http:
            harvest = get_connector("pubmed")(http).harvest(
                compile("cancer[ti]", "pubmed"), fresh_report("pubmed", "cancer[ti]"), limit=None
            )
            async with aclosing(harvest):
                return await anext(harvest)

    record = asyncio.run(first_record())
    assert record.ids.pmid == "40000000"
    [pool] = offloaders
    assert not pool.children
    for thread in threading.enumerate():
        if thread.name == EXIT_THREAD:
            thread.join(timeout=10)
            assert not thread.is_alive()


def test_a_frozen_application_starts_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_processes.sys, "frozen", True, raising=False)
    pool = Offloader(1)
    pool.start()
    assert pool.children == []


@given(
    count=st.integers(min_value=1, max_value=12),
    shares=st.lists(st.floats(min_value=0.05, max_value=5.0), min_size=1, max_size=4),
)
@hypothesis_settings(max_examples=40, deadline=None)
def test_any_shares_give_every_article_once_in_order(count: int, shares: list[float]) -> None:
    pmids = [str(30_000_000 + i) for i in range(count)]
    parts = split_article_set(_articles(pmids), shares)
    assert 1 <= len(parts) <= len(shares)
    assert [r.ids.pmid for part in parts for r in iter_pubmed_articles(part)] == pmids
