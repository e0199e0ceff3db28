"""Time `iter_pubmed_articles` against Bio.Entrez on the same EFetch bytes.

Builds one large `PubmedArticleSet` from every real article in `cassettes/pubmed/`
(PMIDs rewritten to be distinct), then, in the same run and on the same bytes, times:

- ours: `iter_pubmed_articles`, full `Record` construction (pydantic validation included);
- `Bio.Entrez.read`: the DTD-driven parser, which only builds nested dicts and lists.

Bio.Entrez validates against the DTD named in the DOCTYPE; the script checks that this
DTD ships with Biopython, so neither parser touches the network. CPU time
(`time.process_time`) is used; the two parsers alternate run by run, and the best and
the median of the repeats are printed, so other load on the machine disturbs the
numbers less and hits both sides alike.

Run: `python bench/bench_pubmed_parse.py [--articles 5000] [--repeats 5]`
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from Bio import Entrez
from lxml import etree

from searchharvest.mappers.pubmed import iter_pubmed_articles

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "pubmed"
DTD = "pubmed_250101.dtd"
PROLOG = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/' + DTD.encode() + b'">\n'
)


def real_articles() -> list[bytes]:
    """Every PubmedArticle in the cassettes, serialised on its own."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    articles = []
    for path in sorted(CASSETTES.glob("*.xml")):
        root = etree.fromstring(path.read_bytes(), parser)
        articles += [etree.tostring(a) for a in root.iter("PubmedArticle")]
    return articles


def build_set(count: int) -> bytes:
    """`count` articles cycling through the real ones, PMIDs 60000000, 60000001, ..."""
    articles = real_articles()
    parts = [PROLOG, b"<PubmedArticleSet>\n"]
    for i in range(count):
        article = articles[i % len(articles)]
        start = article.index(b">", article.index(b"<PMID")) + 1
        end = article.index(b"</PMID>", start)
        parts.append(article[:start] + str(60_000_000 + i).encode() + article[end:])
    parts.append(b"</PubmedArticleSet>\n")
    return b"".join(parts)


def timed(run: Callable[[], int]) -> tuple[float, int]:
    """CPU time of one run, and the article count it reported."""
    start = time.process_time()
    count = run()
    return time.process_time() - start, count


def main() -> None:
    """Build the set, time both parsers, print throughput and the ratio."""
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--articles", type=int, default=5000)
    options.add_argument("--repeats", type=int, default=5)
    args = options.parse_args()

    shipped = Path(Entrez.__file__).parent / "DTDs" / DTD
    if not shipped.exists():
        raise SystemExit(f"Biopython does not ship {DTD}; Bio.Entrez would download it")
    body = build_set(args.articles)
    print(f"{args.articles} articles, {len(body) / 1e6:.1f} MB, {args.repeats} repeats")

    def ours() -> int:
        return sum(1 for _ in iter_pubmed_articles(body))

    def entrez() -> int:
        return len(Entrez.read(io.BytesIO(body))["PubmedArticle"])  # type: ignore[no-untyped-call]

    ours_times: list[float] = []
    entrez_times: list[float] = []
    for _ in range(args.repeats):
        seconds, ours_count = timed(ours)
        ours_times.append(seconds)
        seconds, entrez_count = timed(entrez)
        entrez_times.append(seconds)
        if ours_count != entrez_count:
            raise SystemExit(f"article counts differ: ours {ours_count}, Entrez {entrez_count}")
    for name, times in (("searchharvest", ours_times), ("Bio.Entrez.read", entrez_times)):
        best, median = min(times), statistics.median(times)
        rate = args.articles / best
        print(f"{name:>16}: best {best:6.2f} s  median {median:6.2f} s CPU  {rate:6.0f} articles/s")
    best = min(entrez_times) / min(ours_times)
    median = statistics.median(entrez_times) / statistics.median(ours_times)
    print(f"{'ratio':>16}: {best:.1f}x best, {median:.1f}x median (Bio.Entrez time / ours)")


if __name__ == "__main__":
    main()
