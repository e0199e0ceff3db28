"""Build the connector and harvest test cassettes in cassettes/tests/ from real responses.

Every body is either a real recorded response (referenced by `body_file` into
cassettes/pubmed|openalex|crossref, byte for byte) or derived from a real response of the
same endpoint, keeping its shape; each derivation is written into the cassette's
`provenance`. The requests are built by compiling the test queries, as the connectors do,
so a cassette only matches what the connector really sends.

Run: python cassettes/tests/make_cassettes.py   (rewrites cassettes/tests/*)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from searchharvest import compile
from searchharvest.connectors.crossref import SELECT as CROSSREF_SELECT
from searchharvest.connectors.openalex import PER_PAGE
from searchharvest.connectors.openalex import SELECT as OPENALEX_SELECT

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPO = ROOT.parent

PUBMED_FLOW_QUERY = "aids[ti] OR chromatium[ti]"
PUBMED_PHRASE_QUERY = '"correctional facilities"[ti] OR "chromatium spectra"[tiab]'
PUBMED_PHRASE = "chromatium spectra"
PUBMED_SHORT_QUERY = "yangtze[ti] AND eggs[ti]"
PUBMED_ERROR_QUERY = "platelet[ti] AND snord55[ti]"
OPENALEX_QUERY = '"language models"[ti] OR "open access"[ti]'
CROSSREF_QUERY = "widget[ti]"
CROSSREF_ERROR_QUERY = "ecology[ti]"
CURSOR_2 = "IlsxMDAuMCwgOTU3LCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQzNjU1OTcyMDUnXSI="
CURSOR_3 = "IlsxMDAuMCwgOTU3LCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzI3NDE4MDk4MDcnXSI="
WEBENV = "MCID_6927d6e7fee3e90f880ec190"
"""The WebEnv of the real ESearch answer every derived ESearch body keeps."""

XML = {"content-type": "text/xml; charset=UTF-8"}
JSON = {"content-type": "application/json"}


def long_pubmed_query() -> str:
    """Three real strategies ORed together: a term well over the 1,500-character POST cut."""
    strategies = REPO / "tests" / "fixtures" / "strategies"
    lines = (REPO / "tests" / "fixtures" / "queries" / "strategies.txt").read_text("utf-8")
    parts = [
        (strategies / "pubmed__carrieprice__critical-care.txt").read_text("utf-8").strip(),
        (strategies / "pubmed__ielab-seed__id96.txt").read_text("utf-8").strip(),
        next(line for line in lines.splitlines() if line.startswith("(co-produc")),
    ]
    return " OR ".join(f"({part})" for part in parts)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def esearch_body(count: int, translation: str, phrase_not_found: str | None = None) -> str:
    """The real usehistory=y ESearch answer (biopython esearch2) with our count and term.

    A phrase not found is reported in an `ErrorList` placed as in the real esearch8 answer.
    """
    real = (ROOT / "pubmed" / "biopython__esearch2.xml").read_text(encoding="utf-8")
    body = re.sub(
        r"<Count>\d+</Count><RetMax>\d+</RetMax>",
        f"<Count>{count}</Count><RetMax>0</RetMax>",
        real,
    )
    body = re.sub(r"<IdList>.*?</IdList>", "<IdList/>", body, flags=re.S)
    body = re.sub(r"<TranslationSet>.*?</TranslationSet>", "<TranslationSet/>", body, flags=re.S)
    errors = ""
    if phrase_not_found is not None:
        errors = (
            f"<ErrorList><PhraseNotFound>{_escape(phrase_not_found)}</PhraseNotFound></ErrorList>"
        )
    return re.sub(
        r"<QueryTranslation>.*?</QueryTranslation>",
        f"<QueryTranslation>{_escape(translation)}</QueryTranslation>{errors}",
        body,
        flags=re.S,
    )


def efetch_error_body() -> str:
    """The real E-utilities `<ERROR>` answer (biopython esummary8) as EFetch's result."""
    real = (ROOT / "pubmed" / "biopython__esummary8.xml").read_text(encoding="utf-8")
    body = real.replace("eSummaryResult", "eFetchResult")
    body = re.sub(r"<!DOCTYPE[^>]*>\n?", "", body)
    return body.replace("Neither query_key nor id specified", "Unable to obtain query #1")


def _interaction(
    api: str,
    path: str,
    params: dict[str, str] | None,
    body_file: str,
    *,
    method: str = "GET",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "api": api, "path": path}
    request["data" if method == "POST" else "params"] = params or {}
    return {
        "request": request,
        "response": {"status": status, "headers": headers or XML, "body_file": body_file},
    }


def _esearch(term: str, body_file: str, *, method: str = "GET") -> dict[str, Any]:
    params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": "0"}
    return _interaction("pubmed", "/esearch.fcgi", params, body_file, method=method)


def _efetch(size: int, body_file: str) -> dict[str, Any]:
    params = {
        "db": "pubmed",
        "query_key": "1",
        "WebEnv": WEBENV,
        "retstart": "0",
        "retmax": str(size),
        "retmode": "xml",
    }
    return _interaction("pubmed", "/efetch.fcgi", params, body_file)


def pubmed() -> dict[str, Any]:

    def term(query: str) -> str:
        native = compile(query, "pubmed").native
        assert isinstance(native, str)
        return native

    long_term = term(long_pubmed_query())
    assert len(long_term) > 1_500
    bodies = {
        "pubmed_esearch_flow.xml": esearch_body(2, term(PUBMED_FLOW_QUERY)),
        "pubmed_esearch_long.xml": esearch_body(2, long_term),
        "pubmed_esearch_phrase.xml": esearch_body(2, term(PUBMED_PHRASE_QUERY), PUBMED_PHRASE),
        "pubmed_esearch_short.xml": esearch_body(1, term(PUBMED_SHORT_QUERY)),
        "pubmed_esearch_error.xml": esearch_body(1, term(PUBMED_ERROR_QUERY)),
        "pubmed_efetch_error.xml": efetch_error_body(),
    }
    for name, text in bodies.items():
        (HERE / name).write_text(text, encoding="utf-8")
    return {
        "provenance": (
            "pubmed_esearch_*.xml derived from pubmed/biopython__esearch2.xml (real ESearch, "
            "usehistory=y, same WebEnv and QueryKey): Count set to the records replayed, "
            "RetMax 0, IdList and TranslationSet emptied, QueryTranslation set to the test "
            "term; pubmed_esearch_phrase.xml also carries an ErrorList/PhraseNotFound placed "
            "as in pubmed/biopython__esearch8.xml. pubmed_efetch_error.xml derived from "
            "pubmed/biopython__esummary8.xml (a real E-utilities <ERROR> answer; no EFetch "
            "error was recorded): root renamed eFetchResult, DOCTYPE dropped, message text "
            "replaced. EFetch bodies pubmed/biopython__pubmed1.xml and the empty "
            "pubmed/metapub__efetch_37909814.xml are real, byte for byte."
        ),
        "interactions": [
            _esearch(term(PUBMED_FLOW_QUERY), "pubmed_esearch_flow.xml"),
            _efetch(2, "../pubmed/biopython__pubmed1.xml"),
            _esearch(long_term, "pubmed_esearch_long.xml", method="POST"),
            _esearch(term(PUBMED_PHRASE_QUERY), "pubmed_esearch_phrase.xml"),
            _esearch(term(PUBMED_SHORT_QUERY), "pubmed_esearch_short.xml"),
            _efetch(1, "../pubmed/metapub__efetch_37909814.xml"),
        ],
    }


def pubmed_error() -> dict[str, Any]:

    native = compile(PUBMED_ERROR_QUERY, "pubmed").native
    assert isinstance(native, str)
    return {
        "provenance": "see pubmed.json: pubmed_esearch_error.xml and pubmed_efetch_error.xml",
        "interactions": [
            _esearch(native, "pubmed_esearch_error.xml"),
            _efetch(1, "pubmed_efetch_error.xml"),
        ],
    }


def _openalex_page(count: int, cursor: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    real = json.loads(
        (ROOT / "openalex" / "paperqa__test_title_search_paper_attributes2.body3.json").read_text(
            "utf-8"
        )
    )
    real["meta"] = {
        "count": count,
        "db_response_time_ms": real["meta"]["db_response_time_ms"],
        "page": None,
        "per_page": 100,
        "next_cursor": cursor,
        "groups_count": None,
    }
    real["results"] = results
    return real


def openalex() -> dict[str, Any]:

    native = compile(OPENALEX_QUERY, "openalex").native
    assert isinstance(native, dict)
    title_search = json.loads(
        (ROOT / "openalex" / "paperqa__test_title_search_paper_attributes2.body3.json").read_text(
            "utf-8"
        )
    )
    work = json.loads((ROOT / "openalex" / "openalex-python__W2741809807.json").read_text("utf-8"))
    page1 = _openalex_page(3, CURSOR_2, title_search["results"])
    page2 = _openalex_page(3, CURSOR_3, [work])
    (HERE / "openalex_page1.json").write_text(json.dumps(page1), encoding="utf-8")
    (HERE / "openalex_page2.json").write_text(json.dumps(page2), encoding="utf-8")
    base = {**native, "per_page": str(PER_PAGE), "select": OPENALEX_SELECT}
    return {
        "provenance": (
            "openalex_page1.json derived from openalex/paperqa__test_title_search_paper_"
            "attributes2.body3.json (real title.search answer, 2 works): meta turned into "
            "cursor meta (count 3, page null, per_page 100, next_cursor set), results kept; "
            "openalex_page2.json: the same envelope holding the real work "
            "openalex/openalex-python__W2741809807.json, with a next_cursor as the live server "
            "still sends on the page that completes the count"
        ),
        "interactions": [
            _interaction(
                "openalex", "/works", {**base, "cursor": "*"}, "openalex_page1.json", headers=JSON
            ),
            _interaction(
                "openalex",
                "/works",
                {**base, "cursor": CURSOR_2},
                "openalex_page2.json",
                headers=JSON,
            ),
        ],
    }


def _crossref_params(query: str, cursor: str) -> dict[str, str]:

    native = compile(query, "crossref").native
    assert isinstance(native, dict)
    return {**native, "rows": "20", "cursor": cursor, "select": CROSSREF_SELECT}


def _next_cursor(name: str) -> str:
    page = json.loads((ROOT / "crossref" / name).read_text("utf-8"))
    return str(page["message"]["next-cursor"])


def _cursor_pages(first: str, second: str) -> list[dict[str, Any]]:
    """The `cursor=*` request and the request its real next-cursor leads to, answered by
    `first` and `second`."""
    cursor = _next_cursor("habanero__test_cursor_max.body0.json")
    return [
        _interaction(
            "crossref", "/works", _crossref_params(CROSSREF_QUERY, "*"), first, headers=JSON
        ),
        _interaction(
            "crossref", "/works", _crossref_params(CROSSREF_QUERY, cursor), second, headers=JSON
        ),
    ]


def crossref_scan() -> dict[str, Any]:
    return {
        "provenance": (
            "crossref/habanero__test_cursor_max.body0.json then .body1.json, real and byte for "
            "byte: a cursor=* work-list for 'widget' (20 rows, 454 total) and the page its "
            "next-cursor returned"
        ),
        "interactions": _cursor_pages(
            "../crossref/habanero__test_cursor_max.body0.json",
            "../crossref/habanero__test_cursor_max.body1.json",
        ),
    }


def crossref_end() -> dict[str, Any]:
    real = json.loads(
        (ROOT / "crossref" / "habanero__test_cursor_max.body1.json").read_text("utf-8")
    )
    real["message"]["items"] = real["message"]["items"][:7]
    real["message"]["total-results"] = 27
    (HERE / "crossref_last_page.json").write_text(json.dumps(real), encoding="utf-8")
    first = json.loads(
        (ROOT / "crossref" / "habanero__test_cursor_max.body0.json").read_text("utf-8")
    )
    first["message"]["total-results"] = 27
    (HERE / "crossref_first_page.json").write_text(json.dumps(first), encoding="utf-8")
    return {
        "provenance": (
            "crossref_first_page.json derived from crossref/habanero__test_cursor_max.body0.json "
            "(real cursor=* page, 20 items): total-results set to 27; crossref_last_page.json "
            "derived from .body1.json (the real page its next-cursor returned): items cut to "
            "the first 7 and total-results set to 27, so the cursor ends on a short page"
        ),
        "interactions": _cursor_pages("crossref_first_page.json", "crossref_last_page.json"),
    }


def crossref_error() -> dict[str, Any]:
    return {
        "provenance": (
            "crossref/habanero__test_works_query_filters_not_allowed_with_dois.body0.json, real "
            "and byte for byte: Crossref's HTTP 400 validation-failure answer"
        ),
        "interactions": [
            _interaction(
                "crossref",
                "/works",
                _crossref_params(CROSSREF_ERROR_QUERY, "*"),
                "../crossref/habanero__test_works_query_filters_not_allowed_with_dois.body0.json",
                status=400,
                headers=JSON,
            )
        ],
    }


def main() -> None:
    builds = {
        "pubmed": pubmed,
        "pubmed_error": pubmed_error,
        "openalex": openalex,
        "crossref_scan": crossref_scan,
        "crossref_end": crossref_end,
        "crossref_error": crossref_error,
    }
    for name, build in builds.items():
        (HERE / f"{name}.json").write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
