"""Canonical printer: AST → query text that parses back to the same AST.

The canonical form never relies on precedence: every compound child of `AND`, `OR` or
`NOT` is parenthesised. Operators are uppercase, phrases use straight double quotes and
tags use the short lower-case form (`[tiab]`, `[mh:noexp]`, `[tiab:~3]`, `2019:2024[dp]`).

Invariants of every AST this prints faithfully (the parser only builds such trees):
words are non-empty and contain no whitespace, no double quote (`"“”`) and no `*`;
`And`/`Or` have at least two items; `Near` has at least two words; a `DateRange` field is
a date field and no other leaf has one. A one-word `Term` that could not stand bare
(an operator word `AND`/`OR`/`NOT`, a word with `:`, `$`, brackets, a leading quote, ...)
is printed in double quotes, which parse back to the same `Term`.
"""

from __future__ import annotations

from searchharvest.query.ast import And, DateRange, Field, Near, Node, Not, Or, Phrase, Term
from searchharvest.query.parser import word_problem
from searchharvest.query.tokens import DOUBLE_QUOTES, OPERATORS, SINGLE_QUOTES

_NEEDS_QUOTES = frozenset("()[]" + DOUBLE_QUOTES)


def _tag(field: Field | None, distance: int | None = None) -> str:
    name = field.value if field is not None else ""
    if distance is not None:
        return f"[{name}:~{distance}]" if name else f"[~{distance}]"
    return f"[{name}]" if name else ""


def _bare(text: str) -> bool:
    return (
        text not in OPERATORS
        and text[0] not in SINGLE_QUOTES
        and not _NEEDS_QUOTES.intersection(text)
        and word_problem(text) is None
    )


def _words(words: tuple[str, ...], truncated: bool) -> str:
    return '"' + " ".join(words) + ("*" if truncated else "") + '"'


def _child(node: Node) -> str:
    text = to_string(node)
    return f"({text})" if isinstance(node, And | Or | Not) else text


def to_string(node: Node) -> str:
    """Print `node` in canonical syntax.

    Args:
        node: any AST the parser can produce.

    Returns:
        Text such that `parse(to_string(node)) == node`.

    >>> from searchharvest.query.parser import parse
    >>> to_string(parse("a OR b AND c[Title]"))
    'a OR (b AND c[ti])'
    """
    if isinstance(node, Term):
        star = "*" if node.truncated else ""
        text = node.text + star if _bare(node.text) else f'"{node.text}{star}"'
        return text + _tag(node.field)
    if isinstance(node, Phrase):
        return _words(node.words, node.truncated) + _tag(node.field)
    if isinstance(node, Near):
        return _words(node.words, node.truncated) + _tag(node.field, node.distance)
    if isinstance(node, DateRange):
        span = str(node.start) if node.start == node.end else f"{node.start}:{node.end}"
        return span + _tag(node.field)
    if isinstance(node, Not):
        return f"{_child(node.include)} NOT {_child(node.exclude)}"
    operator = " AND " if isinstance(node, And) else " OR "
    return operator.join(_child(item) for item in node.items)
