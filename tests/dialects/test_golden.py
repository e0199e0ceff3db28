"""Golden compilations of the two reference strategies: native form, fidelity, exact notes."""

from __future__ import annotations

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import Compiled, Fidelity
from searchharvest.errors import UnsupportedQueryError
from searchharvest.query import parse, to_string
from searchharvest.query.ast import Field
from searchharvest.query.normalize import with_default_field

STRATEGY_1 = (
    "(co-produc* OR coproduc* OR co-design* OR codesign*) AND "
    '(health OR social OR "public service*" OR "public sector")'
)
STRATEGY_2 = (
    "(‘co-production’ OR ‘co-design’ OR ‘co-delivery’ OR ‘co-evaluation’ OR ‘co-producing’ "
    "OR ‘engagement’ OR ‘inclusion’ OR ‘involvement’ OR ‘participation’ OR ‘co-creation’ OR "
    "‘co-innovation’) AND (‘mental health’ OR ‘mental illness’ OR ‘mental ill health’ OR "
    "‘mental well-being’ OR ‘mental wellness’ OR ‘psychiatric health’ OR ‘psychiatric illness’ "
    "OR ‘mental’ OR ‘psychiatry’)"
)
STEMMING = (
    "stemming/stop words: OpenAlex stems words and drops stop words, even in quotes; the "
    "local matcher applies exact word matching"
)
OA_KEYWORDS = (
    "coverage: OpenAlex does not hold author keywords, so [tiab] searches title and abstract only"
)
CR_ABSTRACTS = (
    "coverage: Crossref's query.bibliographic searches titles, not abstracts or keywords "
    "(most Crossref records have no abstract)"
)
CR_AND = "Crossref has no AND: records with any of the words come back, ranked by relevance"
CR_PHRASE = "Crossref has no phrase search: the words are sent separately"
CR_HYPHEN = "Crossref has no phrase search: the parts of the hyphenated word are sent separately"


def _whole(query: str) -> str:
    return to_string(with_default_field(parse(query), Field.TIAB))


def _truncation(word: str) -> str:
    return (
        f"Crossref has no truncation: only the exact word {word!r} is searched; records "
        "using only other forms are lost"
    )


def _notes(compiled: Compiled) -> list[tuple[str, str, str]]:
    return [(str(n.fidelity), n.element, n.reason) for n in compiled.notes]


def test_strategy_1_openalex() -> None:
    compiled = compile(STRATEGY_1, "openalex")
    assert compiled.native == {
        "filter": "title_and_abstract.search:((co AND produc*) OR coproduc* OR "
        "(co AND design*) OR codesign*) AND "
        '(health OR social OR (public AND service*) OR "public sector")'
    }
    assert compiled.fidelity is Fidelity.BROADER
    hyphen = (
        "OpenAlex splits hyphenated words and a wildcard cannot end a phrase: sent as AND "
        "of the parts"
    )
    assert _notes(compiled) == [
        ("broader", "co-produc*[tiab]", hyphen),
        ("broader", "co-design*[tiab]", hyphen),
        (
            "broader",
            '"public service*"[tiab]',
            "a wildcard cannot end an OpenAlex phrase: sent as AND of the words",
        ),
        ("exact", "co-produc*[tiab]", OA_KEYWORDS),
        ("broader", _whole(STRATEGY_1), STEMMING),
    ]


def test_strategy_1_crossref_is_narrower_and_needs_opt_in() -> None:
    with pytest.raises(UnsupportedQueryError) as info:
        compile(STRATEGY_1, "crossref")
    assert [n.element for n in info.value.notes] == [
        "co-produc*[tiab]",
        "coproduc*[tiab]",
        "co-design*[tiab]",
        "codesign*[tiab]",
        '"public service*"[tiab]',
    ]
    compiled = compile(STRATEGY_1, "crossref", allow_narrower=True)
    assert compiled.native == {
        "query.bibliographic": "co produc coproduc design codesign health social public "
        "service sector"
    }
    assert compiled.fidelity is Fidelity.NARROWER
    assert _notes(compiled) == [
        ("narrower", "co-produc*[tiab]", _truncation("produc")),
        ("broader", "co-produc*[tiab]", CR_HYPHEN),
        ("narrower", "coproduc*[tiab]", _truncation("coproduc")),
        ("narrower", "co-design*[tiab]", _truncation("design")),
        ("broader", "co-design*[tiab]", CR_HYPHEN),
        ("narrower", "codesign*[tiab]", _truncation("codesign")),
        ("narrower", '"public service*"[tiab]', _truncation("service")),
        ("broader", '"public service*"[tiab]', CR_PHRASE),
        ("broader", '"public sector"[tiab]', CR_PHRASE),
        ("broader", _whole(STRATEGY_1), CR_AND),
        ("exact", "co-produc*[tiab]", CR_ABSTRACTS),
    ]


def test_strategy_2_pubmed() -> None:
    compiled = compile(STRATEGY_2, "pubmed")
    assert compiled.native == (
        "(co-production[tiab] OR co-design[tiab] OR co-delivery[tiab] OR "
        "co-evaluation[tiab] OR co-producing[tiab] OR engagement[tiab] OR inclusion[tiab] OR "
        "involvement[tiab] OR participation[tiab] OR co-creation[tiab] OR "
        'co-innovation[tiab]) AND ("mental health"[tiab] OR "mental illness"[tiab] OR '
        '"mental ill health"[tiab] OR "mental well-being"[tiab] OR "mental wellness"[tiab] '
        'OR "psychiatric health"[tiab] OR "psychiatric illness"[tiab] OR mental[tiab] OR '
        "psychiatry[tiab])"
    )
    assert compiled.fidelity is Fidelity.EXACT
    assert compiled.notes == ()


def test_strategy_2_openalex() -> None:
    compiled = compile(STRATEGY_2, "openalex")
    assert compiled.native == {
        "filter": 'title_and_abstract.search:("co production" OR "co design" OR '
        '"co delivery" OR "co evaluation" OR "co producing" OR engagement OR inclusion OR '
        'involvement OR participation OR "co creation" OR "co innovation") AND '
        '("mental health" OR "mental illness" OR "mental ill health" OR "mental well being" '
        'OR "mental wellness" OR "psychiatric health" OR "psychiatric illness" OR mental OR '
        "psychiatry)"
    }
    assert compiled.fidelity is Fidelity.BROADER
    assert _notes(compiled) == [
        ("exact", "co-production[tiab]", OA_KEYWORDS),
        ("broader", _whole(STRATEGY_2), STEMMING),
    ]


def test_strategy_2_crossref() -> None:
    compiled = compile(STRATEGY_2, "crossref")
    assert compiled.native == {
        "query.bibliographic": "co production design delivery evaluation producing "
        "engagement inclusion involvement participation creation innovation mental health "
        "illness ill well being wellness psychiatric psychiatry"
    }
    assert compiled.fidelity is Fidelity.BROADER
    hyphenated = [
        "co-production",
        "co-design",
        "co-delivery",
        "co-evaluation",
        "co-producing",
        "co-creation",
        "co-innovation",
    ]
    phrases = [
        "mental health",
        "mental illness",
        "mental ill health",
        "mental well-being",
        "mental wellness",
        "psychiatric health",
        "psychiatric illness",
    ]
    assert _notes(compiled) == [
        *[("broader", f"{w}[tiab]", CR_HYPHEN) for w in hyphenated],
        *[("broader", f'"{p}"[tiab]', CR_PHRASE) for p in phrases],
        ("broader", _whole(STRATEGY_2), CR_AND),
        ("exact", "co-production[tiab]", CR_ABSTRACTS),
    ]


def test_to_json_reports_fidelity_and_notes() -> None:
    data = compile(STRATEGY_2, "openalex").to_json()
    assert data["db"] == "openalex"
    assert data["fidelity"] == "broader"
    assert [n["fidelity"] for n in data["notes"]] == ["exact", "broader"]
    assert data["notes"][0]["offset"] == 1
