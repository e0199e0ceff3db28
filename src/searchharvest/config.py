"""Settings for the HTTP layer: every option is a constructor argument with an env var.

`Settings.from_env(**overrides)` reads the environment and lets explicit arguments win,
so a script, the CLI and a test can all say exactly what they mean. API keys are kept as
`pydantic.SecretStr`, so `repr()`, `str()` and log lines never show them. Every bad value
raises `ConfigError` naming the environment variable, because that is what the user set.

>>> Settings(email="me@example.org").crossref_url
'https://api.crossref.org'
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from platformdirs import user_cache_dir
from pydantic import SecretStr

from searchharvest.errors import ConfigError

DEFAULT_CACHE_TTL: Final = 30 * 24 * 3600.0
"""Seconds a cached response stays valid: 30 days. 0 means cached responses never expire."""

ENV_VARS: Final[Mapping[str, str]] = {
    "pubmed_url": "SEARCHHARVEST_PUBMED_URL",
    "openalex_url": "SEARCHHARVEST_OPENALEX_URL",
    "crossref_url": "SEARCHHARVEST_CROSSREF_URL",
    "ncbi_api_key": "NCBI_API_KEY",
    "openalex_api_key": "OPENALEX_API_KEY",
    "email": "SEARCHHARVEST_EMAIL",
    "cache_dir": "SEARCHHARVEST_CACHE_DIR",
    "offline": "SEARCHHARVEST_OFFLINE",
    "cache_ttl": "SEARCHHARVEST_CACHE_TTL",
    "timeout": "SEARCHHARVEST_TIMEOUT",
    "max_attempts": "SEARCHHARVEST_MAX_ATTEMPTS",
    "parse_processes": "SEARCHHARVEST_PARSE_PROCESSES",
}
"""The environment variable behind each setting (the docs table is built from the same)."""

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off", ""})


def _default_cache_dir() -> Path:
    return Path(user_cache_dir("searchharvest"))


def _default_parse_processes() -> int:
    """One less than the usable cores, at most 2.

    The harvest process keeps a core for its event loop, its own parsing and unpickling
    what the child parsers send back; more children would only wait for it.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(0, min(cores - 1, 2))


@dataclass(frozen=True, slots=True)
class Settings:
    """Where to send requests, who we are, and how patiently and how cached.

    Attributes:
        pubmed_url: E-utilities base URL (`…/entrez/eutils`).
        openalex_url: OpenAlex API base URL.
        crossref_url: Crossref REST API base URL.
        ncbi_api_key: raises the NCBI limit from 3 to 10 requests per second.
        openalex_api_key: required by OpenAlex since February 2026 (free key, $1/day).
        email: sent as NCBI `email` (with `tool=searchharvest`), Crossref `mailto`
            (the polite pool) and OpenAlex `mailto` (ignored there now, but harmless).
        cache_dir: where the response cache lives.
        offline: answer only from the cache; a miss raises `OfflineCacheMiss`.
        cache_ttl: seconds a cached response stays valid; 0 = never expires.
        timeout: seconds for connect, read and write of one attempt.
        max_attempts: attempts per request, the first one included.
        parse_processes: child processes that parse a big harvest (2,000 records or
            more) beside the harvest's own parse thread; 0 parses on one core.
    """

    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    openalex_url: str = "https://api.openalex.org"
    crossref_url: str = "https://api.crossref.org"
    ncbi_api_key: SecretStr | None = None
    openalex_api_key: SecretStr | None = None
    email: str | None = None
    cache_dir: Path = field(default_factory=_default_cache_dir)
    offline: bool = False
    cache_ttl: float = DEFAULT_CACHE_TTL
    timeout: float = 30.0
    max_attempts: int = 5
    parse_processes: int = field(default_factory=_default_parse_processes)

    def __post_init__(self) -> None:
        for name in ("pubmed_url", "openalex_url", "crossref_url"):
            object.__setattr__(self, name, _url(name, getattr(self, name)))
        for name in ("ncbi_api_key", "openalex_api_key"):
            object.__setattr__(self, name, _secret(getattr(self, name)))
        object.__setattr__(self, "email", (self.email or "").strip() or None)
        object.__setattr__(self, "cache_dir", Path(self.cache_dir).expanduser())
        object.__setattr__(self, "offline", _flag("offline", self.offline))
        object.__setattr__(self, "cache_ttl", _number("cache_ttl", self.cache_ttl, minimum=0))
        object.__setattr__(self, "timeout", _number("timeout", self.timeout, minimum=1e-3))
        object.__setattr__(self, "max_attempts", _whole("max_attempts", self.max_attempts, 1))
        processes = _whole("parse_processes", self.parse_processes, 0)
        object.__setattr__(self, "parse_processes", processes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment; keyword arguments win over env vars.

        Args:
            environ: the environment to read (default `os.environ`); tests pass a dict.
            **overrides: any constructor argument; `None` means "not given".

        Raises:
            ConfigError: an unknown argument or a bad value, naming the variable.

        >>> Settings.from_env({"SEARCHHARVEST_TIMEOUT": "5"}, timeout=2).timeout
        2.0
        """
        env = os.environ if environ is None else environ
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name in known:
            if overrides.get(name) is not None:
                values[name] = overrides[name]
            elif env.get(ENV_VARS[name], "").strip():
                values[name] = env[ENV_VARS[name]].strip()
        return cls(**values)


def _bad(name: str, value: object, why: str) -> ConfigError:
    shown = "***" if name.endswith("api_key") else repr(value)
    return ConfigError(f"{ENV_VARS[name]} ({name}) = {shown}: {why}")


def _url(name: str, value: object) -> str:
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(name, value, "must be an http(s) URL such as https://host/path")
    if parts.query or parts.fragment:
        raise _bad(name, value, "must be a base URL without query or fragment")
    return text


def _secret(value: object) -> SecretStr | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    text = str(value).strip() if value is not None else ""
    return SecretStr(text) if text else None


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(name, value, "must be 1/0, true/false, yes/no or on/off")


def _number(name: str, value: object, *, minimum: float) -> float:
    if isinstance(value, bool):
        raise _bad(name, value, "must be a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(name, value, "must be a number") from None
    if not math.isfinite(number) or number < minimum:
        raise _bad(name, value, f"must be a finite number >= {minimum:g}")
    return number


def _whole(name: str, value: object, minimum: int) -> int:
    number = _number(name, value, minimum=minimum)
    if number != int(number):
        raise _bad(name, value, "must be a whole number")
    return int(number)
