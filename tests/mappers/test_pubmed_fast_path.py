"""The single-pass PubMed mapper's own guarantees: ReferenceList cutting, required parts."""

from __future__ import annotations

import pytest
from lxml import etree

from searchharvest.errors import MalformedResponse
from searchharvest.mappers.pubmed import _without_reference_lists, iter_pubmed_articles
from tests.mappers.conftest import cassette

REF = b"<ReferenceList><Reference><Citation>A.</Citation></Reference></ReferenceList>"


def cut(document: bytes, size: int | None = None) -> bytes:
    """`_without_reference_lists` over `document` split into chunks of `size` bytes."""
    size = size or len(document) or 1
    chunks = [document[i : i + size] for i in range(0, len(document), size)]
    return b"".join(_without_reference_lists(chunks))


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"<a>" + REF + b"<b/>" + REF + b"</a>", b"<a><b/></a>"),
        # Nested lists go with the outer one.
        (b"<a><ReferenceList>" + REF + b"<Title>T</Title></ReferenceList></a>", b"<a></a>"),
        (
            b"<a><ReferenceList/><ReferenceListing/></a>",
            b"<a><ReferenceList/><ReferenceListing/></a>",
        ),
        # A list holding a comment, PI or CDATA section is kept whole.
        (b"<a><ReferenceList><!-- c --></ReferenceList></a>", None),
        (b"<a><ReferenceList><?pi x?></ReferenceList></a>", None),
        (b"<a><ReferenceList><![CDATA[x]]></ReferenceList></a>", None),
        # Tag-like text inside a comment, PI or CDATA section is not a tag.
        (b"<a><!-- <ReferenceList> --><b/><!-- </ReferenceList> --></a>", None),
        (b"<a><?pi <ReferenceList>?><b/><?pi </ReferenceList>?></a>", None),
        (b"<a><![CDATA[<ReferenceList>]]><b/><![CDATA[</ReferenceList>]]></a>", None),
        # A DTD internal subset may spell anything in an entity value: no cutting at all.
        (b'<!DOCTYPE a [<!ENTITY e "x">]><a>' + REF + b"</a>", None),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE a PUBLIC "-//NLM//DTD x//EN" "x.dtd">\n<a>'
            + REF
            + b"<?pmcsd?></a>",
            b'<?xml version="1.0"?>\n<!DOCTYPE a PUBLIC "-//NLM//DTD x//EN" "x.dtd">\n<a>'
            b"<?pmcsd?></a>",
        ),
    ],
)
def test_reference_lists_are_cut_whatever_the_chunking(
    document: bytes, expected: bytes | None
) -> None:
    want = document if expected is None else expected
    # Every chunk size, down to one byte, so each boundary falls inside every construct.
    assert {cut(document, size) for size in range(1, len(document) + 1)} == {want}


def test_unterminated_list_is_passed_on_for_lxml_to_reject() -> None:
    document = b"<a><ReferenceList><Reference>"
    assert cut(document, 3) == document
    with pytest.raises(MalformedResponse, match="not well-formed"):
        list(iter_pubmed_articles(b"<PubmedArticleSet><PubmedArticle>" + document))


def test_records_do_not_depend_on_markup_around_the_reference_list() -> None:
    body = cassette("pubmed/metapub__efetch_33474827.xml")
    assert b"<ReferenceList>" in body
    marked = body.replace(b"<ReferenceList>", b"<ReferenceList><!-- kept --><?pi x?>", 1)
    marked = marked.replace(b"</PubmedData>", b"<?pmcsd?></PubmedData>")
    plain = [r.model_dump() for r in iter_pubmed_articles(body)]
    assert [r.model_dump() for r in iter_pubmed_articles(marked)] == plain


def test_cut_document_parses_to_the_tree_without_reference_lists() -> None:
    body = cassette("pubmed/metapub__efetch_33474827.xml")
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    expected = etree.fromstring(body, parser)
    outermost = expected.findall("PubmedArticle/PubmedData/ReferenceList")
    assert outermost
    for element in outermost:
        element.getparent().remove(element)  # type: ignore[union-attr]
    got = etree.fromstring(cut(body, 4096), parser)
    assert etree.tostring(got, method="c14n") == etree.tostring(expected, method="c14n")


@pytest.mark.parametrize("part", [b"MedlineCitation", b"Article"])
def test_article_without_a_required_part_is_malformed(part: bytes) -> None:
    body = cassette("pubmed/biopython__pubmed4.xml")
    body = body.replace(b"<" + part + b" ", b"<Other" + part + b" ", 1)
    body = body.replace(b"<" + part + b">", b"<Other" + part + b">", 1)
    body = body.replace(b"</" + part + b">", b"</Other" + part + b">", 1)
    with pytest.raises(MalformedResponse, match=f"without <{part.decode()}>"):
        list(iter_pubmed_articles(body))


def test_book_ids_come_from_both_id_lists() -> None:
    body = (
        b"<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>20301295</PMID>"
        b'<ArticleIdList><ArticleId IdType="doi">10.1000/Book</ArticleId>'
        b'<ArticleId IdType="pmc">PMC7</ArticleId></ArticleIdList>'
        b"<Book><BookTitle>GeneReviews</BookTitle></Book></BookDocument>"
        b'<PubmedBookData><ArticleIdList><ArticleId IdType="pmc">PMC42</ArticleId>'
        b"</ArticleIdList></PubmedBookData></PubmedBookArticle></PubmedArticleSet>"
    )
    [record] = iter_pubmed_articles(body)
    # PubmedBookData's list wins for the kinds it has; BookDocument's fills the rest.
    assert record.ids.model_dump() == {
        "doi": "10.1000/book",
        "pmid": "20301295",
        "pmcid": "PMC42",
        "openalex": None,
    }
    assert (record.type, record.title) == ("book", "GeneReviews")
