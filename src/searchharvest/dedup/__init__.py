"""De-duplication of records within and across sources and against a prior library.

Stages: exact identifiers (DOI, PMID, PMCID, OpenAlex id), then blocked fuzzy matching of
title, year, authors, journal, volume and pages; groups are joined by union-find and merged
by `merge()`. See `docs/dedup.md` for the rules and the measured precision and recall.
"""

from __future__ import annotations

from searchharvest.dedup.config import DedupConfig
from searchharvest.dedup.engine import DedupResult, DuplicateGroup, Link, Member, dedupe
from searchharvest.dedup.merge import merge

__all__ = ["DedupConfig", "DedupResult", "DuplicateGroup", "Link", "Member", "dedupe", "merge"]
