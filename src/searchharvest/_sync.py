"""Run the async core from synchronous code, Jupyter included.

The sync twins (`search`, `chain`, ...) call `run_sync` or `iterate_sync`. Without a
running loop `asyncio.run` is enough; inside one (Jupyter, an async web app) a nested
`asyncio.run` is refused, so the coroutine runs on a private event-loop thread and the
caller blocks for its result. Exceptions come back unchanged.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion and return its result, even inside a running loop.

    >>> async def two() -> int:
    ...     return 2
    >>> run_sync(two())
    2
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="searchharvest-sync") as pool:
        return pool.submit(asyncio.run, coro).result()


async def _next(iterator: AsyncIterator[T]) -> tuple[bool, T | None]:
    try:
        return True, await anext(iterator)
    except StopAsyncIteration:
        return False, None


async def _open(factory: Callable[[], AsyncIterable[T]]) -> AsyncIterator[T]:
    return aiter(factory())


def iterate_sync(factory: Callable[[], AsyncIterable[T]]) -> Iterator[T]:
    """Iterate an async iterable lazily from sync code, one item per `next()`.

    `factory` is called on a private event-loop thread, so everything the iterable
    creates (an `HttpClient`, its connections) lives on that loop. Breaking out early or
    closing the iterator closes the async iterator (its `finally` blocks run), then stops
    the thread. Exceptions raised by the async iterator propagate unchanged.

    >>> async def count():
    ...     for i in range(3):
    ...         yield i
    >>> list(iterate_sync(count))
    [0, 1, 2]
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="searchharvest-iter", daemon=True)
    thread.start()
    iterator: AsyncIterator[T] | None = None
    try:
        iterator = asyncio.run_coroutine_threadsafe(_open(factory), loop).result()
        while True:
            more, item = asyncio.run_coroutine_threadsafe(_next(iterator), loop).result()
            if not more:
                return
            yield cast(T, item)
    finally:
        closer = getattr(iterator, "aclose", None)
        if closer is not None:
            asyncio.run_coroutine_threadsafe(closer(), loop).result()
        asyncio.run_coroutine_threadsafe(loop.shutdown_asyncgens(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
