"""Build the offline demo cassettes in cassettes/demo/ from the real recorded responses.

The demo query is chosen to match records that the real servers returned in the
recordings (see cassettes/PROVENANCE.md), so that replaying them exercises every step:
PubMed's exact query, OpenAlex's and Crossref's broader requests with local filtering.
Where a response had to be derived (an ESearch count for our term, a Crossref total that
matches the page replayed), it is derived from a real response of the same endpoint and
keeps its shape; each derivation is listed in the cassette's `provenance`.

Run: python cassettes/make_demo.py   (rewrites cassettes/demo/*.json)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

from searchharvest import compile
from searchharvest.connectors import crossref as crossref_connector
from searchharvest.connectors import openalex as openalex_connector

HERE = Path(__file__).resolve().parent
DEMO = HERE / "demo"
QUERY = 'widget[ti] OR ecology[ti] OR "language models"[ti] OR "pain perception"[ti]'
"""Kept in sync with searchharvest.demo.DEMO_QUERY (a test checks it)."""

PUBMED_SELECT_WEBENV = "MCID_6927d6e7fee3e90f880ec190"
OPENALEX_BODY = "../openalex/paperqa__test_title_search_paper_attributes2.body3.json"


def pubmed() -> dict[str, object]:
    term = compile(QUERY, "pubmed").native
    assert isinstance(term, str)
    real = (HERE / "pubmed" / "biopython__esearch2.xml").read_text(encoding="utf-8")
    derived = re.sub(
        r"<Count>\d+</Count><RetMax>\d+</RetMax>", "<Count>1</Count><RetMax>0</RetMax>", real
    )
    derived = re.sub(r"<IdList>.*?</IdList>", "<IdList/>", derived, flags=re.S)
    derived = re.sub(
        r"<QueryTranslation>.*?</QueryTranslation>",
        "<QueryTranslation>" + escape(term, {'"': "&quot;"}) + "</QueryTranslation>",
        derived,
        flags=re.S,
    )
    (DEMO / "pubmed_esearch.xml").write_text(derived, encoding="utf-8")
    return {
        "provenance": (
            "pubmed_esearch.xml derived from pubmed/biopython__esearch2.xml (real ESearch, "
            "usehistory=y): Count set to 1, RetMax 0, IdList emptied, QueryTranslation set to "
            "the demo term; efetch body is pubmed/metapub__efetch_32525788.xml byte for byte"
        ),
        "interactions": [
            {
                "request": {
                    "method": "GET",
                    "api": "pubmed",
                    "path": "/esearch.fcgi",
                    "params": {"db": "pubmed", "term": term, "usehistory": "y", "retmax": "0"},
                },
                "response": {
                    "status": 200,
                    "headers": {"content-type": "text/xml; charset=UTF-8"},
                    "body_file": "pubmed_esearch.xml",
                },
            },
            {
                "request": {
                    "method": "GET",
                    "api": "pubmed",
                    "path": "/efetch.fcgi",
                    "params": {
                        "db": "pubmed",
                        "query_key": "1",
                        "WebEnv": PUBMED_SELECT_WEBENV,
                        "retstart": "0",
                        "retmax": "1",
                        "retmode": "xml",
                    },
                },
                "response": {
                    "status": 200,
                    "headers": {"content-type": "text/xml; charset=UTF-8"},
                    "body_file": "../pubmed/metapub__efetch_32525788.xml",
                },
            },
        ],
    }


def openalex() -> dict[str, object]:
    native = compile(QUERY, "openalex").native
    assert isinstance(native, dict)
    return {
        "provenance": (
            "page 1 is openalex/paperqa__test_title_search_paper_attributes2.body3.json byte "
            "for byte (a real title.search answer, count 2)"
        ),
        "interactions": [
            {
                "request": {
                    "method": "GET",
                    "api": "openalex",
                    "path": "/works",
                    "params": {
                        **native,
                        "per_page": str(openalex_connector.PER_PAGE),
                        "cursor": "*",
                        "select": openalex_connector.SELECT,
                    },
                },
                "response": {
                    "status": 200,
                    "headers": {"content-type": "application/json"},
                    "body_file": OPENALEX_BODY,
                },
            }
        ],
    }


def crossref() -> dict[str, object]:
    native = compile(QUERY, "crossref").native
    assert isinstance(native, dict)
    real = json.loads((HERE / "crossref" / "habanero__test_cursor.body0.json").read_text("utf-8"))
    real["message"]["total-results"] = len(real["message"]["items"])
    (DEMO / "crossref_works.json").write_text(json.dumps(real), encoding="utf-8")
    return {
        "provenance": (
            "crossref_works.json derived from crossref/habanero__test_cursor.body0.json (a real "
            "cursor=* work-list for 'widget'): total-results set to the 20 items replayed"
        ),
        "interactions": [
            {
                "request": {
                    "method": "GET",
                    "api": "crossref",
                    "path": "/works",
                    "params": {
                        **native,
                        "rows": str(crossref_connector.ROWS),
                        "cursor": "*",
                        "select": crossref_connector.SELECT,
                    },
                },
                "response": {
                    "status": 200,
                    "headers": {"content-type": "application/json"},
                    "body_file": "crossref_works.json",
                },
            }
        ],
    }


def main() -> None:
    DEMO.mkdir(exist_ok=True)
    for name, build in (("pubmed", pubmed), ("openalex", openalex), ("crossref", crossref)):
        (DEMO / f"{name}.json").write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
