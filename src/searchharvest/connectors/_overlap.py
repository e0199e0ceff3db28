"""Overlap parsing with the network: parse in a worker thread, fetch the next page early.

A connector that parses a page on the event loop stalls every other database's requests
and leaves the rate-limit budget unused while it maps records. These helpers move the
CPU work to a thread (lxml and the JSON decoder release the GIL for part of it) and let
the next request be in flight meanwhile, without sending any request the harvest would
not have sent anyway.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from searchharvest._gc import collector_paused

T = TypeVar("T")

CHUNK: Final = 250
"""Records handed from the worker thread to the event loop at a time."""

_PARSER: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="searchharvest-parse")
"""One parsing thread for every harvest. Parsing holds the GIL most of the time, so more
threads would not parse faster; they would only make the event loop wait longer for the
GIL after each socket call (measured: 10 parallel OpenAlex parses slowed the loop)."""


def _paused(function: Callable[..., T], *args: Any) -> T:
    with collector_paused():
        return function(*args)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on the parsing thread, awaited from the event loop.

    Parsing allocates many objects without reference cycles, so the cyclic garbage
    collector is paused meanwhile (see `searchharvest._gc`).
    """
    return await asyncio.get_running_loop().run_in_executor(_PARSER, _paused, function, *args)


async def iterate_in_thread(produce: Callable[[], Iterable[T]]) -> AsyncIterator[list[T]]:
    """Run the iterable `produce()` returns in a worker thread; yield its items in chunks.

    The consumer gets the first chunk while the thread still parses the rest. Closing
    the iterator early stops the thread after its current item. An exception raised in
    the thread is raised here.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[list[T] | Exception | None] = asyncio.Queue()
    stop = threading.Event()

    def hand_over(item: list[T] | Exception | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        chunk: list[T] = []
        try:
            for item in produce():
                if stop.is_set():
                    return
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    hand_over(chunk)
                    chunk = []
            if chunk:
                hand_over(chunk)
        except Exception as exc:  # raised again on the event loop, in the consumer
            hand_over(exc)
        finally:
            hand_over(None)

    worker = loop.run_in_executor(_PARSER, _paused, work)
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        await worker


async def cancel(task: asyncio.Task[Any] | None) -> None:
    """Drop a prefetched request the harvest no longer needs (it stopped or failed)."""
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
