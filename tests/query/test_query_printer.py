"""Printer: canonical text, and parse(to_string(t)) == t for every valid tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchharvest.errors import QuerySyntaxError
from searchharvest.query import (
    And,
    DateRange,
    Field,
    Near,
    Node,
    Not,
    Or,
    PartialDate,
    Phrase,
    Term,
    normalize,
    parse,
    to_string,
)
from searchharvest.query.ast import walk

FIXTURES = Path(__file__).parent.parent / "fixtures" / "queries"
IDENTITY = [
    line for line in (FIXTURES / "identity.txt").read_text(encoding="utf-8").splitlines() if line
]

TEXT_FIELDS = [None, Field.TIAB, Field.TI, Field.AB, Field.OT, Field.MH, Field.AU, Field.PT]
# Words obey the printer's invariants (non-empty; no whitespace, double quote or `*`) but
# otherwise include everything awkward: operator words, apostrophes, brackets, colons.
word = st.one_of(
    st.sampled_from(["AND", "OR", "NOT", "and", "Crohn's", "'tis", "a:b", "(x)", "[y]", "adj3"]),
    st.text(alphabet=st.sampled_from("abcXYZ019-'’‘,.:/$?#=~()[]é"), min_size=1, max_size=8).filter(
        lambda w: any(ch.isalnum() for ch in w)
    ),
)
stem = st.text(alphabet="abcdefgh0-", min_size=4, max_size=8).filter(
    lambda w: sum(ch.isalnum() for ch in w) >= 4
)


@st.composite
def terms(draw: st.DrawFn) -> Node:
    truncated = draw(st.booleans())
    text = draw(stem if truncated else word)
    return Term(text, truncated, draw(st.sampled_from(TEXT_FIELDS)))


@st.composite
def phrases(draw: st.DrawFn) -> Node:
    words = draw(st.lists(word, min_size=2, max_size=4))
    truncated = draw(st.booleans())
    if truncated:
        words[-1] = draw(stem)
    return Phrase(tuple(words), truncated, draw(st.sampled_from(TEXT_FIELDS)))


@st.composite
def nears(draw: st.DrawFn) -> Node:
    words = draw(st.lists(word, min_size=2, max_size=3))
    field = draw(st.sampled_from([None, Field.TIAB, Field.TI, Field.AB]))
    return Near(tuple(words), draw(st.integers(0, 20)), field)


@st.composite
def dates(draw: st.DrawFn) -> Node:
    year = draw(st.integers(1900, 2030))
    start = PartialDate(year, draw(st.none() | st.integers(1, 12)))
    end = PartialDate(year + draw(st.integers(0, 5)))
    return DateRange(start, end, draw(st.sampled_from([Field.DP, Field.EDAT])))


leaves = st.one_of(terms(), phrases(), nears(), dates())
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        st.lists(kids, min_size=2, max_size=4).map(lambda xs: And(tuple(xs))),
        st.lists(kids, min_size=2, max_size=4).map(lambda xs: Or(tuple(xs))),
        st.tuples(kids, kids).map(lambda pair: Not(*pair)),
    ),
    max_leaves=12,
)


@given(trees)
@settings(max_examples=400)
def test_round_trip(tree: Node) -> None:
    assert parse(to_string(tree)) == tree


@given(trees)
def test_normalize_is_idempotent(tree: Node) -> None:
    once = normalize(tree)
    assert normalize(once) == once


NOISE = st.lists(
    st.sampled_from(
        [*"()\"*[]:~‘’“”'/ abc-019$=", " AND ", " OR ", " NOT ", "tiab", "dp", ":~3", "2020"]
    ),
    max_size=30,
).map("".join)


@given(NOISE)
@settings(max_examples=1000)
def test_random_text_parses_or_raises_syntax_error(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as error:
        offset = error.offset
        assert 0 <= offset <= len(text)
        return
    assert parse(to_string(tree)) == tree


@pytest.mark.parametrize("line", IDENTITY)
def test_identity_fixture(line: str) -> None:
    assert to_string(parse(line)) == line


def test_identity_fixture_covers_every_construct() -> None:
    kinds = {type(node).__name__ for line in IDENTITY for node in _walk(parse(line))}
    fields = {getattr(node, "field", None) for line in IDENTITY for node in _walk(parse(line))}
    assert len(IDENTITY) >= 25
    assert kinds == {"Term", "Phrase", "Near", "DateRange", "And", "Or", "Not"}
    assert set(Field) <= fields


def _walk(node: Node) -> list[Node]:
    return walk(node)


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (Term("AND"), '"AND"'),
        (Term("a:b", field=Field.TI), '"a:b"[ti]'),
        (Or((Term("a"), And((Term("b"), Term("c"))))), "a OR (b AND c)"),
        (Not(Not(Term("a"), Term("b")), Term("c")), "(a NOT b) NOT c"),
        (DateRange(PartialDate(2019, 3), PartialDate(2020), Field.EDAT), "2019/03:2020[edat]"),
        (Near(("a", "b"), 3, Field.TIAB), '"a b"[tiab:~3]'),
    ],
)
def test_canonical_text(tree: Node, text: str) -> None:
    assert to_string(tree) == text
