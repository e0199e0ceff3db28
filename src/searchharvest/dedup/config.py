"""Thresholds of the fuzzy stage, with defaults that favour precision.

Merging two different studies silently removes one from screening, while a missed
duplicate costs a reviewer a few seconds, so every default errs towards keeping records
apart. The measured precision and recall of these defaults are in `docs/dedup.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Settings of `dedupe()`."""

    title_threshold: float = 95.0
    """Minimum title similarity (rapidfuzz ratio, 0-100) when author and year agree."""
    loose_title_threshold: float = 85.0
    """Minimum title similarity when author, year, volume and first page all agree, or
    author, year, volume and journal with the pages unknown on one side."""
    citation_title_threshold: float = 70.0
    """Minimum title similarity (token-set) when volume, the whole page range, exact year
    and journal agree and no author disagrees: a title translated by one database."""
    year_tolerance: int = 1
    """Years may differ by this much (online-first versus print year)."""
    preprints: Literal["link", "merge"] = "link"
    """`link`: keep a preprint and its published version apart, listed in `related`;
    `merge`: treat them as duplicates despite their different DOIs."""
    max_block: int = 400
    """Blocks larger than this are compared in a sliding window instead of all pairs,
    which keeps the cost near-linear on very common title prefixes."""
    window: int = 25
    """Width of that sliding window (records sorted by title)."""
