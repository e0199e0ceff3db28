"""Recall rules: patterns of true duplicates that the stricter rules missed.

Each test is a synthetic pair showing one pattern, with the near miss that must stay apart.
"""

from __future__ import annotations

import pytest

from searchharvest.dedup import dedupe
from searchharvest.dedup.normalize import fold
from searchharvest.records import Author, Record

TITLE = "Genotype spectrum of human papillomavirus in cervical samples from a regional programme"
AUTHORS = (Author(family="Speich", given="N"), Author(family="Schmitt", given="C"))


def article(**kw: object) -> Record:
    base: dict[str, object] = {
        "title": TITLE,
        "authors": AUTHORS,
        "year": 2004,
        "journal": "Journal of Medical Microbiology",
        "volume": "53",
        "pages": "125-128",
    }
    base.update(kw)
    return Record.model_validate(base)


def test_mistyped_page_range_merges_when_everything_else_agrees() -> None:
    result = dedupe([article(), article(pages="2-8")])
    assert result.unique == 1
    assert "pages differ" in result.groups[0].links[0].reason


def test_one_page_record_under_the_same_title_stays_apart() -> None:
    # An erratum filed under its article's title in a later issue: one page.
    assert dedupe([article(issue="1"), article(issue="11", pages="911")]).unique == 2


def test_differing_pages_and_authors_stay_apart() -> None:
    reply = article(pages="2-8", authors=(Author(family="Shepherd", given="A"),))
    assert dedupe([article(), reply]).unique == 2


def test_meeting_abstract_cited_by_abstract_number_or_page_merges() -> None:
    embase = article(journal="Pediatric Transplantation.Conference: 6th Congress", pages="22")
    assert dedupe([embase, article(journal="Pediatric Transplantation", pages="52")]).unique == 1


def test_one_page_records_outside_a_supplement_stay_apart() -> None:
    assert dedupe([article(pages="22"), article(pages="52")]).unique == 2


def test_year_missing_on_one_side_does_not_disagree() -> None:
    undated = article(year=None, volume=None, pages=None)
    assert dedupe([article(), undated]).unique == 1


def test_year_missing_with_a_reworded_title_needs_the_citation() -> None:
    reworded = "Medical progress: " + TITLE.replace("regional", "national")
    assert dedupe([article(), article(year=None, title=reworded)]).unique == 1
    uncited = article(year=None, title=reworded, volume=None, pages=None)
    assert dedupe([article(), uncited]).unique == 2


def test_year_missing_in_another_journal_stays_apart() -> None:
    other = article(year=None, journal="Cancer Epidemiology", volume=None, pages=None)
    assert dedupe([article(), other]).unique == 2


def test_title_cut_inside_a_word_matches_its_full_title() -> None:
    cut = article(title=TITLE[:60], volume=None, pages=None)
    assert TITLE[59:61].isalpha()  # `...in cervical sa|mples`
    assert dedupe([article(), cut]).unique == 1


def test_title_ending_where_the_other_adds_a_subtitle_stays_apart() -> None:
    protocol = article(title=TITLE + ": study protocol", volume=None, pages=None)
    assert dedupe([article(volume=None, pages=None), protocol]).unique == 2


def test_reworded_title_in_the_same_volume_with_pages_unknown_merges() -> None:
    reworded = article(
        title="The genotype spectrum of human papillomavirus types in cervical samples"
        " from a regional screening programme",
        pages=None,
    )
    assert dedupe([article(), reworded]).unique == 1


def test_title_with_a_swapped_word_in_the_same_volume_stays_apart() -> None:
    other = article(
        title="Genotype spectrum of human papillomavirus in anal samples from a national programme",
        pages=None,
    )
    assert dedupe([article(), other]).unique == 2


def test_iso_abbreviated_journal_matches_its_full_name() -> None:
    # Letters dropped inside words (`Natl`, `Sci`), not only at their ends.
    full = article(journal="Proceedings of the National Academy of Sciences of the USA")
    online_first = article(journal="Proc Natl Acad Sci USA", volume=None, pages=None)
    assert dedupe([full, online_first]).unique == 1


def test_abbreviation_must_keep_each_word_initial() -> None:
    full = article(journal="Proceedings of the National Academy of Sciences of the USA")
    other = article(journal="Pediatr Nephrol Acta Surg USA", volume=None, pages=None)
    assert dedupe([full, other]).unique == 2


def test_same_title_in_another_journal_needs_more_than_authors_and_year() -> None:
    # A reprint or the meeting abstract of the article, one copy without a volume yet.
    article_copy = article(journal="American Heart Journal", pages="527-532")
    abstract = article(journal="European Heart Journal", volume=None, pages="597")
    assert dedupe([article_copy, abstract]).unique == 2


def test_journal_acronym_matches_the_initials_of_its_name() -> None:
    full = article(journal="British Medical Journal")
    assert dedupe([full, article(journal="BMJ", volume=None, pages=None)]).unique == 1
    assert dedupe([full, article(journal="BMC", volume=None, pages=None)]).unique == 2


def test_family_name_with_a_particle_matches_it_without() -> None:
    def by(first: str, **kw: object) -> Record:
        return article(authors=(Author(family=first, given="M"), AUTHORS[1]), **kw)

    assert dedupe([by("Quintrec"), by("Le Quintrec", volume=None, pages=None)]).unique == 1
    assert dedupe([by("Quin"), by("Le Quintrec", volume=None, pages=None)]).unique == 2


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            "Insulin release from β-cells after TNF-α exposure",
            "Insulin release from beta-cells after TNF-alpha exposure",
        ),
        (
            "Effects of diet &amp; exercise on glucose tolerance",
            "Effects of diet and exercise on glucose tolerance",
        ),
        (
            r"{B}ig {D}ata and {IT} {G}overnance in M{\"u}nster firms",
            "Big data and IT governance in Münster firms",
        ),
    ],
    ids=["greek", "entity", "bibtex"],
)
def test_titles_written_differently_by_databases_fold_alike(left: str, right: str) -> None:
    assert fold(left) == fold(right)
