"""The query AST: small frozen values.

Field tags live on the leaves (`Term`, `Phrase`, `Near`, `DateRange`): a tag written after
a group, `(a OR b)[ti]`, is pushed down to each leaf by the parser, because every
database we compile to tags terms, not groups. A leaf whose `field` is `None` was written
without a tag and takes the strategy's default field at compile/match time.

Every node carries a `span` (offsets into the query text) that equality ignores, so
`parse(print(tree)) == tree` holds although the printed text differs from the original.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date
from enum import StrEnum
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range `[start, end)` in the query text."""

    start: int
    end: int


NO_SPAN = Span(0, 0)


class Field(StrEnum):
    """Field tags, spelled as PubMed spells them.

    The matching semantics of each is documented in docs/query-language.md.
    """

    TIAB = "tiab"
    """Title, abstract and author keywords (PubMed's [tiab] covers author keywords too)."""
    TI = "ti"
    """Title only."""
    AB = "ab"
    """Abstract only."""
    OT = "ot"
    """Author keywords ("other terms")."""
    MH = "mh"
    """MeSH heading, exploded to narrower headings (PubMed default)."""
    MH_NOEXP = "mh:noexp"
    """MeSH heading, not exploded."""
    MAJR = "majr"
    """MeSH heading as a major topic."""
    AU = "au"
    """Author name, PubMed form: `smith j`."""
    LA = "la"
    """Language, e.g. `english`."""
    PT = "pt"
    """Publication type, e.g. `review`."""
    TA = "ta"
    """Journal title."""
    DP = "dp"
    """Publication date (only in date ranges)."""
    EDAT = "edat"
    """Entry date: when the record entered the database (only in date ranges)."""

    @property
    def is_date(self) -> bool:
        return self in (Field.DP, Field.EDAT)

    @property
    def is_text(self) -> bool:
        """Free-text fields, where truncation, phrases and proximity make sense."""
        return self in (Field.TIAB, Field.TI, Field.AB, Field.OT)

    @property
    def is_mesh(self) -> bool:
        return self in (Field.MH, Field.MH_NOEXP, Field.MAJR)


DEFAULT_FIELD = Field.TIAB
"""The field an untagged term searches unless the strategy says otherwise."""


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date as written in a query: a year, optionally a month and a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "/".join(parts)


@dataclass(frozen=True, slots=True)
class Term:
    """One word (which may contain hyphens), optionally right-truncated: `co-produc*`."""

    text: str
    truncated: bool = False
    field: Field | None = None
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must appear together in order: `"public service*"` (last word truncated)."""

    words: tuple[str, ...]
    truncated: bool = False
    field: Field | None = None
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Near:
    """Words within `distance` intervening words, any order: `"patient partnership"[tiab:~3]`."""

    words: tuple[str, ...]
    distance: int
    field: Field | None = None
    truncated: bool = False
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DateRange:
    """A date limit inside the query: `2019:2024[dp]`, `2020/03[edat]`."""

    start: PartialDate
    end: PartialDate
    field: Field = Field.DP
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    """All items must match."""

    items: tuple[Node, ...]
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item must match."""

    items: tuple[Node, ...]
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    """`include NOT exclude`: records matching `include` and not `exclude`."""

    include: Node
    exclude: Node
    span: Span = _field(default=NO_SPAN, compare=False, repr=False)


Leaf: TypeAlias = Term | Phrase | Near | DateRange
Node: TypeAlias = Term | Phrase | Near | DateRange | And | Or | Not

LEAF_TYPES = (Term, Phrase, Near, DateRange)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node` (none for a leaf)."""
    if isinstance(node, And | Or):
        return node.items
    if isinstance(node, Not):
        return (node.include, node.exclude)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out
