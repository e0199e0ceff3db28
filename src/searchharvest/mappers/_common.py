"""Helpers every mapper shares: the `Record.type` vocabulary and partial ISO dates.

Kept apart from the per-source modules so that PubMed, OpenAlex and Crossref records
agree on the same type names and the same date precedence (see docs/records.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from searchharvest.records import Provenance

WORK_TYPES: Final[tuple[str, ...]] = (
    "journal-article",
    "proceedings-article",
    "posted-content",
    "book",
    "book-chapter",
    "reference-entry",
    "report",
    "dissertation",
    "dataset",
    "standard",
    "peer-review",
    "component",
    "other",
)
"""Every value `Record.type` takes: Crossref's work-type ids, reduced to the forms a
screening tool distinguishes. Article genres (review, letter, editorial) are not forms:
they stay in `Record.publication_types`, spelled as the source spells them."""

MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
"""Lower-cased English month names and abbreviations → month number."""

_YEAR = re.compile(r"\b(\d{4})\b")


def month_number(text: str | None) -> int | None:
    """`"Jan"`, `"january"`, `"01"` or `"1"` → 1; anything else → None."""
    if not text:
        return None
    value = text.strip().lower().rstrip(".")
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(value)


def iso_date(
    year: int | str | None, month: int | None = None, day: int | None = None
) -> str | None:
    """Build `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, stopping at the first missing or bad part.

    >>> iso_date(2021, 3, 4), iso_date("2021", 3), iso_date(2021, None, 4), iso_date(None)
    ('2021-03-04', '2021-03', '2021', None)
    """
    if year is None or not str(year).strip().isdigit() or len(str(year).strip()) != 4:
        return None
    text = str(year).strip()
    if month is None or not 1 <= month <= 12:
        return text
    text += f"-{month:02d}"
    if day is None or not 1 <= day <= 31:
        return text
    return text + f"-{day:02d}"


def parse_free_date(text: str | None) -> str | None:
    """Read a free-text date such as PubMed's MedlineDate to its best-precision start.

    A range keeps its start (`"1998 Dec-1999 Jan"` → `1998-12`); a season has no month
    (`"2000 Spring"` → `2000`), because its months depend on the hemisphere.

    >>> parse_free_date("1998 Dec-1999 Jan"), parse_free_date("2000 Spring")
    ('1998-12', '2000')
    >>> parse_free_date("2001 Nov 15-Dec 2"), parse_free_date("1978-1979")
    ('2001-11-15', '1978')
    """
    if not text:
        return None
    match = _YEAR.search(text)
    if match is None:
        return None
    rest = text[match.end() :].split("-", 1)[0].split()
    month = month_number(rest[0]) if rest else None
    day = int(rest[1]) if month and len(rest) > 1 and rest[1].isdigit() else None
    return iso_date(match.group(1), month, day)


def earliest_date(dates: Iterable[str | None]) -> str | None:
    """The earliest of several partial ISO dates; on a tie, the most precise one.

    Dates are compared on the parts both have, so `2021` and `2021-03-04` tie and the
    precise one wins, while `2020-12-05` is earlier than `2021`.

    >>> earliest_date(["2021", "2020-12-05", None]), earliest_date(["2021", "2021-03-04"])
    ('2020-12-05', '2021-03-04')
    """
    best: str | None = None
    for date in dates:
        if not date:
            continue
        if best is None:
            best = date
            continue
        shared = min(len(best), len(date))
        if date[:shared] < best[:shared] or (
            date[:shared] == best[:shared] and len(date) > len(best)
        ):
            best = date
    return best


def year_of(date: str | None) -> int | None:
    """The year of a partial ISO date, or None."""
    return int(date[:4]) if date else None


def provenance_tuple(provenance: Provenance | None) -> tuple[Provenance, ...]:
    """Wrap the optional provenance the connectors pass into `Record.provenance`."""
    return (provenance,) if provenance is not None else ()


def dedupe(values: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty stripped values in first-seen order, each once."""
    seen: dict[str, None] = {}
    for value in values:
        if value and (text := value.strip()):
            seen.setdefault(text, None)
    return tuple(seen)
