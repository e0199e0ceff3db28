"""What every dialect returns: the native query plus a fidelity report.

`Fidelity` orders EXACT < BROADER < NARROWER; a compiled query's fidelity is its worst note.
BROADER is safe because the connector restores the exact meaning with the local matcher;
NARROWER loses records, so `compile()` raises `UnsupportedQueryError` unless the caller
opts in with `allow_narrower=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from searchharvest.query.ast import Node, Span


class Fidelity(IntEnum):
    """How the database's result set relates to what the query means."""

    EXACT = 0
    BROADER = 1
    NARROWER = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Note:
    """One element the database cannot express exactly, and why."""

    fidelity: Fidelity
    reason: str
    element: str
    """The element as written in canonical syntax (e.g. `"public service*"`)."""
    span: Span = field(default=Span(0, 0), compare=False)

    def describe(self) -> str:
        return f"{self.fidelity}: {self.element} (offset {self.span.start}): {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "fidelity": str(self.fidelity),
            "element": self.element,
            "offset": self.span.start,
            "reason": self.reason,
        }
