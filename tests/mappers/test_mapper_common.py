from __future__ import annotations

import pytest

from searchharvest.mappers._common import earliest_date, iso_date, month_number, parse_free_date
from searchharvest.mappers.languages import to_iso639_1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1998 Dec-1999 Jan", "1998-12"),
        ("2000 Spring", "2000"),
        ("1999 Jan-Feb", "1999-01"),
        ("2001 Nov 15-Dec 2", "2001-11-15"),
        ("2004 Jul 12-18", "2004-07-12"),
        ("1978-1979", "1978"),
        ("Winter 2002", "2002"),
        ("undated", None),
    ],
)
def test_parse_free_date(text: str, expected: str | None) -> None:
    assert parse_free_date(text) == expected


def test_dates_and_months() -> None:
    assert month_number("Sept") == 9
    assert month_number("13") is None
    assert iso_date("202", 1) is None
    assert earliest_date(["2021-03", "2021", "2021-02-28"]) == "2021-02-28"
    assert earliest_date([None, None]) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [("eng", "en"), ("ger", "de"), ("deu", "de"), ("chi", "zh"), ("en", "en"), ("und", "und")],
)
def test_language_codes(code: str, expected: str) -> None:
    assert to_iso639_1(code) == expected
    assert to_iso639_1("  ") is None
