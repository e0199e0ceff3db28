"""Loaders for the bib-dedupe fixtures (BibTeX-style flat dicts → Record)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from searchharvest.dedup.normalize import parse_authors
from searchharvest.records import Record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"


def flat_to_record(row: dict[str, Any]) -> Record:
    """One bib-dedupe record (BibTeX field names, `UNKNOWN` = missing) as a Record."""

    def get(name: str) -> str | None:
        value = row.get(name)
        text = str(value).strip() if value is not None else ""
        return None if text in {"", "UNKNOWN", "NA"} else text

    year = get("year")
    return Record(
        ids={"doi": get("doi")},
        title=get("title"),
        abstract=get("abstract"),
        authors=parse_authors(get("author")),
        year=int(year[:4]) if year and year[:4].isdigit() else None,
        journal=get("journal") or get("booktitle"),
        volume=get("volume"),
        issue=get("number") or get("issue"),
        pages=get("pages"),
        type=get("ENTRYTYPE"),
    )


@pytest.fixture(scope="session")
def special_cases() -> tuple[list[str], list[Record], list[set[str]]]:
    with open(FIXTURES / "special_cases_records.csv", encoding="utf-8", newline="") as fp:
        rows = list(csv.DictReader(fp))
    with open(FIXTURES / "special_cases_groups.csv", encoding="utf-8", newline="") as fp:
        groups = [set(r["merged_ids"].split(";")) for r in csv.DictReader(fp)]
    return [r["ID"] for r in rows], [flat_to_record(r) for r in rows], groups


def pair_cases() -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / "pair_cases.json").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases
