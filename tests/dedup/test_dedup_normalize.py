from __future__ import annotations

import pytest

from searchharvest.dedup.normalize import (
    article_id,
    doi_stem,
    fold,
    issue_key,
    journal_key,
    normalize_title,
    notice_kind,
    page_span,
    parse_authors,
    part_markers,
    volume_key,
)
from searchharvest.records import Record


def test_fold_strips_markup_accents_and_punctuation() -> None:
    assert fold("Ångström: <i>In vivo</i> – Study!") == "angstrom in vivo study"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Update on HPV infection. [Review] [33 refs]", "update on hpv infection"),
        (
            "[Paroxysmal nocturnal hemoglobinuria therapy]. [Spanish]",
            "paroxysmal nocturnal hemoglobinuria therapy",
        ),
        ("Retracted: Vitamin D and falls", "vitamin d and falls"),
        (
            "Risk of precancer.[Erratum appears in Cancer Epidemiol Prev. 2006;15(1):187]",
            "risk of precancer",
        ),
        ("[Spirometry after surgery] TO: Espirometria tras cirugia", "spirometry after surgery"),
        ("A study among 10 000 women", "a study among 10000 women"),
    ],
)
def test_normalize_title_drops_database_annotations(title: str, expected: str) -> None:
    assert normalize_title(title) == expected


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (Record(title="Erratum: Gain-of-function mutations"), "erratum"),
        (Record(title="Correction to: A trial of X"), "erratum"),
        (Record(title="Eculizumab for aHUS (vol 360, pg 542, 2009)"), "erratum"),
        (Record(title="Retraction note: A trial of X"), "retraction"),
        (Record(title="Expression of concern: A trial of X"), "concern"),
        (Record(title="A trial", publication_types=("Published Erratum",)), "erratum"),
        (Record(title="A trial", publication_types=("Retracted Publication",)), None),
        (Record(title="Corrective surgery outcomes"), None),
        (Record(title="Eculizumab for aHUS (N Engl J Med (2009) 360 (542-544))"), "erratum"),
        (Record(title="Outcomes of aHUS (a cohort study)"), None),
    ],
)
def test_notice_kind(record: Record, kind: str | None) -> None:
    assert notice_kind(record) == kind


def test_part_markers_read_arabic_roman_and_words() -> None:
    assert part_markers(fold("Screening, Part 2: results")) == {"2"}
    assert part_markers(fold("Screening part II")) == {"2"}
    assert part_markers(fold("Screening: part one")) == {"1"}
    assert part_markers(fold("Screening for cancer")) == frozenset()


@pytest.mark.parametrize(
    ("text", "families"),
    [
        ("Zuna, R E and Wang, S S", ["Zuna", "Wang"]),
        ("B. Abrahao; P. Parigi; K. S. Cook", ["Abrahao", "Parigi", "Cook"]),
        ("Adeli K.Lewis G. F.", ["Adeli", "Lewis"]),
        ("Tan A, Schulze A, Davis PG", ["Tan", "Schulze", "Davis"]),
        ("Wright Jr., T C", ["Wright Jr."]),
        ("", []),
    ],
)
def test_parse_authors_formats(text: str, families: list[str]) -> None:
    assert [a.family for a in parse_authors(text)] == families


def test_page_span_expands_abbreviated_ranges() -> None:
    assert page_span("288-97") == {"288", "297"}
    assert page_span("c37-c42") == {"37", "42"}
    assert page_span("Suppl-89") == frozenset()


def test_volume_key_and_doi_stem() -> None:
    assert volume_key("24 Suppl 3") == "24"
    assert volume_key("UNKNOWN") == ""
    assert doi_stem("10.1002/14651858.cd002273.pub3") == "10.1002/14651858.cd002273"


def test_article_numbers_journal_and_issue_keys() -> None:
    assert article_id("e12724") == "e12724"
    assert article_id("CD006828") == "cd006828"
    assert article_id("1099-1103") == ""
    assert journal_key("J Thromb Haemost.Conference: 23rd Congress of the ISTH") == (
        "j thromb haemost"
    )
    assert issue_key("SUPPL") == ""
    assert issue_key("Suppl. 2") == "2"
