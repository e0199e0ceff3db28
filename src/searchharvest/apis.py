"""One profile per API: base URL, politeness parameters, key placement and rate limits.

The limits are the published ones (sources inline), with a small safety margin so that
network jitter does not push us over. They are the *ceiling*: a limiter may go lower when
the server announces a lower limit (Crossref's `x-rate-limit-*` headers), never higher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from searchharvest.config import Settings
from searchharvest.errors import ConfigError

ApiName = Literal["pubmed", "openalex", "crossref"]
Kind = Literal["list", "single"]
"""Limit class of a request: a list/query request, or a lookup of one record."""

API_NAMES: Final[tuple[ApiName, ...]] = ("crossref", "openalex", "pubmed")

SAFETY: Final = 0.9
"""Fraction of a published rate we use. Bio.Entrez found 0.333 s spacing "sometimes hit
the NCBI rate limit" and spaces by 0.37 s; 0.9 of 3/s is the same 0.37 s."""

IDENTITY_PARAMS: Final = frozenset({"api_key", "email", "tool", "mailto"})
"""Parameters that identify the caller. Never part of a cache key or cassette match."""

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS: Final = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `rate` request starts per second and `concurrency` requests in flight."""

    rate: float
    concurrency: int


@dataclass(frozen=True, slots=True)
class ApiProfile:
    """How to talk politely to one API.

    Attributes:
        name: `pubmed`, `openalex` or `crossref`.
        base_url: every request goes here and nowhere else.
        identity: politeness parameters added to every request (`tool`, `email`, `mailto`).
        secrets: key parameters added to every request (`api_key`); never logged or cached.
        limits: the documented limit for each request kind, safety margin applied.
    """

    name: ApiName
    base_url: str
    identity: Mapping[str, str]
    secrets: Mapping[str, str]
    limits: Mapping[Kind, RateLimit]

    def kind_of(self, path: str) -> Kind:
        """`single` for a lookup of one record by id (`/works/W1`, `/works/10.1/x`).

        Crossref and OpenAlex price or limit single-record lookups differently from list
        requests; E-utilities has one limit for everything, so PubMed is always `list`.
        """
        if self.name == "pubmed":
            return "list"
        segments = [s for s in path.split("/") if s]
        return "single" if len(segments) >= 2 and segments[0] == "works" else "list"

    def announced_rate(self, headers: Mapping[str, str]) -> float | None:
        """Requests per second the server announces in its headers, if it does.

        Crossref sends `x-rate-limit-limit` (requests) and `x-rate-limit-interval`
        (e.g. `1s`): https://www.crossref.org/documentation/retrieve-metadata/rest-api/
        access-and-authentication/ . Other APIs announce budgets, not rates.
        """
        if self.name != "crossref":
            return None
        limit = headers.get("x-rate-limit-limit")
        interval = _INTERVAL.match(headers.get("x-rate-limit-interval", ""))
        if limit is None or interval is None:
            return None
        try:
            requests = float(limit)
        except ValueError:
            return None
        seconds = float(interval.group(1)) * _UNIT_SECONDS[interval.group(2) or "s"]
        if requests <= 0 or seconds <= 0:
            return None
        return requests / seconds


def _limits(list_rate: float, single_rate: float, concurrency: int) -> dict[Kind, RateLimit]:
    return {
        "list": RateLimit(list_rate * SAFETY, concurrency),
        "single": RateLimit(single_rate * SAFETY, concurrency),
    }


def _pubmed(settings: Settings) -> ApiProfile:
    # NBK25497 (https://www.ncbi.nlm.nih.gov/books/NBK25497/) and NLM support KA-05510:
    # 3 requests/s per IP without a key, 10/s with one; above that, 429. NCBI states no
    # concurrency limit; we allow as many in flight as the rate allows per second.
    key = settings.ncbi_api_key
    rate = 10.0 if key else 3.0
    identity = {"tool": "searchharvest"}
    if settings.email:
        identity["email"] = settings.email
    return ApiProfile(
        name="pubmed",
        base_url=settings.pubmed_url,
        identity=identity,
        secrets={"api_key": key.get_secret_value()} if key else {},
        limits=_limits(rate, rate, int(rate)),
    )


def _crossref(settings: Settings) -> ApiProfile:
    # Crossref blog "Announcing changes to REST API rate limits" (2025-11-05), in force
    # since 2025-12-01: https://www.crossref.org/blog/announcing-changes-to-rest-api-rate-limits/
    # public pool: lists 1 req/s, single DOI 5 req/s, concurrency 1;
    # polite pool (mailto): lists 3 req/s, single DOI 10 req/s, concurrency 3.
    if settings.email:
        return ApiProfile(
            name="crossref",
            base_url=settings.crossref_url,
            identity={"mailto": settings.email},
            secrets={},
            limits=_limits(3.0, 10.0, 3),
        )
    return ApiProfile(
        name="crossref",
        base_url=settings.crossref_url,
        identity={},
        secrets={},
        limits=_limits(1.0, 5.0, 1),
    )


def _openalex(settings: Settings) -> ApiProfile:
    # https://developers.openalex.org/api-reference/authentication: key required since
    # 2026-02-13 (free, $1/day of usage); 100 requests/s on every plan. The budget, not
    # the rate, binds; the concurrency cap of 10 is our own choice, not a published limit.
    # `mailto` is ignored since the polite pool was retired, but it does no harm.
    key = settings.openalex_api_key
    return ApiProfile(
        name="openalex",
        base_url=settings.openalex_url,
        identity={"mailto": settings.email} if settings.email else {},
        secrets={"api_key": key.get_secret_value()} if key else {},
        limits=_limits(100.0, 100.0, 10),
    )


def profile(name: str, settings: Settings) -> ApiProfile:
    """The profile of API `name` under `settings`.

    Raises:
        ConfigError: `name` is not one of `pubmed`, `openalex`, `crossref`.

    >>> profile("crossref", Settings()).limits["list"].concurrency
    1
    """
    if name == "pubmed":
        return _pubmed(settings)
    if name == "crossref":
        return _crossref(settings)
    if name == "openalex":
        return _openalex(settings)
    raise ConfigError(f"unknown API {name!r}; expected one of {', '.join(API_NAMES)}")
