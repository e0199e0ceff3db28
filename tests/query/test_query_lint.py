"""Lint: each check fires where it should, with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.query import Field, Or, Term, lint, parse

STRATEGIES = [
    line
    for line in (Path(__file__).parent.parent / "fixtures" / "queries" / "strategies.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("#")
]


def codes(query: str) -> list[str]:
    return [w.code for w in lint(query) if w.code != "untagged"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a[ti] OR b[ti] AND c[ti] OR d[ti]", ["mixed-and-or"]),
        ("(a[ti] OR b[ti]) AND (c[ti] OR d[ti])", []),
        ("a[ti] b[ti] OR c[ti]", ["mixed-and-or"]),
        ("a[ti] OR (b[ti]) AND c[ti]", ["mixed-and-or"]),
        ("a[ti] OR b[ti] NOT c[ti]", ["mixed-not", "not"]),
        ("(a[ti] OR b[ti]) NOT c[ti]", ["not"]),
        ("co-produc*[ti] OR co-producing[ti]", ["covered-by-truncation"]),
        ("co-produc*[ti] OR co-producing[ab]", []),
        (
            '"public serv*"[ti] OR "public services"[ti]',
            ["short-truncation", "covered-by-truncation"],
        ),
        ("care*[ti]", ["short-truncation"]),
        ("caring*[ti]", []),
        ("health[ti] OR Health[ti]", ["duplicate"]),
        ("a[ti] and b[ti]", ["lowercase-operator", "implicit-phrase"]),
        ("mental health[tiab]", ["implicit-phrase"]),
        ('"mental health"[tiab]', []),
    ],
)
def test_checks(query: str, expected: list[str]) -> None:
    assert codes(query) == expected


def test_mixed_and_or_says_what_was_chosen_and_what_to_write() -> None:
    [warning] = [w for w in lint("a OR b AND c OR d") if w.code == "mixed-and-or"]
    assert warning.severity == "warning"
    assert warning.span.start == 0
    assert warning.span.end == 17
    assert "reads as: a OR (b AND c) OR d" in warning.message
    assert "write: (a OR b) AND (c OR d)" in warning.message


def test_untagged_names_the_default_field() -> None:
    [warning] = lint("health", default_field=Field.TI)
    assert warning.code == "untagged"
    assert warning.severity == "info"
    assert warning.message == "health has no field tag; it is searched in the default field [ti]"


def test_not_cites_the_excluded_part_with_its_span() -> None:
    query = "health[ti] NOT (animals[mh] OR rats[mh])"
    [warning] = [w for w in lint(query) if w.code == "not"]
    assert "matches animals[mh] OR rats[mh]" in warning.message
    assert query[warning.span.start : warning.span.end] == "(animals[mh] OR rats[mh])"


def test_lint_accepts_a_tree_and_skips_text_checks() -> None:
    tree = Or((Term("a", field=Field.TI), Term("A", field=Field.TI)))
    assert [w.code for w in lint(tree)] == ["duplicate"]


def test_unparenthesised_mental_health_strategy_is_flagged() -> None:
    query = STRATEGIES[1]
    tree = parse(query)
    assert isinstance(tree, Or)
    assert len(tree.items) == 19
    [warning] = [w for w in lint(query) if w.code == "mixed-and-or"]
    assert 'OR (co-innovation AND "mental health") OR' in warning.message
    assert warning.message.endswith(
        "write: (co-production OR co-design OR co-delivery OR co-evaluation OR co-producing"
        " OR engagement OR inclusion OR involvement OR participation OR co-creation"
        ' OR co-innovation) AND ("mental health" OR "mental illness" OR "mental ill health"'
        ' OR "mental well-being" OR "mental wellness" OR "psychiatric health"'
        ' OR "psychiatric illness" OR mental OR psychiatry)'
    )


def test_parenthesised_strategies_have_no_mixed_warning() -> None:
    for query in (STRATEGIES[0], STRATEGIES[2]):
        assert "mixed-and-or" not in codes(query)


def test_untagged_terms_get_one_note_for_the_whole_query() -> None:
    query = "(co-produc* OR coproduc*) AND (health OR social[ti])"
    [warning] = [w for w in lint(query) if w.code == "untagged"]
    assert warning.message == (
        "3 terms have no field tag (the first is co-produc*); "
        "they are searched in the default field [tiab]"
    )
    assert query[warning.span.start : warning.span.end] == "co-produc*"
