"""`dedupe()`: exact identifiers, then blocked fuzzy matching, joined by union-find.

Links are applied strongest first (identifiers, then by title score) and a union is
refused when it would put two different DOIs or PMIDs in one group, so a chain of
individually plausible links can never join two distinct works.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from searchharvest._gc import collector_paused
from searchharvest.dedup.blocking import candidate_pairs
from searchharvest.dedup.config import DedupConfig
from searchharvest.dedup.match import compare, dois_conflict
from searchharvest.dedup.merge import merge
from searchharvest.dedup.normalize import Features, features
from searchharvest.records import Record

_ID_TITLE_FLOOR = 60.0
"""Records sharing an identifier but with unrelated titles (book chapters under one DOI,
a mis-keyed PMID) are not merged."""


@dataclass(frozen=True, slots=True)
class Member:
    """One record of a group: `index` into `records`, or into `against` when `prior`."""

    index: int
    prior: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """Why two records were joined: `doi`, `pmid`, or e.g. `title+year+author (score 97.3)`."""

    left: Member
    right: Member
    reason: str


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Records judged to be one work, with the links that joined them."""

    members: tuple[Member, ...]
    links: tuple[Link, ...]
    records: tuple[Record, ...]
    """The member records, in the order of `members`."""

    @property
    def has_prior(self) -> bool:
        """Whether the group contains a record the user already had."""
        return any(m.prior for m in self.members)


@dataclass(frozen=True, slots=True)
class DedupResult:
    """De-duplicated records and the PRISMA counts.

    `merged` holds one record per distinct new work, in input order (a singleton as it
    came, a group through `merge()`); works already in `against` are left out and their
    new copies listed in `removed_as_prior`.
    """

    merged: list[Record]
    groups: list[DuplicateGroup]
    removed_as_prior: list[Record]
    related: list[Link] = field(default_factory=list)
    """Pairs kept apart on purpose but worth showing together (preprint ↔ published)."""
    identified: int = 0
    duplicates_removed: int = 0
    unique: int = 0
    prior_matches: int = 0


class _Clusters:
    """Union-find that refuses unions joining different DOIs or PMIDs."""

    def __init__(self, feats: Sequence[Features]) -> None:
        self.parent = list(range(len(feats)))
        self.dois: list[set[str]] = [{f.doi} if f.doi and not f.preprint else set() for f in feats]
        self.pmids: list[set[str]] = [{f.pmid} if f.pmid else set() for f in feats]

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return False
        if any(dois_conflict(x, y) for x in self.dois[a] for y in self.dois[b]):
            return False
        if self.pmids[a] and self.pmids[b] and self.pmids[a] != self.pmids[b]:
            return False
        if len(self.dois[a]) + len(self.pmids[a]) < len(self.dois[b]) + len(self.pmids[b]):
            a, b = b, a
        self.parent[b] = a
        self.dois[a] |= self.dois[b]
        self.pmids[a] |= self.pmids[b]
        return True


def _id_links(pool: Sequence[Record], feats: Sequence[Features]) -> list[tuple[int, int, str]]:
    first: dict[str, int] = {}
    links: list[tuple[int, int, str]] = []
    for i, record in enumerate(pool):
        id_keys = record.ids.keys()
        for key in id_keys:
            j = first.setdefault(key, i)
            if j == i:
                continue
            a, b = feats[j], feats[i]
            if a.notice != b.notice or a.parts != b.parts:
                continue
            if a.title and b.title and fuzz.token_set_ratio(a.title, b.title) < _ID_TITLE_FLOOR:
                continue
            links.append((j, i, key.split(":", 1)[0]))
    return links


def dedupe(
    records: Iterable[Record],
    *,
    against: Iterable[Record] = (),
    config: DedupConfig | None = None,
) -> DedupResult:
    """Group duplicate records, merge each group, and drop works the user already has.

    Args:
        records: newly harvested records, from one or several sources.
        against: records the user already has (a prior search, a screened library);
            they are matched but never returned.
        config: thresholds; the defaults favour precision.

    Returns:
        The merged records, the duplicate groups with the reason of every link, and the
        PRISMA counts (`identified`, `duplicates_removed`, `unique`, `prior_matches`).

    >>> a = Record(title="A trial", ids={"doi": "10.1000/X"})
    >>> dedupe([a, Record(title="A trial.", ids={"doi": "https://doi.org/10.1000/x"})]).unique
    1
    """
    with collector_paused():
        return _dedupe(list(records), list(against), config or DedupConfig())


def _dedupe(new: list[Record], prior: list[Record], config: DedupConfig) -> DedupResult:
    pool = new + prior
    feats = [features(r) for r in pool]
    clusters = _Clusters(feats)
    accepted: list[tuple[int, int, str]] = []
    for i, j, reason in _id_links(pool, feats):
        if clusters.union(i, j):
            accepted.append((i, j, reason))
    scored: list[tuple[float, int, int, str]] = []
    related: list[Link] = []
    n = len(new)
    for i, j in candidate_pairs(feats, config):
        if clusters.find(i) == clusters.find(j):
            continue
        verdict = compare(feats[i], feats[j], config)
        if verdict is None:
            continue
        if verdict.related_only:
            related.append(Link(_member(i, n), _member(j, n), verdict.reason))
        else:
            scored.append((-verdict.score, i, j, verdict.reason))
    scored.sort()
    for _, i, j, reason in scored:
        if clusters.union(i, j):
            accepted.append((i, j, reason))
    return _assemble(new, pool, clusters, accepted, related)


def _member(i: int, n: int) -> Member:
    return Member(i, False) if i < n else Member(i - n, True)


def _assemble(
    new: list[Record],
    pool: list[Record],
    clusters: _Clusters,
    accepted: list[tuple[int, int, str]],
    related: list[Link],
) -> DedupResult:
    n = len(new)
    members: dict[int, list[int]] = {}
    for i in range(len(pool)):
        members.setdefault(clusters.find(i), []).append(i)
    links: dict[int, list[Link]] = {}
    for i, j, reason in accepted:
        links.setdefault(clusters.find(i), []).append(Link(_member(i, n), _member(j, n), reason))
    merged: list[Record] = []
    removed: list[Record] = []
    groups: list[DuplicateGroup] = []
    for root, indices in members.items():
        fresh = [pool[i] for i in indices if i < n]
        if len(indices) > 1:
            groups.append(
                DuplicateGroup(
                    members=tuple(_member(i, n) for i in indices),
                    links=tuple(links.get(root, ())),
                    records=tuple(pool[i] for i in indices),
                )
            )
        if not fresh:
            continue
        if indices[-1] >= n:
            removed.extend(fresh)
        else:
            merged.append(fresh[0] if len(fresh) == 1 else merge(fresh))
    unique = len(merged)
    return DedupResult(
        merged=merged,
        groups=groups,
        removed_as_prior=removed,
        related=related,
        identified=n,
        duplicates_removed=n - unique - len(removed),
        unique=unique,
        prior_matches=len(removed),
    )
