"""Harvest N records per API from the local simulator: requests, wall time, peers.

Run: `python bench/bench_harvest.py [--records N]`. For each API, searchharvest's
connector and the usual sequential peer (Bio.Entrez, pyalex, habanero) harvest the same
records from the same simulator (`bench/simulator.py`, which enforces the real limits and
adds latency) in the same run. The floor is the fastest the rate limit allows for the
requests we sent: requests / allowed rate. Prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import platform
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import SecretStr
from simulator import running_simulator

from searchharvest import SearchResult, Settings
from searchharvest.connectors._processes import EXIT_THREAD
from searchharvest.connectors.crossref import SELECT as CROSSREF_SELECT
from searchharvest.connectors.openalex import SELECT as OPENALEX_SELECT
from searchharvest.harvest import SearchOptions

QUERY: Final = "harvestbench[tiab]"
"""EXACT for PubMed; every simulated title starts with the word, so the local filter
(OpenAlex is BROADER: stemming) keeps every record and all sides see the same set."""
WORD: Final = "harvestbench"
EMAIL: Final = "bench@example.org"
RATE: Final = {"pubmed": 3.0, "openalex": 100.0, "crossref": 3.0}
"""Allowed requests per second, as the simulator enforces them (docs/API-FACTS.md)."""
PACE: Final = 2.7
"""habanero's requests per second when paced by hand: 0.9 of the limit, as we and
Bio.Entrez (0.37 s spacing) leave for jitter."""
NCBI: Final = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
ONE_CORE: Final = "searchharvest, no child parser"
"""Ourselves with `parse_processes=0` as the "peer": what the child parsers gain."""

# The peers ship without type information; they are used as untyped modules.
Entrez: Any = importlib.import_module("Bio.Entrez")
pyalex: Any = importlib.import_module("pyalex")
pyalex_api: Any = importlib.import_module("pyalex.api")
habanero: Any = importlib.import_module("habanero")
habanero_select: Any = importlib.import_module("habanero.select")
httpx2: Any = importlib.import_module("httpx2")


@dataclass
class Run:
    """One harvest: how many records, requests and 429s, and how long it took."""

    records: int
    requests: int
    rejected: int
    seconds: float
    cpu: float
    """Client CPU seconds (all threads of this process and its child parser processes):
    unlike wall time, it does not grow when other programs share the machine."""
    error: str | None = None


def stats(base: str) -> dict[str, dict[str, int]]:
    with urllib.request.urlopen(f"{base}/_stats") as response:
        data: dict[str, dict[str, int]] = json.load(response)
    return data


def children_cpu() -> float:
    """CPU seconds of the child processes reaped so far (our child parsers; the
    simulator is reaped only at the end)."""
    times = os.times()
    return times.children_user + times.children_system


def measure(base: str, harvest: Callable[[], int]) -> Run:
    """Reset the simulator's counters, run `harvest`, read the counters back."""
    urllib.request.urlopen(f"{base}/_reset").close()
    start = time.perf_counter()
    cpu = time.process_time() + children_cpu()
    error = None
    try:
        records = harvest()
    except Exception as exc:  # a peer failing is a result to report, not a crash
        records, error = 0, f"{type(exc).__name__}: {str(exc)[:80]}"
    seconds = time.perf_counter() - start
    for thread in threading.enumerate():  # child parsers are reaped after the harvest
        if thread.name == EXIT_THREAD:
            thread.join()
    cpu = time.process_time() + children_cpu() - cpu
    counters = stats(base).values()
    return Run(
        records,
        sum(c["requests"] for c in counters),
        sum(c["rejected"] for c in counters),
        seconds,
        cpu,
        error,
    )


def ours(base: str, db: str, processes: int | None = None) -> Callable[[], int]:
    """searchharvest's harvest; `processes` child parsers (None: the library default)."""
    settings = Settings(
        pubmed_url=f"{base}/eutils",
        openalex_url=f"{base}/openalex",
        crossref_url=f"{base}/crossref",
        email=EMAIL,
        openalex_api_key=SecretStr("bench"),
    )
    if processes is not None:
        settings = dataclasses.replace(settings, parse_processes=processes)

    def harvest() -> int:
        result = SearchResult(QUERY, SearchOptions(databases=(db,)), settings=settings, cache=None)
        count = sum(1 for _ in result)
        if result.errors:
            raise result.errors[0]
        return count

    return harvest


def entrez(base: str, batch: int) -> Callable[[], int]:
    """Bio.Entrez's history recipe: esearch(usehistory), then efetch in batches, parsed.

    `Entrez.read`, not `Entrez.parse`: Biopython 1.88 refuses to stream a 2025-DTD
    PubmedArticleSet ("does not represent a list"), the real recorded file included.
    """

    def harvest() -> int:
        Entrez.email = EMAIL
        build = Entrez._build_request  # the E-utility URLs are literals inside Bio.Entrez

        def local(cgi: str, *args: Any, **kwargs: Any) -> Any:
            return build(cgi.replace(NCBI, f"{base}/eutils"), *args, **kwargs)

        Entrez._build_request = local
        try:
            with Entrez.esearch(db="pubmed", term=QUERY, usehistory="y", retmax=0) as handle:
                found = Entrez.read(handle)
            count = 0
            for start in range(0, int(found["Count"]), batch):
                with Entrez.efetch(
                    db="pubmed",
                    query_key=found["QueryKey"],
                    WebEnv=found["WebEnv"],
                    retstart=start,
                    retmax=batch,
                    retmode="xml",
                ) as handle:
                    count += len(Entrez.read(handle)["PubmedArticle"])
            return count
        finally:
            Entrez._build_request = build

    return harvest


def pyalex_peer(base: str) -> Callable[[], int]:
    """pyalex cursor paging with the same filter, page size and selected fields.

    pyalex 0.21 builds list URLs on `https://api.openalex.org` whatever
    `config.openalex_url` says, so its session is wrapped to send them to the simulator.
    """
    make_session = pyalex_api._get_requests_session

    def local_session() -> Any:
        session = make_session()
        send = session.get

        def get(url: str, **kwargs: Any) -> Any:
            return send(url.replace("https://api.openalex.org", f"{base}/openalex"), **kwargs)

        session.get = get
        return session

    def harvest() -> int:
        pyalex_api._get_requests_session = local_session
        pyalex.config.openalex_url = f"{base}/openalex"
        pyalex.config.email = EMAIL
        pyalex.config.api_key = "bench"
        works = (
            pyalex.Works()
            .filter(title_and_abstract={"search": WORD})
            .select(OPENALEX_SELECT.split(","))
        )
        try:
            return sum(len(page) for page in works.paginate(per_page=100, n_max=None))
        finally:
            pyalex_api._get_requests_session = make_session

    return harvest


@contextmanager
def paced(rate: float) -> Iterator[None]:
    """Space habanero's requests at `rate` per second (it has no limiter of its own)."""
    original = httpx2.get
    last = [0.0]

    def get(*args: Any, **kwargs: Any) -> Any:
        wait = last[0] + 1.0 / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        last[0] = time.monotonic()
        return original(*args, **kwargs)

    httpx2.get = get
    try:
        yield
    finally:
        httpx2.get = original


def habanero_peer(base: str, records: int, pace: float | None) -> Callable[[], int]:
    """habanero cursor paging, 1,000 rows a page, the same fields (those it accepts)."""
    select = [f for f in CROSSREF_SELECT.split(",") if f in habanero_select.VALID_SELECTS]

    def harvest() -> int:
        crossref = habanero.Crossref(base_url=f"{base}/crossref", mailto=EMAIL)

        def run() -> int:
            pages = crossref.works(
                query_bibliographic=WORD,
                cursor="*",
                cursor_max=records,
                limit=1000,
                select=select,
            )
            pages = pages if isinstance(pages, list) else [pages]
            return sum(len(page["message"]["items"]) for page in pages)

        if pace is None:
            return run()
        with paced(pace):
            return run()

    return harvest


def row(db: str, peer_name: str, mine: Run, peer: Run) -> str:
    floor = mine.requests / RATE[db]
    speedup = f"{peer.seconds / mine.seconds:.2f}x" if peer.error is None else "n/a"
    peer_cell = f"{peer.seconds:.2f} s" if peer.error is None else f"failed: {peer.error}"
    return (
        f"| {db} | {mine.records} | {mine.requests} | {mine.requests / max(1, mine.records):.4f} "
        f"| {mine.rejected} | {floor:.2f} s | {mine.seconds:.2f} s | {mine.seconds / floor:.2f} "
        f"| {mine.cpu:.2f} s | {peer_name} | {peer.records} | {peer.requests} | {peer.rejected} "
        f"| {peer_cell} | {peer.cpu:.2f} s | {speedup} |"
    )


def main() -> None:
    """Start the simulator, run every harvest, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-record", type=float, default=0.00002)
    parser.add_argument("--entrez-batch", type=int, default=10_000)
    args = parser.parse_args()
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {args.records} records "
        f"per API, latency {args.latency * 1000:.0f} ms + {args.per_record * 1e6:.0f} µs/record; "
        f"load average {os.getloadavg()[0]:.1f} (other programs make wall times longer)"
    )
    header = (
        "| API | records | requests | req/record | 429s | floor | wall | wall/floor | cpu "
        "| peer | peer records | peer requests | peer 429s | peer wall | peer cpu | speed-up |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|"
    )
    lines = [header]
    with running_simulator(args.records, args.latency, args.per_record) as base:
        peers: dict[str, list[tuple[str, Callable[[], int]]]] = {
            "pubmed": [
                ("Bio.Entrez", entrez(base, args.entrez_batch)),
                (ONE_CORE, ours(base, "pubmed", 0)),
            ],
            "openalex": [("pyalex", pyalex_peer(base)), (ONE_CORE, ours(base, "openalex", 0))],
            "crossref": [
                ("habanero", habanero_peer(base, args.records, None)),
                ("habanero paced 2.7/s", habanero_peer(base, args.records, PACE)),
            ],
        }
        for db, runs in peers.items():
            mine = measure(base, ours(base, db))
            if mine.error is not None:
                sys.exit(f"{db}: searchharvest failed: {mine.error}")
            for name, harvest in runs:
                lines.append(row(db, name, mine, measure(base, harvest)))
                print(lines[-1], flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
