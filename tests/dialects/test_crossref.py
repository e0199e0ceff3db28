from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import Fidelity
from searchharvest.errors import UnsupportedQueryError

B = Fidelity.BROADER
N = Fidelity.NARROWER
Q = "query.bibliographic"

CASES = [
    ("cancer", {Q: "cancer"}),
    ("cancer OR pain[ti]", {Q: "cancer pain"}),
    ("cancer AND pain", ({Q: "cancer pain"}, B)),
    ('"mental health"', ({Q: "mental health"}, B)),
    ("cancer NOT mice", ({Q: "cancer"}, B)),
    ("cancer AND neoplasms[mh]", ({Q: "cancer"}, B)),
    ("cancer OR neoplasms[mh]", ({Q: "cancer"}, N)),
    ("cancer OR pain[ab]", ({Q: "cancer"}, N)),
    ("cancer*", ({Q: "cancer"}, N)),
    ("Cancer OR cancer", {Q: "cancer"}),
    (
        "cancer AND 2019:2024[dp]",
        {Q: "cancer", "filter": "from-pub-date:2019-01-01,until-pub-date:2024-12-31"},
    ),
    ("neoplasms[mh]", UnsupportedQueryError),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_translations(assert_compiles: Callable[..., None], query: str, expected: object) -> None:
    assert_compiles(query, crossref=expected)


def test_truncation_is_narrower_and_needs_opt_in() -> None:
    with pytest.raises(UnsupportedQueryError) as info:
        compile("produc*", "crossref")
    assert "only the exact word 'produc'" in info.value.notes[0].reason


def test_strategy_dates_become_filters() -> None:
    compiled = compile("cancer", "crossref", date_from=date(2020, 1, 1))
    assert compiled.native == {Q: "cancer", "filter": "from-pub-date:2020-01-01"}
