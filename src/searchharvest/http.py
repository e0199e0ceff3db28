"""The one place that talks to the APIs: cache, offline mode, limits, retries.

`HttpClient.get()` / `post()` run, in order: cache lookup (a hit costs no request and is
marked `response.extensions["from_cache"] = True`), the offline check, the per-API
limiter, the request itself (politeness and key parameters are added here, never to the
cache key), and tenacity retries with exponential backoff, jitter and `Retry-After`.
Every request goes to the configured base URL of its API and nowhere else, and every URL
that reaches a log line or an exception has its key parameters removed.
"""

from __future__ import annotations

import email.utils
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from types import TracebackType
from typing import Final, Literal

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
)

from searchharvest.apis import IDENTITY_PARAMS, ApiProfile, Kind, profile
from searchharvest.cache import Params, ResponseCache, cache_key
from searchharvest.config import Settings
from searchharvest.errors import HarvestError, OfflineCacheMiss, RetriesExhausted, redact
from searchharvest.ratelimit import Clock, Limiter, SystemClock

logger = logging.getLogger("searchharvest.http")


class _RedactingFilter(logging.Filter):
    """Redacts keys in httpx's and httpcore's own log lines (httpx logs every full URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactingFilter())

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER: Final = 120.0
"""Longest `Retry-After` we honour, in seconds; a longer one is capped to this."""
BACKOFF_INITIAL: Final = 1.0
BACKOFF_MAX: Final = 60.0


@dataclass(slots=True)
class ApiStats:
    """Counters for one API, for run reports and benchmarks."""

    requests: int = 0
    """Requests sent over the network, retries included."""
    cache_hits: int = 0
    retries: int = 0
    bytes: int = 0
    """Response body bytes received over the network."""


class DailyLimitExceeded(HarvestError):
    """OpenAlex answered 429: the API key's daily budget is spent. Retrying cannot help.

    Attributes:
        reset_after: seconds until the budget resets (OpenAlex `x-ratelimit-reset`), if sent.
    """

    def __init__(self, request: str, reset_after: float | None) -> None:
        self.reset_after = reset_after
        when = "at midnight UTC"
        if reset_after is not None:
            at = datetime.now(UTC) + timedelta(seconds=reset_after)
            when = f"in {reset_after:.0f} s (at {at:%Y-%m-%d %H:%M} UTC)"
        super().__init__(
            f"OpenAlex daily budget is spent (HTTP 429); it resets {when}. Cached "
            "responses still work; a paid plan or another day gives more",
            request,
        )


class _RetryableStatus(Exception):
    """A response worth another attempt (429, 5xx, OpenAlex 403)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _RetryableStatus | httpx.TransportError)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds or HTTP date), capped.

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("100000")
    120.0
    """
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _backoff(state: RetryCallState) -> float:
    """`Retry-After` when the server sent one, else exponential backoff with jitter."""
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    if isinstance(exc, _RetryableStatus):
        hinted = parse_retry_after(exc.response.headers.get("retry-after"))
        if hinted is not None:
            return hinted
    exponential = BACKOFF_INITIAL * 2.0 ** (state.attempt_number - 1)
    return min(BACKOFF_MAX, exponential) + random.uniform(0, BACKOFF_INITIAL)


def describe(method: str, url: httpx.URL) -> str:
    """`METHOD URL` with identity parameters dropped and secrets redacted, for messages."""
    params = [(k, v) for k, v in url.params.multi_items() if k.lower() not in IDENTITY_PARAMS]
    return redact(f"{method.upper()} {url.copy_with(params=params)}")


def _server_message(response: httpx.Response) -> str:
    text = response.text.strip()
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        for name in ("message", "error", "detail"):
            if isinstance(payload.get(name), str | list):
                text = str(payload[name])
                break
    return redact(" ".join(text.split())[:300]) or response.reason_phrase


class HttpClient:
    """One `httpx.AsyncClient` for a whole run, with cache, limiter and retries.

    Args:
        settings: base URLs, keys, cache and retry settings.
        transport: replaces the network (`httpx.MockTransport`, `CassetteTransport`).
        cache: a `ResponseCache`, None for no cache, or "default" for one in
            `settings.cache_dir`.
        clock: time source for rate limiting and backoff (tests pass `VirtualClock`).

    >>> async def main() -> None:  # doctest: +SKIP
    ...     async with HttpClient(Settings.from_env()) as http:
    ...         response = await http.get("crossref", "/works", {"query": "x", "rows": 1})
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: ResponseCache | Literal["default"] | None = "default",
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self._profiles = {
            name: profile(name, settings) for name in ("pubmed", "openalex", "crossref")
        }
        self._owns_cache = cache == "default"
        self.cache = (
            ResponseCache(settings.cache_dir, settings.cache_ttl) if cache == "default" else cache
        )
        self._clock: Clock = clock or SystemClock()
        self._limiters: dict[tuple[str, Kind], Limiter] = {}
        self.stats: dict[str, ApiStats] = {name: ApiStats() for name in self._profiles}
        allowed = {_origin(httpx.URL(p.base_url)) for p in self._profiles.values()}
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=settings.timeout,
            follow_redirects=True,
            headers={"user-agent": f"searchharvest/{version('searchharvest')}"},
            event_hooks={"request": [_HostGuard(allowed)]},
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (and the cache, when this client opened it)."""
        await self._client.aclose()
        if self._owns_cache and self.cache is not None:
            self.cache.close()

    def limiter(self, api: str, kind: Kind) -> Limiter:
        """The limiter for one API and limit class (created on first use)."""
        key = (api, kind)
        if key not in self._limiters:
            self._limiters[key] = Limiter(self._profile(api).limits[kind], self._clock)
        return self._limiters[key]

    async def get(
        self, api: str, path: str, params: Params | None = None, *, kind: Kind | None = None
    ) -> httpx.Response:
        """GET `path` (relative to the API's base URL) with `params`.

        Args:
            api: `pubmed`, `openalex` or `crossref`.
            path: e.g. `/works` or `esearch.fcgi`.
            params: query parameters, without politeness or key parameters.
            kind: limit class; by default the API profile decides from the path.

        Raises:
            OfflineCacheMiss: offline mode and the response is not cached.
            RetriesExhausted: every attempt failed with 429, 5xx, a timeout or a
                connection error.
            DailyLimitExceeded: OpenAlex's daily budget is spent.
            HarvestError: any other error answer (4xx), with the server's message.
        """
        return await self._request("GET", api, path, params=params or {}, data=None, kind=kind)

    async def post(
        self, api: str, path: str, data: Mapping[str, str], *, kind: Kind | None = None
    ) -> httpx.Response:
        """POST a form to `path`; NCBI wants POST for many ids or long terms.

        Raises the same errors as `get()`.
        """
        return await self._request("POST", api, path, params={}, data=data, kind=kind)

    def _profile(self, api: str) -> ApiProfile:
        if api not in self._profiles:
            return profile(api, self.settings)  # raises ConfigError naming the choices
        return self._profiles[api]

    async def _request(
        self,
        method: str,
        api: str,
        path: str,
        *,
        params: Params,
        data: Mapping[str, str] | None,
        kind: Kind | None,
    ) -> httpx.Response:
        prof = self._profile(api)
        rel_path = "/" + path.lstrip("/")
        url = httpx.URL(prof.base_url + rel_path)
        shown = describe(method, url.copy_merge_params(dict(params)))
        stats = self.stats[api]
        key = cache_key(api, method, rel_path, params, data)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                stats.cache_hits += 1
                logger.debug("cache hit: %s", shown)
                return httpx.Response(
                    cached.status,
                    headers=cached.headers,
                    content=cached.body,
                    request=httpx.Request(method, url.copy_merge_params(dict(params))),
                    extensions={"from_cache": True},
                )
        if self.settings.offline:
            raise OfflineCacheMiss(shown)
        polite = {**prof.identity, **prof.secrets}
        if data is None:
            request = self._client.build_request(method, url, params={**params, **polite})
        else:
            request = self._client.build_request(method, url, data={**data, **polite})
        request.extensions["searchharvest"] = {"api": api, "path": rel_path}
        limiter = self.limiter(api, kind or prof.kind_of(rel_path))
        response = await self._send_with_retries(request, prof, limiter, stats, shown)
        if self.cache is not None:
            self.cache.set(key, response.status_code, response.headers, response.content)
        response.extensions = {**response.extensions, "from_cache": False}
        return response

    async def _send_with_retries(
        self,
        request: httpx.Request,
        prof: ApiProfile,
        limiter: Limiter,
        stats: ApiStats,
        shown: str,
    ) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=_backoff,
            retry=retry_if_exception(_retryable),
            sleep=self._clock.sleep,
            before_sleep=lambda state: self._note_retry(state, stats, shown),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send_once(request, prof, limiter, stats, shown)
        except RetryError as exc:
            failure = exc.last_attempt.exception()
            last = _failure_text(failure)
            raise RetriesExhausted(shown, exc.last_attempt.attempt_number, last) from failure
        raise AssertionError("tenacity ended without a result")  # pragma: no cover

    def _note_retry(self, state: RetryCallState, stats: ApiStats, shown: str) -> None:
        stats.retries += 1
        outcome = state.outcome
        failure = outcome.exception() if outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "retrying %s after %s (attempt %d, waiting %.2f s)",
            shown,
            _failure_text(failure),
            state.attempt_number,
            wait,
        )

    async def _send_once(
        self,
        request: httpx.Request,
        prof: ApiProfile,
        limiter: Limiter,
        stats: ApiStats,
        shown: str,
    ) -> httpx.Response:
        async with limiter.slot():
            stats.requests += 1
            logger.debug("sending %s", shown)
            response = await self._client.send(request)
        stats.bytes += len(response.content)
        announced = prof.announced_rate(response.headers)
        if announced is not None:
            limiter.adapt(announced)
        status = response.status_code
        if status < 300:
            return response
        if prof.name == "openalex" and status == 429 and _budget_spent(response):
            reset = response.headers.get("x-ratelimit-reset")
            raise DailyLimitExceeded(shown, _seconds(reset))
        if status in RETRY_STATUSES or (prof.name == "openalex" and status == 403):
            raise _RetryableStatus(response)
        raise HarvestError(f"HTTP {status}: {_server_message(response)}", shown)


def _failure_text(failure: BaseException | None) -> str:
    if isinstance(failure, _RetryableStatus):
        return str(failure)
    return redact(f"{type(failure).__name__}: {failure}")


def _budget_spent(response: httpx.Response) -> bool:
    """OpenAlex 429 means "daily limit exceeded" unless the budget headers say otherwise.

    https://developers.openalex.org/api-reference/errors lists 429 as the daily limit and
    403 as "slow down"; if a 429 carries a positive remaining budget it is a throttle.
    """
    for name in ("x-ratelimit-remaining-usd", "x-ratelimit-remaining"):
        remaining = _seconds(response.headers.get(name))
        if remaining is not None:
            return remaining <= 0
    return True


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


class _HostGuard:
    """Refuses any request (a redirect included) to a host that is not a base URL's."""

    def __init__(self, allowed: set[tuple[str, str, int | None]]) -> None:
        self.allowed = allowed

    async def __call__(self, request: httpx.Request) -> None:
        if _origin(request.url) not in self.allowed:
            raise HarvestError(
                "refusing a request outside the configured base URLs",
                describe(request.method, request.url),
            )
