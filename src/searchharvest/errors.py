"""Every exception searchharvest raises, under one root.

```
SearchHarvestError
├── QueryError
│   ├── QuerySyntaxError (offset, query; caret message)
│   └── UnsupportedQueryError (db, notes: what the database cannot retrieve)
├── ConfigError (a bad setting or option, e.g. an unknown database)
├── StrategyFileError (path, line)
├── RecordFileError (path; import and export of record files)
├── RunIncomplete (databases: a strategy run stopped early and was not recorded)
├── RunInProgress (path: another run of the same strategy holds its run store)
└── HarvestError (request: method + URL with secrets removed; partial: records kept so far)
    ├── RetriesExhausted (last status or exception)
    ├── OfflineCacheMiss (offline mode and the response is not cached)
    └── MalformedResponse (the server answered something we cannot read)
```

Exceptions carry data (`.offset`, `.request`, `.notes`, `.partial`), not only text, and
never an API key: every URL shown is passed through `redact()` first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchharvest.dialects.base import Note

_SECRET_PARAMS = re.compile(r"""(?i)([?&](?:api_key|apikey|key|token)=)[^&#\s\])"'<>]*""")


def redact(text: str) -> str:
    """Replace the value of every secret query parameter in `text` with `***`."""
    return _SECRET_PARAMS.sub(r"\1***", text)


class SearchHarvestError(Exception):
    """Root of every searchharvest exception."""


class QueryError(SearchHarvestError):
    """A query that cannot be used as written."""


class QuerySyntaxError(QueryError):
    """The query text does not parse.

    Attributes:
        offset: 0-based character offset of the problem in `query`.
        query: the text that was parsed.
        reason: the bare description, without the caret drawing.
    """

    def __init__(self, reason: str, query: str, offset: int, length: int = 1) -> None:
        self.reason = reason
        self.query = query
        self.offset = offset
        self.length = max(1, length)
        super().__init__(self._render())

    def _render(self) -> str:
        line_start = self.query.rfind("\n", 0, self.offset) + 1
        line_end = self.query.find("\n", self.offset)
        if line_end == -1:
            line_end = len(self.query)
        line_no = self.query.count("\n", 0, self.offset) + 1
        column = self.offset - line_start
        line = self.query[line_start:line_end]
        width = max(1, min(self.length, len(line) - column))
        caret = " " * column + "^" * width
        return (
            f"{self.reason} at offset {self.offset} (line {line_no}, column {column + 1})\n"
            f"  {line}\n  {caret}"
        )


class UnsupportedQueryError(QueryError):
    """The database would return fewer records than the query means (fidelity `narrower`).

    Raised by `compile()` unless the caller passes `allow_narrower=True`; `.notes` lists
    every element that would be lost and why.
    """

    def __init__(self, db: str, notes: Sequence[Note]) -> None:
        self.db = db
        self.notes = tuple(notes)
        lines = "\n".join(f"  - {n.describe()}" for n in self.notes)
        super().__init__(
            f"{db} cannot retrieve everything this query means (fidelity: narrower):\n{lines}\n"
            "Rewrite the query for this database, give a per-database override, or pass "
            "allow_narrower=True (CLI: --allow-narrower) to accept the loss."
        )


class ConfigError(SearchHarvestError):
    """An invalid setting, option or argument (unknown database, bad date, ...)."""


class _FileError(SearchHarvestError):
    """A file that cannot be used; `.path`, and `.line` when the problem has one."""

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class StrategyFileError(_FileError):
    """A strategy file that cannot be used; `.line` points at the problem when known."""


class RecordFileError(_FileError):
    """A record file (RIS, CSV, BibTeX, JSON Lines) that cannot be read or written."""


class HarvestError(SearchHarvestError):
    """A harvest request failed.

    Attributes:
        request: method and URL of the failed request, secrets removed.
        partial: records harvested before the failure (nothing already fetched is lost).
    """

    def __init__(self, message: str, request: str, partial: Sequence[Any] = ()) -> None:
        self.request = redact(request)
        self.partial: list[Any] = list(partial)
        super().__init__(f"{redact(message)} [{self.request}]")


class RetriesExhausted(HarvestError):
    """Every retry of a request failed (429, 5xx, timeouts or connection errors)."""

    def __init__(self, request: str, attempts: int, last: str, partial: Sequence[Any] = ()) -> None:
        self.attempts = attempts
        self.last = redact(last)
        super().__init__(f"gave up after {attempts} attempts; last: {last}", request, partial)


class OfflineCacheMiss(HarvestError):
    """Offline mode is on and the response to this request is not in the cache."""

    def __init__(self, request: str) -> None:
        super().__init__(
            "offline mode: this request is not in the cache (run once online, or unset "
            "SEARCHHARVEST_OFFLINE)",
            request,
        )


class MalformedResponse(HarvestError):
    """The server answered with something that is not the documented format."""


class RunIncomplete(SearchHarvestError):
    """A database stopped before every record was seen; the run was not recorded.

    Attributes:
        databases: the databases whose harvest is incomplete.
    """

    def __init__(self, databases: Sequence[str]) -> None:
        self.databases = tuple(databases)
        super().__init__(
            f"harvest incomplete in {', '.join(self.databases)}: nothing was recorded, "
            "so the next update does not skip what was missed; re-run when the service "
            "answers fully"
        )


class RunInProgress(SearchHarvestError):
    """Another run or update of the same strategy holds its run store.

    Two overlapping updates would both search the same window and both record it; the
    second one stops before sending any request instead.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: another run or update of this strategy is in progress; "
            "try again when it has finished"
        )
