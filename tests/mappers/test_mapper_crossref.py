from __future__ import annotations

import pytest

from searchharvest.errors import MalformedResponse
from searchharvest.mappers.crossref import (
    CrossrefReference,
    crossref_references,
    parse_crossref_page,
    parse_crossref_single,
    parse_crossref_work,
    publication_date,
)
from searchharvest.mappers.jats import jats_to_text
from tests.mappers.conftest import cassette, cassette_json


def test_single_work_every_field() -> None:
    record = parse_crossref_single(
        cassette("crossref/habanero__test_works_with_many_ids.body2.json")
    )
    assert record.ids.doi == "10.1038/srep16696"
    assert record.title == (
        "Single-molecule FRET studies on alpha-synuclein oligomerization of Parkinson’s "
        "disease genetically related mutants"
    )
    assert (record.journal, record.issn) == ("Scientific Reports", ("2045-2322",))
    assert (record.volume, record.issue, record.pages) == ("5", "1", "16696")
    assert (record.publication_date, record.year) == ("2015-11-19", 2015)
    assert (record.type, record.publication_types) == ("journal-article", ("journal-article",))
    assert record.language == "en"
    assert record.url == "https://doi.org/10.1038/srep16696"
    assert record.sources == ("crossref",)
    assert record.authors[1].display() == "Horrocks, Mathew H."
    assert record.abstract is not None
    assert record.abstract.startswith("Oligomers of alpha-synuclein are toxic to cells")


def test_structured_jats_abstract_keeps_section_titles() -> None:
    raw = cassette_json("crossref/habanero__test_workscontainer_with_two_ids.body0.json")
    record = parse_crossref_work(raw["message"])
    assert record.abstract is not None
    lines = record.abstract.split("\n")
    assert [line.split(":", 1)[0] for line in lines] == [
        "Background",
        "Objective",
        "Methods",
        "Results",
        "Conclusion",
    ]
    assert lines[0] == (
        "Background: The absence of high-quality next-generation sequencing (NGS) reference "
        "material (RM) has impeded the clinical use of liquid biopsies with plasma cell-free "
        "DNA (cfDNA) in China."
    )


def test_authors_with_orcid_and_affiliation() -> None:
    page = parse_crossref_page(cassette("crossref/habanero__test_works_field_queries.body0.json"))
    authors = [a for item in page.items for a in parse_crossref_work(item).authors]
    with_orcid = [a for a in authors if a.orcid]
    assert with_orcid
    assert all(len(a.orcid or "") == 19 for a in with_orcid)
    assert any(a.affiliations for a in authors)


def test_references_doi_or_text() -> None:
    raw = cassette_json("crossref/habanero__test_works_with_many_ids.body2.json")["message"]
    refs = crossref_references(raw)
    assert len(refs) == 62
    assert refs[0] == CrossrefReference(
        doi="10.3389/fnana.2010.00140", text=None, key="BFsrep16696_CR1"
    )
    structured = crossref_references(
        {"reference": [{"key": "k", "author": "Smith", "year": "1999", "journal-title": "J"}]}
    )
    assert structured == [CrossrefReference(doi=None, text="Smith, 1999, J", key="k")]


def test_cursor_page() -> None:
    page = parse_crossref_page(cassette("crossref/habanero__test_cursor.body0.json"))
    assert page.total == 454
    assert len(page.items) == 20
    assert page.next_cursor is not None
    assert page.next_cursor.startswith("DnF1ZXJ5")


def test_empty_page() -> None:
    page = parse_crossref_page(cassette("crossref/paperqa__test_bad_titles.body0.json"))
    assert (page.total, page.next_cursor, page.items) == (0, None, [])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "habanero__test_cursor_fails_cursor_value.body0.json",
            "Cursor specified but it is invalid",
        ),
        ("habanero__test_funders_fail_limit.body0.json", "must be a positive integer"),
        (
            "habanero__test_works_query_filters_not_allowed_with_dois.body0.json",
            "does not support field query parameters",
        ),
        ("habanero__test_works_bad_id_warn.body0.txt", "Resource not found"),
    ],
)
def test_error_bodies_raise_with_server_message(name: str, message: str) -> None:
    with pytest.raises(MalformedResponse, match=message):
        parse_crossref_page(cassette(f"crossref/{name}"))


def test_date_precedence_earliest_of_print_and_online_else_issued() -> None:
    both = {
        "published-print": {"date-parts": [[2021, 1]]},
        "published-online": {"date-parts": [[2020, 12, 3]]},
        "issued": {"date-parts": [[2019]]},
    }
    assert publication_date(both) == "2020-12-03"
    assert publication_date({"issued": {"date-parts": [[2019, 5]]}}) == "2019-05"
    assert publication_date({"issued": {"date-parts": [[None]]}}) is None


def test_type_mapping_and_subtitle() -> None:
    record = parse_crossref_work(
        {"DOI": "10.1/x", "type": "book-section", "title": ["Main"], "subtitle": ["Sub"]}
    )
    assert (record.type, record.publication_types, record.title) == (
        "book-chapter",
        ("book-section",),
        "Main: Sub",
    )
    assert parse_crossref_work({"DOI": "10.1/x", "type": "journal-issue"}).type == "other"
    with pytest.raises(MalformedResponse):
        parse_crossref_work({"title": ["no doi"]})


def test_jats_to_text_edge_cases() -> None:
    assert jats_to_text("") == ""
    assert jats_to_text("plain &amp; simple") == "plain & simple"
    assert jats_to_text("<p>One</p><p>Two &lt;3</p>") == "One\nTwo <3"
    assert jats_to_text("<jats:title>Summary</jats:title><jats:p>S</jats:p>") == "S"
