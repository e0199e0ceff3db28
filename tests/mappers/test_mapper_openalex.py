from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchharvest.errors import MalformedResponse
from searchharvest.mappers.openalex import (
    invert_abstract,
    openalex_references,
    parse_openalex_page,
    parse_openalex_work,
    split_name,
)
from tests.mappers.conftest import cassette, cassette_json


def test_single_work_every_field() -> None:
    raw = cassette_json("openalex/openalex-python__W2741809807.json")
    record = parse_openalex_work(raw)
    assert record.ids.model_dump() == {
        "doi": "10.7717/peerj.4375",
        "pmid": "29456894",
        "pmcid": "PMC5815332",
        "openalex": "W2741809807",
    }
    assert record.title == (
        "The state of OA: a large-scale analysis of the prevalence and impact of Open Access "
        "articles"
    )
    assert (record.journal, record.issn) == ("PeerJ", ("2167-8359",))
    assert (record.volume, record.issue, record.pages) == ("6", None, "e4375")
    assert (record.publication_date, record.year) == ("2018-02-13", 2018)
    assert (record.type, record.publication_types) == ("journal-article", ("article",))
    assert record.language == "en"
    assert record.keywords == (
        "Scholarly Communication",
        "Web of science",
        "Open Science",
        "Citation analysis",
    )
    assert record.url == "https://openalex.org/W2741809807"
    assert record.sources == ("openalex",)
    first = record.authors[0]
    assert (first.family, first.given, first.orcid) == ("Piwowar", "Heather", "0000-0003-1613-5981")
    assert first.affiliations == (
        "Impact Technology Development (United States)",
        "Impactstory, Sanford, NC, USA",
    )
    assert record.authors[7].display() == "West, Jevin D."


def test_abstract_rebuilt_from_inverted_index() -> None:
    record = parse_openalex_work(cassette_json("openalex/openalex-python__W2741809807.json"))
    assert record.abstract is not None
    assert record.abstract.startswith(
        "Despite growing interest in Open Access (OA) to scholarly literature, there is an "
        "unmet need for large-scale, up-to-date, and reproducible studies"
    )
    assert invert_abstract(None) is None
    assert invert_abstract({}) is None


def test_mesh_one_heading_per_descriptor_with_major_mark() -> None:
    record = parse_openalex_work(
        cassette_json("openalex/paperqa__test_doi_search_paper_attributes4.body2.json")
    )
    assert record.mesh[:3] == ("Chondrocytes*", "Collagen*", "Ligaments*")
    assert "Animals" in record.mesh
    assert len(record.mesh) == len(set(record.mesh_headings))


def test_references_are_bare_ids() -> None:
    raw = cassette_json("openalex/openalex-python__W2741809807.json")
    refs = openalex_references(raw)
    assert len(refs) == raw["referenced_works_count"] == 45
    assert all(r.startswith("W") and r[1:].isdigit() for r in refs)


@pytest.mark.parametrize(
    ("display", "raw", "expected"),
    [
        ("Andres M. Bran", "Andres M. Bran", ("Bran", "Andres M.")),
        ("Ludwig van Beethoven", None, ("van Beethoven", "Ludwig")),
        ("Plato", None, ("Plato", None)),
        ("Heather Piwowar", "Piwowar, Heather A.", ("Piwowar", "Heather A.")),
        (None, None, (None, None)),
    ],
)
def test_split_name(display: str | None, raw: str | None, expected: tuple[str, str]) -> None:
    assert split_name(display, raw) == expected


def test_page_envelope_and_results() -> None:
    page = parse_openalex_page(
        cassette("openalex/paperqa__test_title_search_paper_attributes2.body3.json")
    )
    assert (page.count, page.next_cursor, len(page.results)) == (2, None, 2)
    titles = [parse_openalex_work(r).title for r in page.results]
    assert titles == [
        "Augmenting large language models with chemistry tools",
        "ChemCrow: Augmenting large-language models with chemistry tools",
    ]


def test_select_reduced_work_without_id_raises() -> None:
    raw = cassette_json("openalex/paperqa__test_does_openalex_work_oa-in-openalex2.body0.json")
    with pytest.raises(MalformedResponse, match="without an id"):
        parse_openalex_work(raw)


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><title>404 Not Found</title>",
        b'{"error": "Invalid query parameters error.", "message": "bad filter"}',
        b"[]",
    ],
)
def test_bad_pages_raise(body: bytes) -> None:
    with pytest.raises(MalformedResponse):
        parse_openalex_page(body)


def test_real_html_404_body_raises() -> None:
    with pytest.raises(MalformedResponse, match="not JSON"):
        parse_openalex_page(
            cassette("openalex/paperqa__test_does_openalex_work_not-in-openalex.body0.html")
        )


def _sorted_inversion(index: dict[str, list[int]]) -> str | None:
    """The plain definition: every word at each of its positions, read in order."""
    words = {place: word for word, places in index.items() for place in places}
    return " ".join(words[p] for p in sorted(words)) or None


@given(
    st.dictionaries(
        st.text(min_size=0, max_size=4),
        st.lists(st.integers(min_value=-3, max_value=40), max_size=5),
        max_size=12,
    )
)
def test_abstract_inversion_equals_the_sorted_definition(index: dict[str, list[int]]) -> None:
    """The list-indexed fast path gives the sorted result, gaps and negatives included."""
    assert invert_abstract(index) == (_sorted_inversion(index) if index else None)


def test_abstract_inversion_of_recorded_works() -> None:
    raw = cassette_json("openalex/openalex-python__W2741809807.json")
    index = raw["abstract_inverted_index"]
    assert invert_abstract(index) == _sorted_inversion(index)
    assert invert_abstract({"a": [0.0], "b": [1.0]}) == "a b"
