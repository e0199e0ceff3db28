"""Fixtures of the chaining tests: a fresh fake world and settings without retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.config import Settings
from tests.chain.fakeapis import World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default base URLs (the fake answers them), no cache, two attempts."""
    return Settings(email="tester@example.org", cache_dir=tmp_path / "cache", max_attempts=2)
