"""Each link source on unmodified real responses, replayed by `CassetteTransport`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from searchharvest.cassette import CassetteTransport
from searchharvest.chain.base import Links
from searchharvest.chain.crossref import CrossrefLinks
from searchharvest.chain.openalex import OpenAlexLinks
from searchharvest.chain.pubmed import PubMedLinks
from searchharvest.config import Settings
from searchharvest.http import HttpClient
from searchharvest.ratelimit import VirtualClock
from searchharvest.records import Record

CASSETTE = Path(__file__).resolve().parents[2] / "cassettes" / "chain" / "real_bodies.json"
T = TypeVar("T")


def replay(
    settings: Settings, work: Callable[[HttpClient], Coroutine[Any, Any, T]]
) -> tuple[T, CassetteTransport]:
    transport = CassetteTransport.from_files([CASSETTE])

    async def go() -> T:
        async with HttpClient(
            settings, transport=transport, cache=None, clock=VirtualClock()
        ) as http:
            return await work(http)

    return asyncio.run(go()), transport


def test_openalex_references_in_one_request_and_a_work_without_any(settings: Settings) -> None:
    nature = Record(ids={"openalex": "W4396723768"})
    preprint = Record(ids={"openalex": "W4365597205"})
    links, transport = replay(
        settings, lambda http: OpenAlexLinks(http).links([nature, preprint], "references")
    )
    assert len(transport.requests) == 1
    assert links.queried == {"openalex:W4396723768", "openalex:W4365597205"}
    assert links.covered == {"openalex:W4396723768"}  # the arXiv preprint deposits none
    assert len(links.targets["openalex:W4396723768"]) == 57
    assert all(t.startswith("openalex:W") for t in links.targets["openalex:W4396723768"])


def test_pubmed_citedin_from_real_elink_answers(settings: Settings) -> None:
    async def both(http: HttpClient) -> tuple[Links, Links]:
        source = PubMedLinks(http)
        cited = await source.links([Record(ids={"pmid": "26846451"})], "citations")
        uncited = await source.links([Record(ids={"pmid": "35123456"})], "citations")
        return cited, uncited

    (cited, uncited), _ = replay(settings, both)
    assert len(cited.targets["pmid:26846451"]) == 51
    assert cited.targets["pmid:26846451"][0] == "pmid:39596014"
    assert uncited.queried == {"pmid:35123456"}
    assert not uncited.covered


def test_crossref_deposited_references_with_dois(settings: Settings) -> None:
    work = Record(ids={"doi": "10.1111/2041-210x.14070"})
    links, transport = replay(
        settings, lambda http: CrossrefLinks(http).links([work], "references")
    )
    assert len(transport.requests) == 1
    targets = links.targets["doi:10.1111/2041-210x.14070"]
    assert len(targets) == 24
    assert all(t.startswith("doi:10.") for t in targets)
