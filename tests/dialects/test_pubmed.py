from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import Fidelity
from searchharvest.query.ast import Field

STRATEGY_1 = (
    "(co-produc* OR coproduc* OR co-design* OR codesign*) AND "
    '(health OR social OR "public service*" OR "public sector")'
)

CASES = [
    ("co-produc*", "co-produc*[tiab]"),
    ('"public service*"', '"public service*"[tiab]'),
    ('"mental health"', '"mental health"[tiab]'),
    ("neoplasms[mh]", "neoplasms[mh]"),
    ("neoplasms[mh:noexp]", "neoplasms[mh:noexp]"),
    ("smith j[au]", "smith j[au]"),
    ("english[la] AND review[pt]", "english[la] AND review[pt]"),
    ('"patient partnership"[tiab:~3]', '"patient partnership"[tiab:~3]'),
    ("2019:2024[dp]", "2019:2024[dp]"),
    ("2019/03/01:2024/12/31[edat]", "2019/03/01:2024/12/31[edat]"),
    ("a OR b AND c", "a[tiab] OR (b[tiab] AND c[tiab])"),
    ("cancer NOT (mice OR rats)", "cancer[tiab] NOT (mice[tiab] OR rats[tiab])"),
]


@pytest.mark.parametrize(("query", "native"), CASES)
def test_exact_translations(assert_compiles: Callable[..., None], query: str, native: str) -> None:
    assert_compiles(query, pubmed=native)


@pytest.mark.parametrize(
    ("query", "native"),
    [
        ('"patient partner*"[tiab:~3]', "patient[tiab] AND partner*[tiab]"),
        ('"patient partnership"[ab:~2] OR x', "(patient[ab] AND partnership[ab]) OR x[tiab]"),
        ('"patient partnership"[ab:~2]', "patient[ab] AND partnership[ab]"),
    ],
)
def test_proximity_pubmed_would_ignore_is_sent_as_and(
    assert_compiles: Callable[..., None], query: str, native: str
) -> None:
    assert_compiles(query, pubmed=(native, Fidelity.BROADER))


def test_strategy_1_golden() -> None:
    compiled = compile(STRATEGY_1, "pubmed")
    assert compiled.native == (
        "(co-produc*[tiab] OR coproduc*[tiab] OR co-design*[tiab] OR codesign*[tiab]) AND "
        '(health[tiab] OR social[tiab] OR "public service*"[tiab] OR "public sector"[tiab])'
    )
    assert compiled.fidelity is Fidelity.EXACT
    assert compiled.notes == ()


def test_strategy_dates_are_anded_with_open_ends() -> None:
    compiled = compile("cancer OR pain", "pubmed", date_from=date(2019, 3, 1))
    assert compiled.native == "(cancer[tiab] OR pain[tiab]) AND 2019/03/01:3000/12/31[dp]"
    compiled = compile("cancer", "pubmed", date_to=date(2024, 12, 31))
    assert compiled.native == "cancer[tiab] AND 1800/01/01:2024/12/31[dp]"


def test_default_field_is_applied_to_untagged_terms() -> None:
    compiled = compile("cancer OR pain[ti]", "pubmed", default_field=Field.AB)
    assert compiled.native == "cancer[ab] OR pain[ti]"
