"""Crossref: the query's distinct positive words in `query.bibliographic`, dates as filters.

Rules: https://api.crossref.org/swagger-ui and https://github.com/CrossRef/rest-api-doc.
Crossref has no Boolean operators, phrases, proximity or truncation: the words are
OR-matched and ranked by relevance. Sending every positive word keeps the result a
superset (BROADER) of the query, and the local matcher restores the Boolean meaning.
Truncation is the exception: Crossref only matches the stem as a whole word, so it is
NARROWER and the caller must opt in.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from searchharvest.dialects.base import (
    Dialect,
    Dropped,
    Fidelity,
    Fragment,
    conjuncts,
    date_bounds,
    load_facts,
)
from searchharvest.query.ast import And, DateRange, Field, Leaf, Near, Node, Not, Phrase, Term, walk
from searchharvest.query.matcher import words

_FACTS: Final = load_facts("crossref")


class Crossref(Dialect, facts=_FACTS):
    """Crossref `/works?query.bibliographic=&filter=` parameters."""

    name = "crossref"
    SUPPORTS_BOOLEAN = False
    """Words are OR-matched and relevance-ranked; AND and NOT cannot be sent."""
    SUPPORTS_PHRASE = False
    """No phrase queries: the words of a phrase are sent one by one."""
    SUPPORTS_WILDCARD = False
    """No truncation: the stem is sent as a word, which loses other forms (NARROWER)."""
    MIN_TRUNCATION_STEM = 0
    """Truncation is not supported at all."""
    SUPPORTS_PROXIMITY = False
    """No proximity: the words are sent one by one."""

    def leaf_words(self, node: Leaf, texts: tuple[str, ...], truncated: bool) -> Fragment:
        field = self.field_of(node)
        if field not in self.FIELDS:
            return self.unsearchable(field)
        found = [w for t in texts for w in words(t)]
        if truncated:
            self.note(
                node,
                Fidelity.NARROWER,
                f"Crossref has no truncation: only the exact word {found[-1]!r} is searched; "
                "records using only other forms are lost",
            )
        return " ".join(found)

    def visit_term(self, node: Term) -> Fragment:
        fragment = self.leaf_words(node, (node.text,), node.truncated)
        if isinstance(fragment, str) and " " in fragment:
            self.note(
                node,
                Fidelity.BROADER,
                "Crossref has no phrase search: the parts of the hyphenated word are sent "
                "separately",
            )
        return fragment

    def visit_phrase(self, node: Phrase) -> Fragment:
        fragment = self.leaf_words(node, node.words, node.truncated)
        if isinstance(fragment, str):
            self.note(
                node,
                Fidelity.BROADER,
                "Crossref has no phrase search: the words are sent separately",
            )
        return fragment

    def visit_near(self, node: Near) -> Fragment:
        fragment = self.leaf_words(node, node.words, node.truncated)
        if isinstance(fragment, str):
            self.note(
                node,
                Fidelity.BROADER,
                "Crossref has no proximity search: the words are sent separately",
            )
        return fragment

    def visit_date_range(self, node: DateRange) -> Fragment:
        return self.unsearchable(node.field)

    def visit_not(self, node: Not) -> Fragment:
        include = self.visit(node.include)
        if not isinstance(include, Dropped):
            self.note(
                node.exclude,
                Fidelity.BROADER,
                "Crossref has no NOT: the exclusion is left out (the local matcher applies it)",
            )
        return include

    def combine(self, operator: str, node: Node, parts: list[str]) -> str:
        if operator == "AND" and len(parts) > 1:
            self.note(
                node,
                Fidelity.BROADER,
                "Crossref has no AND: records with any of the words come back, ranked by relevance",
            )
        return " ".join(parts)

    def native(self, query: Node, date_from: date | None, date_to: date | None) -> dict[str, str]:
        date_from, date_to, rest = date_bounds(conjuncts(query), date_from, date_to)
        filters = []
        if date_from:
            filters.append(f"{self.FILTERS['from_date']}:{date_from.isoformat()}")
        if date_to:
            filters.append(f"{self.FILTERS['to_date']}:{date_to.isoformat()}")
        if not rest:
            self.searchable(query)
        search = rest[0] if len(rest) == 1 else And(tuple(rest))
        text = self.searchable(search)
        tiab = [n for n in walk(search) if isinstance(n, Term | Phrase | Near)]
        tiab = [n for n in tiab if self.field_of(n) is Field.TIAB]
        if tiab:
            self.note(
                tiab[0],
                Fidelity.EXACT,
                "coverage: Crossref's query.bibliographic searches titles, not abstracts or "
                "keywords (most Crossref records have no abstract)",
            )
        native = {self.FIELDS[Field.TIAB]: " ".join(dict.fromkeys(text.split()))}
        if filters:
            native["filter"] = ",".join(filters)
        return native
