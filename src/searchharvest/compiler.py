"""`compile()`: one query, one database, a native query plus its fidelity report."""

from __future__ import annotations

from datetime import date

from searchharvest.dialects import get_dialect
from searchharvest.dialects.base import Compiled, Fidelity
from searchharvest.errors import ConfigError, UnsupportedQueryError
from searchharvest.query.ast import Field, Node
from searchharvest.query.normalize import with_default_field
from searchharvest.query.parser import parse


def compile(
    query: str | Node,
    db: str,
    *,
    default_field: Field = Field.TIAB,
    date_from: date | None = None,
    date_to: date | None = None,
    allow_narrower: bool = False,
) -> Compiled:
    """Compile a query for one database and say how faithfully it can be sent.

    Args:
        query: query text or an AST.
        db: `pubmed`, `openalex` or `crossref`.
        default_field: the field of terms written without a tag.
        date_from: first publication date to include (strategy-level limit).
        date_to: last publication date to include.
        allow_narrower: accept a native query that loses records (fidelity NARROWER).

    Returns:
        The `Compiled` query; `.query` is the AST the local matcher should evaluate.

    Raises:
        ConfigError: unknown database, or `date_from` after `date_to`.
        QuerySyntaxError: the text does not parse.
        UnsupportedQueryError: the database would lose records and `allow_narrower` is
            False, or nothing searchable remains.

    >>> compile("cancer* AND pain", "pubmed").native
    'cancer*[tiab] AND pain[tiab]'
    """
    dialect = get_dialect(db)
    if date_from and date_to and date_from > date_to:
        raise ConfigError(f"date_from {date_from} is after date_to {date_to}")
    node = parse(query) if isinstance(query, str) else query
    filled = with_default_field(node, default_field)
    compiled = dialect().generate(filled, date_from, date_to)
    if compiled.fidelity is Fidelity.NARROWER and not allow_narrower:
        narrower = [n for n in compiled.notes if n.fidelity is Fidelity.NARROWER]
        raise UnsupportedQueryError(compiled.db, narrower)
    return compiled
