"""Seeds: identifiers or a record file in, resolved records and unresolved seeds out.

A seed is what the user gave (a DOI, PMID, PMCID, OpenAlex id, or a record from an
exported file). Each seed is looked up by its identifiers in every chosen source, in
batches; a seed with no identifier is first looked up bibliographically in Crossref
(title + year + first author, verified by `same_work`, so a near miss is not accepted).
Every seed that nothing found is reported with the reason, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from searchharvest.chain.base import LinkSource, id_keys
from searchharvest.chain.crossref import CrossrefLinks
from searchharvest.dedup import merge
from searchharvest.errors import ConfigError, SearchHarvestError
from searchharvest.export import SUFFIXES, read_file
from searchharvest.records import Ids, Record, normalize_doi

_SPLIT = re.compile(r"[\s,;]+")
_PMID = re.compile(r"^(?:pmid:\s*)?(\d{1,9})$", re.I)


@dataclass(frozen=True, slots=True)
class Seed:
    """One seed as given: `label` names it in reports (the id typed, or a title)."""

    label: str
    record: Record


@dataclass(frozen=True, slots=True)
class UnresolvedSeed:
    """A seed no source could find, and why."""

    label: str
    reason: str


@dataclass
class Resolution:
    """What seed resolution found: seeds with their records, the rest, and failures."""

    resolved: list[tuple[Seed, Record]] = field(default_factory=list)
    unresolved: list[UnresolvedSeed] = field(default_factory=list)
    failures: dict[str, SearchHarvestError] = field(default_factory=dict)
    """Source name → the error that stopped its lookups (the other sources still ran)."""


def parse_identifier(text: str) -> Ids:
    """One typed identifier → `Ids`: DOI, `pmid:`/digits, `PMC…`, OpenAlex `W…`.

    Raises:
        ConfigError: the text is none of these.

    >>> parse_identifier("https://doi.org/10.7717/PEERJ.4375").doi
    '10.7717/peerj.4375'
    >>> parse_identifier("29456894").pmid, parse_identifier("W2741809807").openalex
    ('29456894', 'W2741809807')
    """
    value = text.strip()
    pmid = _PMID.match(value)
    candidates = (
        Ids(pmid=pmid.group(1)) if pmid else Ids(),
        Ids(doi=value),
        Ids(pmcid=value) if value.upper().startswith("PMC") else Ids(),
        Ids(openalex=value)
        if re.fullmatch(r"(?i)(https?://openalex\.org/)?W\d+", value)
        else Ids(),
    )
    for ids in candidates:
        if ids.keys():
            return ids
    raise ConfigError(f"not a DOI, PMID, PMCID or OpenAlex id: {text!r}")


def load_seeds(source: str | Path | Iterable[str | Record]) -> list[Seed]:
    """Seeds from a record file (RIS, CSV, BibTeX, JSON Lines, .nbib) or identifiers.

    A string with a record-file suffix (`.ris`, `.csv`, ...) that is not a DOI names a
    file; any other string is a list of identifiers separated by commas or spaces.

    Raises:
        ConfigError: an identifier that is not one, a missing file, or no seeds at all.
        RecordFileError: the file cannot be read.

    >>> [s.label for s in load_seeds("10.7717/peerj.4375, W2741809807 29456894")]
    ['10.7717/peerj.4375', 'W2741809807', '29456894']
    """
    if isinstance(source, Path) or (isinstance(source, str) and _names_a_file(source)):
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"{path}: no such seed file")
        seeds = [Seed(_label(r), r) for r in read_file(path)]
    elif isinstance(source, str):
        seeds = [_from_text(t) for t in _SPLIT.split(source) if t]
    else:
        seeds = [
            Seed(_label(item), item) if isinstance(item, Record) else _from_text(item)
            for item in source
        ]
    if not seeds:
        raise ConfigError("no seeds given")
    return seeds


def _names_a_file(text: str) -> bool:
    """A single token with a record-file suffix that is not a DOI (`10.1/x.csv` is one)."""
    value = text.strip()
    if _SPLIT.search(value) or normalize_doi(value):
        return False
    return Path(value).suffix.lower() in SUFFIXES


def _from_text(text: str) -> Seed:
    return Seed(text.strip(), Record(ids=parse_identifier(text)))


def _label(record: Record) -> str:
    keys = record.ids.keys()
    if keys:
        return keys[0].split(":", 1)[1]
    return f"{record.title or 'untitled'} ({record.year or 'n.d.'})"


async def resolve_seeds(
    seeds: Sequence[Seed], sources: Mapping[str, LinkSource], lookup: CrossrefLinks
) -> Resolution:
    """Look every seed up in every source; merge what was found with what was given.

    A source that fails is recorded in `failures` and the others still run, so a seed
    known to PubMed resolves while OpenAlex is down.

    Args:
        seeds: the seeds as loaded.
        sources: the chosen link sources by name.
        lookup: the Crossref client used for seeds without identifiers.
    """
    out = Resolution()
    given: list[Record | None] = []
    for seed in seeds:
        record = seed.record
        if not id_keys(record):
            why = "no identifier and no title"
            found = None
            if record.title:
                why = "no identifier, and no verified bibliographic match in Crossref"
                try:
                    found = await lookup.lookup(record)
                except SearchHarvestError as exc:
                    out.failures.setdefault("crossref", exc)
                    why = f"no identifier, and the Crossref lookup failed: {exc}"
            if found is None:
                out.unresolved.append(UnresolvedSeed(seed.label, why))
                given.append(None)
                continue
            record = merge([record, found])
        given.append(record)
    wanted = [k for known in given if known for k in id_keys(known)]
    index: dict[str, list[Record]] = {}
    for name, source in sources.items():
        try:
            fetched = await source.fetch(wanted)
        except SearchHarvestError as exc:
            out.failures[name] = exc
            continue
        for hit in fetched:
            for key in id_keys(hit):
                index.setdefault(key, []).append(hit)
    for seed, known in zip(seeds, given, strict=True):
        if known is None:
            continue
        hits = {id(r): r for k in id_keys(known) for r in index.get(k, [])}
        if not hits:
            searched = ", ".join(n for n in sources if n not in out.failures)
            failed = ", ".join(out.failures)
            if not searched:
                why = f"not looked up: {failed} failed"
            else:
                why = f"not found in {searched}" + (f" ({failed} failed)" if failed else "")
            out.unresolved.append(UnresolvedSeed(seed.label, why))
            continue
        out.resolved.append((seed, merge([known, *hits.values()])))
    return out
