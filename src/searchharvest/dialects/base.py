"""What every dialect returns: the native query plus a fidelity report.

`Fidelity` orders EXACT < BROADER < NARROWER; a compiled query's fidelity is its worst note.
BROADER is safe because the connector restores the exact meaning with the local matcher;
NARROWER loses records, so `compile()` raises `UnsupportedQueryError` unless the caller
opts in with `allow_narrower=True`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Any, ClassVar, TypeAlias

from searchharvest._resources import data_path
from searchharvest.errors import ConfigError, UnsupportedQueryError
from searchharvest.query.ast import DEFAULT_FIELD, And, DateRange, Field, Leaf, Node, Not, Or, Span
from searchharvest.query.printer import to_string
from searchharvest.query.visitor import Visitor


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


def load_facts(db: str) -> dict[str, Any]:
    """The facts file `connectors/<db>.toml`: flags, field map, limits, each with its source.

    Raises:
        ConfigError: the file is missing or is not valid TOML.
    """
    path = data_path("connectors", f"{db}.toml")
    try:
        with path.open("rb") as fp:
            return tomllib.load(fp)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the facts file for {db!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Compiled:
    """A query compiled for one database, with what it means there.

    Attributes:
        db: the database name (`pubmed`, `openalex`, `crossref`).
        native: the query string (PubMed) or request parameters (OpenAlex, Crossref),
            without paging or politeness parameters.
        fidelity: the worst note's fidelity; EXACT when there is no note.
        notes: every element the database cannot express exactly, in query order.
        query: the AST with the default field filled in: what the local matcher evaluates.
        date_from: strategy-level first publication date, if any.
        date_to: strategy-level last publication date, if any.
    """

    db: str
    native: str | dict[str, str]
    fidelity: Fidelity
    notes: tuple[Note, ...]
    query: Node
    date_from: date | None = None
    date_to: date | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary for reports and the CLI."""
        native = self.native if isinstance(self.native, str) else dict(self.native)
        return {
            "db": self.db,
            "native": native,
            "fidelity": str(self.fidelity),
            "notes": [n.to_json() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class Dropped:
    """An element the database cannot express; its parent applies the substitution rule."""

    reason: str


Fragment: TypeAlias = str | Dropped
"""What a visit returns: native text, or `Dropped` for an element that cannot be sent."""


def _merge_reasons(dropped: list[Dropped]) -> Dropped:
    return Dropped("; ".join(dict.fromkeys(d.reason for d in dropped)))


class Dialect(Visitor[Fragment]):
    """Base of every database dialect: documented flags, dispatch and the fidelity notes.

    A subclass sets its flags, names its facts file (`facts=`) and overrides only
    the `visit_<node>` handlers that differ. Compound nodes share one substitution rule
    for elements the database cannot express (a handler returns `Dropped`):

    - in a conjunctive position (an item of `And`, the include side of `Not`) the element
      is left out: the database returns a superset (BROADER), the matcher restores it;
    - inside an `Or` it is left out too, but records found only through it are lost
      (NARROWER);
    - on the exclude side of a `Not` the exclusion is left out (BROADER);
    - a compound whose every item is dropped is itself dropped, and its parent decides.
    """

    name: ClassVar[str] = ""
    """The database name, spelled as everywhere else (`pubmed`)."""
    SUPPORTS_BOOLEAN: ClassVar[bool] = True
    """AND, OR and NOT with parentheses are sent as written."""
    SUPPORTS_PHRASE: ClassVar[bool] = True
    """Double-quoted phrases match consecutive words."""
    SUPPORTS_WILDCARD: ClassVar[bool] = True
    """A trailing `*` matches any word starting with the stem."""
    SUPPORTS_PROXIMITY: ClassVar[bool] = False
    """`"a b"[tiab:~N]` (words within N words) can be sent as such."""
    MIN_TRUNCATION_STEM: ClassVar[int] = 0
    """Shortest stem the database accepts before `*` (0: no truncation at all)."""
    FIELDS: ClassVar[Mapping[Field, str]] = {}
    """Field tag → the database's own field name; a tag absent here cannot be searched."""
    UNSEARCHABLE: ClassVar[Mapping[Field, str]] = {}
    """Field tag → why the database cannot search it (from the facts file)."""
    FILTERS: ClassVar[Mapping[str, str]] = {}
    """Role (`from_date`, `language`, ...) → the database's filter name (from the facts file)."""

    FLAG_NAMES: ClassVar[tuple[str, ...]] = (
        "SUPPORTS_BOOLEAN",
        "SUPPORTS_PHRASE",
        "SUPPORTS_WILDCARD",
        "SUPPORTS_PROXIMITY",
        "MIN_TRUNCATION_STEM",
    )

    def __init_subclass__(cls, *, facts: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """`class PubMed(Dialect, facts=...)`: the field map and filters of its facts file."""
        super().__init_subclass__(**kwargs)
        if facts is not None:
            cls.FIELDS = field_map(facts, "fields")
            cls.UNSEARCHABLE = field_map(facts, "unsearchable")
            cls.FILTERS = dict(facts.get("filters", {}))

    def __init__(self) -> None:
        self.notes: list[Note] = []

    @classmethod
    def flags(cls) -> dict[str, bool | int]:
        """The documented flags as a dict (for docs tables and the facts-file check)."""
        return {flag: getattr(cls, flag) for flag in cls.FLAG_NAMES}

    def note(self, node: Node, fidelity: Fidelity, reason: str) -> None:
        """Record that `node` is not sent exactly; the span points into the user's query."""
        new = Note(fidelity, reason, to_string(node), node.span)
        if new not in self.notes:
            self.notes.append(new)

    def field_of(self, node: Leaf) -> Field:
        """The leaf's field; `compile()` fills the default field in before generating."""
        return node.field or DEFAULT_FIELD

    def unsearchable(self, field: Field) -> Dropped:
        """The `Dropped` for a field tag this database cannot search."""
        why = self.UNSEARCHABLE.get(field, "this field is not searchable here")
        return Dropped(f"{self.name} cannot search [{field.value}]: {why}")

    def generate(
        self, query: Node, date_from: date | None = None, date_to: date | None = None
    ) -> Compiled:
        """Compile an AST whose leaves all carry a field into this database's form.

        Raises:
            UnsupportedQueryError: nothing searchable remains once the elements this
                database cannot express are left out.
        """
        self.notes = []
        native = self.native(query, date_from, date_to)
        fidelity = max((n.fidelity for n in self.notes), default=Fidelity.EXACT)
        return Compiled(self.name, native, fidelity, tuple(self.notes), query, date_from, date_to)

    def native(
        self, query: Node, date_from: date | None, date_to: date | None
    ) -> str | dict[str, str]:
        """The native query for `query` plus the strategy-level dates."""
        raise NotImplementedError

    def searchable(self, query: Node) -> str:
        """Visit `query`; raise if nothing of it can be sent."""
        fragment = self.visit(query)
        if isinstance(fragment, Dropped):
            self.note(query, Fidelity.NARROWER, f"nothing searchable remains: {fragment.reason}")
            raise UnsupportedQueryError(self.name, self.notes)
        return fragment

    def combine(self, operator: str, node: Node, parts: list[str]) -> str:
        """Join the sent parts of a compound node; always parenthesised (see `unwrap`)."""
        if len(parts) == 1:
            return parts[0]
        return "(" + f" {operator} ".join(parts) + ")"

    def visit_and(self, node: And) -> Fragment:
        parts = self._keep(node.items, "and")
        return parts if isinstance(parts, Dropped) else self.combine("AND", node, parts)

    def visit_or(self, node: Or) -> Fragment:
        parts = self._keep(node.items, "or")
        return parts if isinstance(parts, Dropped) else self.combine("OR", node, parts)

    def visit_not(self, node: Not) -> Fragment:
        include = self.visit(node.include)
        if isinstance(include, Dropped):
            return include
        exclude = self.visit(node.exclude)
        if isinstance(exclude, Dropped):
            self.note(
                node.exclude,
                Fidelity.BROADER,
                f"{exclude.reason}; the exclusion is left out of the query sent "
                "(the local matcher applies it)",
            )
            return include
        return self.combine("NOT", node, [include, exclude])

    def _keep(self, items: tuple[Node, ...], position: str) -> list[str] | Dropped:
        """Visit items; note and leave out the dropped ones (the substitution rule)."""
        fragments = [self.visit(item) for item in items]
        dropped = [f for f in fragments if isinstance(f, Dropped)]
        if len(dropped) == len(fragments):
            return _merge_reasons(dropped)
        for item, fragment in zip(items, fragments, strict=True):
            if not isinstance(fragment, Dropped):
                continue
            if position == "and":
                self.note(
                    item,
                    Fidelity.BROADER,
                    f"{fragment.reason}; left out of the query sent, so more records come "
                    "back (the local matcher applies it)",
                )
            else:
                self.note(
                    item,
                    Fidelity.NARROWER,
                    f"{fragment.reason}; records found only through this element are lost "
                    "(the other terms of the block still search)",
                )
        return [f for f in fragments if not isinstance(f, Dropped)]


def unwrap(text: str) -> str:
    """Remove one pair of outer parentheses when they enclose the whole text.

    >>> unwrap("(a OR b)"), unwrap("(a) OR (b)")
    ('a OR b', '(a) OR (b)')
    """
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return text
    return text[1:-1]


def field_map(facts: Mapping[str, Any], table: str) -> dict[Field, str]:
    """A `[table]` of the facts file keyed by field tag (`tiab = "tiab"`)."""
    return {Field(tag): value for tag, value in facts.get(table, {}).items()}


def conjuncts(query: Node) -> tuple[Node, ...]:
    """The top-level AND items of `query` (the query itself when it is not an AND)."""
    return query.items if isinstance(query, And) else (query,)


def date_bounds(
    nodes: tuple[Node, ...], date_from: date | None, date_to: date | None
) -> tuple[date | None, date | None, list[Node]]:
    """Fold top-level publication-date ranges into the strategy's dates.

    Returns the tightened `(date_from, date_to)` and the conjuncts left to search, so
    databases whose dates are filters (OpenAlex, Crossref) apply them exactly.
    """
    rest: list[Node] = []
    for node in nodes:
        if isinstance(node, DateRange) and node.field is Field.DP:
            first, last = node.start.first_day(), node.end.last_day()
            date_from = max(date_from, first) if date_from else first
            date_to = min(date_to, last) if date_to else last
        else:
            rest.append(node)
    return date_from, date_to, rest
