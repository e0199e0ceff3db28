"""HttpClient against httpx.MockTransport: retries, errors, cache, offline, stats, logs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from searchharvest.cache import ResponseCache
from searchharvest.config import Settings
from searchharvest.errors import HarvestError, OfflineCacheMiss, RetriesExhausted
from searchharvest.http import MAX_RETRY_AFTER, DailyLimitExceeded, HttpClient, parse_retry_after
from searchharvest.ratelimit import VirtualClock

T = TypeVar("T")
Handler = Callable[[httpx.Request], httpx.Response]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def client(
    settings: Settings, handler: Handler, *, cache: ResponseCache | None = None
) -> tuple[HttpClient, VirtualClock]:
    clock = VirtualClock()
    http = HttpClient(settings, transport=httpx.MockTransport(handler), cache=cache, clock=clock)
    return http, clock


def sequence(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    return handler, seen


def test_429_with_retry_after_waits_exactly_that_long(settings: Settings) -> None:
    handler, seen = sequence(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})
    )
    http, clock = client(settings, handler)

    async def go() -> httpx.Response:
        async with http:
            return await http.get("pubmed", "esearch.fcgi", {"term": "x"})

    response = run(go())
    assert response.json() == {"ok": 1}
    assert len(seen) == 2
    assert 7.0 in clock.slept
    assert clock.now() >= 7.0
    assert http.stats["pubmed"].retries == 1
    assert http.stats["pubmed"].requests == 2


def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    assert parse_retry_after("86400") == MAX_RETRY_AFTER
    assert parse_retry_after("soon") is None


def test_5xx_then_success(settings: Settings) -> None:
    handler, seen = sequence(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, text="fine")
    )
    http, clock = client(settings, handler)

    async def go() -> httpx.Response:
        async with http:
            return await http.get("crossref", "/works", {"query": "x"})

    assert run(go()).text == "fine"
    assert len(seen) == 3
    backoffs = [s for s in clock.slept if s >= 1.0]
    assert len(backoffs) == 2
    assert backoffs[1] > backoffs[0] - 1.0  # exponential: 1-2 s, then 2-3 s


def test_exhaustion_names_the_redacted_request(settings: Settings, planted_key: str) -> None:
    handler, seen = sequence(httpx.Response(500))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("openalex", "/works", {"search": "malaria"})

    with pytest.raises(RetriesExhausted) as info:
        run(go())
    assert len(seen) == settings.max_attempts
    assert info.value.attempts == settings.max_attempts
    assert info.value.request.startswith("GET https://api.openalex.org/works?search=malaria")
    assert "HTTP 500" in info.value.last
    assert planted_key not in str(info.value)
    assert "tester@example.org" not in str(info.value)
    # the key was sent, just never shown
    assert seen[0].url.params["api_key"] == planted_key


def test_openalex_daily_limit_is_not_retried(settings: Settings) -> None:
    handler, seen = sequence(
        httpx.Response(
            429,
            headers={"x-ratelimit-reset": "3600", "x-ratelimit-remaining-usd": "0"},
            json={"error": "Daily limit exceeded"},
        )
    )
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("openalex", "/works", {"filter": "cites:W1"})

    with pytest.raises(DailyLimitExceeded) as info:
        run(go())
    assert len(seen) == 1
    assert info.value.reset_after == 3600.0
    assert "daily budget is spent" in str(info.value)
    assert "in 3600 s" in str(info.value)


def test_openalex_403_means_slow_down_and_is_retried(settings: Settings) -> None:
    handler, seen = sequence(httpx.Response(403), httpx.Response(200, json={"results": []}))
    http, _ = client(settings, handler)

    async def go() -> httpx.Response:
        async with http:
            return await http.get("openalex", "/works")

    assert run(go()).status_code == 200
    assert len(seen) == 2


def test_404_is_a_harvest_error_with_the_server_message(settings: Settings) -> None:
    handler, seen = sequence(httpx.Response(404, text="Resource not found."))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("crossref", "/works/10.1/nope")

    with pytest.raises(HarvestError, match="HTTP 404: Resource not found") as info:
        run(go())
    assert not isinstance(info.value, RetriesExhausted)
    assert len(seen) == 1


def test_400_json_message_is_shown(settings: Settings) -> None:
    body = {"error": "Invalid filter", "message": "Unknown filter field: author_name"}
    handler, _ = sequence(httpx.Response(400, json=body))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("openalex", "/works", {"filter": "author_name:x"})

    with pytest.raises(HarvestError, match="Unknown filter field: author_name"):
        run(go())


def test_cache_hit_costs_no_request(settings: Settings, tmp_path: Path) -> None:
    handler, seen = sequence(
        httpx.Response(200, json={"n": 1}, headers={"set-cookie": "s=1", "x-other": "y"})
    )
    cache = ResponseCache(tmp_path / "c")
    http, _ = client(settings, handler, cache=cache)

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with http:
            first = await http.get("crossref", "/works", {"query": "a b", "rows": 2})
            second = await http.get("crossref", "/works", {"rows": "2", "query": "a  b"})
            return first, second

    first, second = run(go())
    cache.close()
    assert len(seen) == 1
    assert first.extensions["from_cache"] is False
    assert second.extensions["from_cache"] is True
    assert second.content == first.content
    assert second.status_code == first.status_code
    assert second.headers["content-type"] == "application/json"
    assert "set-cookie" not in second.headers
    assert http.stats["crossref"].cache_hits == 1
    assert http.stats["crossref"].requests == 1


def test_cache_key_ignores_key_and_email(settings: Settings, tmp_path: Path) -> None:
    handler, seen = sequence(httpx.Response(200, text="<eSearchResult/>"))
    cache = ResponseCache(tmp_path / "c")

    async def fetch(s: Settings) -> httpx.Response:
        async with HttpClient(
            s, transport=httpx.MockTransport(handler), cache=cache, clock=VirtualClock()
        ) as http:
            return await http.get("pubmed", "esearch.fcgi", {"term": "asthma"})

    run(fetch(settings))
    anonymous = replace(settings, ncbi_api_key=None, email=None)
    again = run(fetch(anonymous))
    cache.close()
    assert len(seen) == 1
    assert again.extensions["from_cache"] is True


def test_cache_files_never_contain_the_key(settings: Settings, planted_key: str) -> None:
    handler, _ = sequence(httpx.Response(200, json={"results": []}))

    async def go() -> None:
        async with HttpClient(
            settings, transport=httpx.MockTransport(handler), clock=VirtualClock()
        ) as http:
            await http.get("openalex", "/works", {"search": "x"})
            await http.post("pubmed", "efetch.fcgi", {"id": "1,2,3", "db": "pubmed"})

    run(go())
    files = [p for p in settings.cache_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert planted_key.encode() not in data
        assert b"tester@example.org" not in data


def test_offline_miss_raises_and_offline_hit_works(settings: Settings, tmp_path: Path) -> None:
    handler, seen = sequence(httpx.Response(200, text="cached"))
    cache = ResponseCache(tmp_path / "c")

    async def fetch(s: Settings, term: str) -> httpx.Response:
        async with HttpClient(
            s, transport=httpx.MockTransport(handler), cache=cache, clock=VirtualClock()
        ) as http:
            return await http.get("pubmed", "esearch.fcgi", {"term": term})

    run(fetch(settings, "online"))
    offline = replace(settings, offline=True)
    assert run(fetch(offline, "online")).text == "cached"
    with pytest.raises(OfflineCacheMiss) as info:
        run(fetch(offline, "never fetched"))
    cache.close()
    assert len(seen) == 1
    assert "esearch.fcgi?term=never+fetched" in info.value.request


def test_post_sends_a_form_with_identity(settings: Settings) -> None:
    handler, seen = sequence(httpx.Response(200, text="<PubmedArticleSet/>"))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.post("pubmed", "efetch.fcgi", {"db": "pubmed", "id": "1,2"})

    run(go())
    body = seen[0].content.decode()
    assert seen[0].method == "POST"
    assert "id=1%2C2" in body
    assert "tool=searchharvest" in body
    assert "email=tester%40example.org" in body


def test_crossref_headers_lower_the_limiter(settings: Settings) -> None:
    headers = {"x-rate-limit-limit": "1", "x-rate-limit-interval": "2s"}
    handler, _ = sequence(httpx.Response(200, json={}, headers=headers))
    http, clock = client(settings, handler)

    async def go() -> list[float]:
        starts = []
        async with http:
            for page in range(3):
                await http.get("crossref", "/works", {"query": "x", "offset": page})
                starts.append(clock.now())
        return starts

    starts = run(go())
    assert http.limiter("crossref", "list").rate == 0.5
    assert starts[2] - starts[1] == pytest.approx(2.0)


def test_no_key_in_any_log_line(
    settings: Settings, caplog: pytest.LogCaptureFixture, planted_key: str
) -> None:
    handler, _ = sequence(httpx.Response(503), httpx.Response(200, text="ok"))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("openalex", "/works", {"search": "x"})
            await http.get("pubmed", "esearch.fcgi", {"term": "x"})

    with caplog.at_level(logging.DEBUG):
        run(go())
    assert any("retrying" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert planted_key not in record.getMessage()


def test_redirect_to_another_host_is_refused(settings: Settings) -> None:
    handler, seen = sequence(
        httpx.Response(301, headers={"location": "https://elsewhere.example/works/W2"})
    )
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("openalex", "/works/W1")

    with pytest.raises(HarvestError, match="outside the configured base URLs"):
        run(go())
    assert len(seen) == 1


def test_unknown_api_is_a_config_error(settings: Settings) -> None:
    handler, _ = sequence(httpx.Response(200))
    http, _ = client(settings, handler)

    async def go() -> None:
        async with http:
            await http.get("scopus", "/search")

    with pytest.raises(Exception, match="expected one of"):
        run(go())
