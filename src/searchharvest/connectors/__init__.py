"""Connector registry: one module per API, found by name.

Adding a database is one new module here (a `Connector` subclass with a `name`) plus its
dialect and its facts file under the top-level `connectors/`; no other module changes.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from searchharvest.connectors.base import Connector, DatabaseReport, native_text
from searchharvest.errors import ConfigError

__all__ = ["Connector", "DatabaseReport", "connector_names", "get_connector", "native_text"]

_INFRASTRUCTURE = frozenset({"base"})


def _load_all() -> dict[str, type[Connector]]:
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _INFRASTRUCTURE and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return {cls.name: cls for cls in Connector.__subclasses__()}


def connector_names() -> list[str]:
    """The databases that can be harvested, sorted."""
    return sorted(_load_all())


def get_connector(name: str) -> type[Connector]:
    """The connector class for `name`.

    Raises:
        ConfigError: unknown database, with a "did you mean" suggestion.
    """
    known = _load_all()
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown database {name!r} (known: {', '.join(sorted(known))}){hint}")
