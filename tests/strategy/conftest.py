"""Three APIs served from real recorded bodies; an update day adds real records from others.

Before the update, PubMed answers with the two articles of `biopython__pubmed1.xml`,
OpenAlex with the two works of a paper-qa title search, Crossref with the twenty items of
habanero's cursor page. From the update on, each also returns records taken from other
real bodies (`biopython__pubmed2.xml`, openalex-python's W2741809807, habanero's
`test_works_query`), beside the old ones, as an entry-date window with overlap would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from searchharvest.config import Settings
from searchharvest.ratelimit import VirtualClock
from searchharvest.strategy import RunOutcome, Strategy

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
QUERY = (
    'aids[ti] OR chromatium[ti] OR cryopreservation[ti] OR "language models"[ti] '
    'OR widget[ti] OR "open access"[ti] OR ecology[ti] OR mri[ti]'
)


def _text(*parts: str) -> str:
    return (CASSETTES.joinpath(*parts)).read_text(encoding="utf-8")


def _json(*parts: str) -> Any:
    return json.loads(_text(*parts))


ESEARCH = _text("tests", "pubmed_esearch_flow.xml")
PUBMED_OLD = _text("pubmed", "biopython__pubmed1.xml")
PUBMED_NEW = _text("pubmed", "biopython__pubmed2.xml")
OPENALEX = _json("openalex", "paperqa__test_title_search_paper_attributes2.body3.json")
OPENALEX_NEW = _json("openalex", "openalex-python__W2741809807.json")
CROSSREF = _json("crossref", "habanero__test_cursor.body0.json")
CROSSREF_NEW = _json("crossref", "habanero__test_works_query.body0.json")


def _articles(body: str) -> list[str]:
    return re.findall(r"<PubmedArticle>.*?</PubmedArticle>", body, re.S)


class Apis:
    """The three APIs; `updated` switches on the new records; `fail` breaks one API;
    `crossref_missing` makes Crossref report more records than its cursor delivers."""

    def __init__(self) -> None:
        self.updated = False
        self.fail: str | None = None
        self.crossref_missing = 0
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        api = request.extensions["searchharvest"]["api"]
        if api == self.fail:
            raise RuntimeError(f"interrupted during the {api} harvest")
        if api == "pubmed":
            return self._pubmed(request)
        if api == "openalex":
            results = OPENALEX["results"] + ([OPENALEX_NEW] if self.updated else [])
            meta = {**OPENALEX["meta"], "count": len(results), "next_cursor": None}
            return httpx.Response(200, json={**OPENALEX, "meta": meta, "results": results})
        items = CROSSREF["message"]["items"]
        if self.updated:
            items = items + CROSSREF_NEW["message"]["items"]
        total = len(items) + self.crossref_missing
        message = {**CROSSREF["message"], "items": items, "total-results": total}
        return httpx.Response(200, json={**CROSSREF, "message": message})

    def _pubmed(self, request: httpx.Request) -> httpx.Response:
        articles = _articles(PUBMED_OLD) + (_articles(PUBMED_NEW) if self.updated else [])
        if request.url.path.endswith("esearch.fcgi"):
            body = ESEARCH.replace("<Count>2</Count>", f"<Count>{len(articles)}</Count>")
            return httpx.Response(200, text=body)
        head = PUBMED_OLD[: PUBMED_OLD.index("<PubmedArticle>")]
        return httpx.Response(200, text=head + "".join(articles) + "</PubmedArticleSet>")

    def params(self, api: str) -> list[dict[str, str]]:
        """The query parameters of every request sent to `api` (GET or POST form)."""
        out = []
        for request in self.requests:
            if request.extensions["searchharvest"]["api"] != api:
                continue
            params = dict(request.url.params)
            if request.method == "POST":
                params |= dict(httpx.QueryParams(request.content.decode()))
            out.append(params)
        return out


STRATEGY = f"""\
# A test strategy over the recorded answers.
name = "Recorded answers"
contact_email = "tester@example.org"
databases = ["pubmed", "openalex", "crossref"]

query = '''
{QUERY}
'''

[output]
records = ["out/hits.jsonl", "out/hits.ris"]
log = "out/log.md"
prisma = "out/prisma.json"

[update]
overlap_days = 7
"""


@pytest.fixture
def apis() -> Apis:
    return Apis()


@pytest.fixture
def strategy_file(tmp_path: Path) -> Path:
    path = tmp_path / "review.toml"
    path.write_text(STRATEGY, encoding="utf-8")
    return path


@pytest.fixture
def harvest(apis: Apis, tmp_path: Path) -> Callable[..., RunOutcome]:
    """Run `run` or `update` on a strategy against the fake APIs, without waiting."""
    settings = Settings(email="tester@example.org", cache_dir=tmp_path / "cache", max_attempts=1)

    def go(strategy: Strategy, kind: str = "run", **kwargs: Any) -> RunOutcome:
        method = strategy.run if kind == "run" else strategy.update
        transport = httpx.MockTransport(apis)
        return method(settings=settings, transport=transport, clock=VirtualClock(), **kwargs)

    return go
