"""The chaining run: resolve seeds, then follow links generation by generation.

Breadth-first with a visited set of identifier keys, so a cycle (A cites B cites A)
ends where it meets a work already seen, and each work is fetched once. Each generation
asks every source for the links of the whole frontier in batches, fetches only targets
not seen before, merges copies of one work from several sources by shared identifiers,
and records the chaining origin on every record. After the last generation the records
are de-duplicated (identifiers, then fuzzy) against the seeds and then the prior set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Final, Literal, TypeVar

import httpx

from searchharvest._sync import run_sync
from searchharvest.chain.base import Direction, Links, LinkSource, id_keys
from searchharvest.chain.crossref import CrossrefLinks
from searchharvest.chain.network import Edge
from searchharvest.chain.openalex import OpenAlexLinks
from searchharvest.chain.pubmed import PubMedLinks
from searchharvest.chain.result import ChainResult, Coverage
from searchharvest.chain.seeds import Seed, load_seeds, resolve_seeds
from searchharvest.config import Settings
from searchharvest.dedup import dedupe, merge
from searchharvest.errors import ConfigError, SearchHarvestError
from searchharvest.http import HttpClient
from searchharvest.records import ChainOrigin, Record

T = TypeVar("T")

DirectionName = Literal["references", "citations", "both", "backward", "forward"]
DIRECTIONS: Final[dict[str, tuple[Direction, ...]]] = {
    "references": ("references",),
    "backward": ("references",),
    "citations": ("citations",),
    "forward": ("citations",),
    "both": ("references", "citations"),
}
SOURCES: Final[dict[str, Callable[[HttpClient], LinkSource]]] = {
    "openalex": OpenAlexLinks,
    "pubmed": PubMedLinks,
    "crossref": CrossrefLinks,
}
DEFAULT_SOURCES: Final = ("openalex", "pubmed", "crossref")
GROWTH_WARNING: Final = (
    "depth {depth}: every generation multiplies the records by the links per work "
    "(a median of 45 deposited references per work in a recorded Crossref answer); "
    "cap it with max_per_generation"
)

Progress = Callable[[str, int, int | None], None]
"""Called as `(stage, done, total)`: stage `seeds`, then `generation 1`, ..."""


def _check(direction: str, depth: int, sources: Sequence[str], cap: int | None) -> None:
    if direction not in DIRECTIONS:
        raise ConfigError(f"direction {direction!r}: expected one of {', '.join(DIRECTIONS)}")
    if depth < 1:
        raise ConfigError(f"depth must be 1 or more, not {depth}")
    unknown = [s for s in sources if s not in SOURCES]
    if unknown or not sources:
        raise ConfigError(f"sources {unknown or 'none'}: expected some of {', '.join(SOURCES)}")
    if cap is not None and cap < 1:
        raise ConfigError(f"max_per_generation must be 1 or more, not {cap}")


class _Run:
    """State of one chaining run: sources, visited keys, roots, edges and coverage."""

    def __init__(
        self,
        http: HttpClient,
        sources: Sequence[str],
        directions: tuple[Direction, ...],
        cap: int | None,
        progress: Progress | None,
    ) -> None:
        self.http = http
        self.sources = {name: SOURCES[name](http) for name in dict.fromkeys(sources)}
        crossref = self.sources.get("crossref")
        self.lookup = crossref if isinstance(crossref, CrossrefLinks) else CrossrefLinks(http)
        self.directions = directions
        self.cap = cap
        self.progress = progress
        self.failed: set[str] = set()
        self.visited: set[str] = set()
        self.roots: dict[str, frozenset[str]] = {}
        self.raw_edges: list[Edge] = []
        self.result = ChainResult(
            records=[],
            seeds=[],
            unresolved=[],
            coverage={name: Coverage(name) for name in self.sources},
            edges=[],
        )

    def _tick(self, stage: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def _see(self, record: Record, roots: frozenset[str]) -> None:
        self.visited.update(id_keys(record))
        self.roots[record.key] = roots

    async def run(self, seeds: Sequence[Seed], depth: int, prior: Sequence[Record]) -> ChainResult:
        result = self.result
        self._tick("seeds", 0, len(seeds))
        resolution = await resolve_seeds(seeds, self.sources, self.lookup)
        result.seeds = [record for _, record in resolution.resolved]
        result.unresolved = resolution.unresolved
        for name, exc in resolution.failures.items():
            self._fail(name, exc)
        self._tick("seeds", len(seeds), len(seeds))
        for record in result.seeds:
            self._see(record, frozenset({record.key}))
        found: list[Record] = []
        frontier = list(result.seeds)
        for generation in range(1, depth + 1):
            if not frontier or self.failed.issuperset(self.sources):
                break
            frontier = await self._generation(frontier, generation)
            result.generations.append(len(frontier))
            found.extend(frontier)
        self._finish(found, prior)
        return result

    def _fail(self, name: str, exc: SearchHarvestError) -> None:
        """Stop using source `name` for the rest of the run; the others go on."""
        self.failed.add(name)
        self.result.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        self.result.complete = False

    async def _guard(self, name: str, work: Awaitable[T]) -> T | None:
        """`await work`, or None when source `name` fails (recorded, not raised)."""
        try:
            return await work
        except SearchHarvestError as exc:
            self._fail(name, exc)
            return None

    async def _generation(self, frontier: list[Record], generation: int) -> list[Record]:
        stage = f"generation {generation}"
        live = [name for name in self.sources if name not in self.failed]
        tasks = [(name, d) for name in live for d in self.directions]
        self._tick(stage, 0, len(tasks) + len(live))
        answers = await asyncio.gather(
            *(self._guard(n, self.sources[n].links(frontier, d, self.cap)) for n, d in tasks)
        )
        linked: dict[str, list[tuple[str, Direction]]] = {}
        wanted: dict[str, dict[str, None]] = {name: {} for name in live}
        prefetched: dict[str, list[Record]] = {name: [] for name in live}
        for (name, direction), links in zip(tasks, answers, strict=True):
            if links is None:
                continue
            self._count(name, direction, links, generation)
            if links.skipped:
                self._cut(f"{stage}: {name} {direction}: {links.skipped} linked works not read")
            prefetched[name].extend(links.records)
            for work, targets in links.targets.items():
                for target in targets:
                    citing, cited = (work, target) if direction == "references" else (target, work)
                    self.raw_edges.append(Edge(citing, cited, name))
                    linked.setdefault(target, []).append((work, direction))
                    if target not in self.visited:
                        wanted[name][target] = None
        fetched: list[Record] = []
        for done, (name, pending) in enumerate(wanted.items(), start=len(tasks)):
            have = {k for r in prefetched[name] for k in id_keys(r)}
            need = [t for t in pending if t not in have]
            if self.cap is not None and len(need) > self.cap:
                self._cut(f"{stage}: {name} linked {len(need)} new works; fetched {self.cap}")
                need = need[: self.cap]
            fetched.extend(prefetched[name])
            if need and name not in self.failed:
                fetched.extend(await self._guard(name, self.sources[name].fetch(need)) or [])
            self._tick(stage, done + 1, len(tasks) + len(live))
        fresh = [r for r in (self._origin(r, linked, generation) for r in fetched) if r]
        merged = _merge_by_ids(fresh)
        if self.cap is not None and len(merged) > self.cap:
            self._cut(f"{stage}: {len(merged)} new records; kept the first {self.cap}")
            merged = merged[: self.cap]
        kept = {k for r in merged for k in id_keys(r)}
        self.result.identified += sum(1 for r in fresh if kept.intersection(id_keys(r)))
        for record in merged:
            seeds = {s for p in record.provenance if p.chain for s in p.chain.seeds}
            self._see(record, frozenset(seeds))
        return merged

    def _count(self, name: str, direction: Direction, links: Links, generation: int) -> None:
        coverage = self.result.coverage[name]
        coverage.links += sum(len(t) for t in links.targets.values())
        for note in links.notes:
            if note not in self.result.warnings:
                self.result.warnings.append(note)
        if generation == 1:
            coverage.seeds_queried = max(coverage.seeds_queried, len(links.queried))
            if direction == "references":
                coverage.with_references = len(links.covered)
            else:
                coverage.with_citations = len(links.covered)

    def _cut(self, message: str) -> None:
        self.result.complete = False
        self.result.warnings.append(message)

    def _origin(
        self, record: Record, linked: dict[str, list[tuple[str, Direction]]], generation: int
    ) -> Record | None:
        """`record` with one provenance per direction that reached it; None if seen."""
        keys = id_keys(record)
        if any(k in self.visited for k in keys):
            return None
        hits = [hit for k in keys for hit in linked.get(k, [])]
        if not hits or not record.provenance:
            return None
        base = record.provenance[0]
        provenance = []
        for direction in dict.fromkeys(d for _, d in hits):
            seeds = sorted({s for w, d in hits if d == direction for s in self.roots.get(w, ())})
            origin = ChainOrigin(seeds=tuple(seeds), direction=direction, generation=generation)
            provenance.append(base.model_copy(update={"chain": origin}))
        return record.model_copy(update={"provenance": tuple(provenance)})

    def _finish(self, found: list[Record], prior: Sequence[Record]) -> None:
        result = self.result
        against_seeds = dedupe(found, against=result.seeds)
        against_prior = dedupe(against_seeds.merged, against=prior)
        result.records = against_prior.merged
        result.prior_matches = against_prior.prior_matches
        result.duplicates_removed = result.identified - len(result.records) - result.prior_matches
        canonical = {k: r.key for r in [*result.seeds, *found] for k in id_keys(r)}
        edges = (
            Edge(canonical.get(e.citing, e.citing), canonical.get(e.cited, e.cited), e.via)
            for e in self.raw_edges
        )
        result.edges = list(dict.fromkeys(edges))
        retracted_ids = set()
        for source in self.sources.values():
            if isinstance(source, OpenAlexLinks):
                retracted_ids |= {f"openalex:{w}" for w in source.retracted}
        for record in [*result.seeds, *result.records]:
            marked = "Retracted Publication" in record.publication_types
            if marked or retracted_ids.intersection(id_keys(record)):
                result.retracted.append(record.key)
        for source in self.sources.values():
            result.warnings.extend(n for n in source.notes if n not in result.warnings)
        seed_keys = {s.key for s in result.seeds}
        for key in result.retracted:
            if key in seed_keys:
                result.warnings.append(f"seed {key} is retracted; its links are still followed")
        result.requests = {name: self.http.stats[name].requests for name in self.sources}


def _merge_by_ids(records: Sequence[Record]) -> list[Record]:
    """Merge records that share any identifier (one work from several sources)."""
    groups: list[list[Record]] = []
    owner: dict[str, int] = {}
    for record in records:
        hits = sorted({owner[k] for k in id_keys(record) if k in owner})
        if not hits:
            owner.update(dict.fromkeys(id_keys(record), len(groups)))
            groups.append([record])
            continue
        target = hits[0]
        for other in hits[1:]:
            groups[target].extend(groups[other])
            groups[other] = []
            owner.update({k: target for k, g in owner.items() if g == other})
        groups[target].append(record)
        owner.update(dict.fromkeys(id_keys(record), target))
    return [merge(group) for group in groups if group]


async def achain(
    seeds: str | Path | Iterable[str | Record],
    direction: DirectionName = "both",
    depth: int = 1,
    sources: Sequence[str] = DEFAULT_SOURCES,
    *,
    against: Iterable[Record] = (),
    max_per_generation: int | None = None,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
) -> ChainResult:
    """The async twin of `chain()`.

    >>> async def main() -> None:  # doctest: +SKIP
    ...     result = await achain(["10.7717/peerj.4375"], "references", sources=["openalex"])
    """
    names = [s.strip().lower() for s in sources]
    _check(direction, depth, names, max_per_generation)
    loaded = load_seeds(seeds)
    prior = list(against)
    async with HttpClient(settings or Settings.from_env(), transport=transport) as http:
        run = _Run(http, names, DIRECTIONS[direction], max_per_generation, progress)
        if depth > 1:
            run.result.warnings.append(GROWTH_WARNING.format(depth=depth))
        return await run.run(loaded, depth, prior)


def chain(
    seeds: str | Path | Iterable[str | Record],
    direction: DirectionName = "both",
    depth: int = 1,
    sources: Sequence[str] = DEFAULT_SOURCES,
    *,
    against: Iterable[Record] = (),
    max_per_generation: int | None = None,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
) -> ChainResult:
    """Citation chaining from seeds: references, citations or both, `depth` generations.

    Args:
        seeds: a record file (RIS, CSV, BibTeX, JSON Lines, .nbib), identifiers in one
            string (DOIs, PMIDs, PMCIDs, OpenAlex ids), or a list of ids or records.
        direction: `references` (backward), `citations` (forward) or `both`;
            `backward` and `forward` are accepted too.
        depth: generations to follow; each one can multiply the records (see warnings).
        sources: among `openalex`, `pubmed`, `crossref`.
        against: records already screened; matches are removed and counted.
        max_per_generation: most new works fetched and kept per generation; reaching
            it marks the result incomplete.
        settings: base URLs, keys, cache; default `Settings.from_env()`.
        transport: replaces the network (tests, offline replays).
        progress: called as `(stage, done, total)`.

    Raises:
        ConfigError: a bad direction, depth, source, cap or seed identifier.
        RecordFileError: the seed file cannot be read.

    >>> result = chain("10.7717/peerj.4375", "references", sources=["openalex"])  # doctest: +SKIP
    >>> len(result.records), result.coverage["openalex"].with_references  # doctest: +SKIP
    """
    return run_sync(
        achain(
            seeds,
            direction,
            depth,
            sources,
            against=against,
            max_per_generation=max_per_generation,
            settings=settings,
            transport=transport,
            progress=progress,
        )
    )
