"""Shared helpers for the HTTP layer tests: settings that never reach the real APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.config import Settings

PLANTED_KEY = "PLANTEDKEY0123456789abcdef"


@pytest.fixture
def planted_key() -> str:
    """The fake API key every test plants, so leaks can be searched for."""
    return PLANTED_KEY


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with keys, an email and a private cache dir; base URLs are never dialled."""
    return Settings(
        ncbi_api_key=PLANTED_KEY,  # type: ignore[arg-type]
        openalex_api_key=PLANTED_KEY,  # type: ignore[arg-type]
        email="tester@example.org",
        cache_dir=tmp_path / "cache",
        timeout=2.0,
        max_attempts=4,
    )
