"""Async rate limiting: minimum spacing between request starts plus a concurrency cap.

Spacing (not a token bucket) because every API here states its limit per second and
punishes bursts; a semaphore caps requests in flight (Crossref: 1 or 3). Time comes from
an injectable `Clock`, so tests run on `VirtualClock` and assert spacing exactly, and
retries back off through the same clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from searchharvest.apis import RateLimit


class Clock(Protocol):
    """Monotonic time in seconds and a way to wait for it."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.monotonic` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """A clock whose time jumps to the next sleeper's wake-up, so waits cost nothing.

    Sleepers wake strictly in wake-time order: after every runnable task has had a few
    turns of the event loop, time advances to the earliest pending wake-up. Used by the
    tests and by offline replays, where waiting for real would only slow things down.

    >>> import asyncio
    >>> clock = VirtualClock()
    >>> asyncio.run(clock.sleep(90.0)); clock.now()
    90.0
    """

    def __init__(self, start: float = 0.0, settle_turns: int = 50) -> None:
        self._now = start
        self._settle_turns = settle_turns
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self.slept: list[float] = []
        """Every requested sleep, in call order (tests assert backoff waits with it)."""

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        wake = self._now + max(0.0, seconds)
        heapq.heappush(self._sleepers, (wake, next(self._seq), future))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await future

    async def _drive(self) -> None:
        while self._sleepers:
            for _ in range(self._settle_turns):
                await asyncio.sleep(0)
            wake, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, wake)
            if not future.done():
                future.set_result(None)


class Limiter:
    """Spaces request starts by `1 / rate` seconds and caps requests in flight.

    `rate` may be lowered at run time to what a server announces (`adapt`), but never
    raised above the documented `ceiling`.
    """

    def __init__(self, limit: RateLimit, clock: Clock) -> None:
        self.ceiling = limit.rate
        self.rate = limit.rate
        self.concurrency = limit.concurrency
        self._clock = clock
        self._semaphore = asyncio.Semaphore(limit.concurrency)
        self._turn = asyncio.Lock()
        """One waiter at a time, so each start is planned from the previous real one."""
        self._next_start: float | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        """Highest number of requests in flight seen so far (tests and benchmarks)."""

    def adapt(self, announced: float) -> None:
        """Use the server's announced rate when it is below the documented ceiling."""
        if announced > 0:
            self.rate = min(self.ceiling, announced)

    async def _wait_for_turn(self) -> None:
        """Sleep until `1 / rate` after the previous start, re-checking after each wake.

        A sleep can end late (a busy event loop); the next start is then spaced from
        when this request really left, not from when it was meant to.
        """
        while self._next_start is not None:
            wait = self._next_start - self._clock.now()
            if wait <= 0:
                return
            await self._clock.sleep(wait)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one request slot: wait for a free slot, then for this start's turn."""
        async with self._semaphore:
            async with self._turn:
                await self._wait_for_turn()
                self._next_start = self._clock.now() + 1.0 / self.rate
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1
