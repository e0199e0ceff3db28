"""Candidate pairs: only records that share a blocking key are ever compared.

Comparing all pairs of 100,000 records is 5 billion comparisons; comparing within blocks
keeps the count near-linear. Each record gets several keys so that one damaged field
(a typo at the start of a title, a missing author) does not hide a duplicate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from searchharvest.dedup.normalize import Features

_KEY_CHARS = 20


def blocking_keys(f: Features) -> Iterator[str]:
    """The blocks a record belongs to."""
    squeezed = f.title.replace(" ", "")
    if len(squeezed) >= 8:
        yield "t:" + squeezed[:_KEY_CHARS]
        yield "e:" + squeezed[-_KEY_CHARS:]
    if f.families and f.year is not None:
        yield f"a:{f.families[0]}|{f.year}"
        yield f"a:{f.families[0]}|{f.year + 1}"
    for page in f.pages:
        if f.volume:
            yield f"p:{f.volume}|{page}"


def candidate_pairs(
    feats: Sequence[Features], max_block: int, window: int
) -> Iterator[tuple[int, int]]:
    """Unique index pairs `(i, j)` with `i < j` that share at least one block."""
    blocks: defaultdict[str, list[int]] = defaultdict(list)
    for index, f in enumerate(feats):
        for key in blocking_keys(f):
            blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        for pair in _pairs_in_block(members, feats, max_block, window):
            if pair not in seen:
                seen.add(pair)
                yield pair


def _pairs_in_block(
    members: list[int], feats: Sequence[Features], max_block: int, window: int
) -> Iterator[tuple[int, int]]:
    if len(members) <= max_block:
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                yield (i, j) if i < j else (j, i)
        return
    ordered = sorted(members, key=lambda k: feats[k].title)
    for x, i in enumerate(ordered):
        for j in ordered[x + 1 : x + 1 + window]:
            yield (i, j) if i < j else (j, i)
