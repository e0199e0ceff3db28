"""PubMed connector: ESearch → EFetch on real-derived cassettes, and the 10,000 window."""

from __future__ import annotations

import asyncio
import itertools
import re
from contextlib import aclosing
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from searchharvest.compiler import compile
from searchharvest.connectors import pubmed as pubmed_module
from searchharvest.dialects.base import Fidelity
from searchharvest.errors import HarvestError, MalformedResponse
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock
from tests.connectors.conftest import fresh_report

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
REAL_ESEARCH = (CASSETTES / "pubmed" / "biopython__esearch2.xml").read_text(encoding="utf-8")
REAL_EFETCH = (CASSETTES / "pubmed" / "biopython__pubmed1.xml").read_text(encoding="utf-8")
ARTICLE = re.search(r"<PubmedArticle>.*?</PubmedArticle>", REAL_EFETCH, re.S)
assert ARTICLE is not None
EFETCH_HEAD = REAL_EFETCH[: ARTICLE.start()]
ARTICLE_PMID = "12091962"
"""The PMID of the real article the bulk EFetch bodies repeat under new PMIDs."""


def test_esearch_then_efetch_yields_every_record(harvest, cassette) -> None:
    transport = cassette("pubmed")
    done = harvest(transport, "aids[ti] OR chromatium[ti]", "pubmed")
    assert [r.ids.pmid for r in done.records] == ["12091962", "9997"]
    assert done.report.total == len(done.records) == 2
    assert done.report.details["query_translation"] == "aids[ti] OR chromatium[ti]"
    assert done.report.warnings == []
    assert [r.url.path for r in transport.requests] == [
        "/entrez/eutils/esearch.fcgi",
        "/entrez/eutils/efetch.fcgi",
    ]
    efetch = transport.requests[1].url.params
    assert (efetch["query_key"], efetch["WebEnv"]) == ("1", "MCID_6927d6e7fee3e90f880ec190")
    assert efetch["tool"] == "searchharvest"


def test_a_long_term_goes_by_post(harvest, cassette) -> None:
    long_query = _long_query()
    transport = cassette("pubmed")
    done = harvest(transport, long_query, "pubmed")
    esearch = transport.requests[0]
    assert esearch.method == "POST"
    assert len(str(esearch.url)) < 200  # the term is in the form body, not the URL
    assert b"term=" in esearch.content
    assert len(done.records) == done.report.total == 2


def test_phrase_not_found_adds_a_note_and_asks_for_local_filtering(harvest, cassette) -> None:
    done = harvest(
        cassette("pubmed"), '"correctional facilities"[ti] OR "chromatium spectra"[tiab]', "pubmed"
    )
    assert done.report.filter_locally is True
    assert done.report.fidelity is Fidelity.BROADER
    [note] = done.report.notes
    assert note.element == "chromatium spectra"
    assert note.fidelity is Fidelity.BROADER
    assert "phrase index" in note.reason
    assert len(done.records) == 2  # the connector yields; the engine filters (test_harvest)


def test_efetch_returning_fewer_records_marks_the_harvest_incomplete(harvest, cassette) -> None:
    done = harvest(cassette("pubmed"), "yangtze[ti] AND eggs[ti]", "pubmed")
    assert done.records == []
    assert done.report.total == 1
    assert done.report.complete is False
    assert done.report.warnings == [
        "EFetch returned 0 of 1 records (retstart 0); PubMed may have withdrawn some, "
        "or the history set expired: re-run to fetch them"
    ]


def test_an_error_body_is_a_malformed_response(harvest, cassette) -> None:
    with pytest.raises(MalformedResponse, match="Unable to obtain query #1"):
        harvest(cassette("pubmed_error"), "platelet[ti] AND snord55[ti]", "pubmed")


class EntrezByEntryDate:
    """A stateful ESearch/EFetch server over records with known entry dates.

    ESearch answers the count inside `mindate`..`maxdate` (whole result set without them)
    in the shape of the real esearch2 answer, each with its own QueryKey; EFetch returns
    that result set's articles from `retstart`, built from a real article with new PMIDs.
    """

    def __init__(self, entry_dates: list[date]) -> None:
        self.records = [(str(40_000_000 + i), day) for i, day in enumerate(entry_dates)]
        self.result_sets: dict[str, list[str]] = {}
        self.esearches: list[tuple[str | None, str | None, int]] = []
        self.efetches: list[tuple[str, int, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.url.path.endswith("esearch.fcgi"):
            return self._esearch(params.get("mindate"), params.get("maxdate"))
        key, start, size = params["query_key"], int(params["retstart"]), int(params["retmax"])
        self.efetches.append((key, start, size))
        pmids = self.result_sets[key][start : start + size]
        articles = "".join(ARTICLE.group(0).replace(ARTICLE_PMID, p) for p in pmids)
        return httpx.Response(200, text=f"{EFETCH_HEAD}{articles}</PubmedArticleSet>")

    def _esearch(self, low: str | None, high: str | None) -> httpx.Response:
        first = date(1, 1, 1) if low is None else _day(low)
        last = date(9999, 12, 31) if high is None else _day(high)
        pmids = [pmid for pmid, day in self.records if first <= day <= last]
        key = str(len(self.result_sets) + 1)
        self.result_sets[key] = pmids
        self.esearches.append((low, high, len(pmids)))
        body = re.sub(r"<Count>\d+</Count>", f"<Count>{len(pmids)}</Count>", REAL_ESEARCH)
        body = re.sub(r"<QueryKey>\d+</QueryKey>", f"<QueryKey>{key}</QueryKey>", body)
        body = re.sub(r"<IdList>.*?</IdList>", "<IdList/>", body, flags=re.S)
        return httpx.Response(200, text=body)


def _day(text: str) -> date:
    year, month, day = map(int, text.split("/"))
    return date(year, month, day)


def _spread(total: int, first: date, days: int) -> list[date]:
    return [first + timedelta(days=i % days) for i in range(total)]


def test_more_than_the_window_is_sliced_by_entry_date(harvest) -> None:
    server = EntrezByEntryDate(_spread(25_000, date(2018, 1, 1), 1_500))
    done = harvest(httpx.MockTransport(server), "cancer[ti]", "pubmed", limit=30)
    slices = done.report.details["edat_slices"]
    assert done.report.total == 25_000
    assert all(0 < s["count"] <= pubmed_module.WINDOW for s in slices)
    assert sum(s["count"] for s in slices) == 25_000
    for before, after in itertools.pairwise(slices):
        gap = date.fromisoformat(after["from"]) - date.fromisoformat(before["to"])
        assert gap >= timedelta(days=1)  # disjoint, in order
    assert len(slices) >= 3
    assert [r.ids.pmid for r in done.records] == [str(40_000_000 + i) for i in range(30)]
    [(key, start, size)] = server.efetches  # the limit stops before the other slices
    assert (len(server.result_sets[key]), start, size) == (slices[0]["count"], 0, 30)


def test_ten_thousand_records_need_no_slicing(harvest) -> None:
    server = EntrezByEntryDate(_spread(10_000, date(2015, 1, 1), 3_000))
    done = harvest(httpx.MockTransport(server), "cancer[ti]", "pubmed", limit=5)
    assert server.esearches == [(None, None, 10_000)]
    assert server.efetches == [("1", 0, 5)]
    assert "edat_slices" not in done.report.details


def test_slicing_spends_no_request_on_the_years_before_the_results(harvest) -> None:
    server = EntrezByEntryDate(_spread(25_000, date(2018, 1, 1), 1_500))
    done = harvest(httpx.MockTransport(server), "cancer[ti]", "pubmed", limit=1)
    slices = done.report.details["edat_slices"]
    probes = server.esearches[1:]  # after the unsliced count
    assert len(probes) <= len(slices) + 4
    assert slices[0]["from"] == pubmed_module.FIRST_DAY.isoformat()  # one slice for the past
    assert all(count > 0 for _, high, count in probes if _day(str(high)) < date(2018, 1, 1))


def test_every_slice_is_fetched_once_and_completely(harvest, monkeypatch) -> None:
    monkeypatch.setattr(pubmed_module, "WINDOW", 99)
    monkeypatch.setattr(pubmed_module, "EFETCH_MAX", 40)
    server = EntrezByEntryDate(_spread(250, date(2020, 3, 1), 40))
    done = harvest(httpx.MockTransport(server), "cancer[ti]", "pubmed")
    slices = done.report.details["edat_slices"]
    assert all(s["count"] <= 99 for s in slices)
    assert sum(s["count"] for s in slices) == done.report.total == 250
    pmids = [r.ids.pmid for r in done.records]
    assert len(pmids) == len(set(pmids)) == 250
    assert all(size <= 40 for _, _, size in server.efetches)
    assert done.report.warnings == []


def test_a_single_day_over_the_window_cannot_be_split(harvest) -> None:
    server = EntrezByEntryDate([date(2021, 3, 4)] * 10_500)
    with pytest.raises(HarvestError) as info:
        harvest(httpx.MockTransport(server), "cancer[ti]", "pubmed")
    message = str(info.value)
    assert "10500 records share the entry date 2021-03-04" in message
    assert "Narrow the query" in message
    assert server.efetches == []


def _long_query() -> str:
    strategies = Path(__file__).resolve().parents[1] / "fixtures" / "strategies"
    lines = (strategies.parent / "queries" / "strategies.txt").read_text(encoding="utf-8")
    parts = [
        (strategies / "pubmed__carrieprice__critical-care.txt").read_text("utf-8").strip(),
        (strategies / "pubmed__ielab-seed__id96.txt").read_text("utf-8").strip(),
        next(line for line in lines.splitlines() if line.startswith("(co-produc")),
    ]
    return " OR ".join(f"({part})" for part in parts)


def test_the_next_efetch_is_sent_while_this_one_is_parsed(settings, monkeypatch) -> None:
    monkeypatch.setattr(pubmed_module, "WINDOW", 99)
    server = EntrezByEntryDate(_spread(250, date(2020, 3, 1), 40))

    async def efetches_after_one_record() -> int:
        async with HttpClient(
            settings, transport=httpx.MockTransport(server), cache=None, clock=VirtualClock()
        ) as http:
            stream = pubmed_module.PubMedConnector(http).harvest(
                compile("cancer[ti]", "pubmed"), fresh_report("pubmed", "cancer[ti]"), limit=None
            )
            async with aclosing(stream):
                await anext(stream)  # one record of the first slice taken
                for _ in range(10_000):  # event-loop turns for the limiter's virtual wait
                    if len(server.efetches) > 1:
                        break
                    await asyncio.sleep(0)
                return len(server.efetches)

    assert asyncio.run(efetches_after_one_record()) == 2
