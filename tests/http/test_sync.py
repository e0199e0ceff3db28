from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from searchharvest._sync import iterate_sync, run_sync


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


async def _fail() -> None:
    raise KeyError("boom")


def test_run_sync_without_a_loop() -> None:
    assert run_sync(_answer()) == 42


def test_run_sync_inside_a_running_loop() -> None:
    async def notebook_cell() -> tuple[int, int]:
        outer = threading.get_ident()
        inner: list[int] = []

        async def where() -> int:
            inner.append(threading.get_ident())
            return await _answer()

        return run_sync(where()), int(inner[0] != outer)

    assert asyncio.run(notebook_cell()) == (42, 1)


def test_run_sync_propagates_exceptions_unchanged() -> None:
    with pytest.raises(KeyError, match="boom"):
        run_sync(_fail())

    async def inside() -> None:
        run_sync(_fail())

    with pytest.raises(KeyError, match="boom"):
        asyncio.run(inside())


def test_iterate_sync_is_lazy_and_cleans_up_on_break() -> None:
    produced: list[int] = []
    closed: list[bool] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            for i in range(1000):
                produced.append(i)
                await asyncio.sleep(0)
                yield i
        finally:
            closed.append(True)

    taken = []
    for value in iterate_sync(numbers):
        taken.append(value)
        if value == 2:
            break
    assert taken == [0, 1, 2]
    assert produced == [0, 1, 2]
    assert closed == [True]
    assert not any(t.name == "searchharvest-iter" for t in threading.enumerate())


def test_iterate_sync_propagates_exceptions() -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise ValueError("page 2 failed")

    iterator = iterate_sync(broken)
    assert next(iterator) == 1
    with pytest.raises(ValueError, match="page 2 failed"):
        next(iterator)


def test_iterate_sync_works_inside_a_running_loop() -> None:
    async def letters() -> AsyncIterator[str]:
        for c in "abc":
            yield c

    async def cell() -> list[str]:
        return list(iterate_sync(letters))

    assert asyncio.run(cell()) == ["a", "b", "c"]
