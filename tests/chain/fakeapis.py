"""A fake OpenAlex, PubMed and Crossref that answer from bodies derived from real ones.

Every answer keeps the exact shape of a real recorded response (see the chain section
of cassettes/PROVENANCE.md): a work is the real OpenAlex work W2741809807, the real
Crossref work 10.1038/srep16696 or the first real article of biopython's pubmed1.xml
with its identifiers, title, year, first author and links replaced. The fake reads the
requests the way the live APIs do (`filter=openalex:A|B`, `cites:`, repeated ELink
`id=`, EFetch POST, `filter=doi:A,doi:B`, `query.bibliographic`), pages by cursor, and
logs every request, so tests can count them. Nothing touches the network.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from lxml import etree

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
OPENALEX_WORK = json.loads((CASSETTES / "openalex/openalex-python__W2741809807.json").read_text())
OPENALEX_LIST = json.loads(
    (CASSETTES / "openalex/paperqa__test_title_search_paper_attributes2.body3.json").read_text()
)
CROSSREF_WORK = json.loads(
    (CASSETTES / "crossref/habanero__test_works_with_many_ids.body2.json").read_text()
)["message"]
CROSSREF_LIST = json.loads(
    (CASSETTES / "crossref/habanero__test_works_query.body0.json").read_text()
)
PUBMED_SET = (CASSETTES / "pubmed/biopython__pubmed1.xml").read_bytes()
ELINK = json.loads((CASSETTES / "pubmed/pubmed-client__elink_citations_26846451.json").read_text())


@dataclass
class Work:
    """One work of the fake world and where it is indexed."""

    title: str
    year: int = 2020
    author: str = "Tosatto"
    doi: str | None = None
    pmid: str | None = None
    openalex: str | None = None
    references: list[str] = field(default_factory=list)
    """Keys of the works it cites (the same keys as `World.works`)."""
    unstructured: list[str] = field(default_factory=list)
    """Crossref references deposited as citation text only."""
    in_openalex: bool = True
    in_crossref: bool = True
    in_pubmed: bool = True
    retracted: bool = False


class World:
    """The fake APIs: works by key, and the request log."""

    def __init__(self) -> None:
        self.works: dict[str, Work] = {}
        self.requests: list[httpx.Request] = []
        self.bibliographic: dict[str, list[str]] = {}
        """`query.bibliographic` text → keys of the candidates Crossref answers."""
        self.fail: str | None = None
        """A path or host answered with HTTP 500 (tests of partial results)."""
        self.refuse: str | None = None
        """An OpenAlex filter name answered with 400 "Invalid" (ourresearch/OpenAlex#8)."""

    def add(self, key: str, work: Work) -> Work:
        self.works[key] = work
        return work

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(path))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.fail and (path.endswith(self.fail) or request.url.host == self.fail):
            return httpx.Response(500, text="boom")
        if request.url.host == "api.openalex.org":
            return self._openalex(request)
        if request.url.host == "api.crossref.org":
            return self._crossref(request)
        if path.endswith("elink.fcgi"):
            return self._elink(request)
        if path.endswith("efetch.fcgi"):
            return self._efetch(request)
        return httpx.Response(404, text="not in the fake")

    # OpenAlex -------------------------------------------------------------------

    def _oa(self, work: Work) -> dict[str, Any]:
        raw = copy.deepcopy(OPENALEX_WORK)
        doi = f"https://doi.org/{work.doi}" if work.doi else None
        raw.update(
            id=f"https://openalex.org/{work.openalex}",
            doi=doi,
            title=work.title,
            display_name=work.title,
            publication_year=work.year,
            publication_date=f"{work.year}-01-01",
            is_retracted=work.retracted,
            referenced_works=[
                f"https://openalex.org/{self.works[k].openalex}"
                for k in work.references
                if self.works[k].openalex
            ],
        )
        raw["ids"] = {"openalex": raw["id"], "doi": doi}
        if work.pmid:
            raw["ids"]["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{work.pmid}"
        raw["authorships"] = raw["authorships"][:1]
        raw["authorships"][0]["author"]["display_name"] = f"A. {work.author}"
        raw["authorships"][0]["raw_author_name"] = f"A. {work.author}"
        return raw

    def _openalex(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        name, _, values = params["filter"].partition(":")
        if name == self.refuse:
            return httpx.Response(400, json={"error": "Invalid", "message": "Invalid"})
        wanted = set(values.split("|"))
        assert len(wanted) <= 100, "OpenAlex takes at most 100 values per filter"
        per_page = int(params["per_page"])
        assert per_page <= 100
        indexed = [w for w in self.works.values() if w.in_openalex and w.openalex]
        if name == "cites":
            cited = {k for k, w in self.works.items() if w.openalex in wanted}
            hits = [w for w in indexed if cited.intersection(w.references)]
        else:
            field_of = {"openalex": "openalex", "doi": "doi", "pmid": "pmid"}[name]
            hits = [w for w in indexed if getattr(w, field_of) in wanted]
        start = 0 if params["cursor"] == "*" else int(params["cursor"])
        page = hits[start : start + per_page]
        body = copy.deepcopy(OPENALEX_LIST)
        body["meta"].update(count=len(hits), page=None, per_page=per_page)
        # the live server sends a cursor with every non-empty page, the last one included
        body["meta"]["next_cursor"] = str(start + per_page) if page else None
        body["results"] = [self._oa(w) for w in page]
        return httpx.Response(200, json=body)

    # Crossref -------------------------------------------------------------------

    def _cr(self, work: Work) -> dict[str, Any]:
        raw = copy.deepcopy(CROSSREF_WORK)
        template = raw["reference"][0]
        references = []
        for number, key in enumerate(work.references):
            entry = dict(template, key=f"ref{number}")
            target = self.works[key]
            if target.doi:
                entry["DOI"] = target.doi
            else:
                entry.pop("DOI", None)
            references.append(entry)
        for number, text in enumerate(work.unstructured):
            references.append({"key": f"u{number}", "unstructured": text})
        raw.update(
            DOI=work.doi,
            title=[work.title],
            subtitle=[],
            reference=references,
            issued={"date-parts": [[work.year]]},
            published={"date-parts": [[work.year]]},
        )
        raw["published-online"] = {"date-parts": [[work.year]]}
        raw["author"] = [dict(raw["author"][0], family=work.author, given="A.")]
        if not references:
            del raw["reference"]
        return raw

    def _crossref(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        body = copy.deepcopy(CROSSREF_LIST)
        if "query.bibliographic" in params:
            keys = self.bibliographic.get(params["query.bibliographic"], [])
            items = [self._cr(self.works[k]) for k in keys]
        else:
            dois = [f.removeprefix("doi:") for f in params["filter"].split(",")]
            items = [self._cr(w) for w in self.works.values() if w.in_crossref and w.doi in dois]
        body["message"].update(items=items, **{"total-results": len(items)})
        return httpx.Response(200, json=body)

    # PubMed ---------------------------------------------------------------------

    def _elink(self, request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("id")
        linkname = request.url.params["linkname"]
        by_pmid = {w.pmid: k for k, w in self.works.items() if w.pmid and w.in_pubmed}
        linksets = []
        for pmid in ids:
            key = by_pmid.get(pmid)
            if linkname.endswith("_refs"):
                links = [self.works[k].pmid for k in self.works[key].references] if key else []
            else:
                links = [w.pmid for w in self.works.values() if key in w.references]
            linkset: dict[str, Any] = {"dbfrom": "pubmed", "ids": [pmid]}
            links = [p for p in links if p]
            if links:
                linkset["linksetdbs"] = [{"dbto": "pubmed", "linkname": linkname, "links": links}]
            linksets.append(linkset)
        return httpx.Response(200, json={"header": ELINK["header"], "linksets": linksets})

    def _efetch(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        wanted = form["id"][0].split(",")
        root = etree.fromstring(PUBMED_SET)
        template = root.find("PubmedArticle")
        assert template is not None
        for article in root.findall("PubmedArticle"):
            root.remove(article)
        for work in self.works.values():
            if not (work.in_pubmed and work.pmid in wanted):
                continue
            article = copy.deepcopy(template)
            article.find("MedlineCitation/PMID").text = work.pmid
            article.find(".//ArticleTitle").text = work.title
            article.find(".//PubDate/Year").text = str(work.year)
            article.find(".//Author/LastName").text = work.author
            ids = article.find("PubmedData/ArticleIdList")
            for element in list(ids):
                ids.remove(element)
            etree.SubElement(ids, "ArticleId", IdType="pubmed").text = work.pmid
            if work.doi:
                etree.SubElement(ids, "ArticleId", IdType="doi").text = work.doi
            if work.retracted:
                types = article.find(".//PublicationTypeList")
                etree.SubElement(types, "PublicationType").text = "Retracted Publication"
            root.append(article)
        return httpx.Response(200, content=etree.tostring(root))
