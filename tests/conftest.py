"""Fixtures shared by the command-line tests: every API pointed at a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


@pytest.fixture
def loopback_env(httpserver: HTTPServer, tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI run against the loopback server; PubMed answers real bodies.

    Tests add the OpenAlex and Crossref answers they need. The key and e-mail are planted
    so a test can check that neither leaks into outputs.
    """
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        (CASSETTES / "tests" / "pubmed_esearch_flow.xml").read_bytes(), content_type="text/xml"
    )
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(
        (CASSETTES / "pubmed" / "biopython__pubmed1.xml").read_bytes(), content_type="text/xml"
    )
    return {**loopback_urls(httpserver, tmp_path), "SEARCHHARVEST_EMAIL": "tester@example.org"}


def loopback_urls(httpserver: HTTPServer, tmp_path: Path) -> dict[str, str]:
    """Every base URL on the loopback server, a private cache, online, and a planted key."""
    return {
        "SEARCHHARVEST_PUBMED_URL": httpserver.url_for("/eutils"),
        "SEARCHHARVEST_OPENALEX_URL": httpserver.url_for("/openalex"),
        "SEARCHHARVEST_CROSSREF_URL": httpserver.url_for("/crossref"),
        "SEARCHHARVEST_CACHE_DIR": str(tmp_path / "cache"),
        "SEARCHHARVEST_OFFLINE": "0",
        "NCBI_API_KEY": "TESTKEY0123456789",
    }


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live", action="store_true", help="also run the smoke tests against the real APIs"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `live` talk to the real APIs: skipped unless `--live` is given."""
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="talks to the real APIs; run with --live")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)
