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
from searchharvest.query.lint import LintWarning, lint
from searchharvest.query.normalize import normalize, with_default_field
from searchharvest.query.parser import parse
from searchharvest.query.printer import to_string
from searchharvest.query.visitor import Transformer, Visitor

__all__ = [
    "DEFAULT_FIELD",
    "And",
    "DateRange",
    "Field",
    "Leaf",
    "LintWarning",
    "Near",
    "Node",
    "Not",
    "Or",
    "PartialDate",
    "Phrase",
    "Span",
    "Term",
    "Transformer",
    "Visitor",
    "lint",
    "normalize",
    "parse",
    "to_string",
    "with_default_field",
]
