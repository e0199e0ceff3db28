"""PubMed E-utilities XML → `Record` and the small E-utilities result values.

EFetch XML is streamed: the bytes are fed to an lxml `XMLPullParser` in 1 MiB chunks,
and each `PubmedArticle` or `PubmedBookArticle` is mapped, then cleared together with
the siblings before it, so a 10,000-article file costs the memory of one article. The
parser never loads the DTD and never opens the network (the DOCTYPE points at
dtd.nlm.nih.gov).

Speed (docs/performance.md): ReferenceList elements are cut from the bytes before
lxml builds them (`_without_reference_lists`), and each article is walked once, every
container's children indexed by tag in one loop instead of an ElementPath `find` per
field. Records stay validated (`Record.model_validate` on plain dicts): the XML is
untrusted, and on pydantic 2.14 validating a nested dict measured faster than
`model_construct`, which runs in Python.

Element reference: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
E-utilities reference: https://www.ncbi.nlm.nih.gov/books/NBK25499/
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
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
_SOURCES = ("pubmed",)
_ID_TYPES = frozenset(("doi", "pmc", "pubmed"))

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
    provenances = provenance_tuple(provenance)
    parser = etree.XMLPullParser(
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
        for piece in _without_reference_lists(_chunks(source)):
            parser.feed(piece)
            yield from _read_records(parser, provenances)
        parser.close()
        yield from _read_records(parser, provenances)
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"not well-formed PubMed XML: {exc}", "efetch") from exc


_ARTICLE_STARTS = (b"<PubmedArticle>", b"<PubmedBookArticle>")
_SET_END = b"</PubmedArticleSet>"


def split_article_set(body: bytes, shares: Sequence[float]) -> list[bytes]:
    """Cut an EFetch body into documents of whole articles, in order, sized by `shares`.

    `shares` are relative sizes (`[0.6, 0.4]`: a first part of about 60% of the bytes).
    Each part is the body's own prolog (XML declaration, DOCTYPE, `<PubmedArticleSet>`),
    a run of articles, and the closing tag, so it parses on its own and the parts' records
    are the body's records. The cut is made at an article's start tag, found by a byte
    search: exact, because a `<` in XML always starts a tag, except inside comments, CDATA
    sections, processing instructions or a DOCTYPE internal subset; a body with one of
    these among its articles, or with an internal subset, is not cut. Neither is a body
    whose article tags carry attributes: too few cut points only means fewer parts.

    >>> prolog = b"<PubmedArticleSet>"
    >>> body = prolog + b"<PubmedArticle><a/></PubmedArticle>" * 4 + _SET_END
    >>> [part.count(b"<PubmedArticle>") for part in split_article_set(body, [1, 1])]
    [2, 2]
    """
    first = _article_start(body, 0)
    if len(shares) < 2 or first < 0:
        return [body]
    # among the articles, any comment, CDATA section or PI; in the prolog, an internal subset
    if _next_markup(body, first) >= 0 or b"[" in body[:first]:
        return [body]
    prolog, cuts = body[:first], [first]
    for upto in itertools.accumulate(shares[:-1]):
        target = max(cuts[-1] + 1, first + int((len(body) - first) * upto / sum(shares)))
        after = _article_start(body, target)
        before = max(body.rfind(tag, cuts[-1] + 1, target + len(tag)) for tag in _ARTICLE_STARTS)
        nearest = [at for at in (before, after) if at > cuts[-1]]
        if not nearest:
            break
        cuts.append(min(nearest, key=lambda at: abs(at - target)))
    if len(cuts) == 1:
        return [body]
    pieces = [prolog + body[start:end] + _SET_END for start, end in itertools.pairwise(cuts)]
    return [*pieces, prolog + body[cuts[-1] :]]


def _article_start(body: bytes, pos: int) -> int:
    """Offset of the first article start tag at or after `pos`, or -1."""
    found = [at for tag in _ARTICLE_STARTS if (at := body.find(tag, pos)) >= 0]
    return min(found, default=-1)


def _read_records(
    parser: etree.XMLPullParser, provenances: tuple[Provenance, ...]
) -> Iterator[Record]:
    """Map the articles parsed so far, then free them and the siblings before them."""
    for event in parser.read_events():
        element: _Element = event[1]
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


_CHUNK = 1 << 20
_REFERENCES = b"<ReferenceList"
_REFERENCES_END = b"</ReferenceList>"
_NAME_ENDS = (b">", b" ", b"\n", b"\t", b"\r", b"")
_MARKUP_ENDS = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<![CDATA[", b"]]>"))
_MORE = -1
"""`_markup_end`: the construct runs past the bytes read so far."""
_GIVE_UP = -2
"""`_markup_end`: a DTD internal subset, whose entity values may hold any markup."""


def _chunks(source: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), _CHUNK):
            yield source[start : start + _CHUNK]
    else:
        while chunk := source.read(_CHUNK):
            yield chunk


def _without_reference_lists(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The document bytes with every ReferenceList element cut out, before lxml sees them.

    ReferenceList holds the works an article cites: about 40% of a current EFetch answer,
    and nothing a `Record` uses, so building its tree was the largest single parse cost.
    Outside comments, CDATA sections, processing instructions and the DOCTYPE, a `<` in
    XML always starts a tag, so a byte search finds the element exactly; those four are
    skipped whole, a ReferenceList with one of them inside is left in, and a DOCTYPE
    with an internal subset turns the cutting off. Bytes are never added or rewritten,
    so whatever is left is what lxml checks for well-formedness.
    """
    stream = iter(chunks)
    buffer = b""
    for chunk in stream:
        buffer += chunk
        start = pos = 0
        markup = _next_markup(buffer, 0)
        element = _next_reference_list(buffer, 0)
        while True:
            if 0 <= markup < pos:
                markup = _next_markup(buffer, pos)
            if 0 <= element < pos:
                element = _next_reference_list(buffer, pos)
            if markup >= 0 and (element < 0 or markup < element):
                end = _markup_end(buffer, markup)
                if end == _GIVE_UP:
                    yield buffer[start:]
                    yield from stream
                    return
                if end == _MORE:
                    hold = markup
                    break
                pos = end
                continue
            if element < 0:
                hold = max(pos, len(buffer) - len(_REFERENCES))
                break
            end = _matching_end(buffer, element)
            if end < 0:
                hold = element
                break
            if markup < 0 or markup >= end:
                yield buffer[start:element]
                start = end
            pos = end
        yield buffer[start:hold]
        buffer = buffer[hold:]
    yield buffer


def _next_markup(buffer: bytes, pos: int) -> int:
    """Offset of the next `<!` or `<?` at or after `pos`, or -1 (`!` and `?` are rare)."""
    found = -1
    for mark in (b"!", b"?"):
        at = buffer.find(mark, pos + 1)
        while at > 0 and buffer[at - 1] != 0x3C:
            at = buffer.find(mark, at + 1)
        if at > 0 and (found < 0 or at - 1 < found):
            found = at - 1
    return found


def _markup_end(buffer: bytes, at: int) -> int:
    """Offset just past the comment, CDATA section, PI or declaration starting at `at`."""
    head = buffer[at : at + 9]
    for opening, closing in _MARKUP_ENDS:
        if head.startswith(opening):
            end = buffer.find(closing, at + len(opening))
            return _MORE if end < 0 else end + len(closing)
        if opening.startswith(head):
            return _MORE
    close = buffer.find(b">", at)
    if close < 0:
        return _MORE
    return _GIVE_UP if buffer.find(b"[", at, close) >= 0 else close + 1


def _next_reference_list(buffer: bytes, pos: int, end: int | None = None) -> int:
    """Offset of the next `<ReferenceList>` start tag (not `<ReferenceList/>`), or -1."""
    while (at := buffer.find(_REFERENCES, pos, end)) >= 0:
        after = at + len(_REFERENCES)
        if buffer[after : after + 1] in _NAME_ENDS:
            close = buffer.find(b">", after)
            if close < 0 or buffer[close - 1] != 0x2F:
                return at
        pos = at + 1
    return -1


def _matching_end(buffer: bytes, at: int) -> int:
    """Offset just past the `</ReferenceList>` closing the one at `at` (they nest), or -1."""
    depth, pos = 1, at + len(_REFERENCES)
    while (close := buffer.find(_REFERENCES_END, pos)) >= 0:
        nested = _next_reference_list(buffer, pos, close)
        if nested >= 0:
            depth, pos = depth + 1, nested + len(_REFERENCES)
            continue
        depth, pos = depth - 1, close + len(_REFERENCES_END)
        if depth == 0:
            return pos
    return -1


def _index(container: _Element | None) -> dict[str, _Element]:
    """The first child of each tag, in one pass instead of one `find` per field."""
    first: dict[str, _Element] = {}
    if container is not None:
        for child in container:
            first.setdefault(child.tag, child)
    return first


def _required(parts: dict[str, _Element], tag: str) -> _Element:
    element = parts.get(tag)
    if element is None:
        raise MalformedResponse(f"PubMed article without <{tag}>", "efetch")
    return element


def _raw(element: _Element | None) -> str | None:
    return None if element is None else element.text


def _journal_record(article: _Element, provenances: tuple[Provenance, ...]) -> Record:
    """A PubmedArticle, reading only the subtrees a `Record` uses.

    ReferenceList, History, CommentsCorrectionsList, ChemicalList and GrantList, most of
    a current-format article, are never entered.
    """
    parts = _index(article)
    citation_element = _required(parts, "MedlineCitation")
    citation = _index(citation_element)
    art_element = _required(citation, "Article")
    art = _index(art_element)
    journal = _index(art.get("Journal"))
    issue = _index(journal.get("JournalIssue"))
    dates = [_pub_date(issue.get("PubDate"))]
    dates += [
        _ymd(_index(e))
        for e in art_element.iterchildren("ArticleDate")
        if e.get("DateType") == "Electronic"
    ]
    date = earliest_date(dates)
    pmid = _raw(citation.get("PMID"))
    publication_types = tuple(
        t
        for e in art_element.iterchildren("PublicationTypeList")
        for t in _texts(e, "PublicationType")
    )
    abstract = art.get("Abstract")
    issns = [e.text for j in art_element.iterchildren("Journal") for e in j.iterchildren("ISSN")]
    issns.append(_raw(_index(citation.get("MedlineJournalInfo")).get("ISSNLinking")))
    return Record.model_validate(
        {
            "ids": _ids(pmid, (_index(parts.get("PubmedData")).get("ArticleIdList"),), art_element),
            "title": _text(art.get("ArticleTitle")) or _text(art.get("VernacularTitle")),
            "abstract": _abstract(
                abstract if abstract is not None else citation.get("OtherAbstract")
            ),
            "authors": _authors(art_element),
            "year": year_of(date),
            "publication_date": date,
            "journal": _raw(journal.get("Title")),
            "issn": dedupe(issns),
            "volume": _raw(issue.get("Volume")),
            "issue": _raw(issue.get("Issue")),
            "pages": _pages(art.get("Pagination")),
            "type": "posted-content" if "Preprint" in publication_types else "journal-article",
            "language": to_iso639_1(_raw(art.get("Language"))),
            "keywords": _keywords(citation_element),
            "mesh": tuple(
                h for e in citation_element.iterchildren("MeshHeadingList") for h in _mesh(e)
            ),
            "publication_types": publication_types,
            "url": _url(pmid),
            "sources": _SOURCES,
            "provenance": provenances,
        }
    )


def _book_record(article: _Element, provenances: tuple[Provenance, ...]) -> Record:
    """A PubmedBookArticle: a book, or a chapter when it has its own ArticleTitle."""
    parts = _index(article)
    doc_element = _required(parts, "BookDocument")
    doc = _index(doc_element)
    book = _index(doc.get("Book"))
    pmid = _raw(doc.get("PMID"))
    chapter_title = _text(doc.get("ArticleTitle"))
    book_title = _text(book.get("BookTitle"))
    date = _pub_date(book.get("PubDate"))
    id_lists = (_index(parts.get("PubmedBookData")).get("ArticleIdList"), doc.get("ArticleIdList"))
    abstract = doc.get("Abstract")
    return Record.model_validate(
        {
            "ids": _ids(pmid, id_lists, doc_element),
            "title": chapter_title or book_title,
            "abstract": _abstract(abstract if abstract is not None else doc.get("OtherAbstract")),
            "authors": _authors(doc_element),
            "year": year_of(date),
            "publication_date": date,
            "journal": book_title if chapter_title else None,
            "volume": _raw(book.get("Volume")),
            "pages": _pages(doc.get("Pagination")),
            "type": "book-chapter" if chapter_title else "book",
            "language": to_iso639_1(_raw(doc.get("Language"))),
            "keywords": _keywords(doc_element),
            "publication_types": _texts(doc_element, "PublicationType"),
            "url": _url(pmid),
            "sources": _SOURCES,
            "provenance": provenances,
        }
    )


def _texts(container: _Element, tag: str) -> tuple[str, ...]:
    """The non-empty `_text` of each `tag` child, in order."""
    return tuple(t for e in container.iterchildren(tag) if (t := _text(e)))


def _url(pmid: str | None) -> str | None:
    return _PUBMED_URL.format(pmid) if pmid else None


def _ids(
    pmid: str | None, id_lists: tuple[_Element | None, ...], article: _Element
) -> dict[str, str | None]:
    """Identifiers from the article's own ArticleIdLists, never from its ReferenceList.

    The first list wins for each kind of id; a later one fills only the kinds it lacks
    (a book's PubmedBookData list, then the BookDocument's own). The DOI falls back to
    an ELocationID.
    """
    found: dict[str, str] = {}
    for id_list in id_lists:
        if id_list is None:
            continue
        for element in id_list.iterchildren("ArticleId"):
            kind = element.get("IdType")
            if kind in _ID_TYPES and element.text and kind not in found:
                found[kind] = element.text.strip()
    if "doi" not in found:
        for element in article.iterchildren("ELocationID"):
            if element.get("EIdType") == "doi" and element.get("ValidYN") != "N":
                found["doi"] = (element.text or "").strip()
                break
    return {"doi": found.get("doi"), "pmid": pmid or found.get("pubmed"), "pmcid": found.get("pmc")}


def _abstract(abstract: _Element | None) -> str | None:
    """AbstractText parts as paragraphs, a structured part as `LABEL: text`.

    OtherAbstract (a translation or a plain-language summary) is used only when the
    article has no Abstract of its own.
    """
    if abstract is None:
        return None
    parts = []
    for part in abstract.iterchildren("AbstractText"):
        text = _text(part)
        if not text:
            continue
        label = part.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return "\n".join(parts) or None


def _author(author: _Element) -> dict[str, Any]:
    """One pass over an Author's children (cheaper than a `find` per field).

    ORCID and affiliations are left out when absent, so `Author` takes its defaults
    without running a validator on them: most authors have neither.
    """
    names: dict[str, str | None] = {}
    orcid = None
    affiliations: list[str | None] = []
    for child in author:
        tag = child.tag
        if tag == "AffiliationInfo":
            for element in child.iterchildren("Affiliation"):
                affiliations.append(_text(element))
        elif tag == "Identifier":
            if orcid is None and child.get("Source") == "ORCID":
                orcid = child.text or ""
        elif tag == "CollectiveName":
            names[tag] = _text(child)
        else:
            names[tag] = child.text
    fields: dict[str, Any] = {
        "family": names.get("LastName") or names.get("CollectiveName"),
        "given": names.get("ForeName") or names.get("Initials"),
    }
    if orcid:
        fields["orcid"] = orcid
    if affiliations:
        fields["affiliations"] = dedupe(affiliations)
    return fields


def _authors(container: _Element) -> list[dict[str, Any]]:
    return [
        _author(author)
        for author_list in container.iterchildren("AuthorList")
        if author_list.get("Type") != "editors"
        for author in author_list.iterchildren("Author")
        if author.get("ValidYN") != "N"
    ]


def _pages(pagination: _Element | None) -> str | None:
    parts = _index(pagination)
    medline = _raw(parts.get("MedlinePgn"))
    if medline and medline.strip():
        return medline
    start = _raw(parts.get("StartPage"))
    end = _raw(parts.get("EndPage"))
    return f"{start}-{end}" if start and end else start


def _ymd(parts: dict[str, _Element]) -> str | None:
    day = _raw(parts.get("Day"))
    return iso_date(
        _raw(parts.get("Year")),
        month_number(_raw(parts.get("Month"))),
        int(day) if day and day.strip().isdigit() else None,
    )


def _pub_date(element: _Element | None) -> str | None:
    """JournalIssue/PubDate: Year/Month/Day, or a MedlineDate such as `1998 Dec-1999 Jan`."""
    parts = _index(element)
    if "Year" in parts:
        return _ymd(parts)
    return parse_free_date(_raw(parts.get("MedlineDate")))


def _keywords(container: _Element) -> tuple[str, ...]:
    return dedupe(
        _text(e) for k in container.iterchildren("KeywordList") for e in k.iterchildren("Keyword")
    )


def _mesh(heading_list: _Element) -> Iterator[str]:
    """Descriptor names; `*` marks a major topic on the descriptor or any qualifier."""
    for heading in heading_list.iterchildren("MeshHeading"):
        name = None
        major = False
        for child in heading:
            if child.tag == "DescriptorName" and name is None:
                name = _text(child) or ""
                major = major or child.get("MajorTopicYN") == "Y"
            elif child.tag == "QualifierName":
                major = major or child.get("MajorTopicYN") == "Y"
        if name:
            yield f"{name}*" if major else name


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
