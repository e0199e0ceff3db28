"""Smoke tests against the real services: `python -m pytest --live tests/test_live.py`.

Never part of CI (no network there). They check that the recorded shapes the offline
tests rely on still match what the services answer today. Set SEARCHHARVEST_EMAIL
(and OPENALEX_API_KEY for OpenAlex) first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searchharvest import Settings, chain, search

pytestmark = pytest.mark.live

QUERY = '"public sector"[ti] AND (co-produc* OR coproduc*)'


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(cache_dir=tmp_path / "cache")


@pytest.mark.parametrize("db", ["pubmed", "crossref", "openalex"])
def test_a_small_search_returns_verified_records(db: str, settings: Settings) -> None:
    if db == "openalex" and not os.environ.get("OPENALEX_API_KEY"):
        pytest.skip("OpenAlex needs OPENALEX_API_KEY")
    result = search(QUERY, [db], max_records=5, settings=settings, allow_narrower=True)
    records = list(result)
    report = result.reports[db]
    assert not result.errors
    assert report.total is not None
    assert report.total > 0
    assert 0 < len(records) <= 5
    assert all(record.title for record in records)


def test_backward_chaining_through_openalex_finds_references(settings: Settings) -> None:
    if not os.environ.get("OPENALEX_API_KEY"):
        pytest.skip("OpenAlex needs OPENALEX_API_KEY")
    result = chain(
        ["10.7717/peerj.4375"], direction="backward", sources=["openalex"], settings=settings
    )
    assert not result.unresolved
    assert result.records
    assert all(r.provenance[0].chain is not None for r in result.records)
