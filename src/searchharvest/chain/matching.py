"""Accept a bibliographic lookup only when it is verifiably the work we asked for.

Crossref's `query.bibliographic` always returns its best-scoring candidate, even when
the work is not in Crossref at all, so a candidate must agree on title, year and first
author before it is used (Crossref's own advice for reference matching: ask for two rows
and check; https://github.com/CrossRef/rest-api-doc/blob/master/api_tips.md).
"""

from __future__ import annotations

import re
from typing import Final

from rapidfuzz import fuzz

from searchharvest.dedup.normalize import fold, normalize_title
from searchharvest.records import Record

TITLE_SCORE: Final = 90.0
"""Least rapidfuzz score (0-100) between folded titles for a lookup to count as a match."""

MIN_TITLE_WORDS: Final = 3
"""Shorter titles ("Editorial", "Reply") match too many works to be trusted alone."""

_YEARS = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _first_family(record: Record) -> str:
    return fold(record.authors[0].family) if record.authors else ""


def same_work(candidate: Record, wanted: Record) -> bool:
    """Whether `candidate` (from a lookup) is the work `wanted` describes.

    Titles must agree (token-sort score at least `TITLE_SCORE`); years, when both are
    known, may differ by one (online vs print); first authors' family names, when both
    are known, must agree.

    >>> a = Record(title="Co-production of public services: a review", year=2016)
    >>> same_work(a, Record(title="Co-production of public services - a review", year=2017))
    True
    >>> same_work(a, Record(title="Co-production of public services: a review", year=2010))
    False
    """
    mine, theirs = normalize_title(candidate.title), normalize_title(wanted.title)
    if len(theirs.split()) < MIN_TITLE_WORDS or not mine:
        return False
    if fuzz.token_sort_ratio(mine, theirs) < TITLE_SCORE:
        return False
    if candidate.year and wanted.year and abs(candidate.year - wanted.year) > 1:
        return False
    ours, yours = _first_family(candidate), _first_family(wanted)
    return not (ours and yours and ours != yours)


def matches_reference(candidate: Record, text: str) -> bool:
    """Whether `candidate` is the work an unstructured reference string cites.

    The candidate's whole title must appear in the reference (partial score at least
    `TITLE_SCORE`), its year must be among the years the reference names (±1), and its
    first author's family name must appear in the reference.

    >>> work = Record(title="Dark matter in galaxies", year=1999,
    ...               authors=[{"family": "Rubin", "given": "V."}])
    >>> matches_reference(work, "Rubin V. (1999) Dark matter in galaxies. Science 3:1-2")
    True
    >>> matches_reference(work, "Rubin V. (1987) Dark matter in galaxies. Science 3:1-2")
    False
    """
    title, folded = normalize_title(candidate.title), fold(text)
    if len(title.split()) < MIN_TITLE_WORDS or fuzz.partial_ratio(title, folded) < TITLE_SCORE:
        return False
    years = {int(y) for y in _YEARS.findall(text)}
    if candidate.year and years and all(abs(candidate.year - y) > 1 for y in years):
        return False
    family = _first_family(candidate)
    return not family or family in folded
