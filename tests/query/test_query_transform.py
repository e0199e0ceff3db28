"""Visitor dispatch, Transformer rebuilding, normalize and with_default_field."""

from __future__ import annotations

import pytest

from searchharvest.query import (
    DateRange,
    Field,
    Near,
    Node,
    Phrase,
    Term,
    Transformer,
    Visitor,
    normalize,
    parse,
    to_string,
    with_default_field,
)


class Names(Visitor[str]):
    def visit_term(self, node: Term) -> str:
        return "term"

    def visit_date_range(self, node: DateRange) -> str:
        return "date"

    def generic_visit(self, node: Node) -> str:
        return "other"


def test_visitor_dispatches_by_snake_case_class_name() -> None:
    assert Names().visit(parse("abc")) == "term"
    assert Names().visit(parse("2020[dp]")) == "date"
    assert Names().visit(parse('"a b"')) == "other"


def test_visitor_without_handler_or_fallback_says_what_is_missing() -> None:
    with pytest.raises(NotImplementedError, match="visit_near"):
        Visitor[int]().visit(Near(("a", "b"), 1, Field.TI))


def test_transformer_shares_untouched_subtrees() -> None:
    tree = parse("(a OR b) AND c")
    assert Transformer().visit(tree) is tree


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("(a OR (b OR c)) OR A", "a OR b OR c"),
        ("a AND (b AND (c OR (d OR e)))", "a AND b AND (c OR d OR e)"),
        ("(a OR a) AND b", "a AND b"),
        ("a[ti] OR a[ab] OR A[ti]", "a[ti] OR a[ab]"),
        ('"Mental Health" OR "mental health"', '"Mental Health"'),
        ("(a NOT b) OR (a NOT B)", "a NOT b"),
    ],
)
def test_normalize(query: str, expected: str) -> None:
    assert to_string(normalize(parse(query))) == expected


def test_with_default_field_fills_only_untagged_text_leaves() -> None:
    tree = parse('a OR "b c"[ab] OR "d e"[~2] OR 2020[dp]')
    assert to_string(with_default_field(tree, Field.TIAB)) == (
        'a[tiab] OR "b c"[ab] OR "d e"[tiab:~2] OR 2020[dp]'
    )


def test_with_default_field_rejects_date_fields() -> None:
    with pytest.raises(ValueError, match="date field"):
        with_default_field(Phrase(("a", "b")), Field.DP)
