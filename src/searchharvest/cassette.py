"""Replay recorded API responses in place of the network (tests and the offline demo).

A cassette is a JSON file::

    {"provenance": "where the responses came from",
     "interactions": [
        {"request": {"method": "GET", "api": "crossref", "path": "/works",
                     "params": {"query": "x", "rows": 2}},
         "response": {"status": 200, "headers": {"content-type": "application/json"},
                      "body_file": "works_query.body0.json"}}]}

`body_file` is a path next to the cassette (or `body` holds the text). Requests match on
method, API (when the interaction names one), the path relative to the API's base URL
(so a cassette works whatever base URL is configured) and the parameters or form body,
with identity and secret parameters removed and whitespace normalised. A miss raises
`CassetteMiss` showing the request and the closest recorded one; nothing ever goes to the
network.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from searchharvest.cache import normalize_params
from searchharvest.errors import HarvestError

_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Recorded bodies are stored decoded, so these headers would lie about them."""


class CassetteMiss(HarvestError):
    """A request that no recorded interaction matches."""

    def __init__(self, request: str, closest: str | None) -> None:
        self.closest = closest
        hint = f"closest recorded: {closest}" if closest else "the cassettes are empty"
        super().__init__(f"no recorded response for this request; {hint}", request)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request (normalised) and its response."""

    method: str
    api: str | None
    path: str
    params: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]
    status: int
    headers: Mapping[str, str]
    body: bytes
    source: str
    """The cassette file this interaction came from."""

    def describe(self) -> str:
        return _describe(self.method, self.api, self.path, self.params, self.data)


def _describe(
    method: str,
    api: str | None,
    path: str,
    params: tuple[tuple[str, str], ...],
    data: tuple[tuple[str, str], ...],
) -> str:
    where = f"{api}:{path}" if api else path
    text = f"{method} {where} params={dict(params)}"
    return f"{text} data={dict(data)}" if data else text


class CassetteTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from recorded interactions only.

    Args:
        interactions: the recorded interactions, first match wins.
        provenance: where the recordings came from, one line per cassette.
    """

    def __init__(self, interactions: Iterable[Interaction], provenance: Iterable[str] = ()) -> None:
        self.interactions = tuple(interactions)
        self.provenance = tuple(provenance)
        self.requests: list[httpx.Request] = []
        """Every request seen, in order (tests assert on them)."""

    @classmethod
    def from_files(cls, paths: Iterable[Path | str]) -> CassetteTransport:
        """Load the given cassette files.

        Raises:
            FileNotFoundError: a cassette or body file is missing.
            ValueError: a cassette is not valid JSON or lacks `interactions`.
        """
        interactions: list[Interaction] = []
        provenance: list[str] = []
        for path in map(Path, paths):
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or "interactions" not in document:
                raise ValueError(f"{path}: not a cassette (no 'interactions' key)")
            provenance.append(f"{path.name}: {document.get('provenance', 'unknown')}")
            interactions.extend(_interaction(item, path) for item in document["interactions"])
        return cls(interactions, provenance)

    @classmethod
    def from_dir(cls, directory: Path | str) -> CassetteTransport:
        """Load every cassette under `directory` (JSON files with `interactions`)."""
        cassettes = [path for path in sorted(Path(directory).rglob("*.json")) if _is_cassette(path)]
        return cls.from_files(cassettes)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method, api, path, params, data = _normalise(request)
        for item in self.interactions:
            if (
                item.method == method
                and item.path == path
                and (item.api is None or api is None or item.api == api)
                and item.params == params
                and item.data == data
            ):
                return httpx.Response(
                    item.status,
                    headers=dict(item.headers),
                    content=item.body,
                    extensions={"cassette": item.source},
                )
        wanted = _describe(method, api, path, params, data)
        closest = difflib.get_close_matches(
            wanted, [i.describe() for i in self.interactions], n=1, cutoff=0.0
        )
        raise CassetteMiss(wanted, closest[0] if closest else None)


def _is_cassette(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(document, dict) and "interactions" in document


def _pairs(values: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Comparable parameters: a list value (in a cassette file) is a repeated parameter."""
    return tuple(normalize_params(values))


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Pairs of a live request by name, keeping every value of a repeated parameter."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _interaction(item: Mapping[str, Any], cassette: Path) -> Interaction:
    request, response = item["request"], item["response"]
    if "body_file" in response:
        body = (cassette.parent / response["body_file"]).read_bytes()
    else:
        body = str(response.get("body", "")).encode("utf-8")
    headers = {
        str(k).lower(): str(v)
        for k, v in response.get("headers", {}).items()
        if str(k).lower() not in _DROPPED_HEADERS
    }
    return Interaction(
        method=str(request.get("method", "GET")).upper(),
        api=request.get("api"),
        path="/" + str(request["path"]).lstrip("/"),
        params=_pairs(request.get("params")),
        data=_pairs(request.get("data")),
        status=int(response["status"]),
        headers=headers,
        body=body,
        source=cassette.name,
    )


def _normalise(
    request: httpx.Request,
) -> tuple[str, str | None, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Method, API, base-relative path, params and form body of a live request.

    `HttpClient` tags each request with its API and relative path; a request built
    elsewhere falls back to the URL's own path.
    """
    tag = request.extensions.get("searchharvest", {})
    api = tag.get("api") if isinstance(tag, dict) else None
    path = tag.get("path") if isinstance(tag, dict) else None
    params = _grouped(request.url.params.multi_items())
    data: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _grouped(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
    return (
        request.method,
        api,
        str(path or request.url.path),
        _pairs(params),
        _pairs(data),
    )
