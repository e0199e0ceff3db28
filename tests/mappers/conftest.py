"""Shared paths for the mapper tests: the real recorded responses in `cassettes/`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
DATA = Path(__file__).resolve().parent / "data"


def cassette(name: str) -> bytes:
    """Bytes of `cassettes/<db>/<file>`, e.g. `cassette("pubmed/biopython__pubmed1.xml")`."""
    return (CASSETTES / name).read_bytes()


def cassette_json(name: str) -> Any:
    return json.loads(cassette(name))


@pytest.fixture
def cassettes_dir() -> Path:
    return CASSETTES
