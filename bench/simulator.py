"""A loopback PubMed / OpenAlex / Crossref server that enforces the real rate limits.

Run: `python bench/simulator.py --records 10000` prints `PORT <n>` and serves until
`--max-seconds` pass (it always stops by itself). `bench_harvest.py` starts it as a
separate process through `running_simulator()`, so its threads never compete with the
client under test for the GIL.

Paths: `/eutils/esearch.fcgi`, `/eutils/efetch.fcgi`, `/openalex/works`,
`/crossref/works`; `/_stats` returns the counters as JSON and `/_reset` zeroes them.

Records are the real recorded responses in `cassettes/` with rewritten ids and the word
`Harvestbench` put in front of every title, so any one-word title query keeps them all.
Every search returns all records (dates aside): the simulator models paging, limits and
latency, not relevance.

Limits (docs/API-FACTS.md): NCBI 3 requests/s without a key; OpenAlex 100 requests/s;
Crossref 3 list requests/s and 3 in flight with `mailto` (polite pool), else 1 and 1.
A request over the limit is answered 429 (OpenAlex: with a positive remaining budget,
which is how a throttle differs from a spent daily budget) and is not served.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

CASSETTES: Final = Path(__file__).resolve().parents[1] / "cassettes"
WORD: Final = "Harvestbench"
"""Put in front of every title, so `harvestbench[tiab]` matches every record."""

PUBMED_FILES: Final = ("biopython__pubmed1.xml", "biopython__pubmed2.xml")
PUBMED_EXTRA: Final = ("biocommons__test_efetch.body0.xml",)
OPENALEX_FILES: Final = (
    "paperqa__test_title_search_paper_attributes2.body3.json",
    "openalex-python__W2741809807.json",
    "paperqa__test_doi_search_paper_attributes4.body2.json",
)
CROSSREF_FILES: Final = (
    "habanero__test_works_field_queries.body0.json",
    "habanero__test_cursor_max.body0.json",
)
ESEARCH_HEAD: Final = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
    b'"-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
FIRST_EDAT: Final = date(2015, 1, 1)
"""Entry date of record 0; record i entered i // `PER_DAY` days later."""
PER_DAY: Final = 3
ESEARCH_WINDOW: Final = 9_998
"""The live server refuses `retstart` above 9998."""


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `rate` accepted request starts in any one second, `concurrency` in flight."""

    rate: int
    concurrency: int


LIMITS: Final[dict[str, Limit]] = {
    "pubmed": Limit(3, 1_000),
    "openalex": Limit(100, 1_000),
    "crossref-polite": Limit(3, 3),
    "crossref-public": Limit(1, 1),
}


@dataclass
class Counter:
    """Requests seen by one API, and the state its limit needs."""

    requests: int = 0
    served: int = 0
    rejected: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    starts: deque[float] = field(default_factory=deque)

    def to_json(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "served": self.served,
            "rejected": self.rejected,
            "max_in_flight": self.max_in_flight,
        }


class Corpus:
    """Every record pre-serialised once, so serving costs joins, not encoding."""

    def __init__(self, records: int) -> None:
        self.size = records
        self.pubmed_head, templates = _pubmed_templates()
        self.pmids = [str(40_000_000 + i) for i in range(records)]
        self.articles = [
            templates[i % len(templates)].replace(b"@@PMID@@", pmid.encode())
            for i, pmid in enumerate(self.pmids)
        ]
        self.edats = [FIRST_EDAT + timedelta(days=i // PER_DAY) for i in range(records)]
        self.works = _openalex_templates()
        self.items = _crossref_templates()

    def work(self, i: int, select: frozenset[str]) -> bytes:
        """OpenAlex work `i`."""
        ids = {
            b"@@ID@@": f"https://openalex.org/W{90_000_000_000 + i}".encode(),
            b"@@DOI@@": f"https://doi.org/10.5555/harvestbench.{i}".encode(),
        }
        return render(self.works[i % len(self.works)], select, ids)

    def item(self, i: int, select: frozenset[str]) -> bytes:
        """Crossref item `i`."""
        ids = {b"@@DOI@@": f"10.5555/harvestbench.{i}".encode()}
        return render(self.items[i % len(self.items)], select, ids)


def _pubmed_templates() -> tuple[bytes, list[bytes]]:
    head = b""
    templates: list[bytes] = []
    for name in PUBMED_FILES + PUBMED_EXTRA:
        text = (CASSETTES / "pubmed" / name).read_bytes()
        if not head:
            head = text[: text.index(b"<PubmedArticleSet>")]
        for found in re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", text, re.DOTALL):
            pmid = re.search(rb"<PMID Version=\"\d+\">(\d+)</PMID>", found)
            assert pmid is not None
            article = found.replace(pmid.group(0), b'<PMID Version="1">@@PMID@@</PMID>', 1)
            article = article.replace(
                b'<ArticleId IdType="pubmed">' + pmid.group(1) + b"</ArticleId>",
                b'<ArticleId IdType="pubmed">@@PMID@@</ArticleId>',
            )
            article = re.sub(rb"<ArticleTitle>", b"<ArticleTitle>" + WORD.encode() + b": ", article)
            templates.append(article)
    return head, templates


Fragments = list[tuple[str, bytes]]
"""One record as its root fields, each serialised once as `"key": value`."""


def _fragments(record: dict[str, Any]) -> Fragments:
    return [(key, json.dumps({key: value})[1:-1].encode()) for key, value in record.items()]


def render(template: Fragments, select: frozenset[str], values: dict[bytes, bytes]) -> bytes:
    """One record with only the `select`ed root fields (all when empty), ids filled in."""
    body = b"{" + b", ".join(f for key, f in template if not select or key in select) + b"}"
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


def _openalex_templates() -> list[Fragments]:
    templates: list[Fragments] = []
    for name in OPENALEX_FILES:
        data = json.loads((CASSETTES / "openalex" / name).read_bytes())
        for work in data.get("results", [data]):
            title = f"{WORD}: {work.get('title') or work.get('display_name') or ''}"
            work |= {"id": "@@ID@@", "doi": "@@DOI@@", "title": title, "display_name": title}
            work["ids"] = {"openalex": "@@ID@@", "doi": "@@DOI@@"}
            templates.append(_fragments(work))
    return templates


def _crossref_templates() -> list[Fragments]:
    templates: list[Fragments] = []
    for name in CROSSREF_FILES:
        for item in json.loads((CASSETTES / "crossref" / name).read_bytes())["message"]["items"]:
            item |= {"DOI": "@@DOI@@", "URL": "https://doi.org/@@DOI@@"}
            item["title"] = [f"{WORD}: {(item.get('title') or [''])[0]}"]
            templates.append(_fragments(item))
    return templates


def _select(q: dict[str, str]) -> frozenset[str]:
    return frozenset(filter(None, q.get("select", "").split(",")))


class Simulator:
    """The shared state of the server: corpus, history sets, counters, latency model."""

    def __init__(self, records: int, latency: float, per_record: float) -> None:
        self.corpus = Corpus(records)
        self.latency = latency
        self.per_record = per_record
        self.lock = threading.Lock()
        self.counters: dict[str, Counter] = {}
        self.history: dict[str, tuple[int, int]] = {}

    def reset(self) -> None:
        with self.lock:
            self.counters.clear()
            self.history.clear()

    def admit(self, api: str) -> bool:
        """Count a request; False when it breaks the API's rate or concurrency limit."""
        limit = LIMITS[api]
        now = time.monotonic()
        with self.lock:
            counter = self.counters.setdefault(api, Counter())
            counter.requests += 1
            while counter.starts and counter.starts[0] <= now - 1.0:
                counter.starts.popleft()
            if len(counter.starts) >= limit.rate or counter.in_flight >= limit.concurrency:
                counter.rejected += 1
                return False
            counter.starts.append(now)
            counter.in_flight += 1
            counter.max_in_flight = max(counter.max_in_flight, counter.in_flight)
            return True

    def release(self, api: str) -> None:
        with self.lock:
            counter = self.counters[api]
            counter.in_flight -= 1
            counter.served += 1

    def stats(self) -> dict[str, dict[str, int]]:
        with self.lock:
            return {api: c.to_json() for api, c in self.counters.items()}

    def pause(self, records: int) -> None:
        """The modelled server time: fixed latency plus a cost per record serialised."""
        time.sleep(self.latency + self.per_record * records)

    # E-utilities ---------------------------------------------------------------

    def esearch(self, q: dict[str, str]) -> tuple[int, str, bytes]:
        lo, hi = 0, self.corpus.size
        if q.get("datetype") == "edat" and "mindate" in q and "maxdate" in q:
            lo = _first_on_or_after(self.corpus.edats, _ncbi_date(q["mindate"]))
            hi = _first_on_or_after(self.corpus.edats, _ncbi_date(q["maxdate"]) + timedelta(1))
            hi = max(lo, hi)
        retstart = int(q.get("retstart", "0"))
        retmax = int(q.get("retmax", "20"))
        if retstart > ESEARCH_WINDOW:
            message = (
                f"<ERROR>'retstart' cannot be larger than {ESEARCH_WINDOW}. For PubMed, "
                "ESearch can only retrieve the first 9,999 records matching the query. "
                "To obtain more than 9,999 PubMed records, consider using EDirect</ERROR>"
            )
            return (
                200,
                "text/xml",
                ESEARCH_HEAD + b"<eSearchResult>" + message.encode() + b"</eSearchResult>",
            )
        with self.lock:
            webenv = f"MCID_{len(self.history) + 1:024x}"
            self.history[webenv] = (lo, hi)
        ids = self.corpus.pmids[lo + retstart : min(hi, lo + retstart + retmax)]
        body = (
            f"<eSearchResult><Count>{hi - lo}</Count><RetMax>{len(ids)}</RetMax>"
            f"<RetStart>{retstart}</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
            "<IdList>" + "".join(f"\n<Id>{pmid}</Id>" for pmid in ids) + "\n</IdList>"
            "<TranslationSet/><QueryTranslation>"
            + _xml_escape(q.get("term", ""))
            + "</QueryTranslation></eSearchResult>"
        )
        return 200, "text/xml", ESEARCH_HEAD + body.encode()

    def efetch(self, q: dict[str, str]) -> tuple[int, str, bytes]:
        with self.lock:
            found = self.history.get(q.get("WebEnv", ""))
        if found is None or q.get("query_key") != "1":
            return 400, "text/xml", b"<eFetchResult><ERROR>Unknown WebEnv</ERROR></eFetchResult>"
        lo, hi = found
        start = lo + int(q.get("retstart", "0"))
        end = min(hi, start + int(q.get("retmax", "20")))
        articles = self.corpus.articles[start:end]
        self.pause(len(articles))
        body = b"".join(
            [
                self.corpus.pubmed_head,
                b"<PubmedArticleSet>\n",
                b"\n".join(articles),
                b"\n</PubmedArticleSet>\n",
            ]
        )
        return 200, "text/xml", body

    # OpenAlex ------------------------------------------------------------------

    def openalex_works(self, q: dict[str, str]) -> tuple[int, str, bytes]:
        per_page = int(q.get("per_page", q.get("per-page", "25")))
        if not 1 <= per_page <= 100:
            error = {"error": "Invalid query parameters error.", "message": "per_page 1-100"}
            return 400, "application/json", json.dumps(error).encode()
        total = self.corpus.size
        if "cursor" in q:
            offset = 0 if q["cursor"] == "*" else int(q["cursor"].removeprefix("IlsxL"))
            page = None
        else:
            page = int(q.get("page", "1"))
            offset = (page - 1) * per_page
        chosen = [
            self.corpus.work(i, _select(q)) for i in range(offset, min(total, offset + per_page))
        ]
        # The live server still sends a cursor with the last full page; only the request
        # after it comes back empty with a null cursor.
        next_cursor = None if "cursor" not in q or not chosen else f"IlsxL{offset + len(chosen)}"
        meta = {
            "count": total,
            "db_response_time_ms": 12,
            "page": page,
            "per_page": per_page,
            "next_cursor": next_cursor,
            "groups_count": None,
        }
        self.pause(len(chosen))
        body = b"".join(
            [
                b'{"meta": ',
                json.dumps(meta).encode(),
                b', "results": [',
                b", ".join(chosen),
                b'], "group_by": []}',
            ]
        )
        return 200, "application/json", body

    # Crossref ------------------------------------------------------------------

    def crossref_works(self, q: dict[str, str]) -> tuple[int, str, bytes]:
        rows = int(q.get("rows", "20"))
        if not 0 <= rows <= 1000:
            error = {
                "status": "failed",
                "message-type": "validation-failure",
                "message": [{"type": "integer-not-valid", "value": rows, "message": "rows"}],
            }
            return 400, "application/json", json.dumps(error).encode()
        cursor = q.get("cursor")
        offset = 0 if cursor in (None, "*") else int(str(cursor).removeprefix("DnF1ZXJ5"))
        offset = int(q.get("offset", "0")) if cursor is None else offset
        end = min(self.corpus.size, offset + rows)
        chosen = [self.corpus.item(i, _select(q)) for i in range(offset, end)]
        head: dict[str, Any] = {"facets": {}, "total-results": self.corpus.size}
        if cursor is not None:
            head["next-cursor"] = f"DnF1ZXJ5{offset + len(chosen)}"
        self.pause(len(chosen))
        message = json.dumps(head).encode()[:-1]
        body = b"".join(
            [
                b'{"status":"ok","message-type":"work-list","message-version":"1.0.0",',
                b'"message":',
                message,
                b',"items":[',
                b",".join(chosen),
                b'],"items-per-page":',
                str(rows).encode(),
                b',"query":{"start-index":0}}}',
            ]
        )
        return 200, "application/json", body


def _ncbi_date(text: str) -> date:
    parts = [int(p) for p in text.split("/")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _first_on_or_after(days: list[date], day: date) -> int:
    lo, hi = 0, len(days)
    while lo < hi:
        mid = (lo + hi) // 2
        if days[mid] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Handler(BaseHTTPRequestHandler):
    """Routes a request to its API, after the limit check, and writes the answer."""

    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line; the counters tell the story."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self._route(parts.path, parts.query)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self._route(urlsplit(self.path).path, self.rfile.read(length).decode())

    def _route(self, path: str, query: str) -> None:
        sim = self.server.simulator
        q = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if path == "/_stats":
            self._send(200, "application/json", json.dumps(sim.stats()).encode())
            return
        if path == "/_reset":
            sim.reset()
            self._send(200, "application/json", b"{}")
            return
        routes = {
            "/eutils/esearch.fcgi": ("pubmed", sim.esearch),
            "/eutils/efetch.fcgi": ("pubmed", sim.efetch),
            "/openalex/works": ("openalex", sim.openalex_works),
            "/crossref/works": ("crossref", sim.crossref_works),
        }
        if path not in routes:
            self._send(404, "text/plain", b"Resource not found.")
            return
        api, serve = routes[path]
        if api == "crossref":
            polite = "mailto" in q or "mailto:" in self.headers.get("user-agent", "")
            api = "crossref-polite" if polite else "crossref-public"
        if not sim.admit(api):
            self._reject(api)
            return
        try:
            status, kind, body = serve(q)
        finally:
            sim.release(api)
        self._send(status, kind, body, _rate_headers(api))

    def _reject(self, api: str) -> None:
        headers = _rate_headers(api)
        if api == "pubmed":
            body = b'{"error":"API rate limit exceeded","count":"4"}'
        elif api == "openalex":
            headers["x-ratelimit-remaining-usd"] = "0.9"
            body = b'{"error":"Rate limit exceeded","message":"slow down"}'
        else:
            body = b'{"status":"failed","message":"Too many requests"}'
        self._send(429, "application/json", body, headers)

    def _send(
        self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _rate_headers(api: str) -> dict[str, str]:
    if api.startswith("crossref"):
        return {"x-rate-limit-limit": str(LIMITS[api].rate), "x-rate-limit-interval": "1s"}
    return {}


class SimulatorServer(ThreadingHTTPServer):
    """A threaded loopback server carrying the simulator state."""

    daemon_threads = True

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.simulator = simulator


@contextmanager
def running_simulator(
    records: int, latency: float, per_record: float, max_seconds: float = 600.0
) -> Iterator[str]:
    """Start the simulator in its own process; yield its base URL; stop it on exit."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--records={records}",
        f"--latency={latency}",
        f"--per-record={per_record}",
        f"--max-seconds={max_seconds}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the simulator did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    """Build the corpus, print the port, serve until `--max-seconds` pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--per-record", type=float, default=0.00002, help="seconds per record")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args(argv)
    server = SimulatorServer(Simulator(args.records, args.latency, args.per_record))
    stopper = threading.Timer(args.max_seconds, server.shutdown)
    stopper.daemon = True
    stopper.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
