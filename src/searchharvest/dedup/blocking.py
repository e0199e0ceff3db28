"""Candidate pairs: only records that share a blocking key, and could still match, are compared.

Comparing all pairs of 100,000 records is 5 billion comparisons; comparing within blocks
keeps the count near-linear. Each record gets several keys so that one damaged field
(a typo at the start of a title, a missing author) does not hide a duplicate.

Pairs are generated and pre-filtered with numpy and rapidfuzz's `cpdist`, not a Python
loop per pair: a pair whose years are too far apart, or whose titles are less similar
than any rule of `match.compare` accepts, never reaches the pairwise rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import Prefix
from rapidfuzz.process import cpdist

from searchharvest.dedup.config import DedupConfig
from searchharvest.dedup.match import MIN_TRUNCATED
from searchharvest.dedup.normalize import Features

_KEY_CHARS = 20
_PREPRINT_EXTRA_YEARS = 2
"""Matches `match.vetoed`: a preprint may precede its journal version by more."""

_FLOAT_SLACK = 0.01
"""`cpdist` scores are float32; never drop a pair that scores exactly a threshold."""

Ints = npt.NDArray[np.int64]


def blocking_keys(f: Features) -> Iterator[str]:
    """The blocks a record belongs to."""
    squeezed = f.title.replace(" ", "")
    if len(squeezed) >= 8:
        yield "t:" + squeezed[:_KEY_CHARS]
        yield "e:" + squeezed[-_KEY_CHARS:]
    if f.families and f.year is not None:
        yield f"a:{f.families[0]}|{f.year}"
        yield f"a:{f.families[0]}|{f.year + 1}"
    if f.volume:
        # Without the year: a copy that lacks it is still found by its volume and page.
        for page in f.pages:
            yield f"p:{f.volume}|{page}"


def candidate_pairs(feats: Sequence[Features], config: DedupConfig) -> list[tuple[int, int]]:
    """Unique index pairs `(i, j)`, `i < j`, sharing a block and passing the cheap filters.

    Within a block of up to `config.max_block` records every pair is a candidate; a larger
    block (a very common title prefix) is sorted by title and compared in a sliding window
    of `config.window`, which keeps the cost near-linear.
    """
    lo, hi = _block_pairs(feats, config.max_block, config.window)
    lo, hi = _close_years(feats, lo, hi, config.year_tolerance + _PREPRINT_EXTRA_YEARS)
    lo, hi = _similar_titles(feats, lo, hi, config)
    return list(zip(lo.tolist(), hi.tolist(), strict=True))


def _block_pairs(feats: Sequence[Features], max_block: int, window: int) -> tuple[Ints, Ints]:
    key_ids: dict[str, int] = {}
    keys: list[int] = []
    owners: list[int] = []
    for index, f in enumerate(feats):
        for key in blocking_keys(f):
            keys.append(key_ids.setdefault(key, len(key_ids)))
            owners.append(index)
    empty = np.zeros(0, dtype=np.int64)
    if not keys:
        return empty, empty
    rank = np.empty(len(feats), dtype=np.int64)
    rank[sorted(range(len(feats)), key=lambda k: feats[k].title)] = np.arange(len(feats))
    key_arr = np.asarray(keys, dtype=np.int64)
    owner_arr = np.asarray(owners, dtype=np.int64)
    order = np.lexsort((rank[owner_arr], key_arr))
    key_arr, owner_arr = key_arr[order], owner_arr[order]
    starts = np.flatnonzero(np.r_[True, key_arr[1:] != key_arr[:-1]])
    sizes = np.diff(np.r_[starts, len(key_arr)])
    position = np.arange(len(key_arr)) - np.repeat(starts, sizes)
    after = np.repeat(sizes, sizes) - position - 1
    # Records after this one in its block that it is paired with: all, or a window.
    reach = np.where(np.repeat(sizes, sizes) <= max_block, after, np.minimum(after, window))
    active = np.flatnonzero(reach > 0)
    lefts: list[Ints] = []
    rights: list[Ints] = []
    d = 1
    while len(active):
        lefts.append(owner_arr[active])
        rights.append(owner_arr[active + d])
        d += 1
        active = active[reach[active] >= d]
    if not lefts:
        return empty, empty
    left, right = np.concatenate(lefts), np.concatenate(rights)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    codes = np.sort(lo[lo != hi] * len(feats) + hi[lo != hi])
    # Sorting then dropping repeats: np.unique hashes, several times slower here.
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes
    return codes // len(feats), codes % len(feats)


def _close_years(
    feats: Sequence[Features], lo: Ints, hi: Ints, tolerance: int
) -> tuple[Ints, Ints]:
    """Drop pairs whose years are further apart than any rule allows (Cochrane ids aside)."""
    unknown = -(10**6)
    years = np.asarray([unknown if f.year is None else f.year for f in feats], dtype=np.int64)
    review_ids: dict[str, int] = {}
    review = np.asarray(
        [
            review_ids.setdefault(f.article_id, len(review_ids))
            if f.article_id.startswith("cd")
            else -1
            for f in feats
        ],
        dtype=np.int64,
    )
    ya, yb = years[lo], years[hi]
    keep = (ya == unknown) | (yb == unknown) | (np.abs(ya - yb) <= tolerance)
    keep |= (review[lo] >= 0) & (review[lo] == review[hi])
    return lo[keep], hi[keep]


def _similar_titles(
    feats: Sequence[Features], lo: Ints, hi: Ints, config: DedupConfig
) -> tuple[Ints, Ints]:
    """Drop pairs whose titles are below every threshold `match.compare` could accept.

    Below `title_threshold` a pair can only match on its citation (same volume and year),
    so only those pairs keep a chance; the rest need titles whose lengths allow the
    threshold (a cheap bound on the Indel ratio) and then the ratio itself.
    """
    if not len(lo):
        return lo, hi
    floor = config.title_threshold - _FLOAT_SLACK
    volume_ids: dict[str, int] = {"": -1}
    volumes = np.asarray([volume_ids.setdefault(f.volume, len(volume_ids)) for f in feats])
    years = np.asarray([-1 if f.year is None else f.year for f in feats])
    lengths = np.asarray([len(f.title) for f in feats])
    dated = (years[lo] == years[hi]) | ((years[lo] < 0) != (years[hi] < 0))
    citation = (volumes[lo] >= 0) & (volumes[lo] == volumes[hi]) & dated
    la, lb = lengths[lo], lengths[hi]
    bound = 200 * np.minimum(la, lb) / np.maximum(la + lb, 1)
    check = np.flatnonzero(~citation & (bound >= floor))
    titles = [f.title for f in feats]
    left, right = lo[check].tolist(), hi[check].tolist()
    ratio = cpdist(
        [titles[i] for i in left],
        [titles[j] for j in right],
        scorer=fuzz.ratio,
        score_cutoff=floor,
        workers=-1,
    )
    keep = citation
    keep[check[ratio >= floor]] = True
    keep[_truncations(titles, lengths, lo, hi, ~keep)] = True
    return lo[keep], hi[keep]


def _truncations(
    titles: Sequence[str], lengths: Ints, lo: Ints, hi: Ints, undecided: npt.NDArray[np.bool_]
) -> Ints:
    """Positions of undecided pairs where one title begins the other (`match.truncated`)."""
    shorter = np.minimum(lengths[lo], lengths[hi])
    check = np.flatnonzero(undecided & (shorter >= MIN_TRUNCATED) & (lengths[lo] != lengths[hi]))
    common = cpdist(
        [titles[i] for i in lo[check].tolist()],
        [titles[j] for j in hi[check].tolist()],
        scorer=Prefix.similarity,
        workers=-1,
    )
    cut: Ints = check[common == shorter[check]]
    return cut
