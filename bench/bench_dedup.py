"""De-duplication benchmark: searchharvest against bib-dedupe on the labelled data sets.

Run: `python bench/bench_dedup.py [--shared DIR] [--skip-bib-dedupe] [--scale N] [--misses]
[--robustness]`.

Both tools run in this process on the same machine. For each data set it prints precision,
recall and F1 counted two ways: record removal as bib-dedupe's `compare_dedupe_id` counts it
(one record kept per predicted group) and pairwise (co-membership over all pairs), the
wall-clock and CPU seconds of each tool (CPU includes finished child processes, which
bib-dedupe's matching uses) and both speed ratios: CPU seconds are the fairer ratio when
other work shares the machine. Thresholds were tuned only on
cytology_screening, haematology and respiratory; the other three are held out.
`--misses` lists the missed pairs and wrong merges of the tuning sets with the stage that
kept each missed pair apart; it refuses the held-out sets, whose records must stay unread.
`--robustness` damages one field of every later copy in each true group of the tuning
sets (year dropped, title cut, journal as acronym, ...) and prints the share of the pairs
found undamaged that are still found, and any wrong pair the damage caused.
The data are read in place from the shared fixtures folder (the diabetes set is GPL-3 and
is never copied into this repository).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searchharvest.dedup import DedupConfig, dedupe
from searchharvest.dedup.blocking import blocking_keys, candidate_pairs
from searchharvest.dedup.match import compare, vetoed
from searchharvest.dedup.normalize import Features, features, parse_authors
from searchharvest.records import Author, Record

TUNING = ("cytology_screening", "haematology", "respiratory")
HELD_OUT = ("stroke", "digital_work", "diabetes")
_MISSING = {"", "UNKNOWN", "NA"}


@dataclass
class DataSet:
    name: str
    ids: list[str]
    rows: list[dict[str, str]]
    records: list[Record]
    truth: list[set[str]]


def _clean(value: str | None) -> str | None:
    if value is None or value.strip() in _MISSING:
        return None
    return value.strip()


def row_to_record(row: dict[str, str]) -> Record:
    """Map one bib-dedupe style CSV row (BibTeX field names) to a Record."""
    year = _clean(row.get("year"))
    venue = _clean(row.get("journal")) or _clean(row.get("booktitle"))
    return Record(
        ids={"doi": _clean(row.get("doi"))},
        title=_clean(row.get("title")),
        abstract=_clean(row.get("abstract")),
        authors=parse_authors(_clean(row.get("author"))),
        year=int(year[:4]) if year and year[:4].isdigit() else None,
        journal=venue,
        volume=_clean(row.get("volume")),
        issue=_clean(row.get("number")) or _clean(row.get("issue")),
        pages=_clean(row.get("pages")),
        type=_clean(row.get("ENTRYTYPE")),
        sources=("benchmark",),
    )


def load(shared: Path, name: str) -> DataSet:
    folder = shared / name
    if name == "diabetes":
        with open(folder / "labelled_test_set.csv", encoding="latin-1", newline="") as fp:
            raw = list(csv.DictReader(fp))
        rows = []
        for r in raw:
            row = {k: ("" if v == "NA" else v) for k, v in r.items()}
            row["ID"] = f"id_{int(r['record_id']):07d}"
            row["ENTRYTYPE"] = "article"
            rows.append(row)
    else:
        with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as fp:
            rows = list(csv.DictReader(fp))
    with open(folder / "merged_record_ids.csv", encoding="utf-8", newline="") as fp:
        truth = [set(r["merged_ids"].split(";")) for r in csv.DictReader(fp)]
    numbers = [r["number"] for r in rows if r.get("number")]
    if numbers and len(set(numbers)) > 0.9 * len(numbers):
        # respiratory's `number` column is a running record number, not the issue.
        for r in rows:
            r["number"] = ""
    records = [row_to_record(r) for r in rows]
    return DataSet(name, [r["ID"] for r in rows], rows, records, truth)


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def _scores(tp: int, fp: int, fn: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)


def removal_scores(ids: Sequence[str], predicted: list[set[str]], truth: list[set[str]]) -> Scores:
    """bib-dedupe's `compare_dedupe_id`: keep the first ID of each predicted group."""
    kept = set(ids)
    for group in predicted:
        kept -= set(sorted(group)[1:])
    tp = fp = fn = 0
    grouped: set[str] = set()
    for group in truth:
        grouped |= group
        k = len(group & kept)
        if k == 0:
            fp += 1
            tp += len(group) - 1
        else:
            fn += k - 1
            tp += len(group) - k
    fp += sum(1 for i in ids if i not in grouped and i not in kept)
    return _scores(tp, fp, fn)


def _pairs(groups: Iterable[set[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        ordered = sorted(group)
        out.update((a, b) for x, a in enumerate(ordered) for b in ordered[x + 1 :])
    return out


def pairwise_scores(predicted: list[set[str]], truth: list[set[str]]) -> Scores:
    p, t = _pairs(predicted), _pairs(truth)
    return _scores(len(p & t), len(p - t), len(t - p))


@dataclass
class Timing:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.2f}s wall {self.cpu:.2f}s cpu"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class _Clock:
    def __enter__(self) -> _Clock:
        self.start = (time.perf_counter(), _cpu())
        return self

    def __exit__(self, *exc: object) -> None:
        self.timing = Timing(time.perf_counter() - self.start[0], _cpu() - self.start[1])


def run_ours(data: DataSet) -> tuple[list[set[str]], Timing]:
    with _Clock() as clock:
        result = dedupe(data.records)
    groups = [{data.ids[m.index] for m in g.members} for g in result.groups]
    return groups, clock.timing


def run_bib_dedupe(data: DataSet) -> tuple[list[set[str]], Timing]:
    """bib-dedupe's own pipeline (prep, block, match, cluster) on the same rows."""
    # Bench-only extras, imported only when bib-dedupe is compared.
    import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415
    from bib_dedupe.bib_dedupe import block, cluster, match, prep  # type: ignore[import-untyped]  # noqa: PLC0415

    columns = ["ID", "ENTRYTYPE", "title", "author", "year", "journal", "booktitle",
               "volume", "number", "pages", "doi", "abstract"]  # fmt: skip
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns} for row in data.rows], dtype=str)
    with _Clock() as clock:
        prepared = prep(frame, verbosity_level=0)
        matched = match(block(prepared, verbosity_level=0), verbosity_level=0)
        id_sets: list[Any] = cluster(matched, verbosity_level=0)
    return [set(s) for s in id_sets if len(s) > 1], clock.timing


def _stage(a: Features, b: Features, compared: set[tuple[int, int]], pair: tuple[int, int]) -> str:
    """Why `match.compare` never accepted a true pair: the first stage that stopped it."""
    config = DedupConfig()
    if not set(blocking_keys(a)) & set(blocking_keys(b)):
        return "no shared blocking key"
    if pair not in compared:
        return "dropped by the year/title prefilter"
    if vetoed(a, b, config):
        return "vetoed"
    if compare(a, b, config) is None:
        return "a field disagrees or too little evidence"
    return "accepted, but the union was refused (DOI/PMID conflict) or chained elsewhere"


def print_misses(data: DataSet, predicted: list[set[str]]) -> None:
    """Missed true pairs (with the stage that kept them apart) and wrong merges."""
    position = {record_id: k for k, record_id in enumerate(data.ids)}
    feats = [features(r) for r in data.records]
    compared = set(candidate_pairs(feats, DedupConfig()))
    found = _pairs(predicted)
    for left, right in sorted(_pairs(data.truth) - found):
        pair = (min(position[left], position[right]), max(position[left], position[right]))
        print(f"  MISSED {left} {right}: {_stage(feats[pair[0]], feats[pair[1]], compared, pair)}")
        for k in pair:
            row = data.rows[k]
            print("    " + " | ".join(row.get(c, "")[:90] for c in _SHOWN))
    for left, right in sorted(found - _pairs(data.truth)):
        print(f"  WRONG MERGE {left} {right}")


_SHOWN = ("title", "year", "author", "journal", "volume", "number", "pages")


_STOP = frozenset({"of", "the", "and", "for", "in", "on", "&"})


def _acronym(journal: str | None) -> str | None:
    words = [w for w in (journal or "").replace(".", " ").split() if w.lower() not in _STOP]
    return "".join(w[0].upper() for w in words) if len(words) > 1 else journal


def _particle(authors: tuple[Author, ...]) -> tuple[Author, ...]:
    if not authors:
        return authors
    first = authors[0].model_copy(update={"family": f"van {authors[0].family}"})
    return (first, *authors[1:])


DAMAGE: dict[str, Callable[[Record], dict[str, Any]]] = {
    "year missing": lambda r: {"year": None},
    "title cut to 60%": lambda r: {
        "title": (r.title or "")[: max(50, len(r.title or "") * 3 // 5)]
    },
    "first title word dropped": lambda r: {"title": (r.title or "").partition(" ")[2] or r.title},
    "pages missing": lambda r: {"pages": None},
    "volume missing": lambda r: {"volume": None, "issue": None},
    "journal as acronym": lambda r: {"journal": _acronym(r.journal)},
    "particle on first author": lambda r: {"authors": _particle(r.authors)},
}
"""One damaged field, as one database's copy of a record may have it."""


def robustness(data: DataSet) -> None:
    """Share of the pairs found on the clean records still found after each damage."""
    position = {record_id: k for k, record_id in enumerate(data.ids)}
    truth = _pairs(data.truth)
    found = truth & _pairs(run_ours(data)[0])
    later = [position[i] for g in data.truth for i in sorted(g, key=position.__getitem__)[1:]]
    for name, damage in DAMAGE.items():
        records = list(data.records)
        for k in later:
            records[k] = records[k].model_copy(update=damage(records[k]))
        damaged = DataSet(data.name, data.ids, data.rows, records, data.truth)
        pairs = _pairs(run_ours(damaged)[0])
        print(f"  {name:26s} still found {len(found & pairs) / len(found):.3f}"
              f" of {len(found)}; wrong pairs {len(pairs - truth)}")  # fmt: skip


def _fmt(s: Scores) -> str:
    return f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}"


def synthetic(records: Sequence[Record], n: int, seed: int = 7) -> list[Record]:
    """`n` records derived from real ones: new works by word swaps, duplicates by typos."""
    rng = random.Random(seed)
    vocab = [w for r in records for w in (r.title or "").split()][:50000]
    out: list[Record] = []
    while len(out) < n:
        base = rng.choice(records)
        words = (base.title or "untitled record").split()
        for _ in range(3):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        work = base.model_copy(
            update={"title": " ".join(words), "year": (base.year or 2000) + rng.randint(-5, 5)}
        )
        out.append(work)
        if rng.random() < 0.3:
            title = work.title or ""
            cut = rng.randrange(max(1, len(title)))
            typo = title[:cut] + title[cut + 1 :]
            out.append(
                work.model_copy(update={"title": typo.upper() if rng.random() < 0.5 else typo})
            )
    return out[:n]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=Path("../shared/fixtures/dedup-benchmark"))
    parser.add_argument("--skip-bib-dedupe", action="store_true")
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic records (0: skip)")
    parser.add_argument("--only", nargs="*", default=[*TUNING, *HELD_OUT])
    parser.add_argument("--misses", action="store_true", help="list misses (tuning sets only)")
    parser.add_argument("--robustness", action="store_true", help="damage fields (tuning only)")
    args = parser.parse_args(argv)
    if (args.misses or args.robustness) and set(args.only) - set(TUNING):
        parser.error(f"--misses and --robustness: use --only {' '.join(TUNING)}")
    pool: list[Record] = []
    for name in args.only:
        data = load(args.shared, name)
        pool.extend(data.records)
        role = "tuning" if name in TUNING else "held-out"
        ours, t_ours = run_ours(data)
        print(f"{name} ({role}, {len(data.ids)} records)")
        print(f"  searchharvest removal {_fmt(removal_scores(data.ids, ours, data.truth))}"
              f" | pairwise {_fmt(pairwise_scores(ours, data.truth))} | {t_ours}")  # fmt: skip
        if args.misses:
            print_misses(data, ours)
        if args.robustness:
            robustness(data)
        if not args.skip_bib_dedupe:
            theirs, t_theirs = run_bib_dedupe(data)
            print(f"  bib-dedupe    removal {_fmt(removal_scores(data.ids, theirs, data.truth))}"
                  f" | pairwise {_fmt(pairwise_scores(theirs, data.truth))} | {t_theirs}"
                  f" | speed ratio {t_theirs.wall / t_ours.wall:.1f}x wall"
                  f" {t_theirs.cpu / t_ours.cpu:.1f}x cpu")  # fmt: skip
        sys.stdout.flush()
    if args.scale and pool:
        records = synthetic(pool, args.scale)
        with _Clock() as clock:
            result = dedupe(records)
        print(f"synthetic {len(records)} records: {clock.timing}, {len(result.groups)} groups")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
