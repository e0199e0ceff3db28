"""Dialect registry: one module per database, looked up by name.

Adding a database is one module (a `Dialect` subclass), one facts file
(`connectors/<db>.toml`) and one line in `_REGISTRY`.
"""

from __future__ import annotations

import difflib
from typing import Final

from searchharvest.dialects.base import Compiled, Dialect, Fidelity, Note
from searchharvest.dialects.crossref import Crossref
from searchharvest.dialects.openalex import OpenAlex
from searchharvest.dialects.pubmed import PubMed
from searchharvest.errors import ConfigError

_REGISTRY: Final[dict[str, type[Dialect]]] = {
    PubMed.name: PubMed,
    OpenAlex.name: OpenAlex,
    Crossref.name: Crossref,
}

DIALECTS: Final[tuple[str, ...]] = tuple(_REGISTRY)
"""The database names a strategy can be compiled for."""


def get_dialect(name: str) -> type[Dialect]:
    """The dialect class for a database name.

    Raises:
        ConfigError: unknown name; the message suggests the closest known one.

    >>> get_dialect("pubmed").name
    'pubmed'
    """
    key = name.strip().lower()
    if key in _REGISTRY:
        return _REGISTRY[key]
    close = difflib.get_close_matches(key, DIALECTS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown database {name!r}{hint} (known: {', '.join(DIALECTS)})")


__all__ = ["DIALECTS", "Compiled", "Dialect", "Fidelity", "Note", "get_dialect"]
