"""A disk cache of API responses, keyed by what was asked, never by who asked.

The key is built from the API name, the method, the path relative to the API's base
URL, the sorted query parameters and (for POST) the sorted form body, with identity and
secret parameters (`api_key`, `email`, `tool`, `mailto`) removed. So a response cached
with a key is found again without one, a changed base URL (a mirror, a test server)
still hits, and no key is ever written to disk: only the status, the `content-type`
header and the body bytes are stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import diskcache

from searchharvest.apis import IDENTITY_PARAMS

STORED_HEADERS: Final = ("content-type",)
"""The only response headers kept; the rest may carry cookies or per-caller budgets."""

ParamValue = str | int
Params = Mapping[str, ParamValue | Sequence[ParamValue]]
"""Query or form parameters; a sequence value is sent as the parameter repeated
(ELink's `id=1&id=2` keeps one link set per id, unlike `id=1,2`)."""


def normalize_params(params: Params | None) -> list[tuple[str, str]]:
    """`(name, value)` pairs without identity parameters, whitespace collapsed.

    Sorted by name; a repeated parameter keeps the order of its values.
    """
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        if name.lower() in IDENTITY_PARAMS:
            continue
        values = [value] if isinstance(value, str | int) else list(value)
        pairs.extend((name, " ".join(str(item).split())) for item in values)
    return sorted(pairs, key=lambda pair: pair[0])


def cache_key(
    api: str, method: str, path: str, params: Params | None = None, data: Params | None = None
) -> str:
    """A stable key for a request; identical for requests that differ only in identity.

    >>> cache_key("crossref", "GET", "/works", {"rows": 2, "mailto": "a@b.org"}) == (
    ...     cache_key("crossref", "get", "works", {"rows": "2"}))
    True
    """
    canonical = json.dumps(
        [
            api,
            method.upper(),
            "/" + path.lstrip("/"),
            normalize_params(params),
            normalize_params(data),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """What the cache keeps of a response."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class ResponseCache:
    """diskcache-backed store of successful responses with a time to live.

    Args:
        directory: where the cache files live (created if missing).
        ttl: seconds an entry stays valid; 0 or None = entries never expire.
    """

    def __init__(self, directory: Path | str, ttl: float | None = None) -> None:
        self.directory = Path(directory)
        self.ttl = ttl or None
        self._cache = diskcache.Cache(str(self.directory))

    def get(self, key: str) -> CachedResponse | None:
        """The stored response for `key`, or None when missing or expired."""
        entry = self._cache.get(key)
        if not isinstance(entry, dict):
            return None
        return CachedResponse(
            status=int(entry["status"]), headers=dict(entry["headers"]), body=bytes(entry["body"])
        )

    def set(self, key: str, status: int, headers: Mapping[str, str], body: bytes) -> CachedResponse:
        """Store a response; only the whitelisted headers are kept."""
        kept = {name: headers[name] for name in STORED_HEADERS if headers.get(name) is not None}
        self._cache.set(key, {"status": status, "headers": kept, "body": body}, expire=self.ttl)
        return CachedResponse(status, kept, body)

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        return int(self._cache.clear())

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def size_bytes(self) -> int:
        """Bytes the cache occupies on disk."""
        return int(self._cache.volume())

    def close(self) -> None:
        """Close the underlying database files."""
        self._cache.close()
