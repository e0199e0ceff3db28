"""The strategy file schema: pydantic models that refuse anything they do not know.

A strategy file is what a review team keeps under version control and re-runs: one
canonical query, the databases, limits, outputs and update settings. Every model forbids
unknown keys, because a misspelt key (`overlap_day`) silently ignored would change what is
searched without anyone noticing. Checks that span several keys (an override for a database
not listed, `from` after `to`, the query's syntax) live in `problems()`, so the loader can
point at the line of each key. The reference is docs/strategies.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from searchharvest.dialects import get_dialect
from searchharvest.dialects.languages import language_name
from searchharvest.errors import ConfigError, QuerySyntaxError
from searchharvest.export import FORMATS, SUFFIXES
from searchharvest.query.ast import Field as FieldTag
from searchharvest.query.ast import PartialDate
from searchharvest.query.parser import parse

DEFAULT_FIELDS = ("tiab", "ti", "ab")
"""Fields an untagged term may search by default (the CLI's `--default-field` choices)."""

LOG_SUFFIXES = (".md", ".json")
PRISMA_SUFFIXES = (".svg", ".png", ".json", ".md")
"""A flow diagram (.svg, .png) or the counts as JSON or a Markdown table."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial(value: Any) -> Any:
    """A date as TOML writes it, or `YYYY` / `YYYY-MM` / `YYYY-MM-DD` text, or a year."""
    if isinstance(value, date | PartialDate):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a date such as 2022-01-01, not true/false")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date such as 2022-01-01, not {value!r}")
    match = _PARTIAL.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        when = PartialDate(year, month, day)
        when.last_day()
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date: {exc}") from exc
    return when


LooseDate = Annotated[date | PartialDate, BeforeValidator(_partial)]


def _suffix(path: Path, allowed: tuple[str, ...], what: str) -> Path:
    if path.suffix.lower() not in allowed:
        raise ValueError(
            f"{what} {str(path)!r}: unsupported suffix {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(allowed)}"
        )
    return path


def _writable_suffixes() -> tuple[str, ...]:
    return tuple(s for s, name in SUFFIXES.items() if FORMATS[name].write is not None)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dates(_Model):
    """Publication-date limits; a bare year means the whole year."""

    from_: LooseDate | None = Field(default=None, alias="from")
    to: LooseDate | None = None

    @property
    def first(self) -> date | None:
        value = self.from_
        return value.first_day() if isinstance(value, PartialDate) else value

    @property
    def last(self) -> date | None:
        value = self.to
        return value.last_day() if isinstance(value, PartialDate) else value


class Filters(_Model):
    """Language and publication-type limits, AND-ed to the query as `[la]` and `[pt]`."""

    languages: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if language_name(value) is None:
                raise ValueError(f"unknown language {value!r} (write e.g. 'english' or 'en')")
        return values

    @field_validator("publication_types")
    @classmethod
    def _types(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if any(not v.strip() for v in values):
            raise ValueError("a publication type is empty")
        return values


class Output(_Model):
    """Where each run writes its records, search log and PRISMA counts."""

    records: tuple[Path, ...] = Field(min_length=1)
    log: Path | None = None
    prisma: Path | None = None

    @field_validator("records")
    @classmethod
    def _record_suffixes(cls, values: tuple[Path, ...]) -> tuple[Path, ...]:
        for path in values:
            _suffix(path, _writable_suffixes(), "records file")
        return values

    @field_validator("log")
    @classmethod
    def _log_suffix(cls, value: Path | None) -> Path | None:
        return None if value is None else _suffix(value, LOG_SUFFIXES, "log file")

    @field_validator("prisma")
    @classmethod
    def _prisma_suffix(cls, value: Path | None) -> Path | None:
        return None if value is None else _suffix(value, PRISMA_SUFFIXES, "PRISMA file")


class Update(_Model):
    """How `update` chooses its window and what it de-duplicates against."""

    overlap_days: int = Field(default=7, ge=0, le=366)
    """Days searched again before the last run, so records indexed late are not missed."""
    screened: Path | None = None
    """A library of records already screened (RIS, CSV, JSON Lines, BibTeX, .nbib)."""

    @field_validator("screened")
    @classmethod
    def _screened_suffix(cls, value: Path | None) -> Path | None:
        return None if value is None else _suffix(value, tuple(SUFFIXES), "screened library")


class StrategySpec(_Model):
    """One strategy file, validated."""

    name: str = Field(min_length=1)
    query: str
    databases: tuple[str, ...] = ("pubmed", "openalex", "crossref")
    default_field: str = "tiab"
    contact_email: str | None = None
    allow_narrower: bool = False
    overrides: dict[str, str] = Field(default_factory=dict)
    dates: Dates = Field(default_factory=Dates)
    filters: Filters = Field(default_factory=Filters)
    output: Output
    update: Update = Field(default_factory=Update)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name is empty")
        return value.strip()

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty")
        return value

    @field_validator("databases")
    @classmethod
    def _databases(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if not values:
            raise ValueError("list at least one database")
        names = []
        for value in values:
            try:
                names.append(get_dialect(value).name)
            except ConfigError as exc:
                raise ValueError(str(exc)) from exc
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"database listed twice: {', '.join(duplicates)}")
        return tuple(names)

    @field_validator("default_field")
    @classmethod
    def _default_field(cls, value: str) -> str:
        key = value.strip().lower().strip("[]")
        if key not in DEFAULT_FIELDS:
            raise ValueError(
                f"default_field {value!r} is not a field untagged terms can search; "
                f"use one of {', '.join(DEFAULT_FIELDS)}"
            )
        return key

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value.strip()):
            raise ValueError(f"{value!r} is not an email address")
        return None if value is None else value.strip()

    @property
    def field(self) -> FieldTag:
        """The default field as the query language's tag."""
        return FieldTag(self.default_field)


@dataclass(frozen=True, slots=True)
class Problem:
    """A mistake found after validation: where (`loc`, as pydantic spells it) and what.

    `offset` is the 0-based position inside the string value at `loc`, for query errors.
    """

    loc: tuple[str, ...]
    message: str
    offset: int | None = None


def problems(spec: StrategySpec) -> list[Problem]:
    """Mistakes that span several keys, or need the query parser, in file order."""
    found: list[Problem] = []
    found.extend(_query_problem(("query",), spec.query))
    for db, text in spec.overrides.items():
        if db not in spec.databases:
            found.append(
                Problem(
                    ("overrides", db),
                    f"an override for {db!r}, which is not in databases "
                    f"({', '.join(spec.databases)})",
                )
            )
        else:
            found.extend(_query_problem(("overrides", db), text))
    first, last = spec.dates.first, spec.dates.last
    if first and last and first > last:
        found.append(Problem(("dates", "from"), f"from {first} is after to {last}"))
    return found


def _query_problem(loc: tuple[str, ...], text: str) -> list[Problem]:
    if not text.strip():
        return [Problem(loc, "the query is empty")]
    try:
        parse(text)
    except QuerySyntaxError as exc:
        return [Problem(loc, f"query syntax: {exc}", exc.offset)]
    return []
