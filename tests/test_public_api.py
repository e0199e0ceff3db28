"""`searchharvest.__all__` is the public API: sorted, complete, and importable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import searchharvest


def test_all_is_sorted_and_importable() -> None:
    names = searchharvest.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(searchharvest, name), name


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(searchharvest).items()
        if not name.startswith("_")
        and not getattr(value, "__name__", "").startswith("searchharvest.")
    }
    helpers = {"annotations", "version", "import_module", "TYPE_CHECKING"}
    assert public <= set(searchharvest.__all__) | helpers


def test_lazy_names_match_the_imports_type_checkers_read() -> None:
    tree = ast.parse(Path(searchharvest.__file__).read_text(encoding="utf-8"))
    [block] = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    declared = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert declared == searchharvest._WHERE
    assert set(searchharvest.__all__) == {*declared, "__version__"}


def test_importing_a_submodule_does_not_load_chaining_or_dedup() -> None:
    code = (
        "import sys, searchharvest.records, searchharvest.connectors.pubmed; "
        "print(sorted(m for m in ('numpy', 'searchharvest.chain', 'searchharvest.dedup') "
        "if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "[]"
