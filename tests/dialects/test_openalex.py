from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import Fidelity
from searchharvest.dialects.openalex import split_or, url_bytes
from searchharvest.errors import UnsupportedQueryError

B = Fidelity.BROADER
N = Fidelity.NARROWER
TA = "title_and_abstract.search:"

CASES = [
    ("cancer", (f"{TA}cancer", B)),
    ("co-design", (f'{TA}"co design"', B)),
    ("co-produc*", (f"{TA}co AND produc*", B)),
    ('"public service*"', (f"{TA}public AND service*", B)),
    ('"patient partnership"[tiab:~3]', (f"{TA}patient AND partnership", B)),
    ("cancer[ti] AND pain[ti]", ("title.search:cancer AND pain", B)),
    ("cancer[ab]", ("abstract.search:cancer", B)),
    ("cancer[ti] OR pain[ab]", (f"{TA}cancer OR pain", B)),
    ("cancer AND english[la]", (f"{TA}cancer,language:en", B)),
    ("cancer AND (english[la] OR french[la])", (f"{TA}cancer,language:en|fr", B)),
    (
        "cancer AND 2019:2024[dp]",
        (f"{TA}cancer,from_publication_date:2019-01-01,to_publication_date:2024-12-31", B),
    ),
    ("cancer AND neoplasms[mh]", (f"{TA}cancer", B)),
    ("cancer NOT review[pt]", (f"{TA}cancer", B)),
    ("cancer OR neoplasms[mh]", (f"{TA}cancer", N)),
    ("cancer AND klingon[la]", (f"{TA}cancer", B)),
    ("cancer AND 2020[edat]", (f"{TA}cancer", B)),
    ("neoplasms[mh] AND english[la]", ("language:en", B)),
    ("neoplasms[mh]", UnsupportedQueryError),
    ("cancer[ot]", UnsupportedQueryError),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_translations(assert_compiles: Callable[..., None], query: str, expected: object) -> None:
    if isinstance(expected, tuple):
        expected = ({"filter": expected[0]}, expected[1])
    assert_compiles(query, openalex=expected)


def test_strategy_dates_and_query_dates_intersect() -> None:
    compiled = compile(
        "cancer AND 2015:2030[dp]", "openalex", date_from=date(2019, 1, 1), date_to=None
    )
    assert compiled.native["filter"].endswith(  # type: ignore[index]
        "from_publication_date:2019-01-01,to_publication_date:2030-12-31"
    )


def test_narrower_note_names_what_is_lost() -> None:
    with pytest.raises(UnsupportedQueryError) as info:
        compile("cancer OR neoplasms[mh]", "openalex")
    (note,) = info.value.notes
    assert note.element == "neoplasms[mh]"
    assert "records found only through this element are lost" in note.reason
    assert note.span.start == 10


def test_split_or_keeps_every_term_and_fits_the_url_limit() -> None:
    terms = [f"term{i:04d}word" for i in range(400)]
    query = "(" + " OR ".join(terms) + ") AND mental"
    compiled = compile(query, "openalex")
    assert url_bytes(compiled.native) > 4094  # type: ignore[arg-type]
    chunks = split_or(compiled)
    assert len(chunks) > 1
    assert all(url_bytes(c.native) <= 4094 for c in chunks)  # type: ignore[arg-type]
    sent = " ".join(c.native["filter"] for c in chunks)  # type: ignore[index]
    assert all(t in sent for t in terms)
    assert all(c.native["filter"].endswith(" AND mental") for c in chunks)  # type: ignore[index]


def test_split_or_leaves_short_queries_alone() -> None:
    compiled = compile("a OR b", "openalex")
    assert split_or(compiled) == [compiled]
