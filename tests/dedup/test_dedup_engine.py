from __future__ import annotations

from datetime import UTC, datetime

import pytest

from searchharvest.dedup import DedupConfig, Member, dedupe
from searchharvest.records import Author, Provenance, Record

TITLE = "Effect of intrapleural fibrinolytics on drainage in adults with pleural infection"


def article(**kw: object) -> Record:
    base: dict[str, object] = {
        "title": TITLE,
        "authors": (Author(family="Mathur", given="P N"), Author(family="Rahman", given="N")),
        "year": 2011,
        "journal": "Annals of Internal Medicine",
        "volume": "155",
        "pages": "1-9",
    }
    base.update(kw)
    return Record.model_validate(base)


def test_doi_with_url_prefix_and_case_links_records() -> None:
    a = article(ids={"doi": "https://doi.org/10.1000/ABC."})
    b = Record(title=TITLE.upper(), ids={"doi": "10.1000/abc"})
    result = dedupe([a, b])
    assert result.unique == 1
    assert [link.reason for link in result.groups[0].links] == ["doi"]


def test_fuzzy_link_reports_fields_and_score() -> None:
    a = article()
    b = article(title=TITLE.replace("adults", "adult"), journal="Ann Intern Med")
    result = dedupe([a, b])
    reason = result.groups[0].links[0].reason
    assert reason.startswith("title+year+author+volume+pages+journal (score ")
    assert result.duplicates_removed == 1


@pytest.mark.parametrize(
    "other",
    [
        article(title="Erratum: " + TITLE, pages="12"),
        article(title="Retraction note: " + TITLE),
        article(title=TITLE, publication_types=("Published Erratum",)),
        article(title=TITLE + ": Part 2"),
        article(ids={"doi": "10.1000/other"}),
        article(year=2014),
        article(type="inproceedings", journal="Proceedings of the ICIS"),
        article(volume="156"),
    ],
    ids=["erratum", "retraction", "erratum-type", "part", "doi", "year", "conference", "volume"],
)
def test_never_merged(other: Record) -> None:
    result = dedupe([article(ids={"doi": "10.1000/main"}), other])
    assert result.unique == 2, [link.reason for g in result.groups for link in g.links]


def test_multi_part_titles_with_shared_doi_stay_apart() -> None:
    one = article(title=TITLE + ", part 1", ids={"doi": "10.1000/x"})
    two = article(title=TITLE + ", part 2", ids={"doi": "10.1000/x"})
    assert dedupe([one, two]).unique == 2


def test_generic_titles_need_the_whole_citation() -> None:
    a = Record(title="Editorial", authors=(Author(family="Smith"),), year=2020, journal="BMJ")
    b = Record(title="Editorial", authors=(Author(family="Smith"),), year=2020, journal="BMJ")
    assert dedupe([a, b]).unique == 2
    full = {"volume": "370", "pages": "m1"}
    assert dedupe([a.model_copy(update=full), b.model_copy(update=full)]).unique == 1


def test_trial_registry_titles_differing_by_one_word_stay_apart() -> None:
    author = (Author(family="Alexion Pharmaceuticals"),)
    a = Record(title="An open-label trial of eculizumab in pediatric patients with aHUS",
               authors=author, year=2011)  # fmt: skip
    b = Record(title="An open-label trial of eculizumab in adult patients with aHUS",
               authors=author, year=2011)  # fmt: skip
    assert dedupe([a, b]).unique == 2


def test_doi_versions_may_merge_on_bibliographic_evidence() -> None:
    a = article(ids={"doi": "10.1002/14651858.CD002273.pub2"}, year=2004, issue="3")
    b = article(ids={"doi": "10.1002/14651858.CD002273.pub3"}, year=2005, issue="2")
    assert dedupe([a, b]).unique == 1


def test_union_never_chains_two_dois_together() -> None:
    with_x = article(ids={"doi": "10.1000/x"})
    bridge = article()
    with_y = article(ids={"doi": "10.1000/y"})
    result = dedupe([with_x, bridge, with_y])
    assert result.unique == 2
    assert all(len(g.members) == 2 for g in result.groups)


def test_preprints_are_linked_by_default_and_merged_on_request() -> None:
    preprint = article(ids={"doi": "10.1101/2020.01.01.123"}, journal="medRxiv", volume=None,
                       pages=None, year=2020)  # fmt: skip
    published = article(ids={"doi": "10.1000/final"}, year=2021)
    linked = dedupe([preprint, published])
    assert linked.unique == 2
    assert linked.related[0].reason.startswith("preprint+")
    merged = dedupe([preprint, published], config=DedupConfig(preprints="merge"))
    assert merged.unique == 1


def test_against_prior_records_are_removed_and_counted() -> None:
    new = [article(ids={"pmid": "123"}), article(title="Another topic entirely, unrelated")]
    prior = [Record(title=TITLE, ids={"pmid": "123"})]
    result = dedupe(new, against=prior)
    assert result.removed_as_prior == [new[0]]
    assert result.merged == [new[1]]
    assert (result.identified, result.prior_matches, result.duplicates_removed,
            result.unique) == (2, 1, 0, 1)  # fmt: skip
    assert Member(0, prior=True) in result.groups[0].members
    assert result.groups[0].has_prior


def test_merged_record_keeps_every_source_and_provenance() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    a = article(sources=("pubmed",), ids={"pmid": "1", "doi": "10.1000/z"},
                provenance=(Provenance(database="pubmed", native_query="q", retrieved=when,
                                       library_version="0.1.0"),))  # fmt: skip
    b = article(sources=("openalex",), ids={"openalex": "W1", "doi": "10.1000/z"},
                provenance=(Provenance(database="openalex", native_query="q", retrieved=when,
                                       library_version="0.1.0"),))  # fmt: skip
    (merged,) = dedupe([a, b]).merged
    assert merged.sources == ("pubmed", "openalex")
    assert [p.database for p in merged.provenance] == ["pubmed", "openalex"]
    assert (merged.ids.pmid, merged.ids.openalex, merged.ids.doi) == ("1", "W1", "10.1000/z")


def test_special_cases_match_the_labelled_groups(
    special_cases: tuple[list[str], list[Record], list[set[str]]],
) -> None:
    ids, records, truth = special_cases
    result = dedupe(records)
    predicted = [{ids[m.index] for m in g.members} for g in result.groups]
    assert sorted(map(sorted, predicted)) == sorted(map(sorted, truth))


def test_translated_title_merges_only_on_the_whole_citation() -> None:
    original = article(title="Antibiotic prophylaxis in pulmonary surgery: a double-blind study")
    translated = article(
        title="[Comparison of amoxicillin and cefamandole in pulmonary surgery. A double-blind"
        " study]",
        journal="Ann Intern Med",
    )
    assert dedupe([original, translated]).unique == 1
    assert dedupe([original, translated.model_copy(update={"pages": "1-12"})]).unique == 2


def test_article_number_and_print_pages_do_not_disagree() -> None:
    assert (
        dedupe([article(pages="e12724"), article(pages="1-9", journal="Ann Intern Med")]).unique
        == 1
    )
    assert dedupe([article(pages="e12724"), article(pages="e12725")]).unique == 2


def test_cochrane_review_versions_share_the_review_number() -> None:
    review = article(journal="Cochrane Database of Systematic Reviews", volume=None,
                     pages="CD006828")  # fmt: skip
    assert dedupe([review, review.model_copy(update={"year": 2008})]).unique == 1


def test_two_copies_of_one_erratum_merge_but_never_with_the_article() -> None:
    erratum = article(title=TITLE + " (vol 155, pg 1, 2011)", pages="911", issue="11")
    result = dedupe(
        [
            article(),
            erratum,
            erratum.model_copy(update={"title": erratum.title and erratum.title.upper()}),
        ]
    )
    assert result.unique == 2
    assert len(result.groups) == 1


def test_supplement_abstract_matches_its_meeting_record() -> None:
    abstract = article(journal="Annals of Internal Medicine.Conference: 12th Congress", pages=None)
    meeting = article(journal="12th Congress of Internal Medicine", type="conference", pages=None)
    assert dedupe([abstract, meeting]).unique == 1


def test_large_blocks_fall_back_to_a_window() -> None:
    records = [Record(title=f"Screening outcomes in cohort number {i} of the registry",
                      year=2000 + i % 20) for i in range(50)]  # fmt: skip
    config = DedupConfig(max_block=10, window=3)
    assert dedupe(records, config=config).unique == 50
