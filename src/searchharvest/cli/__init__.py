"""The `searchharvest` command: a thin skin over the public API.

Each command parses its options, calls one library function and renders the result.
Commands live in the `cmd_*` modules of this package and register themselves on the
`main` group when imported; a new command is one new module. Exit codes are listed in
`searchharvest.cli._app`.
"""

from __future__ import annotations

import importlib
import pkgutil

from searchharvest.cli._app import main

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("cmd_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["main"]
