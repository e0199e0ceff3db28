"""The query language: parse text into an AST, print it back, transform and lint it."""

from __future__ import annotations

from searchharvest.query.ast import (
    DEFAULT_FIELD,
    And,
    DateRange,
    Field,
    Leaf,
    Near,
    Node,
    Not,
    Or,
    PartialDate,
    Phrase,
    Span,
    Term,
)
from searchharvest.query.parser import parse
from searchharvest.query.printer import to_string

__all__ = [
    "DEFAULT_FIELD",
    "And",
    "DateRange",
    "Field",
    "Leaf",
    "Near",
    "Node",
    "Not",
    "Or",
    "PartialDate",
    "Phrase",
    "Span",
    "Term",
    "parse",
    "to_string",
]
