"""Crossref connector: real cursor pages, the scan limit, and the server's error message."""

from __future__ import annotations

import asyncio
import json
from contextlib import aclosing
from pathlib import Path

import httpx
import pytest

from searchharvest.compiler import compile
from searchharvest.config import Settings
from searchharvest.connectors.crossref import CrossrefConnector
from searchharvest.errors import HarvestError
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock
from tests.connectors.conftest import fresh_report

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
FIRST_PAGE = json.loads(
    (CASSETTES / "crossref" / "habanero__test_cursor_max.body0.json").read_text(encoding="utf-8")
)


def twenty_rows(scan_limit: int):
    return lambda http: CrossrefConnector(http, scan_limit=scan_limit, rows=20)


def test_next_cursor_is_followed_until_a_short_page(harvest, cassette) -> None:
    transport = cassette("crossref_end")
    done = harvest(transport, "widget[ti]", "crossref", connector=twenty_rows(1_000))
    assert len(done.records) == done.report.total == 27
    assert len(transport.requests) == 2
    assert transport.requests[1].url.params["cursor"] == FIRST_PAGE["message"]["next-cursor"]
    assert all(r.url.params["rows"] == "20" for r in transport.requests)
    assert done.report.complete is True
    assert done.report.warnings == []


def test_the_scan_limit_stops_and_says_how_many_were_not_examined(harvest, cassette) -> None:
    transport = cassette("crossref_scan")
    done = harvest(transport, "widget[ti]", "crossref", connector=twenty_rows(40))
    dois = [r.ids.doi for r in done.records]
    assert len(dois) == len(set(dois)) == 40
    assert done.report.total == 454
    assert len(transport.requests) == 2
    assert done.report.complete is False
    [warning] = done.report.warnings
    assert "examining 40 of 454" in warning
    assert "414 records were not examined" in warning


def test_an_error_answer_raises_with_the_servers_message(harvest, cassette) -> None:
    transport = cassette("crossref_error")
    with pytest.raises(HarvestError) as info:
        harvest(transport, "ecology[ti]", "crossref", connector=twenty_rows(1_000))
    assert "HTTP 400" in str(info.value)
    assert "This route does not support field query parameters" in str(info.value)
    assert len(transport.requests) == 1  # a 400 is not retried


def test_a_cursor_ending_before_the_total_is_reported(harvest) -> None:
    """Page 2 is the real follow-up page cut to 7 items while the total still says 454."""
    second = json.loads(
        (CASSETTES / "crossref" / "habanero__test_cursor_max.body1.json").read_text("utf-8")
    )
    second["message"]["items"] = second["message"]["items"][:7]
    pages = iter([FIRST_PAGE, second])
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=next(pages)))
    done = harvest(transport, "widget[ti]", "crossref", connector=twenty_rows(1_000))
    assert len(done.records) == 27
    assert done.report.complete is False
    assert done.report.warnings == ["Crossref reported 454 records but the cursor ended after 27"]


class RowsServer:
    """Cursor pages over a total of 454, each holding the `rows` asked for."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.items = FIRST_PAGE["message"]["items"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        rows = int(request.url.params["rows"])
        self.rows.append(rows)
        start = len(self.rows) * 1_000
        items = [
            {**self.items[i % len(self.items)], "DOI": f"10.5555/rows.{start + i}"}
            for i in range(rows)
        ]
        message = {**FIRST_PAGE["message"], "items": items, "next-cursor": f"c{len(self.rows)}"}
        return httpx.Response(200, json={**FIRST_PAGE, "message": message})


def test_the_scan_limit_is_met_exactly_by_a_smaller_last_page(harvest) -> None:
    server = RowsServer()
    done = harvest(httpx.MockTransport(server), "widget[ti]", "crossref", connector=twenty_rows(50))
    assert server.rows == [20, 20, 10]
    assert len(done.records) == 50
    assert "examining 50 of 454" in done.report.warnings[0]


def test_a_limit_asks_for_no_more_rows_than_it_keeps(harvest) -> None:
    server = RowsServer()
    transport = httpx.MockTransport(server)
    done = harvest(transport, "widget[ti]", "crossref", connector=twenty_rows(1_000), limit=25)
    assert server.rows == [20, 5]
    assert len(done.records) == 25
    assert done.report.warnings == []


def test_the_next_page_is_requested_while_this_one_is_mapped(settings: Settings) -> None:
    server = RowsServer()

    async def requests_after_one_record() -> int:
        async with HttpClient(
            settings, transport=httpx.MockTransport(server), cache=None, clock=VirtualClock()
        ) as http:
            connector = CrossrefConnector(http, scan_limit=1_000, rows=20)
            compiled = compile("widget[ti]", "crossref")
            stream = connector.harvest(compiled, fresh_report("crossref", "widget[ti]"), limit=None)
            async with aclosing(stream):
                await anext(stream)  # one record of page 1 taken, nineteen still held
                for _ in range(10_000):  # event-loop turns for the limiter's virtual wait
                    if len(server.rows) > 1:
                        break
                    await asyncio.sleep(0)
                return len(server.rows)

    assert asyncio.run(requests_after_one_record()) == 2
