from __future__ import annotations

import pytest

from searchharvest.dedup import merge
from searchharvest.records import Author, Record


def test_merge_picks_the_richest_value_of_each_field() -> None:
    short = Record(
        title="A TRIAL OF X",
        abstract="Short.",
        authors=(Author(family="Li"),),
        year=2020,
        publication_date="2020",
        keywords=("x",),
        sources=("crossref",),
    )
    rich = Record(
        title="A trial of X",
        abstract="A much longer abstract.",
        authors=(Author(family="Li", given="Wei"), Author(family="Ng", given="A")),
        year=2021,
        publication_date="2021-03-04",
        journal="BMJ",
        keywords=("y", "x"),
        sources=("pubmed",),
    )
    merged = merge([short, rich])
    assert merged.title == "A trial of X"
    assert merged.abstract == "A much longer abstract."
    assert [a.family for a in merged.authors] == ["Li", "Ng"]
    assert (merged.publication_date, merged.year) == ("2021-03-04", 2021)
    assert merged.journal == "BMJ"
    assert merged.keywords == ("x", "y")
    assert merged.sources == ("crossref", "pubmed")


def test_merge_of_one_record_is_that_record() -> None:
    record = Record(title="Alone")
    assert merge([record]) is record


def test_merge_refuses_nothing() -> None:
    with pytest.raises(ValueError, match="at least one"):
        merge([])
