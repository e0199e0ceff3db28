"""ASReview's own reader accepts our default CSV layout (skipped without asreview)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.export import csv as csv_format
from searchharvest.records import Author, Record

RECORDS = [
    Record(
        ids={"doi": "10.1000/XYZ.1", "pmid": "123456"},
        title='Effects of 50% dose; "quoted", a trial, of X',
        abstract="Background: one.\nMethods: two; three.",
        authors=(Author(family="Nürnberger", given="Jens"), Author(family="Berg", given="A")),
        year=2021,
        keywords=("dose finding", "trial"),
        url="https://example.org/1",
    ),
    Record(title="Second record without abstract or DOI", year=2020),
]


def test_asreview_reads_titles_abstracts_and_dois(tmp_path: Path) -> None:
    loader = pytest.importorskip("asreview.data.loader")
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as fp:
        csv_format.write(RECORDS, fp)
    read = loader.load_records(path, dataset_id="export")
    assert [r.title for r in read] == [r.title for r in RECORDS]
    assert [r.abstract for r in read] == [RECORDS[0].abstract, None]
    assert [r.doi for r in read] == ["10.1000/xyz.1", None]
    assert read[0].authors == ["Nürnberger, Jens", "Berg, A"]
    assert read[0].keywords == ["dose finding", "trial"]
