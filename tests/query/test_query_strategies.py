"""Real strategies: the ones from the issue, and published PubMed strategies."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.errors import QuerySyntaxError
from searchharvest.query import And, Or, Phrase, Term, parse, to_string

FIXTURES = Path(__file__).parent.parent / "fixtures"
STRATEGIES = [
    line
    for line in (FIXTURES / "queries" / "strategies.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
T = Term


def test_co_production_strategy() -> None:
    assert parse(STRATEGIES[0]) == And(
        (
            Or(
                (
                    T("co-produc", truncated=True),
                    T("coproduc", truncated=True),
                    T("co-design", truncated=True),
                    T("codesign", truncated=True),
                )
            ),
            Or(
                (
                    T("health"),
                    T("social"),
                    Phrase(("public", "service"), truncated=True),
                    Phrase(("public", "sector")),
                )
            ),
        )
    )


def test_mental_health_strategy_with_blocks_parenthesised() -> None:
    engagement = [
        "co-production",
        "co-design",
        "co-delivery",
        "co-evaluation",
        "co-producing",
        "engagement",
        "inclusion",
        "involvement",
        "participation",
        "co-creation",
        "co-innovation",
    ]
    mental = [
        ("mental", "health"),
        ("mental", "illness"),
        ("mental", "ill", "health"),
        ("mental", "well-being"),
        ("mental", "wellness"),
        ("psychiatric", "health"),
        ("psychiatric", "illness"),
        ("mental",),
        ("psychiatry",),
    ]
    expected = And(
        (
            Or(tuple(T(w) for w in engagement)),
            Or(tuple(T(w[0]) if len(w) == 1 else Phrase(w) for w in mental)),
        )
    )
    assert parse(STRATEGIES[2]) == expected


@pytest.mark.parametrize("query", STRATEGIES)
def test_issue_strategies_round_trip(query: str) -> None:
    tree = parse(query)
    assert parse(to_string(tree)) == tree


PUBMED = sorted((FIXTURES / "strategies").glob("pubmed__*.txt"))
NOT_OURS = {"pubmed__ielab-seed__id60.txt": "no letter or digit"}


@pytest.mark.parametrize("path", PUBMED, ids=lambda p: p.name)
def test_published_pubmed_strategies(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name in NOT_OURS:
        with pytest.raises(QuerySyntaxError, match=NOT_OURS[path.name]):
            parse(text)
        return
    tree = parse(text)
    assert parse(to_string(tree)) == tree
