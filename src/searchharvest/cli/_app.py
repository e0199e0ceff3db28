"""The command group, exit codes and the helpers every command shares.

Library exceptions become messages and exit codes here, in one place:

- 0: success
- 1: a harvest failed (records harvested before the failure were still written)
- 2: bad input: query syntax (with a caret under the problem), options, files
- 3: a database cannot retrieve everything the query means (fidelity narrower)
- 4: the harvest finished but is incomplete (a cap was reached; see the summary)
- 5: a strategy run or update succeeded and found no new records (cron and CI treat any
  non-zero code as a failure: pass `--zero-exit-when-none` to get 0 instead)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from searchharvest import __version__
from searchharvest.errors import (
    ConfigError,
    QueryError,
    QuerySyntaxError,
    RecordFileError,
    SearchHarvestError,
    StrategyFileError,
    UnsupportedQueryError,
)

EXIT_HARVEST = 1
EXIT_INPUT = 2
EXIT_NARROWER = 3
EXIT_INCOMPLETE = 4
EXIT_NO_NEW = 5

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True)


class CliError(click.ClickException):
    """A library error shown as one message; subclasses set the exit code."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class InputError(CliError):
    exit_code = EXIT_INPUT


class HarvestFailed(CliError):
    exit_code = EXIT_HARVEST


class NarrowerError(CliError):
    exit_code = EXIT_NARROWER


class IncompleteHarvest(CliError):
    exit_code = EXIT_INCOMPLETE


@contextmanager
def library_errors() -> Iterator[None]:
    """Map library exceptions to exit codes and clear messages."""
    try:
        yield
    except QuerySyntaxError as exc:
        raise InputError(f"query syntax: {exc}") from exc
    except UnsupportedQueryError as exc:
        raise NarrowerError(str(exc)) from exc
    except (QueryError, ConfigError, StrategyFileError, RecordFileError) as exc:
        raise InputError(str(exc)) from exc
    except SearchHarvestError as exc:
        raise HarvestFailed(str(exc)) from exc


def read_query(value: str) -> str:
    """QUERY or `@path`: the query text."""
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read query file {path}: {exc.strerror}") from exc
    return value


def parse_databases(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        raise InputError("--db needs at least one database")
    return names


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from exc


def field_option(func: F) -> F:
    return click.option(
        "--default-field",
        type=click.Choice(["tiab", "ti", "ab"]),
        default="tiab",
        show_default=True,
        help="Field searched by terms written without a field tag.",
    )(func)


def output_option(default: Path | None = None) -> Callable[[F], F]:
    """`-o/--output`: a record file whose suffix picks the format (required without a default)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        required=default is None,
        default=default,
        show_default=default is not None,
        help="Record file; the suffix picks the format: .ris, .csv (ASReview), .bib, .jsonl.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchharvest")
def main() -> None:
    """Compile one Boolean search strategy for PubMed, OpenAlex and Crossref and harvest it.

    Example: searchharvest compile '(co-produc* OR codesign*) AND health' --db openalex
    """
