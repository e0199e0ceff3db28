"""Real sockets on 127.0.0.1: timeouts, truncated bodies, resets, and where requests go.

werkzeug cannot cut a body short or reset a connection on purpose, so a tiny raw asyncio
server plays each fault once and then answers normally.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import replace

import httpx
import pytest
from pytest_httpserver import HTTPServer

from searchharvest.config import Settings
from searchharvest.errors import RetriesExhausted
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
Fault = Callable[[asyncio.StreamWriter], Awaitable[None]]


async def _slow(writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(0.5)
    writer.write(OK)


async def _truncated(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a few bytes")
    await writer.drain()


async def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def _serve_fault_then_ok(
    fault: Fault, faults: int, settings: Settings
) -> tuple[httpx.Response | BaseException, int, HttpClient]:
    connections = 0
    handlers: list[asyncio.Task[object]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await reader.readuntil(b"\r\n\r\n")
            if connections <= faults:
                await fault(writer)
            else:
                writer.write(OK)
                await writer.drain()
        except ConnectionError:
            pass  # the client gave up on a slow answer; nothing left to send
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    local = replace(
        settings, pubmed_url=f"http://127.0.0.1:{port}/eutils", timeout=0.2, max_attempts=3
    )
    http = HttpClient(local, cache=None, clock=VirtualClock())
    try:
        async with server, http:
            try:
                result: httpx.Response | BaseException = await http.get(
                    "pubmed", "esearch.fcgi", {"term": "x"}
                )
            except RetriesExhausted as exc:
                result = exc
    finally:
        server.close()
        await asyncio.gather(*handlers, return_exceptions=True)
    return result, connections, http


@pytest.mark.parametrize(
    "fault", [_slow, _truncated, _reset], ids=["timeout", "truncated", "reset"]
)
def test_fault_is_retried_then_succeeds(
    fault: Fault, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    result, connections, http = asyncio.run(_serve_fault_then_ok(fault, 1, settings))
    assert isinstance(result, httpx.Response)
    assert result.text == "ok"
    assert connections == 2
    assert http.stats["pubmed"].retries == 1
    retried = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retried) == 1


def test_persistent_fault_exhausts_retries(settings: Settings) -> None:
    result, connections, _ = asyncio.run(_serve_fault_then_ok(_truncated, 99, settings))
    assert isinstance(result, RetriesExhausted)
    assert result.attempts == 3
    assert connections == 3
    assert "RemoteProtocolError" in result.last
    assert result.request.startswith("GET http://127.0.0.1:")


class _Recording(httpx.AsyncBaseTransport):
    """Real network transport that notes every URL it is asked to reach."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_every_request_lands_on_the_configured_base(
    httpserver: HTTPServer, settings: Settings
) -> None:
    for path in ("/eutils/esearch.fcgi", "/oa/works", "/cr/works", "/cr/works/10.1/x"):
        httpserver.expect_request(path).respond_with_json({"ok": True})
    base = f"http://127.0.0.1:{httpserver.port}/"
    local = replace(
        settings,
        pubmed_url=base + "eutils",
        openalex_url=base + "oa",
        crossref_url=base + "cr",
    )
    transport = _Recording()

    async def go() -> None:
        async with HttpClient(local, transport=transport, cache=None, clock=VirtualClock()) as http:
            await http.get("pubmed", "esearch.fcgi", {"term": "x"})
            await http.post("pubmed", "esearch.fcgi", {"term": "long"})
            await http.get("openalex", "/works", {"search": "x"})
            await http.get("crossref", "/works", {"query": "x"})
            await http.get("crossref", "/works/10.1/x")

    asyncio.run(go())
    assert len(transport.urls) == 5
    assert {(u.host, u.port) for u in transport.urls} == {("127.0.0.1", httpserver.port)}
    assert len(httpserver.log) == 5
    httpserver.check_assertions()
