"""CassetteTransport replays real recorded responses and never reaches the network."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from searchharvest.cache import cache_key
from searchharvest.cassette import CassetteMiss, CassetteTransport
from searchharvest.config import Settings
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock

DATA = Path(__file__).parent / "data"


def test_replay_matches_whatever_base_url_and_identity(settings: Settings) -> None:
    transport = CassetteTransport.from_dir(DATA)
    assert len(transport.interactions) == 2
    assert "habanero" in transport.provenance[0]
    moved = Settings(crossref_url="http://127.0.0.1:1/mirror", email="x@y.org")

    async def go(s: Settings) -> tuple[httpx.Response, httpx.Response]:
        async with HttpClient(s, transport=transport, cache=None, clock=VirtualClock()) as http:
            a = await http.get("crossref", "works", {"rows": "2", "query": " ecology "})
            b = await http.post("pubmed", "/efetch.fcgi", {"id": "1,2", "db": "pubmed"})
            # the real response announces 10 req/s: above the documented ceiling, so ignored
            assert http.limiter("crossref", "list").rate == http.limiter("crossref", "list").ceiling
            return a, b

    for s in (settings, moved):
        listing, fetched = asyncio.run(go(s))
        assert listing.status_code == 200
        assert listing.json()["message"]["items"][0]["DOI"]
        assert "content-encoding" not in listing.headers
        assert fetched.text == "<PubmedArticleSet/>"


def test_miss_shows_the_request_and_the_closest_recording(settings: Settings) -> None:
    transport = CassetteTransport.from_dir(DATA)

    async def go() -> None:
        async with HttpClient(
            settings, transport=transport, cache=None, clock=VirtualClock()
        ) as http:
            await http.get("crossref", "/works", {"query": "ecology", "rows": 3})

    with pytest.raises(CassetteMiss) as info:
        asyncio.run(go())
    message = str(info.value)
    assert "'rows': '3'" in message
    assert "closest recorded: GET crossref:/works params={'query': 'ecology', 'rows': '2'}" in (
        message
    )
    assert len(transport.requests) == 1


def test_not_a_cassette_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a cassette"):
        CassetteTransport.from_files([path])
    assert CassetteTransport.from_dir(tmp_path).interactions == ()


def test_repeated_parameters_are_matched_value_for_value(
    settings: Settings, tmp_path: Path
) -> None:
    """ELink's `id=1&id=2` (one link set per id) differs from `id=2` and from `id=1,2`."""
    elink = Path(__file__).parents[2] / "cassettes" / "pubmed" / "biopython__elink3.xml"
    cassette = tmp_path / "elink.json"
    cassette.write_text(
        json.dumps(
            {
                "interactions": [
                    {
                        "request": {
                            "method": "GET",
                            "api": "pubmed",
                            "path": "/elink.fcgi",
                            "params": {"dbfrom": "pubmed", "id": ["1", "2"]},
                        },
                        "response": {"status": 200, "body_file": str(elink)},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    transport = CassetteTransport.from_files([cassette])

    async def get(ids: list[str] | str) -> httpx.Response:
        async with HttpClient(
            settings, transport=transport, cache=None, clock=VirtualClock()
        ) as http:
            return await http.get("pubmed", "elink.fcgi", {"dbfrom": "pubmed", "id": ids})

    assert asyncio.run(get(["1", "2"])).content == elink.read_bytes()
    assert transport.requests[-1].url.params.get_list("id") == ["1", "2"]
    for other in (["2"], "1,2", ["2", "1"]):
        with pytest.raises(CassetteMiss):
            asyncio.run(get(other))


def test_cache_key_tells_repeated_parameters_apart() -> None:
    one = cache_key("pubmed", "GET", "elink.fcgi", {"id": ["1", "2"], "email": "a@b.org"})
    assert one == cache_key("pubmed", "GET", "elink.fcgi", {"id": ["1", "2"]})
    assert one != cache_key("pubmed", "GET", "elink.fcgi", {"id": "1,2"})
    assert one != cache_key("pubmed", "GET", "elink.fcgi", {"id": ["1"]})
