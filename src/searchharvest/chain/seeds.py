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
from dataclasses import dataclass
from pathlib import Path

from searchharvest.chain.base import LinkSource, id_keys
from searchharvest.chain.crossref import CrossrefLinks
from searchharvest.dedup import merge
from searchharvest.errors import ConfigError
from searchharvest.export import SUFFIXES, read_file
from searchharvest.records import Ids, Record

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

    A string naming an existing file with a record-file suffix is read as a file;
    any other string is a list of identifiers separated by commas or spaces.

    Raises:
        ConfigError: an identifier that is not one, or no seeds at all.
        RecordFileError: the file cannot be read.

    >>> [s.label for s in load_seeds("10.7717/peerj.4375, W2741809807 29456894")]
    ['10.7717/peerj.4375', 'W2741809807', '29456894']
    """
    if isinstance(source, Path) or (
        isinstance(source, str)
        and Path(source).suffix.lower() in SUFFIXES
        and Path(source).is_file()
    ):
        seeds = [Seed(_label(r), r) for r in read_file(source)]
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


def _from_text(text: str) -> Seed:
    return Seed(text.strip(), Record(ids=parse_identifier(text)))


def _label(record: Record) -> str:
    keys = record.ids.keys()
    if keys:
        return keys[0].split(":", 1)[1]
    return f"{record.title or 'untitled'} ({record.year or 'n.d.'})"


async def resolve_seeds(
    seeds: Sequence[Seed], sources: Mapping[str, LinkSource], lookup: CrossrefLinks
) -> tuple[list[tuple[Seed, Record]], list[UnresolvedSeed]]:
    """Look every seed up in every source; merge what was found with what was given.

    Args:
        seeds: the seeds as loaded.
        sources: the chosen link sources by name.
        lookup: the Crossref client used for seeds without identifiers.

    Returns:
        `(seed, merged record)` for each seed some source found, and the rest, each
        with its reason.
    """
    given: list[Record] = []
    unresolved: list[UnresolvedSeed] = []
    skipped: set[int] = set()
    for position, seed in enumerate(seeds):
        record = seed.record
        if not record.ids.keys():
            found = await lookup.lookup(record) if record.title else None
            if found is None:
                why = "no identifier, and no verified bibliographic match in Crossref"
                unresolved.append(
                    UnresolvedSeed(seed.label, why if record.title else "no id or title")
                )
                given.append(record)
                skipped.add(position)
                continue
            record = merge([record, found])
        given.append(record)
    wanted = [k for record in given for k in id_keys(record)]
    index: dict[str, list[Record]] = {}
    for source in sources.values():
        for found in await source.fetch(wanted):
            for key in id_keys(found):
                index.setdefault(key, []).append(found)
    resolved: list[tuple[Seed, Record]] = []
    for position, (seed, record) in enumerate(zip(seeds, given, strict=True)):
        if position in skipped:
            continue
        hits = {id(r): r for k in id_keys(record) for r in index.get(k, [])}
        if not hits:
            names = ", ".join(sources)
            unresolved.append(UnresolvedSeed(seed.label, f"not found in {names}"))
            continue
        resolved.append((seed, merge([record, *hits.values()])))
    return resolved, unresolved
