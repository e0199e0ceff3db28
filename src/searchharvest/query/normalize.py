"""Semantics-preserving simplifications of an AST.

`normalize` makes trees that mean the same thing look the same (useful before
comparing strategies, compiling, or counting terms); `with_default_field` makes the
strategy's default field explicit on every untagged text leaf, so that dialects and the
matcher never have to guess.
"""

from __future__ import annotations

from dataclasses import replace

from searchharvest.query.ast import And, DateRange, Field, Near, Node, Or, Phrase, Term
from searchharvest.query.visitor import Transformer


def equivalence_key(node: Node) -> object:
    """Identity of a node for duplicate removal: words compare case-insensitively."""
    if isinstance(node, Term):
        return ("term", node.text.casefold(), node.truncated, node.field)
    if isinstance(node, Phrase):
        return ("phrase", tuple(w.casefold() for w in node.words), node.truncated, node.field)
    if isinstance(node, Near):
        words = tuple(w.casefold() for w in node.words)
        return ("near", words, node.distance, node.truncated, node.field)
    if isinstance(node, And | Or):
        return (type(node).__name__, tuple(equivalence_key(item) for item in node.items))
    if isinstance(node, DateRange):
        return node
    return ("not", equivalence_key(node.include), equivalence_key(node.exclude))


class _Normalizer(Transformer):
    def visit_and(self, node: And) -> Node:
        return self._group(node)

    def visit_or(self, node: Or) -> Node:
        return self._group(node)

    def _group(self, node: And | Or) -> Node:
        flat: list[Node] = []
        for item in node.items:
            new = self.visit(item)
            flat.extend(new.items if type(new) is type(node) else (new,))
        seen: set[object] = set()
        unique: list[Node] = []
        for item in flat:
            key = equivalence_key(item)
            if key not in seen:
                seen.add(key)
                unique.append(item)
        if len(unique) == 1:
            return unique[0]
        return replace(node, items=tuple(unique))


def normalize(node: Node) -> Node:
    """Flatten nested same-operator groups, drop duplicates, collapse one-item groups.

    `(a OR (b OR c)) OR A` becomes `a OR b OR c`: `And` in `And` and `Or` in `Or` are
    flattened, items equal up to letter case (same field, same truncation) are kept
    once (the first one wins), and a group left with one item is replaced by that item.
    The result is idempotent: `normalize(normalize(t)) == normalize(t)`.

    >>> from searchharvest.query.parser import parse
    >>> from searchharvest.query.printer import to_string
    >>> to_string(normalize(parse("(a OR (b OR c)) OR A")))
    'a OR b OR c'
    """
    return _Normalizer().visit(node)


class _DefaultField(Transformer):
    def __init__(self, field: Field) -> None:
        self.field = field

    def visit_term(self, node: Term) -> Node:
        return node if node.field is not None else replace(node, field=self.field)

    def visit_phrase(self, node: Phrase) -> Node:
        return node if node.field is not None else replace(node, field=self.field)

    def visit_near(self, node: Near) -> Node:
        return node if node.field is not None else replace(node, field=self.field)


def with_default_field(node: Node, field: Field) -> Node:
    """Give every untagged text leaf (`Term`, `Phrase`, `Near`) the field `field`.

    Args:
        node: a parsed query.
        field: the strategy's default field, usually `Field.TIAB`.

    Raises:
        ValueError: `field` is a date field, which only date ranges can carry.

    >>> from searchharvest.query.parser import parse
    >>> from searchharvest.query.printer import to_string
    >>> to_string(with_default_field(parse("a OR b[mh]"), Field.TIAB))
    'a[tiab] OR b[mh]'
    """
    if field.is_date:
        raise ValueError(f"the default field cannot be a date field: {field.value}")
    return _DefaultField(field).visit(node)
