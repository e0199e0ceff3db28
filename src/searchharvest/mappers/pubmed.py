"""PubMed E-utilities XML → `Record` and the small E-utilities result values.

EFetch XML is streamed with lxml `iterparse`: each `PubmedArticle` or
`PubmedBookArticle` is mapped, then cleared together with the siblings before it, so a
10,000-article file costs the memory of one article. The parser never loads the DTD and
never opens the network (the DOCTYPE points at dtd.nlm.nih.gov).

Element reference: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
E-utilities reference: https://www.ncbi.nlm.nih.gov/books/NBK25499/
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from lxml import etree

from searchharvest.errors import MalformedResponse
from searchharvest.mappers._common import (
    dedupe,
    earliest_date,
    iso_date,
    month_number,
    parse_free_date,
    provenance_tuple,
    year_of,
)
from searchharvest.mappers.languages import to_iso639_1
from searchharvest.records import Provenance, Record

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"

_Element = Any
"""An lxml element; typed loosely because lxml-stubs types `.text` and `.find` results
as optional everywhere, which the helpers below check anyway."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _text(element: _Element | None) -> str | None:
    """All text inside `element`, inline markup (`<i>`, `<sup>`) flattened, spaces collapsed."""
    if element is None:
        return None
    raw = element.text if len(element) == 0 else "".join(element.itertext())
    text = " ".join(raw.split()) if raw else None
    return text or None


def iter_pubmed_articles(
    source: bytes | BinaryIO, *, provenance: Provenance | None = None
) -> Iterator[Record]:
    """Stream the records of an EFetch `PubmedArticleSet` (retmode=xml).

    Args:
        source: the response body, or a binary file holding it.
        provenance: attached to every record when given.

    Yields:
        One `Record` per `PubmedArticle` and `PubmedBookArticle`, in file order.

    Raises:
        MalformedResponse: the body is not well-formed XML or is an E-utilities `<ERROR>`.

    >>> body = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
    >>> body += b"<Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation>"
    >>> body += b"</PubmedArticle></PubmedArticleSet>"
    >>> [r.ids.pmid for r in iter_pubmed_articles(body)]
    ['1']
    """
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    provenances = provenance_tuple(provenance)
    events = etree.iterparse(
        handle,
        events=("end",),
        tag=(*_ARTICLE_TAGS, "ERROR"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_blank_text=True,
        collect_ids=False,
    )
    try:
        for _, element in events:
            if element.tag == "ERROR":
                raise MalformedResponse(f"E-utilities error: {_text(element)}", "efetch")
            if element.tag == "PubmedArticle":
                yield _journal_record(element, provenances)
            else:
                yield _book_record(element, provenances)
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None and parent is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"not well-formed PubMed XML: {exc}", "efetch") from exc


def _journal_record(article: _Element, provenances: tuple[Provenance, ...]) -> Record:
    citation = article.find("MedlineCitation")
    art = citation.find("Article")
    pmid = citation.findtext("PMID")
    journal = art.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    publication_types = tuple(
        t for e in art.iterfind("PublicationTypeList/PublicationType") if (t := _text(e))
    )
    dates = [_pub_date(issue.find("PubDate") if issue is not None else None)]
    dates += [_ymd(e) for e in art.iterfind("ArticleDate") if e.get("DateType") == "Electronic"]
    date = earliest_date(dates)
    title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
    return Record.model_validate(
        {
            "ids": _ids(pmid, article.find("PubmedData/ArticleIdList"), art),
            "title": title,
            "abstract": _abstract(art, citation),
            "authors": _authors(art),
            "year": year_of(date),
            "publication_date": date,
            "journal": journal.findtext("Title") if journal is not None else None,
            "issn": dedupe(
                [
                    *(e.text for e in art.iterfind("Journal/ISSN")),
                    citation.findtext("MedlineJournalInfo/ISSNLinking"),
                ]
            ),
            "volume": issue.findtext("Volume") if issue is not None else None,
            "issue": issue.findtext("Issue") if issue is not None else None,
            "pages": _pages(art.find("Pagination")),
            "type": "posted-content" if "Preprint" in publication_types else "journal-article",
            "language": to_iso639_1(art.findtext("Language")),
            "keywords": _keywords(citation),
            "mesh": _mesh(citation),
            "publication_types": publication_types,
            "url": _PUBMED_URL.format(pmid) if pmid else None,
            "sources": ("pubmed",),
            "provenance": provenances,
        }
    )


def _book_record(article: _Element, provenances: tuple[Provenance, ...]) -> Record:
    doc = article.find("BookDocument")
    book = doc.find("Book")
    pmid = doc.findtext("PMID")
    chapter_title = _text(doc.find("ArticleTitle"))
    book_title = _text(book.find("BookTitle")) if book is not None else None
    date = _pub_date(book.find("PubDate") if book is not None else None)
    ids = _ids(pmid, article.find("PubmedBookData/ArticleIdList"), doc)
    if ids["doi"] is None and ids["pmcid"] is None:
        ids = _ids(pmid, doc.find("ArticleIdList"), doc)
    return Record.model_validate(
        {
            "ids": ids,
            "title": chapter_title or book_title,
            "abstract": _abstract(doc, doc),
            "authors": _authors(doc),
            "year": year_of(date),
            "publication_date": date,
            "journal": book_title if chapter_title else None,
            "volume": book.findtext("Volume") if book is not None else None,
            "pages": _pages(doc.find("Pagination")),
            "type": "book-chapter" if chapter_title else "book",
            "language": to_iso639_1(doc.findtext("Language")),
            "keywords": _keywords(doc),
            "publication_types": tuple(
                t for e in doc.iterfind("PublicationType") if (t := _text(e))
            ),
            "url": _PUBMED_URL.format(pmid) if pmid else None,
            "sources": ("pubmed",),
            "provenance": provenances,
        }
    )


def _ids(pmid: str | None, id_list: _Element | None, article: _Element) -> dict[str, str | None]:
    """Identifiers from the article's own ArticleIdList, never from its ReferenceList."""
    found: dict[str, str] = {}
    if id_list is not None:
        for element in id_list.iterfind("ArticleId"):
            kind = element.get("IdType")
            if kind in ("doi", "pmc", "pubmed") and element.text and kind not in found:
                found[kind] = element.text.strip()
    if "doi" not in found:
        for element in article.iterfind("ELocationID"):
            if element.get("EIdType") == "doi" and element.get("ValidYN") != "N":
                found["doi"] = (element.text or "").strip()
                break
    return {"doi": found.get("doi"), "pmid": pmid or found.get("pubmed"), "pmcid": found.get("pmc")}


def _abstract(container: _Element, citation: _Element) -> str | None:
    """AbstractText parts as paragraphs, a structured part as `LABEL: text`.

    OtherAbstract (a translation or a plain-language summary) is used only when the
    article has no Abstract of its own.
    """
    abstract = container.find("Abstract")
    if abstract is None:
        abstract = citation.find("OtherAbstract")
    if abstract is None:
        return None
    parts = []
    for part in abstract.iterfind("AbstractText"):
        text = _text(part)
        if not text:
            continue
        label = part.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return "\n".join(parts) or None


def _author(author: _Element) -> dict[str, Any]:
    """One pass over an Author's children (cheaper than a `find` per field)."""
    fields: dict[str, Any] = {}
    affiliations: list[str | None] = []
    for child in author:
        tag = child.tag
        if tag == "AffiliationInfo":
            affiliations.extend(_text(e) for e in child.iterchildren("Affiliation"))
        elif tag == "Identifier":
            if child.get("Source") == "ORCID" and "orcid" not in fields:
                fields["orcid"] = child.text
        elif tag == "CollectiveName":
            fields[tag] = _text(child)
        else:
            fields[tag] = child.text
    return {
        "family": fields.get("LastName") or fields.get("CollectiveName"),
        "given": fields.get("ForeName") or fields.get("Initials"),
        "orcid": fields.get("orcid"),
        "affiliations": dedupe(affiliations),
    }


def _authors(container: _Element) -> list[dict[str, Any]]:
    """Author fields as plain dicts: `Record` validates them in one pass (see bench/)."""
    return [
        _author(author)
        for author_list in container.iterchildren("AuthorList")
        if author_list.get("Type") != "editors"
        for author in author_list.iterchildren("Author")
        if author.get("ValidYN") != "N"
    ]


def _pages(pagination: _Element | None) -> str | None:
    if pagination is None:
        return None
    medline: str | None = pagination.findtext("MedlinePgn")
    if medline and medline.strip():
        return medline
    start: str | None = pagination.findtext("StartPage")
    end: str | None = pagination.findtext("EndPage")
    if start and end:
        return f"{start}-{end}"
    return start


def _ymd(element: _Element | None) -> str | None:
    if element is None:
        return None
    day = element.findtext("Day")
    return iso_date(
        element.findtext("Year"),
        month_number(element.findtext("Month")),
        int(day) if day and day.strip().isdigit() else None,
    )


def _pub_date(element: _Element | None) -> str | None:
    """JournalIssue/PubDate: Year/Month/Day, or a MedlineDate such as `1998 Dec-1999 Jan`."""
    if element is None:
        return None
    if element.find("Year") is not None:
        return _ymd(element)
    return parse_free_date(element.findtext("MedlineDate"))


def _keywords(container: _Element) -> tuple[str, ...]:
    return dedupe(_text(e) for e in container.iterfind("KeywordList/Keyword"))


def _mesh(citation: _Element) -> tuple[str, ...]:
    """Descriptor names; `*` marks a major topic on the descriptor or any qualifier."""
    headings = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        name = _text(descriptor)
        if name is None:
            continue
        major = descriptor.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in heading.iterfind("QualifierName")
        )
        headings.append(f"{name}*" if major else name)
    return tuple(headings)


@dataclass(frozen=True, slots=True)
class ESearchResult:
    """One ESearch answer: ids and paging, plus what PubMed did with the query.

    `phrases_not_found`, `errors` and `warnings` are query diagnostics, not failures:
    PubMed still answered (often with fewer records), and the connector reports them.
    """

    count: int
    ret_start: int
    ret_max: int
    ids: tuple[str, ...]
    webenv: str | None
    query_key: str | None
    query_translation: str | None
    phrases_not_found: tuple[str, ...]
    """PhraseNotFound and QuotedPhraseNotFound entries: terms PubMed could not search."""
    errors: tuple[str, ...]
    """Other ErrorList entries, as `Tag: text` (e.g. `FieldNotFound: xyz`)."""
    warnings: tuple[str, ...]
    """WarningList entries, as `Tag: text` (e.g. `OutputMessage: No items found.`)."""


_PHRASE_TAGS = ("PhraseNotFound", "QuotedPhraseNotFound")


def _root(body: bytes, request: str) -> _Element:
    """Parse a small E-utilities answer; an `<ERROR>` anywhere at the top is a failure.

    NCBI answers a request it refuses (bad db, bad parameter, retstart past the cap)
    with HTTP 200 and an `<ERROR>` element instead of results, so that is raised here
    rather than returned as an empty result.
    """
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"not well-formed XML: {exc}", request) from exc
    error = root if root.tag == "ERROR" else root.find("ERROR")
    if error is not None:
        raise MalformedResponse(f"E-utilities error: {_text(error)}", request)
    return root


def _int(root: _Element, tag: str, request: str) -> int:
    value = root.findtext(tag)
    if value is None or not value.strip().isdigit():
        raise MalformedResponse(f"missing or non-numeric <{tag}>", request)
    return int(value)


def parse_esearch(body: bytes) -> ESearchResult:
    """Read an ESearch XML answer (retmode=xml).

    Raises:
        MalformedResponse: the body is not an `eSearchResult`, or is an `<ERROR>`.

    >>> body = b"<eSearchResult><Count>1</Count><RetMax>1</RetMax><RetStart>0</RetStart>"
    >>> body += b"<IdList><Id>42</Id></IdList></eSearchResult>"
    >>> parse_esearch(body).ids
    ('42',)
    """
    root = _root(body, "esearch")
    if root.tag != "eSearchResult":
        raise MalformedResponse(f"expected eSearchResult, got <{root.tag}>", "esearch")
    phrases: list[str] = []
    errors: list[str] = []
    warnings: list[str] = []
    for path, others in (("ErrorList/*", errors), ("WarningList/*", warnings)):
        for element in root.iterfind(path):
            text = _text(element)
            if text is None:
                continue
            if element.tag in _PHRASE_TAGS:
                phrases.append(text)
            else:
                others.append(f"{element.tag}: {text}")
    return ESearchResult(
        count=_int(root, "Count", "esearch"),
        ret_start=_int(root, "RetStart", "esearch"),
        ret_max=_int(root, "RetMax", "esearch"),
        ids=tuple(e.text.strip() for e in root.iterfind("IdList/Id") if e.text),
        webenv=root.findtext("WebEnv"),
        query_key=root.findtext("QueryKey"),
        query_translation=_text(root.find("QueryTranslation")),
        phrases_not_found=tuple(phrases),
        errors=tuple(errors),
        warnings=tuple(warnings),
    )


def _add_links(
    result: dict[str, dict[str, list[str]]], key: str, linkname: str, ids: list[str]
) -> None:
    result.setdefault(key, {}).setdefault(linkname, []).extend(ids)


def parse_elink(body: bytes) -> dict[str, dict[str, list[str]]]:
    """Read an ELink XML answer into `{input id: {linkname: [linked ids]}}`.

    Sent as repeated `id=` parameters, each input id gets its own LinkSet. Sent
    comma-joined, NCBI merges the inputs into one LinkSet and does not say which link
    came from which input; that set is keyed by the input ids joined with commas.
    An input without links maps to `{}`.

    Raises:
        MalformedResponse: the body is not an `eLinkResult`, or is an `<ERROR>`.
    """
    root = _root(body, "elink")
    if root.tag != "eLinkResult":
        raise MalformedResponse(f"expected eLinkResult, got <{root.tag}>", "elink")
    result: dict[str, dict[str, list[str]]] = {}
    for linkset in root.iterfind("LinkSet"):
        key = ",".join(e.text.strip() for e in linkset.iterfind("IdList/Id") if e.text)
        result.setdefault(key, {})
        for linksetdb in linkset.iterfind("LinkSetDb"):
            ids = [e.text.strip() for e in linksetdb.iterfind("Link/Id") if e.text]
            _add_links(result, key, linksetdb.findtext("LinkName") or "", ids)
    return result


def parse_elink_json(data: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """The retmode=json twin of `parse_elink`, same result shape.

    Raises:
        MalformedResponse: no `linksets` list, or an `ERROR` entry.
    """
    if "ERROR" in data:
        raise MalformedResponse(f"E-utilities error: {data['ERROR']}", "elink")
    linksets = data.get("linksets")
    if not isinstance(linksets, list):
        raise MalformedResponse("elink JSON without a linksets list", "elink")
    result: dict[str, dict[str, list[str]]] = {}
    for linkset in linksets:
        key = ",".join(str(i) for i in linkset.get("ids", []))
        result.setdefault(key, {})
        for linksetdb in linkset.get("linksetdbs", []):
            ids = [str(i) for i in linksetdb.get("links", [])]
            _add_links(result, key, str(linksetdb.get("linkname", "")), ids)
    return result


def parse_epost(body: bytes) -> tuple[str, str]:
    """Read an EPost answer into `(webenv, query_key)` for the history server.

    Raises:
        MalformedResponse: an `<ERROR>` body, or WebEnv/QueryKey missing.
    """
    root = _root(body, "epost")
    webenv, query_key = root.findtext("WebEnv"), root.findtext("QueryKey")
    if not webenv or not query_key:
        raise MalformedResponse("ePostResult without WebEnv and QueryKey", "epost")
    return webenv.strip(), query_key.strip()
