from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from searchharvest.errors import MalformedResponse
from searchharvest.mappers.pubmed import (
    iter_pubmed_articles,
    parse_elink,
    parse_elink_json,
    parse_epost,
    parse_esearch,
)
from searchharvest.records import Provenance, Record
from tests.mappers.conftest import cassette


def records(name: str) -> list[Record]:
    return list(iter_pubmed_articles(cassette(f"pubmed/{name}")))


def test_full_record_from_current_format_efetch() -> None:
    [record] = records("metapub__efetch_33474827.xml")
    assert record.ids.pmid == "33474827"
    assert record.ids.doi == "10.1111/1759-7714.13823"
    assert record.ids.pmcid == "PMC7919130"
    assert record.title == (
        "Tumor-educated platelet SNORD55 as a potential biomarker for the early diagnosis "
        "of non-small cell lung cancer."
    )
    assert record.journal == "Thoracic cancer"
    assert record.issn == ("1759-7714", "1759-7706")
    assert (record.volume, record.issue, record.pages) == ("12", "5", "659-666")
    # ArticleDate (Electronic) 2021-01-21 is earlier than PubDate 2021 Mar.
    assert record.publication_date == "2021-01-21"
    assert record.year == 2021
    assert record.language == "en"
    assert record.type == "journal-article"
    assert record.publication_types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    assert record.keywords == ("SNORD55", "TEP", "biomarker", "diagnosis", "snoRNA")
    assert record.url == "https://pubmed.ncbi.nlm.nih.gov/33474827/"
    assert record.sources == ("pubmed",)
    assert len(record.authors) == 9
    first = record.authors[0]
    assert (first.family, first.given, first.orcid) == ("Dong", "Xiaohan", None)
    assert first.affiliations == (
        "Department of Clinical Laboratory, Shandong Cancer Hospital and Institute, Shandong "
        "First Medical University and Shandong Academy of Medical Sciences, Jinan, China.",
        "Department of Graduate, Shandong First Medical University and Shandong Academy of "
        "Medical Sciences, Jinan, China.",
    )


def test_orcid_bare_and_as_url() -> None:
    [bare] = records("metapub__efetch_33474827.xml")
    assert [a.orcid for a in bare.authors if a.orcid] == [
        "0000-0003-4715-136X",
        "0000-0003-1722-8207",
    ]
    [url] = records("biopython__pubmed7.xml")
    assert url.authors[1].orcid == "0000-0002-4590-7461"
    assert url.authors[-1].family == "Canadian Respiratory Research Network"
    assert url.authors[-1].given is None


def test_structured_abstract_keeps_labels_as_paragraphs() -> None:
    [record] = records("biopython__pubmed5.xml")
    assert record.abstract is not None
    lines = record.abstract.split("\n")
    assert [line.split(":", 1)[0] for line in lines] == [
        "OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert lines[0].startswith("OBJECTIVES: ")


def test_major_topic_from_descriptor_or_qualifier() -> None:
    [record] = records("metapub__efetch_33474827.xml")
    # Every starred heading here is major only through a QualifierName.
    assert record.mesh == (
        "Biomarkers, Tumor*",
        "Blood Platelets*",
        "Carcinoma, Non-Small-Cell Lung*",
        "Female",
        "Humans",
        "Lung Neoplasms*",
        "Male",
    )
    first = records("biopython__pubmed1.xml")[0]
    assert first.mesh[:2] == ("AIDS Serodiagnosis", "Acquired Immunodeficiency Syndrome*")


def test_season_date_has_year_precision_and_two_articles_in_one_set() -> None:
    first, second = records("biopython__pubmed1.xml")
    assert (first.ids.pmid, first.publication_date, first.year) == ("12091962", "1990", 1990)
    assert first.publication_types == ("Journal Article", "Review")
    assert first.type == "journal-article"
    assert first.ids.doi is None
    assert (second.ids.pmid, second.publication_date) == ("9997", "1976-09-28")


def test_pages_from_start_and_end_page_when_no_medline_pgn() -> None:
    body = cassette("pubmed/biopython__pubmed1.xml").replace(
        b"<MedlinePgn>113-25</MedlinePgn>", b""
    )
    assert next(iter_pubmed_articles(body)).pages == "113-125"


@pytest.mark.parametrize(
    ("medline_date", "expected"),
    [
        ("1998 Dec-1999 Jan", "1998-12"),
        ("2000 Spring", "2000"),
        ("2001 Nov 15-Dec 2", "2001-11-15"),
        ("1978-1979", "1978"),
    ],
)
def test_medline_date_forms(medline_date: str, expected: str) -> None:
    body = cassette("pubmed/biopython__pubmed1.xml").replace(
        b"<PubDate><Year>1990</Year><Season>Spring</Season></PubDate>",
        f"<PubDate><MedlineDate>{medline_date}</MedlineDate></PubDate>".encode(),
    )
    record = next(iter_pubmed_articles(body))
    assert record.publication_date == expected
    assert record.year == int(expected[:4])


def test_doi_from_elocation_id_when_article_id_list_has_none() -> None:
    body = cassette("pubmed/biopython__pubmed4.xml").replace(
        b'<ArticleId IdType="doi">10.1136/gutjnl-2016-312510</ArticleId>', b""
    )
    assert b'IdType="doi">10.1136/gutjnl' not in body
    [record] = iter_pubmed_articles(body)
    assert record.ids.doi == "10.1136/gutjnl-2016-312510"


def test_reference_list_ids_do_not_leak_into_the_record() -> None:
    body = cassette("pubmed/metapub__efetch_33474827.xml")
    assert b"PMC7434840" in body  # an id of a cited work, inside ReferenceList
    [record] = iter_pubmed_articles(body)
    assert record.ids.model_dump() == {
        "doi": "10.1111/1759-7714.13823",
        "pmid": "33474827",
        "pmcid": "PMC7919130",
        "openalex": None,
    }


def test_inline_markup_in_title_is_flattened() -> None:
    body = cassette("pubmed/biopython__pubmed1.xml").replace(
        b"<ArticleTitle>The treatment of AIDS",
        b"<ArticleTitle>The <i>treatment</i> of AIDS<sup>2</sup>",
    )
    assert next(iter_pubmed_articles(body)).title == (
        "The treatment of AIDS2 behind the walls of correctional facilities."
    )


def test_vernacular_title_when_article_title_is_empty() -> None:
    body = cassette("pubmed/biopython__pubmed1.xml").replace(
        b"<ArticleTitle>The treatment of AIDS behind the walls of correctional facilities."
        b"</ArticleTitle>",
        b"<ArticleTitle/><VernacularTitle>Le traitement du SIDA.</VernacularTitle>",
    )
    assert next(iter_pubmed_articles(body)).title == "Le traitement du SIDA."


def test_empty_article_set_yields_nothing() -> None:
    assert records("metapub__efetch_37909814.xml") == []


def test_provenance_and_file_handle_source(tmp_path: Path) -> None:
    path = tmp_path / "set.xml"
    path.write_bytes(cassette("pubmed/biopython__pubmed2.xml"))
    prov = Provenance(
        database="pubmed",
        native_query="q",
        retrieved=datetime(2025, 1, 1, tzinfo=UTC),
        library_version="0.1.0",
    )
    with path.open("rb") as handle:
        result = list(iter_pubmed_articles(handle, provenance=prov))
    assert [r.ids.pmid for r in result] == ["11748933", "11700088"]
    assert all(r.provenance == (prov,) for r in result)


def test_book_article_maps_to_book_chapter() -> None:
    # No real PubmedBookArticle is redistributable; this one is built from the documented
    # element names (https://www.ncbi.nlm.nih.gov/books/NBK3828/, BookDocument).
    body = (
        b"<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>20301295</PMID>"
        b'<ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>'
        b"<Book><Publisher><PublisherName>University of Washington</PublisherName></Publisher>"
        b"<BookTitle>GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>"
        b"<LocationLabel>chapter</LocationLabel><ArticleTitle>Alpha-Thalassemia</ArticleTitle>"
        b'<Language>eng</Language><AuthorList Type="authors"><Author><LastName>Origa</LastName>'
        b"<ForeName>R</ForeName></Author></AuthorList>"
        b'<AuthorList Type="editors"><Author><LastName>Adam</LastName></Author></AuthorList>'
        b"<PublicationType>Review</PublicationType>"
        b'<Abstract><AbstractText Label="CLINICAL CHARACTERISTICS">Text.</AbstractText>'
        b"</Abstract></BookDocument></PubmedBookArticle></PubmedArticleSet>"
    )
    [record] = iter_pubmed_articles(body)
    assert record.type == "book-chapter"
    assert (record.title, record.journal, record.year) == ("Alpha-Thalassemia", "GeneReviews", 1993)
    assert [a.family for a in record.authors] == ["Origa"]
    assert record.abstract == "CLINICAL CHARACTERISTICS: Text."
    assert record.publication_types == ("Review",)
    assert record.language == "en"


def test_error_body_and_broken_xml_raise() -> None:
    with pytest.raises(MalformedResponse, match="Invalid db name"):
        list(iter_pubmed_articles(cassette("pubmed/biopython__epost2.xml")))
    with pytest.raises(MalformedResponse, match="not well-formed"):
        list(iter_pubmed_articles(b"<PubmedArticleSet><PubmedArticle>"))


def big_article_set(count: int, names: tuple[str, ...]) -> bytes:
    """`count` real articles from `names` with distinct PMIDs (50000000, 50000001, ...)."""
    articles = []
    for name in names:
        root = etree.fromstring(cassette(f"pubmed/{name}"), etree.XMLParser(load_dtd=False))
        articles += [etree.tostring(a) for a in root.iter("PubmedArticle")]
    parts = [b"<PubmedArticleSet>"]
    for i in range(count):
        article = articles[i % len(articles)]
        start = article.index(b">", article.index(b"<PMID")) + 1
        end = article.index(b"</PMID>", start)
        parts.append(article[:start] + str(50_000_000 + i).encode() + article[end:])
    parts.append(b"</PubmedArticleSet>")
    return b"".join(parts)


_STREAM_CHILD = """
import resource, sys
from searchharvest.mappers.pubmed import iter_pubmed_articles
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(sys.argv[1], "rb") as handle:
    pmids = [r.ids.pmid for r in iter_pubmed_articles(handle)]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(set(pmids)), (after - before) * 1024)
"""


def test_streaming_keeps_memory_flat_on_5000_articles(tmp_path: Path) -> None:
    # Peak RSS of a fresh interpreter, because libxml2 allocates outside tracemalloc.
    path = tmp_path / "big.xml"
    path.write_bytes(big_article_set(5000, ("biopython__pubmed1.xml", "biopython__pubmed2.xml")))
    size = path.stat().st_size
    out = subprocess.run(
        [sys.executable, "-c", _STREAM_CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    distinct, growth = int(out[0]), int(out[1])
    assert distinct == 5000
    # A whole lxml tree costs several times the file size; streaming must not grow with it.
    assert growth < size / 4, (growth, size)


def test_esearch_with_history() -> None:
    result = parse_esearch(cassette("pubmed/biopython__esearch2.xml"))
    assert (result.count, result.ret_start, result.ret_max) == (42249, 0, 100)
    assert len(result.ids) == 100
    assert result.query_key == "1"
    assert result.webenv is not None
    assert result.webenv.startswith("MCID_")


def test_esearch_translation_and_paging() -> None:
    result = parse_esearch(cassette("pubmed/biopython__esearch3.xml"))
    assert (result.count, result.ret_start, result.ret_max) == (2651, 6, 6)
    assert result.ids[0] == "11121077"
    assert result.query_translation == '"proc natl acad sci u s a"[Journal] AND "97"[Volume]'
    assert result.webenv is None


def test_esearch_phrase_not_found_is_data_not_error() -> None:
    result = parse_esearch(cassette("pubmed/biopython__esearch8.xml"))
    assert result.count == 0
    assert result.phrases_not_found == ("abcXYZ",)
    assert result.errors == ()
    assert result.warnings == ("OutputMessage: No items found.",)


def test_esearch_error_body_raises() -> None:
    body = b"<eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>"
    with pytest.raises(MalformedResponse, match="Invalid query") as info:
        parse_esearch(body)
    assert info.value.request == "esearch"
    with pytest.raises(MalformedResponse, match="expected eSearchResult"):
        parse_esearch(cassette("pubmed/biopython__epost1.xml"))


def test_elink_neighbor_and_merged_linkset() -> None:
    single = parse_elink(cassette("pubmed/biopython__elink1.xml"))
    assert list(single) == ["9298984"]
    assert {"pubmed_pubmed", "pubmed_pubmed_citedin", "pubmed_pubmed_refs"} <= set(
        single["9298984"]
    )
    merged = parse_elink(cassette("pubmed/biopython__elink3.xml"))
    assert list(merged) == ["11812492,11774222"]
    assert merged["11812492,11774222"]["pubmed_pubmed"][:2] == ["39386366", "39338906"]


def test_elink_one_linkset_per_repeated_id() -> None:
    body = (
        b"<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>1</Id></IdList>"
        b"<LinkSetDb><DbTo>pubmed</DbTo><LinkName>pubmed_pubmed_refs</LinkName>"
        b"<Link><Id>5</Id></Link><Link><Id>6</Id></Link></LinkSetDb></LinkSet>"
        b"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>2</Id></IdList></LinkSet></eLinkResult>"
    )
    assert parse_elink(body) == {"1": {"pubmed_pubmed_refs": ["5", "6"]}, "2": {}}


def test_elink_json() -> None:
    cited = parse_elink_json(
        json.loads(cassette("pubmed/pubmed-client__elink_citations_26846451.json"))
    )
    assert list(cited) == ["26846451"]
    assert len(cited["26846451"]["pubmed_pubmed_citedin"]) == 51
    empty = json.loads(cassette("pubmed/pubmed-client__elink_citations_35123456.json"))
    assert parse_elink_json(empty) == {"35123456": {}}
    with pytest.raises(MalformedResponse):
        parse_elink_json({"ERROR": "Invalid id"})


def test_epost() -> None:
    assert parse_epost(cassette("pubmed/biopython__epost1.xml")) == (
        "MCID_692851c130aec64bed0a8c2a",
        "1",
    )
    with pytest.raises(MalformedResponse, match="Invalid db name specified: nothing"):
        parse_epost(cassette("pubmed/biopython__epost2.xml"))
