"""Parser tables: what each construct becomes, and where each error points."""

from __future__ import annotations

import pytest

from searchharvest.errors import QuerySyntaxError
from searchharvest.query import (
    And,
    DateRange,
    Field,
    Near,
    Not,
    Or,
    PartialDate,
    Phrase,
    Term,
    parse,
)
from searchharvest.query.tokens import tokenize

T = Term


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("health", T("health")),
        ("co-produc*", T("co-produc", truncated=True)),
        ('"public service*"', Phrase(("public", "service"), truncated=True)),
        ("mental health[tiab]", Phrase(("mental", "health"), field=Field.TIAB)),
        ("wait list*[tiab]", Phrase(("wait", "list"), truncated=True, field=Field.TIAB)),
        ('"co-production"', T("co-production")),
        ("‘mental health’", Phrase(("mental", "health"))),
        ("“mental health”", Phrase(("mental", "health"))),
        ("’mental health’", Phrase(("mental", "health"))),
        ('“Aspergillus"[MeSH]', T("Aspergillus", field=Field.MH)),
        ("'Crohn's disease'", Phrase(("Crohn's", "disease"))),
        ("Crohn's", T("Crohn's")),
        ("Crohn’s[ti]", T("Crohn’s", field=Field.TI)),
        ("a b", And((T("a"), T("b")))),
        ("a OR b AND c", Or((T("a"), And((T("b"), T("c")))))),
        ("a AND b NOT c", And((T("a"), Not(T("b"), T("c"))))),
        ("a NOT b NOT c", Not(Not(T("a"), T("b")), T("c"))),
        ("(a OR b) OR c", Or((Or((T("a"), T("b"))), T("c")))),
        ("a or b", And((T("a"), T("or"), T("b")))),
        ("(a OR b)[ti]", Or((T("a", field=Field.TI), T("b", field=Field.TI)))),
        ("(a OR b[ab])[ti]", Or((T("a", field=Field.TI), T("b", field=Field.AB)))),
        ("x[Title/Abstract]", T("x", field=Field.TIAB)),
        ("x[ MeSH Terms : NoExp ]", T("x", field=Field.MH_NOEXP)),
        ("x[Mesh]", T("x", field=Field.MH)),
        ("x[MeSH Major Topic]", T("x", field=Field.MAJR)),
        ("x[Other Term]", T("x", field=Field.OT)),
        ("x[Publication Type]", T("x", field=Field.PT)),
        ("x[Journal]", T("x", field=Field.TA)),
        ("x[Language]", T("x", field=Field.LA)),
        ("x[Author]", T("x", field=Field.AU)),
        ('"patient partnership"[tiab:~3]', Near(("patient", "partnership"), 3, Field.TIAB)),
        ('"a b"[Title/Abstract:~0]', Near(("a", "b"), 0, Field.TIAB)),
        ('"a bcde*"[ti:~2]', Near(("a", "bcde"), 2, Field.TI, truncated=True)),
        ('"a b"[~2]', Near(("a", "b"), 2, None)),
        ("2019:2024[dp]", DateRange(PartialDate(2019), PartialDate(2024), Field.DP)),
        ("2020[dp]", DateRange(PartialDate(2020), PartialDate(2020), Field.DP)),
        (
            "2019/03:2020/12/31[Date - Publication]",
            DateRange(PartialDate(2019, 3), PartialDate(2020, 12, 31), Field.DP),
        ),
        (
            "2020/02/29[edat]",
            DateRange(PartialDate(2020, 2, 29), PartialDate(2020, 2, 29), Field.EDAT),
        ),
        (
            "(2020 OR care[ti])[dp]",
            Or(
                (
                    DateRange(PartialDate(2020), PartialDate(2020), Field.DP),
                    T("care", field=Field.TI),
                )
            ),
        ),
    ],
)
def test_parses_to(query: str, expected: object) -> None:
    assert parse(query) == expected


def test_spans_point_into_the_original_text() -> None:
    query = "health OR ‘mental health’[ti]"
    tree = parse(query)
    assert isinstance(tree, Or)
    assert [query[i.span.start : i.span.end] for i in tree.items] == [
        "health",
        "‘mental health’[ti]",
    ]


def test_tokens_keep_offsets() -> None:
    tokens = tokenize('(a OR "b c")[ti]')
    assert [(t.kind, t.text, t.start, t.end) for t in tokens] == [
        ("LPAREN", "(", 0, 1),
        ("WORD", "a", 1, 2),
        ("OR", "OR", 3, 5),
        ("PHRASE", "b c", 6, 11),
        ("RPAREN", ")", 11, 12),
        ("TAG", "ti", 12, 16),
    ]


@pytest.mark.parametrize(
    ("query", "reason", "offset"),
    [
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("(a OR b", "this ( is never closed", 0),
        ("a OR (b AND (c)", "this ( is never closed", 5),
        ("aids[ti] AND (", "this ( is never closed", 13),
        ("(", "this ( is never closed", 0),
        ("a OR b)", ") without a matching (", 6),
        ("a OR", "OR needs a term after it", 2),
        ("OR a", "OR needs a term before it", 0),
        ("NOT a", "NOT is binary", 0),
        ("a OR AND b", "AND cannot follow OR", 5),
        ("(a OR) b", "OR needs a term after it", 3),
        ("()", "empty parentheses", 0),
        ('""', "empty phrase", 0),
        ('a OR "  "', "empty phrase", 5),
        ('a OR "abc', "unterminated quote", 5),
        ("a OR 'abc", "unterminated quote", 5),
        ("a[ti", "missing ]", 1),
        ("a]", "] without a matching [", 1),
        ("a[tw]", "unknown field tag [tw]; did you mean", 1),
        ("a[Title Abstract]", "did you mean [Title/Abstract]", 1),
        ("co*", "truncation stem too short", 0),
        ("a OR c-o*", "truncation stem too short", 5),
        ('"public se*"', "truncation stem too short", 8),
        ("*abcd", "misplaced *", 0),
        ("ab*cd", "misplaced *", 2),
        ('"abcd* efgh"', "misplaced *", 5),
        ("abcd* efgh[ti]", "misplaced *", 4),
        ("2019:2024", "date range needs a [dp] or [edat] tag", 0),
        ("2020/13[dp]", "month 13", 0),
        ("2021/02/29[dp]", "day 29", 0),
        ("2021:2019[dp]", "starts after it ends", 0),
        ("2020:abc[dp]", "bad date", 5),
        ("cancer[dp]", "only applies to dates", 6),
        ('"a b"[dp]', "only applies to dates", 5),
        ("(a NOT b)[ti]", "group that contains NOT", 9),
        ("(a OR b)[tiab:~3]", "must follow a quoted phrase", 8),
        ("abc[ti:~3]", "at least two words", 3),
        ('"a b"[mh:~3]', "proximity only works in", 5),
        ("[ti]", "must follow a term", 0),
        ("a[ti][ab]", "second field tag", 5),
        ("pain adj3 back", "proximity operator", 5),
        ("pain NEAR/3 back", "proximity operator", 5),
        ("pain$", "$ truncation", 4),
        ("pain.ti,ab.", "Ovid field suffixes", 0),
        ("exp Pain/", "Ovid subject headings", 8),
        ("TS=(pain)", "Web of Science", 2),
        ("pain?", "wildcards", 4),
        ('"a b"~3', "proximity is written", 5),
        ("a OR / OR b", "no letter or digit", 5),
    ],
)
def test_errors_point_at_the_problem(query: str, reason: str, offset: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert reason in caught.value.reason
    assert caught.value.offset == offset
    assert caught.value.query == query


def test_error_message_draws_a_caret() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("(co-produc* OR co*) AND health")
    assert str(caught.value) == (
        "truncation stem too short: co* (at least 4 letters or digits before *) "
        "at offset 15 (line 1, column 16)\n"
        "  (co-produc* OR co*) AND health\n"
        "                 ^^^"
    )
