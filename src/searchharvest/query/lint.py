"""Warnings about queries that parse but probably do not mean what the author meant.

Lint is a separate pass from parsing: the parser accepts every query with a defined
meaning, and `lint()` reports the spots where that meaning is easy to misread (mixed
AND/OR without parentheses, NOT, lower-case operator words, bare words read as a
phrase) or where the query is wasteful (duplicates, terms a truncation already covers).
`compile` and the CLI print these; they never change the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from searchharvest.query.ast import (
    DEFAULT_FIELD,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Span,
    Term,
    walk,
)
from searchharvest.query.normalize import equivalence_key
from searchharvest.query.parser import parse
from searchharvest.query.printer import to_string
from searchharvest.query.tokens import DOUBLE_QUOTES, SINGLE_QUOTES, tokenize

Severity = Literal["info", "warning"]

EXPLODING_STEM = 5
"""Truncation stems shorter than this (letters and digits) tend to match far too much."""


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One finding: a stable `code`, a message that says what to do, and where."""

    code: str
    message: str
    span: Span
    severity: Severity


def _explicitly_grouped(node: And | Or | Not) -> bool:
    """Whether the user wrote parentheses around `node` (its span starts before its items)."""
    first = node.items[0] if isinstance(node, And | Or) else node.include
    return node.span.start < first.span.start


def _or_tighter(node: Or) -> Node:
    """What `node` means if OR bound tighter than AND: the usual intent of OR-list blocks."""
    segments: list[list[Node]] = [[]]
    for item in node.items:
        if isinstance(item, And) and not _explicitly_grouped(item):
            segments[-1].append(item.items[0])
            segments.extend([rest] for rest in item.items[1:])
        else:
            segments[-1].append(item)
    blocks = tuple(Or(tuple(seg)) if len(seg) > 1 else seg[0] for seg in segments)
    return And(blocks)


def _field_name(field: Field | None, default_field: Field) -> str:
    return (field or default_field).value


def _mixed(root: Node) -> list[LintWarning]:
    found: list[LintWarning] = []
    for node in walk(root):
        if isinstance(node, Or) and any(
            isinstance(item, And) and not _explicitly_grouped(item) for item in node.items
        ):
            found.append(
                LintWarning(
                    "mixed-and-or",
                    "AND and OR mixed without parentheses; AND binds tighter, so this reads "
                    f"as: {to_string(node)}. If you meant OR-blocks joined by AND, write: "
                    f"{to_string(_or_tighter(node))}",
                    node.span,
                    "warning",
                )
            )
        if isinstance(node, And | Or):
            for item in node.items:
                if isinstance(item, Not) and not _explicitly_grouped(item):
                    found.append(
                        LintWarning(
                            "mixed-not",
                            "NOT binds tighter than AND/OR here (PubMed reads left to right), "
                            f"so it only excludes from {to_string(item.include)}; add "
                            "parentheses to say which part NOT applies to",
                            item.span,
                            "warning",
                        )
                    )
    return found


def _truncations(root: Node, default_field: Field) -> list[LintWarning]:
    found: list[LintWarning] = []
    for node in walk(root):
        if isinstance(node, Term | Phrase) and node.truncated:
            stem = node.text if isinstance(node, Term) else node.words[-1]
            letters = sum(ch.isalnum() for ch in stem)
            if letters < EXPLODING_STEM:
                found.append(
                    LintWarning(
                        "short-truncation",
                        f"{to_string(node)}: a {letters}-letter stem matches many words; "
                        "check the hit count or list the variants",
                        node.span,
                        "info",
                    )
                )
        if not isinstance(node, Or):
            continue
        stems = [item for item in node.items if isinstance(item, Term | Phrase) and item.truncated]
        for item in node.items:
            for cover in stems:
                if item is not cover and _covers(cover, item, default_field):
                    found.append(
                        LintWarning(
                            "covered-by-truncation",
                            f"{to_string(item)} is already matched by {to_string(cover)}",
                            item.span,
                            "info",
                        )
                    )
                    break
    return found


def _covers(cover: Term | Phrase, item: Node, default_field: Field) -> bool:
    if not isinstance(item, Term | Phrase):
        return False
    if (cover.field or default_field) != (item.field or default_field):
        return False
    cover_words = (cover.text,) if isinstance(cover, Term) else cover.words
    item_words = (item.text,) if isinstance(item, Term) else item.words
    if len(cover_words) != len(item_words):
        return False
    folded = [w.casefold() for w in item_words]
    head = [w.casefold() for w in cover_words]
    if folded[:-1] != head[:-1] or not folded[-1].startswith(head[-1]):
        return False
    return not (item.truncated and folded[-1] == head[-1])


def _duplicates(root: Node) -> list[LintWarning]:
    found: list[LintWarning] = []
    for node in walk(root):
        if not isinstance(node, And | Or):
            continue
        seen: set[object] = set()
        for item in node.items:
            key = equivalence_key(item)
            if key in seen:
                found.append(
                    LintWarning(
                        "duplicate",
                        f"{to_string(item)} appears twice in the same group",
                        item.span,
                        "info",
                    )
                )
            seen.add(key)
    return found


def _nots(root: Node) -> list[LintWarning]:
    return [
        LintWarning(
            "not",
            f"NOT removes every record that matches {to_string(node.exclude)}, including "
            "relevant records that merely mention it",
            node.exclude.span,
            "warning",
        )
        for node in walk(root)
        if isinstance(node, Not)
    ]


def _untagged(root: Node, default_field: Field) -> list[LintWarning]:
    """One note for all untagged terms: a long strategy should not get one per term."""
    untagged = [
        node for node in walk(root) if isinstance(node, Term | Phrase | Near) and node.field is None
    ]
    if not untagged:
        return []
    first = to_string(untagged[0])
    subject = (
        f"{first} has no field tag; it is"
        if len(untagged) == 1
        else f"{len(untagged)} terms have no field tag (the first is {first}); they are"
    )
    return [
        LintWarning(
            "untagged",
            f"{subject} searched in the default field [{default_field.value}]",
            untagged[0].span,
            "info",
        )
    ]


def _textual(query: str, root: Node) -> list[LintWarning]:
    found = [
        LintWarning(
            "lowercase-operator",
            f"{token.text!r} is searched as a word; write {token.text.upper()} for the operator",
            Span(token.start, token.end),
            "warning",
        )
        for token in tokenize(query)
        if token.kind == "WORD" and token.text in ("and", "or", "not")
    ]
    for node in walk(root):
        if (
            isinstance(node, Phrase | Near)
            and query[node.span.start] not in DOUBLE_QUOTES + SINGLE_QUOTES
        ):
            tag = f"[{node.field.value}]" if node.field is not None else ""
            found.append(
                LintWarning(
                    "implicit-phrase",
                    f"unquoted words before a tag are read as one phrase: {to_string(node)}; "
                    f"quote them, or tag each word ({' AND '.join(w + tag for w in node.words)})",
                    node.span,
                    "info",
                )
            )
    return found


def lint(query: str | Node, *, default_field: Field = DEFAULT_FIELD) -> list[LintWarning]:
    """Check a query for likely mistakes.

    Args:
        query: query text (parsed first), or an AST. Checks that need the written text
            (mixed operators without parentheses, lower-case operator words, unquoted
            phrases) run only on text; spans point into that text.
        default_field: the field untagged terms are searched in.

    Returns:
        Warnings in order of position.

    Raises:
        QuerySyntaxError: `query` is text that does not parse.

    >>> [w.code for w in lint("a OR b AND care[ti]")]
    ['untagged', 'mixed-and-or']
    """
    root = parse(query) if isinstance(query, str) else query
    found = _truncations(root, default_field) + _duplicates(root) + _nots(root)
    found += _untagged(root, default_field)
    if isinstance(query, str):
        found += _mixed(root) + _textual(query, root)
    return sorted(found, key=lambda w: (w.span.start, w.span.end, w.code))
