"""Walk and rewrite ASTs by node class.

`Visitor.visit(node)` calls `visit_<snake_case_class>` (`visit_term`, `visit_date_range`,
...) and falls back to `generic_visit`. `Transformer` is a visitor whose methods return
new nodes: its `generic_visit` rebuilds compound nodes from transformed children and
returns leaves as they are, so a subclass overrides only the node kinds it changes.
Trees are frozen; nothing is ever mutated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Generic, TypeVar, cast

from searchharvest.query.ast import And, Node, Not, Or

T = TypeVar("T")

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def method_name(node_class: type) -> str:
    """The handler name for a node class: `DateRange` → `visit_date_range`."""
    return "visit_" + _CAMEL.sub("_", node_class.__name__).lower()


class Visitor(Generic[T]):
    """Dispatch on the node class; subclasses define `visit_<node>` methods.

    >>> from searchharvest.query.parser import parse
    >>> class Count(Visitor[int]):
    ...     def visit_term(self, node): return 1
    ...     def generic_visit(self, node):
    ...         from searchharvest.query.ast import children
    ...         return sum(self.visit(c) for c in children(node))
    >>> Count().visit(parse("a OR b AND c"))
    3
    """

    def visit(self, node: Node) -> T:
        """Call the handler for `node`'s class, or `generic_visit`."""
        handler = getattr(self, method_name(type(node)), None)
        if handler is None:
            return self.generic_visit(node)
        return cast(Callable[[Node], T], handler)(node)

    def generic_visit(self, node: Node) -> T:
        """Fallback for node classes without a handler; override to give a default."""
        raise NotImplementedError(f"{type(self).__name__} has no {method_name(type(node))}")


class Transformer(Visitor[Node]):
    """A visitor that returns a new tree; unchanged subtrees are shared, not copied.

    >>> from searchharvest.query.ast import Term
    >>> from searchharvest.query.parser import parse
    >>> from searchharvest.query.printer import to_string
    >>> class Upper(Transformer):
    ...     def visit_term(self, node): return Term(node.text.upper(), node.truncated, node.field)
    >>> to_string(Upper().visit(parse("a OR (b AND care*[ti])")))
    'A OR (B AND CARE*[ti])'
    """

    def generic_visit(self, node: Node) -> Node:
        """Rebuild `And`/`Or`/`Not` from transformed children; return leaves unchanged."""
        if isinstance(node, And | Or):
            items = tuple(self.visit(item) for item in node.items)
            if all(new is old for new, old in zip(items, node.items, strict=True)):
                return node
            return replace(node, items=items)
        if isinstance(node, Not):
            include, exclude = self.visit(node.include), self.visit(node.exclude)
            if include is node.include and exclude is node.exclude:
                return node
            return replace(node, include=include, exclude=exclude)
        return node
