"""OpenAlex: one `filter` parameter holding a Boolean text search plus exact filters.

Rules: https://developers.openalex.org/guides/searching and
https://developers.openalex.org/guides/filtering. The text search goes in one
`<family>.search` filter (title, abstract, or both); dates and language become their own
filters, which OpenAlex ANDs. OpenAlex stems words and drops stop words even inside
quotes, so every search is BROADER and the local matcher restores exact word matching.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Final
from urllib.parse import urlencode

from searchharvest.dialects.base import (
    Compiled,
    Dialect,
    Dropped,
    Fidelity,
    Fragment,
    conjuncts,
    date_bounds,
    load_facts,
    unwrap,
)
from searchharvest.dialects.languages import iso639_1
from searchharvest.query.ast import (
    And,
    DateRange,
    Field,
    Leaf,
    Near,
    Node,
    Or,
    Phrase,
    Term,
    walk,
)

_FACTS: Final = load_facts("openalex")
_UNSAFE = re.compile(r"[^\w\s'-]")
"""Characters that would break the filter value (`,` splits filters, `:` ends a name)."""

MAX_URL_BYTES: Final[int] = _FACTS["limits"]["max_url_bytes"]
"""OpenAlex rejects request URLs longer than this."""
_RESERVED: Final[int] = _FACTS["limits"]["reserved_url_bytes"]
_BASE_URL: Final[str] = _FACTS["limits"]["base_url"]
_SEARCH_FAMILIES = (Field.TIAB, Field.TI, Field.AB)


class OpenAlex(Dialect, facts=_FACTS):
    """OpenAlex `/works?filter=` parameters."""

    name = "openalex"
    SUPPORTS_BOOLEAN = True
    """AND/OR/NOT in uppercase with parentheses, inside a `.search` filter."""
    SUPPORTS_PHRASE = True
    """Double-quoted phrases (still stemmed, stop words still dropped)."""
    SUPPORTS_WILDCARD = True
    """Trailing `*` per the current docs; the connector verifies it at runtime."""
    MIN_TRUNCATION_STEM = 1
    """No minimum stem is documented."""
    SUPPORTS_PROXIMITY = False
    """`"a b"~N` counts positions, not intervening words: sent as AND instead."""

    def __init__(self) -> None:
        super().__init__()
        self.family = Field.TIAB

    def text_field(self, node: Leaf) -> Dropped | None:
        """Dropped when the leaf's field is not searchable; notes a widened field."""
        field = self.field_of(node)
        if field not in self.FIELDS:
            return self.unsearchable(field)
        if field is not self.family:
            self.note(
                node,
                Fidelity.BROADER,
                f"OpenAlex cannot OR across filters: [{field.value}] is searched in title "
                "and abstract together with the rest of the query",
            )
        return None

    def clean(self, node: Leaf, texts: tuple[str, ...]) -> list[str]:
        """Words safe inside a filter value; hyphenated words are split into their parts."""
        if any(_UNSAFE.search(t) for t in texts):
            self.note(
                node,
                Fidelity.BROADER,
                "punctuation would break the OpenAlex filter value (a comma splits "
                "filters); replaced by spaces",
            )
        return [p for t in texts for p in re.split(r"[\s-]+", _UNSAFE.sub(" ", t)) if p]

    def visit_term(self, node: Term) -> Fragment:
        dropped = self.text_field(node)
        if dropped:
            return dropped
        parts = self.clean(node, (node.text,))
        if len(parts) == 1:
            return parts[0] + ("*" if node.truncated else "")
        if not node.truncated:
            return '"' + " ".join(parts) + '"'
        self.note(
            node,
            Fidelity.BROADER,
            "OpenAlex splits hyphenated words and a wildcard cannot end a phrase: sent "
            "as AND of the parts",
        )
        return _all_of(parts, truncated=True)

    def visit_phrase(self, node: Phrase) -> Fragment:
        dropped = self.text_field(node)
        if dropped:
            return dropped
        parts = self.clean(node, node.words)
        if not node.truncated:
            return '"' + " ".join(parts) + '"'
        self.note(
            node,
            Fidelity.BROADER,
            "a wildcard cannot end an OpenAlex phrase: sent as AND of the words",
        )
        return _all_of(parts, truncated=True)

    def visit_near(self, node: Near) -> Fragment:
        dropped = self.text_field(node)
        if dropped:
            return dropped
        self.note(
            node,
            Fidelity.BROADER,
            "OpenAlex proximity counts positions differently from PubMed: sent as AND of "
            "the words (the local matcher applies the distance)",
        )
        return _all_of(self.clean(node, node.words), truncated=node.truncated)

    def visit_date_range(self, node: DateRange) -> Fragment:
        return self.unsearchable(node.field)

    def native(self, query: Node, date_from: date | None, date_to: date | None) -> dict[str, str]:
        date_from, date_to, rest = date_bounds(conjuncts(query), date_from, date_to)
        languages, rest = _languages(rest)
        filters = [f"{self.FILTERS['language']}:{codes}" for codes in languages]
        if date_from:
            filters.append(f"{self.FILTERS['from_date']}:{date_from.isoformat()}")
        if date_to:
            filters.append(f"{self.FILTERS['to_date']}:{date_to.isoformat()}")
        if rest:
            search = rest[0] if len(rest) == 1 else And(tuple(rest))
            text = self.search(search, required=not filters)
            if text:
                filters.insert(0, f"{self.FIELDS[self.family]}:{text}")
        if not filters:
            self.searchable(query)
        return {"filter": ",".join(filters)}

    def search(self, node: Node, *, required: bool) -> str | None:
        """The Boolean search expression, or None when all of it is left out."""
        leaves = [n for n in walk(node) if isinstance(n, Term | Phrase | Near)]
        families = {self.field_of(n) for n in leaves} & set(_SEARCH_FAMILIES)
        self.family = families.pop() if len(families) == 1 else Field.TIAB
        if required:
            text = self.searchable(node)
        else:
            fragment = self.visit(node)
            if isinstance(fragment, Dropped):
                self.note(
                    node,
                    Fidelity.BROADER,
                    f"{fragment.reason}; left out of the query sent, so more records come "
                    "back (the local matcher applies it)",
                )
                return None
            text = fragment
        tiab = [n for n in leaves if self.field_of(n) is Field.TIAB]
        if tiab:
            self.note(
                tiab[0],
                Fidelity.EXACT,
                "coverage: OpenAlex does not hold author keywords, so [tiab] searches "
                "title and abstract only",
            )
        self.note(
            node,
            Fidelity.BROADER,
            "stemming/stop words: OpenAlex stems words and drops stop words, even in "
            "quotes; the local matcher applies exact word matching",
        )
        return unwrap(text)


def _all_of(parts: list[str], *, truncated: bool) -> str:
    words = [*parts[:-1], parts[-1] + ("*" if truncated else "")]
    return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"


def _language_code(node: Node) -> str | None:
    if isinstance(node, Term | Phrase) and node.field is Field.LA:
        return iso639_1(node.text if isinstance(node, Term) else " ".join(node.words))
    return None


def _languages(nodes: list[Node]) -> tuple[list[str], list[Node]]:
    """Top-level [la] conjuncts (or ORs of them) with known codes → filter values."""
    codes: list[str] = []
    rest: list[Node] = []
    for node in nodes:
        items = node.items if isinstance(node, Or) else (node,)
        found = [_language_code(item) for item in items]
        if all(found):
            codes.append("|".join(c for c in found if c))
        else:
            rest.append(node)
    return codes, rest


def url_bytes(native: dict[str, str]) -> int:
    """Length of the request URL for these parameters, with room for paging and keys."""
    return len(f"{_BASE_URL}?{urlencode(native)}") + _RESERVED


def split_or(compiled: Compiled, max_bytes: int = MAX_URL_BYTES) -> list[Compiled]:
    """Split the largest top-level OR group until every request URL fits.

    `(X AND (a OR b OR c OR d))` equals `(X AND (a OR b)) ∪ (X AND (c OR d))`, so the
    union of the chunks' results is the result of the query. The caller keeps matching
    records with the original `compiled.query`.

    Returns:
        `[compiled]` when it already fits or has no OR group to split; else the chunks.
    """
    if not isinstance(compiled.native, dict) or url_bytes(compiled.native) <= max_bytes:
        return [compiled]
    query = compiled.query
    groups = [n for n in conjuncts(query) if isinstance(n, Or)]
    if not groups:
        return [compiled]
    target = max(groups, key=lambda g: len(g.items))
    items = target.items
    chunks = [compiled]
    for count in range(2, len(items) + 1):
        size = -(-len(items) // count)
        chunks = []
        for start in range(0, len(items), size):
            part = replace(target, items=items[start : start + size])
            rebuilt: Node = part
            if isinstance(query, And):
                rebuilt = And(tuple(part if n is target else n for n in query.items), query.span)
            chunks.append(OpenAlex().generate(rebuilt, compiled.date_from, compiled.date_to))
        if all(url_bytes(c.native) <= max_bytes for c in chunks if isinstance(c.native, dict)):
            return chunks
    return chunks
