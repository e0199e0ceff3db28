from __future__ import annotations

import asyncio
import itertools

import pytest

from searchharvest.apis import RateLimit
from searchharvest.ratelimit import Limiter, VirtualClock


def _run_burst(limit: RateLimit, n: int, work: float) -> tuple[list[float], Limiter]:
    clock = VirtualClock()
    limiter = Limiter(limit, clock)
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            starts.append(clock.now())
            await clock.sleep(work)

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(n)))

    asyncio.run(main())
    return starts, limiter


def test_twenty_requests_at_three_per_second_are_spaced() -> None:
    starts, limiter = _run_burst(RateLimit(3.0, 3), 20, work=0.1)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 20
    assert min(gaps) >= 1 / 3 - 1e-9
    assert starts[-1] == pytest.approx(19 / 3)
    assert limiter.max_in_flight == 1


def test_concurrency_never_exceeds_the_cap() -> None:
    starts, limiter = _run_burst(RateLimit(100.0, 3), 30, work=1.0)
    assert limiter.max_in_flight == 3
    # with 1 s per request and 3 slots, 30 requests take 10 rounds
    assert starts[-1] == pytest.approx(9.0, abs=0.05)


def test_adapt_lowers_but_never_raises_above_the_ceiling() -> None:
    limiter = Limiter(RateLimit(3.0, 3), VirtualClock())
    limiter.adapt(50.0)
    assert limiter.rate == 3.0
    limiter.adapt(0.5)
    assert limiter.rate == 0.5
    starts, _ = _run_burst(RateLimit(3.0, 1), 2, work=0.0)
    assert starts[1] - starts[0] == pytest.approx(1 / 3)


class _LateClock(VirtualClock):
    """Wakes the first sleeper `lag` seconds late, as a blocked event loop would."""

    def __init__(self, lag: float) -> None:
        super().__init__()
        self.lag = lag

    async def sleep(self, seconds: float) -> None:
        lag, self.lag = self.lag, 0.0
        await super().sleep(seconds + lag)


def test_a_late_wake_up_does_not_squeeze_the_next_request() -> None:
    clock = _LateClock(lag=0.5)
    limiter = Limiter(RateLimit(3.0, 3), clock)
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            starts.append(clock.now())

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(4)))

    asyncio.run(main())
    ordered = sorted(starts)
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= 1 / 3 - 1e-9
    assert ordered[1] == pytest.approx(1 / 3 + 0.5)  # the late one sets the pace after it
