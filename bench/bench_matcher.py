"""Measure the local matcher's speed on 100k records built from real titles and abstracts.

Run: `python bench/bench_matcher.py [N]`. The records recombine titles, abstracts, MeSH
and dates of the recorded PubMed responses (cassettes/pubmed), so text lengths and
vocabulary are realistic; the query is strategy 2 plus a MeSH, a date and a NOT clause.
"""

from __future__ import annotations

import sys
import time

from searchharvest._resources import data_path
from searchharvest.errors import MalformedResponse
from searchharvest.mappers.pubmed import iter_pubmed_articles
from searchharvest.query import parse
from searchharvest.query.matcher import Verdict, compile_matcher
from searchharvest.records import Record

FIXTURES = data_path("cassettes", "pubmed")
QUERY = (
    "(co-production OR co-design OR engagement OR involvement OR participation OR "
    'co-creation OR "patient partner*" OR management OR treatment OR studies) AND '
    '("mental health" OR "mental illness" OR '
    'psychiatr* OR pain OR cancer OR "lung neoplasms"[mh]) AND 1990:2025[dp] NOT mice'
)


def real_records() -> list[Record]:
    found: list[Record] = []
    for path in sorted(FIXTURES.glob("*.xml")):
        try:
            found.extend(iter_pubmed_articles(path.read_bytes()))
        except MalformedResponse:  # esearch, elink... files share the folder
            continue
    return [r for r in found if r.title]


def synthetic(base: list[Record], count: int) -> list[Record]:
    """`count` records mixing fields of different real records, so they are not equal."""
    size = len(base)
    out = []
    for i in range(count):
        a, b, c = base[i % size], base[(i * 7 + 3) % size], base[(i * 13 + 5) % size]
        out.append(
            Record(
                title=f"{a.title} {i}",
                abstract=b.abstract if i % 5 else None,
                keywords=c.keywords,
                mesh=c.mesh,
                publication_date=a.publication_date,
                year=a.year,
            )
        )
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    records = synthetic(real_records(), count)
    matcher = compile_matcher(parse(QUERY))
    start = time.perf_counter()
    tally = dict.fromkeys(Verdict, 0)
    for _, verdict in matcher.filter(records):
        tally[verdict] += 1
    elapsed = time.perf_counter() - start
    print(f"{count} records in {elapsed:.2f} s: {count / elapsed:,.0f} records/s")
    print({v.value: n for v, n in tally.items()})


if __name__ == "__main__":
    main()
