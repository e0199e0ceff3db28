"""The search log a PRISMA-S report needs, built from a finished search.

PRISMA-S (Rethlefsen et al., Syst Rev 2021;10:39, https://doi.org/10.1186/s13643-020-01542-z)
asks for each database: the full search strategy exactly as run (item 8), the limits and
filters (item 9), the date searched and the number of records (items 13 and 16), and the
software used. `SearchLog.from_result()` takes all of that from the `SearchResult`
reports, so the log states what was sent, not what was meant. Caller identity (`api_key`,
`email`, `mailto`, `tool`) never enters the log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from searchharvest.apis import IDENTITY_PARAMS
from searchharvest.connectors import DatabaseReport
from searchharvest.errors import ConfigError
from searchharvest.export._atomic import atomic_write
from searchharvest.harvest import SearchResult
from searchharvest.prisma import PrismaCounts, display_name
from searchharvest.query import parse, to_string

_SECRET_NAMES: Final = sorted(IDENTITY_PARAMS | {"apikey", "key", "token"})
_SECRET_IN_URL: Final = re.compile(r"(?i)([?&](?:" + "|".join(_SECRET_NAMES) + r")=)[^&#\s\]]*")
"""Like `errors.redact`, plus identity, and stopping at the `]` closing a request."""
_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """Hide keys and caller identity in `text` (URL parameters and e-mail addresses).

    >>> scrub("GET /esearch?term=x&email=me@example.org&api_key=abc")
    'GET /esearch?term=x&email=***&api_key=***'
    """
    return _EMAIL.sub("***", _SECRET_IN_URL.sub(r"\1***", text))


def _scrub_value(value: Any) -> Any:
    """`scrub` every string inside a JSON-like value; drop identity keys of mappings."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _scrub_value(v) for k, v in value.items() if str(k) not in IDENTITY_PARAMS}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


class SearchLogEntry(BaseModel):
    """What was run in one database, and what came back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database: str
    native: str | dict[str, str]
    """The query string (PubMed) or request parameters as sent, paging and identity left out."""
    override: str | None = None
    """The hand-written query for this database, when one replaced the strategy."""
    fidelity: str
    """`exact`, `broader` or `narrower`: how the native query relates to the strategy."""
    notes: list[dict[str, Any]] = []
    """Every element not sent exactly, and why (see docs/databases.md)."""
    filtered_locally: bool
    """Whether each record was checked against the strategy before it was kept."""
    date_from: date | None = None
    date_to: date | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    total: int | None = None
    """Records the database reported for the native query."""
    retrieved: int
    kept: int
    unverified: int = 0
    requests: int = 0
    cache_hits: int = 0
    """Responses replayed from the local cache: their content is from an earlier date."""
    complete: bool
    warnings: list[str] = []
    error: str | None = None
    details: dict[str, Any] = {}
    """Database facts such as PubMed's query translation or OpenAlex request chunks."""

    @classmethod
    def from_report(
        cls,
        report: DatabaseReport,
        *,
        override: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> SearchLogEntry:
        """The entry for one database report, with caller identity removed."""
        native = report.native
        if not isinstance(native, str):
            native = {k: scrub(v) for k, v in native.items() if k not in IDENTITY_PARAMS}
        return cls(
            database=report.db,
            native=native,
            override=override,
            fidelity=str(report.fidelity),
            notes=[note.to_json() for note in report.notes],
            filtered_locally=report.filter_locally,
            date_from=date_from,
            date_to=date_to,
            started_at=report.started_at,
            finished_at=report.finished_at,
            total=report.total,
            retrieved=report.retrieved,
            kept=report.kept,
            unverified=report.unverified,
            requests=report.requests,
            cache_hits=report.cache_hits,
            complete=report.complete,
            warnings=[scrub(w) for w in report.warnings],
            error=scrub(report.error) if report.error else None,
            details=_scrub_value(report.details),
        )

    def to_markdown(self) -> str:
        """One PRISMA-S section: the query in a code block, then limits and numbers."""
        name = display_name(self.database)
        lines = [f"## {name}", "", f"- Date and time run: {_when(self.started_at)}"]
        if self.finished_at:
            lines.append(f"- Finished: {_when(self.finished_at)}")
        lines += ["- Query as sent:", "", "```text", _native_block(self.native), "```", ""]
        if self.override:
            lines.append(f"- Written by hand for {name}: `{self.override}`")
        lines.append(f"- Date limits: {_dates(self.date_from, self.date_to)}")
        lines.append(
            "- Filters: "
            + (
                "none beyond the query"
                if not self.filtered_locally
                else "each record checked locally against the strategy, because the query "
                "sent is broader"
            )
        )
        total = "not reported" if self.total is None else str(self.total)
        lines.append(f"- Records reported by {name}: {total}")
        lines.append(f"- Records retrieved: {self.retrieved}")
        kept = f"- Records kept: {self.kept}"
        if self.unverified:
            kept += f" ({self.unverified} kept unverified: the record lacked the data to check)"
        lines.append(kept)
        if self.cache_hits:
            lines.append(
                f"- Responses from the local cache: {self.cache_hits} of {self.requests} "
                "(their content dates from when they were first fetched)"
            )
        lines.append(f"- Complete: {'yes' if self.complete else 'no'}")
        if self.error:
            lines.append(f"- Failed: {self.error}")
        lines.append(f"- Fidelity: {self.fidelity}")
        lines += [
            f"  - {n['fidelity']}: `{n['element']}` (offset {n['offset']}): {n['reason']}"
            for n in self.notes
        ]
        lines += [f"- Warning: {w}" for w in self.warnings]
        if self.details:
            lines += [
                "- Details:",
                "",
                "```json",
                json.dumps(self.details, indent=2, ensure_ascii=False, default=str),
                "```",
            ]
        return "\n".join(lines) + "\n"


class SearchLog(BaseModel):
    """A whole run: the strategy, its options, one entry per database, the PRISMA counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    started_at: datetime | None = None
    finished_at: datetime | None = None
    library: str = "searchharvest"
    library_version: str
    query: str
    """The strategy in canonical syntax (parse → print)."""
    default_field: str
    """The field searched by terms written without a field tag."""
    date_from: date | None = None
    date_to: date | None = None
    max_records: int | None = None
    """The cap on records kept per database, if any: a capped search is incomplete."""
    databases: list[SearchLogEntry]
    prisma: PrismaCounts | None = None

    @classmethod
    def from_result(cls, result: SearchResult, *, prisma: PrismaCounts | None = None) -> SearchLog:
        """The log of a search that has been iterated (or stopped by a failure).

        >>> from searchharvest.demo import demo_search
        >>> result = demo_search()
        >>> _ = list(result)
        >>> log = SearchLog.from_result(result)
        >>> [entry.database for entry in log.databases]
        ['pubmed', 'openalex', 'crossref']
        """
        options = result.options
        query = result.query if isinstance(result.query, str) else to_string(result.query)
        entries = [
            SearchLogEntry.from_report(
                report,
                override=options.overrides.get(db),
                date_from=result.compiled[db].date_from,
                date_to=result.compiled[db].date_to,
            )
            for db, report in result.reports.items()
        ]
        return cls(
            started_at=result.started,
            finished_at=result.finished,
            library_version=version("searchharvest"),
            query=to_string(parse(query)),
            default_field=options.default_field.value,
            date_from=options.date_from,
            date_to=options.date_to,
            max_records=options.max_records,
            databases=entries,
            prisma=prisma,
        )

    def to_json(self) -> dict[str, Any]:
        """The log as JSON-ready data (dates and times in ISO 8601)."""
        data = self.model_dump(mode="json", exclude={"prisma"})
        data["prisma"] = self.prisma.to_json() if self.prisma else None
        return data

    def to_markdown(self) -> str:
        """A PRISMA-S friendly report: the run, then one section per database."""
        names = ", ".join(display_name(e.database) for e in self.databases)
        lines = [
            "# Search log",
            "",
            f"- Run: {_when(self.started_at)} to {_when(self.finished_at)}",
            f"- Software: {self.library} {self.library_version}",
            f"- Databases: {names}",
            f"- Untagged terms search: [{self.default_field}]",
            f"- Date limits: {_dates(self.date_from, self.date_to)}",
            "- Most records kept per database: "
            + ("no limit" if self.max_records is None else str(self.max_records)),
            "",
            "Strategy (canonical syntax; see docs/query-language.md):",
            "",
            "```text",
            self.query,
            "```",
            "",
        ]
        sections = ["\n".join(lines)] + [entry.to_markdown() for entry in self.databases]
        if self.prisma:
            sections.append("## PRISMA 2020 counts\n\n" + self.prisma.to_markdown())
        return "\n".join(sections)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else "not run"


def _dates(first: date | None, last: date | None) -> str:
    if first is None and last is None:
        return "none"
    return f"from {first.isoformat() if first else 'the earliest'} to " + (
        last.isoformat() if last else "the latest"
    )


def _native_block(native: str | dict[str, str]) -> str:
    return native if isinstance(native, str) else "\n".join(f"{k}={v}" for k, v in native.items())


def check_log_path(path: Path) -> None:
    """Fail early (before a long harvest) if `write_search_log` would refuse `path`.

    Raises:
        ConfigError: a suffix other than `.md` or `.json`.
    """
    if path.suffix.lower() not in {".md", ".json"}:
        raise ConfigError(f"{path}: the search log is written as .md or .json")


def write_search_log(path: Path, log: SearchLog) -> None:
    """Write the log as Markdown (`.md`) or JSON (`.json`), chosen by suffix.

    Raises:
        ConfigError: any other suffix.
    """
    check_log_path(path)
    if path.suffix.lower() == ".md":
        text = log.to_markdown()
    else:
        text = json.dumps(log.to_json(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, lambda fp: print(text, end="", file=fp))
