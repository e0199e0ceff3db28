"""OpenAlex connector: cursor paging, URL-length chunks, the wildcard probe, local filter."""

from __future__ import annotations

import asyncio
import gc
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from searchharvest.config import Settings
from searchharvest.connectors import openalex as openalex_module
from searchharvest.connectors._overlap import in_thread
from searchharvest.dialects.openalex import MAX_URL_BYTES
from searchharvest.errors import MalformedResponse, UnsupportedQueryError
from searchharvest.harvest import search
from searchharvest.records import Provenance

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
TITLE_SEARCH = json.loads(
    (CASSETTES / "openalex" / "paperqa__test_title_search_paper_attributes2.body3.json").read_text(
        encoding="utf-8"
    )
)
WORK = json.loads((CASSETTES / "openalex" / "openalex-python__W2741809807.json").read_text("utf-8"))
OTHER_WORK = json.loads(
    (CASSETTES / "openalex" / "paperqa__test_doi_search_paper_attributes4.body2.json").read_text(
        "utf-8"
    )
)


def page(results: list[dict[str, Any]], count: int | None = None) -> httpx.Response:
    """A cursor page in the real envelope; like the live server, it always has a cursor."""
    body = dict(TITLE_SEARCH)
    body["meta"] = {
        **TITLE_SEARCH["meta"],
        "count": len(results) if count is None else count,
        "page": None,
        "per_page": 100,
        "next_cursor": "IlsxMDAuMCwgOTU3XSI=",
    }
    body["results"] = results
    return httpx.Response(200, json=body)


def renumbered(work: dict[str, Any], number: int) -> dict[str, Any]:
    """A real work under another OpenAlex id (and no DOI), to stand for a distinct work."""
    return {**work, "id": f"https://openalex.org/W9{number:09d}", "doi": None, "ids": {}}


def test_cursor_paging_stops_at_the_count(harvest, cassette) -> None:
    transport = cassette("openalex")
    done = harvest(transport, '"language models"[ti] OR "open access"[ti]', "openalex")
    assert [r.ids.openalex for r in done.records] == ["W4396723768", "W4365597205", "W2741809807"]
    assert done.report.total == 3
    assert len(transport.requests) == 2  # page 2's cursor is not followed: the count is met
    assert [r.url.params["cursor"] for r in transport.requests] == [
        "*",
        "IlsxMDAuMCwgOTU3LCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQzNjU1OTcyMDUnXSI=",
    ]
    assert all(r.url.params["per_page"] == "100" for r in transport.requests)
    assert done.report.warnings == []


class PagedServer:
    """`/works` over `count` distinct real-derived works, by `page=` or by cursor.

    With `reverse`, the cursor walks the works in the opposite order to basic paging.
    """

    def __init__(self, count: int, *, reverse: bool = False) -> None:
        self.count = count
        self.reverse = reverse
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        per_page = int(params["per_page"])
        cursor = params.get("cursor")
        if cursor is None:
            offset = (int(params["page"]) - 1) * per_page
        else:
            offset = 0 if cursor == "*" else int(cursor.removeprefix("c"))
        numbers = range(offset, min(self.count, offset + per_page))
        if cursor is not None and self.reverse:
            top = self.count - 1 - offset
            numbers = range(top, max(-1, top - per_page), -1)
        response = page([renumbered(WORK, n) for n in numbers], self.count)
        if cursor is None:
            return response
        body = response.json()
        body["meta"]["next_cursor"] = f"c{offset + len(numbers)}" if numbers else None
        return httpx.Response(200, json=body)

    def sent(self) -> list[str]:
        return [
            f"cursor={r.url.params['cursor']}"
            if "cursor" in r.url.params
            else f"page={r.url.params['page']}"
            for r in self.requests
        ]


def test_up_to_ten_thousand_results_every_page_is_known_from_the_first(harvest) -> None:
    server = PagedServer(250)
    done = harvest(httpx.MockTransport(server), '"language models"[ti]', "openalex")
    assert server.sent() == ["cursor=*", "page=2", "page=3"]
    assert all(r.url.params["per_page"] == "100" for r in server.requests)
    assert [r.ids.openalex for r in done.records] == [f"W9{n:09d}" for n in range(250)]
    assert done.report.total == 250
    assert done.report.warnings == []


def test_a_limit_sends_only_the_pages_it_needs(harvest) -> None:
    server = PagedServer(1_000)
    done = harvest(httpx.MockTransport(server), '"language models"[ti]', "openalex", limit=150)
    assert server.sent() == ["cursor=*", "page=2"]
    assert len(done.records) == 150


def test_above_basic_paging_the_cursor_runs_to_the_count(harvest, monkeypatch) -> None:
    monkeypatch.setattr(openalex_module, "BASIC_PAGING_MAX", 200)
    server = PagedServer(250)
    done = harvest(httpx.MockTransport(server), '"language models"[ti]', "openalex")
    # the cursor stops at the count, without asking for the empty page after it
    assert server.sent() == ["cursor=*", "cursor=c100", "cursor=c200"]
    assert [r.ids.openalex for r in done.records] == [f"W9{n:09d}" for n in range(250)]
    assert done.report.warnings == []


def test_basic_page_one_is_fetched_when_the_cursor_orders_differently(harvest) -> None:
    server = PagedServer(250, reverse=True)
    done = harvest(httpx.MockTransport(server), '"language models"[ti]', "openalex")
    assert server.sent() == ["cursor=*", "page=2", "page=3", "page=1"]
    assert sorted(r.ids.openalex for r in done.records) == [f"W9{n:09d}" for n in range(250)]
    assert done.report.warnings == []


def test_a_long_query_is_split_into_chunks_whose_union_is_deduplicated(harvest) -> None:
    query = " OR ".join(f"genevariant{i:04d}[ti]" for i in range(400))
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        shared = TITLE_SEARCH["results"]  # every chunk finds the same two works ...
        return page([*shared, renumbered(WORK, len(seen))])  # ... and one of its own

    done = harvest(httpx.MockTransport(handler), query, "openalex")
    chunks = done.report.details["url_chunks"]
    assert len(chunks) == len(seen) > 1
    assert all(len(str(r.url).encode()) < MAX_URL_BYTES for r in seen)
    ids = [r.ids.openalex for r in done.records]
    assert len(ids) == len(set(ids)) == 2 + len(seen)
    assert done.report.total == len(ids)
    assert done.report.details["chunk_total_with_overlap"] == 3 * len(seen)
    sent = {r.url.params["filter"].removeprefix("title.search:") for r in seen}
    assert set(" OR ".join(sorted(sent)).split(" OR ")) == {
        f"genevariant{i:04d}" for i in range(400)
    }
    assert any("sent as" in note.reason for note in done.report.notes)


def probe_server(stem_count: int, word_count: int) -> tuple[list[str], httpx.MockTransport]:
    filters: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        filters.append(params["filter"])
        if params["per_page"] == "1":
            count = stem_count if params["filter"].endswith("machin*") else word_count
            return page(TITLE_SEARCH["results"][:1], count)
        return page(TITLE_SEARCH["results"])

    return filters, httpx.MockTransport(handler)


def test_truncation_runs_when_the_wildcard_probe_finds_more(harvest) -> None:
    filters, transport = probe_server(stem_count=1_250, word_count=900)
    done = harvest(transport, "machin*[ti]", "openalex")
    assert filters == [
        "title_and_abstract.search:machin*",
        "title_and_abstract.search:machine",
        "title.search:machin*",
    ]
    assert len(done.records) == 2


def test_truncation_is_refused_when_the_wildcard_is_stripped(harvest) -> None:
    filters, transport = probe_server(stem_count=900, word_count=900)
    with pytest.raises(UnsupportedQueryError) as info:
        harvest(transport, "machin*[ti]", "openalex")
    assert "did not expand the trailing wildcard" in str(info.value)
    assert len(filters) == 2  # the query itself was never sent


def test_the_local_filter_drops_non_matches_and_keeps_undecidable_records(
    settings: Settings,
) -> None:
    without_abstract = {**OTHER_WORK, "abstract_inverted_index": None}
    results = [*TITLE_SEARCH["results"], WORK, without_abstract]
    transport = httpx.MockTransport(lambda request: page(results))
    result = search(
        "chemistry[tiab] OR collagen[ab]", ["openalex"], settings=settings, transport=transport
    )
    kept = [r.ids.openalex for r in result]
    report = result.reports["openalex"]
    assert report.filter_locally is True
    assert (report.total, report.retrieved, report.kept, report.unverified) == (4, 4, 3, 1)
    assert kept == ["W4396723768", "W4365597205", "W2109415576"]


def test_paging_that_ends_before_the_count_is_reported(harvest) -> None:
    short = page(TITLE_SEARCH["results"], count=5)
    body = short.json()
    body["meta"]["next_cursor"] = None
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    done = harvest(transport, '"language models"[ti]', "openalex")
    assert len(done.records) == 2
    assert done.report.complete is False
    assert done.report.warnings == ["OpenAlex reported 5 records but paging ended after 2"]


@pytest.mark.parametrize("enabled", [True, False])
def test_a_page_is_decoded_with_the_collector_paused_then_restored(enabled: bool) -> None:
    """The collector is off while a page is decoded, and as found after, even on failure."""
    provenance = Provenance(
        database="openalex", native_query="q", retrieved=datetime.now(UTC), library_version="0"
    )
    body = json.dumps({"meta": {"count": 1, "next_cursor": None}, "results": [WORK]}).encode()
    seen: list[bool] = []

    def decode(data: bytes) -> Any:
        seen.append(gc.isenabled())
        return openalex_module._decode(data, provenance)

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        mapped = asyncio.run(in_thread(decode, body))
        assert gc.isenabled() is enabled
        with pytest.raises(MalformedResponse):
            asyncio.run(in_thread(decode, b"not json"))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False]
    assert (mapped.count, [r.ids.openalex for r in mapped.records]) == (1, ["W2741809807"])
    assert mapped.records[0].provenance == (provenance,)
