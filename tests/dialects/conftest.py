"""`assert_compiles`: one query, the expected native form per database (sqlglot-style)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import Fidelity
from searchharvest.errors import UnsupportedQueryError

Expected = Any
"""A native form (EXACT), `(native, Fidelity)`, or `UnsupportedQueryError`."""


def _assert_compiles(query: str, **expected: Expected) -> None:
    for db, want in expected.items():
        if want is UnsupportedQueryError:
            with pytest.raises(UnsupportedQueryError) as info:
                compile(query, db)
            assert info.value.db == db
            continue
        native, fidelity = want if isinstance(want, tuple) else (want, Fidelity.EXACT)
        compiled = compile(query, db, allow_narrower=fidelity is Fidelity.NARROWER)
        assert compiled.native == native, db
        assert compiled.fidelity is fidelity, (db, compiled.notes)


@pytest.fixture
def assert_compiles() -> Callable[..., None]:
    return _assert_compiles
