"""The local matcher on real PubMed records (mapped from recorded EFetch responses)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchharvest._resources import data_path
from searchharvest.mappers.pubmed import iter_pubmed_articles
from searchharvest.query import parse
from searchharvest.query.ast import Field, Near, Or, Phrase, Term
from searchharvest.query.matcher import Verdict, compile_matcher, fold, words
from searchharvest.records import Author, Record

REAL = data_path("cassettes", "pubmed")
FIXTURES = [
    "metapub__efetch_32525788.xml",
    "biopython__pubmed1.xml",
    "metapub__efetch_33474827.xml",
]

M, N, U = Verdict.MATCH, Verdict.NO_MATCH, Verdict.UNKNOWN


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    found = {}
    for name in FIXTURES:
        for record in iter_pubmed_articles((REAL / name).read_bytes()):
            assert record.ids.pmid
            found[record.ids.pmid] = record
    return found


PAIN = "32525788"  # "Pain Perception and Management...", abstract, keywords, MeSH, 2021
AIDS = "12091962"  # "The treatment of AIDS behind the walls ...", no abstract, 1990
FLAVO = "9997"  # "Magnetic studies of Chromatium flavocytochrome C552...", abstract, 1976-09-28
SNORD = "33474827"  # "Tumor-educated platelet SNORD55 ... lung cancer", 2021-01-21

CASES = [
    # words, truncation, phrases
    (PAIN, "pain", M),
    (PAIN, "nocicep*", M),
    (PAIN, "nocicep", N),
    (PAIN, '"pain perception"', M),
    (PAIN, '"perception pain"', N),
    (PAIN, '"pain percep*"', M),
    (SNORD, "tumor-educated", M),
    (SNORD, "tumor-educ*", M),
    (SNORD, '"non-small cell"', M),
    # fields
    (PAIN, "management[ti]", M),
    (PAIN, "flammable[ti]", N),
    (PAIN, "flammable[ab]", M),
    (PAIN, "nociception[ot]", M),
    (FLAVO, "magnetic[ot]", U),
    # [tiab] without an abstract: a miss in the title cannot be decided
    (AIDS, "aids", M),
    (AIDS, "hiv", U),
    (AIDS, "hiv[ab]", U),
    (AIDS, "hiv NOT aids", N),
    (AIDS, "hiv OR aids", M),
    (AIDS, "hiv AND correctional", U),
    # proximity, any order, texts kept apart
    (PAIN, '"pain stand"[ti:~6]', M),
    (PAIN, '"pain stand"[ti:~5]', N),
    (PAIN, '"management perception"[ti:~1]', M),
    (PAIN, '"management perception"[ti:~0]', N),
    # MeSH: heading equality, no explosion; majr = starred headings
    (PAIN, "pain[mh]", M),
    (PAIN, "pain[majr]", M),
    (PAIN, "humans[majr]", N),
    (SNORD, '"lung neoplasms"[mh]', M),
    (SNORD, "neoplasms[mh]", N),
    (AIDS, '"social control, formal"[mh:noexp]', M),
    # authors, language, type, journal
    (PAIN, '"afridi b"[au]', M),
    (PAIN, "afridi[au]", M),
    (PAIN, "afrid[au]", N),
    (PAIN, "english[la]", M),
    (PAIN, "french[la]", N),
    (PAIN, "review[pt]", M),
    (AIDS, '"social justice"[ta]', N),
    # dates: partial record dates compared as ranges
    (PAIN, "2021:2021[dp]", M),
    (PAIN, "2021/03:2021/12[dp]", U),
    (PAIN, "2019:2020[dp]", N),
    (FLAVO, "1976/09:1976/09[dp]", M),
    (FLAVO, "2020[edat]", U),
]


@pytest.mark.parametrize(("pmid", "query", "verdict"), CASES)
def test_real_records(records: dict[str, Record], pmid: str, query: str, verdict: Verdict) -> None:
    assert compile_matcher(parse(query))(records[pmid]) is verdict


def test_filter_yields_each_record_with_its_verdict(records: dict[str, Record]) -> None:
    matcher = compile_matcher(parse("pain OR cancer"))
    verdicts = {r.ids.pmid: v for r, v in matcher.filter(records.values())}
    assert verdicts == {PAIN: M, SNORD: M, AIDS: U, FLAVO: N}


def test_default_field_applies_to_untagged_leaves() -> None:
    record = Record(title="Heart failure", abstract="Cancer was not studied.")
    assert compile_matcher(parse("cancer"), Field.TI)(record) is N
    assert compile_matcher(parse("cancer"))(record) is M


def test_phrase_does_not_span_title_and_abstract() -> None:
    record = Record(title="Outcomes in mental", abstract="Health services were compared.")
    assert compile_matcher(parse('"mental health"'))(record) is N


def test_accents_and_case_are_folded() -> None:
    record = Record(title="Qualité de vie après AVC", abstract="x")
    assert compile_matcher(parse("qualite AND apres"))(record) is M
    assert fold("Ångström") == "angstrom"
    assert words("well-being_2") == ["well", "being", "2"]


def test_author_initials_are_prefixes_and_family_names_whole() -> None:
    record = Record(authors=(Author(family="Smith", given="John Andrew"),))
    assert compile_matcher(parse('"smith j"[au]'))(record) is M
    assert compile_matcher(parse('"smith ja"[au]'))(record) is M
    assert compile_matcher(parse('"smith jb"[au]'))(record) is N
    assert compile_matcher(parse("smit[au]"))(record) is N
    assert compile_matcher(parse("smith[au]"))(Record()) is U


def test_language_codes_and_names_are_interchangeable() -> None:
    assert compile_matcher(parse("english[la]"))(Record(language="en")) is M
    assert compile_matcher(parse("eng[la]"))(Record(language="English")) is M
    assert compile_matcher(parse("english[la]"))(Record()) is U


def test_majr_on_a_record_with_mesh_but_no_major_topic_is_decided() -> None:
    assert compile_matcher(parse("humans[majr]"))(Record(mesh=("Humans",))) is N
    assert compile_matcher(parse("humans[majr]"))(Record()) is U


_WORDS = ["cell", "cells", "Cancer", "café", "x-ray", "ray", "|", "care,", "C", ""]
_TEXTS = st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join)
_FIELDS = st.sampled_from([Field.TIAB, Field.TI, Field.AB, Field.OT])
_TERMS = st.sampled_from(["cell", "ray", "x-ray", "cancer", "cafe", "c"])
_QUERY_WORDS = st.lists(_TERMS, min_size=1, max_size=3)


@st.composite
def _records(draw: st.DrawFn) -> Record:
    return Record(
        title=draw(st.none() | _TEXTS),
        abstract=draw(st.none() | _TEXTS),
        keywords=tuple(draw(st.lists(_TEXTS.filter(str.strip), max_size=3))),
    )


_LEAVES = st.one_of(
    st.builds(
        Term, st.sampled_from(["cell", "x-ray", "cancer", "c", "ray"]), st.booleans(), _FIELDS
    ),
    st.builds(Phrase, _QUERY_WORDS.map(tuple), st.booleans(), _FIELDS),
    st.builds(Near, _QUERY_WORDS.map(tuple), st.integers(0, 3), _FIELDS, st.booleans()),
)


def _joined_verdict(leaf: Term | Phrase | Near, record: Record) -> Verdict:
    """The rule as first written: one text per field, its texts joined by ` | `."""
    field = leaf.field or Field.TIAB
    texts: list[str] = []
    if field in (Field.TI, Field.TIAB) and record.title:
        texts.append(record.title)
    if field in (Field.AB, Field.TIAB) and record.abstract:
        texts.append(record.abstract)
    if field in (Field.OT, Field.TIAB):
        texts.extend(record.keywords)
    text = " " + " | ".join(" ".join(words(t)) for t in texts) + " " if texts else None
    parts = words(leaf.text) if isinstance(leaf, Term) else words(" ".join(leaf.words))
    if text is None:
        return Verdict.UNKNOWN
    if isinstance(leaf, Near):
        found = any(
            _near_window(segment.split(), parts, leaf.truncated, leaf.distance)
            for segment in text.split(" | ")
        )
    else:
        found = " " + " ".join(parts) + ("" if leaf.truncated else " ") in text
    if found:
        return Verdict.MATCH
    return Verdict.UNKNOWN if field is Field.TIAB and not record.abstract else Verdict.NO_MATCH


def _near_window(tokens: list[str], parts: list[str], truncated: bool, distance: int) -> bool:
    """Brute force: some choice of one position per word spans at most `distance` others."""
    if not parts:
        return False
    spots = [
        [
            i
            for i, token in enumerate(tokens)
            if token == part or (truncated and n == len(parts) - 1 and token.startswith(part))
        ]
        for n, part in enumerate(parts)
    ]
    return any(
        max(choice) - min(choice) + 1 - len(parts) <= distance
        for choice in itertools.product(*spots)
    )


@settings(max_examples=400)
@given(_records(), _LEAVES)
def test_text_leaves_match_the_joined_text_rule(record: Record, leaf: Term | Phrase | Near) -> None:
    """Texts searched one at a time, the title first, answer as the joined text did."""
    assert compile_matcher(leaf)(record) is _joined_verdict(leaf, record)


@given(_records(), st.lists(_LEAVES, min_size=2, max_size=4))
def test_connectives_over_cached_texts_follow_kleene(
    record: Record, leaves: list[Term | Phrase | Near]
) -> None:
    verdicts = [_joined_verdict(leaf, record) for leaf in leaves]
    any_verdict = (
        Verdict.MATCH
        if Verdict.MATCH in verdicts
        else Verdict.UNKNOWN
        if Verdict.UNKNOWN in verdicts
        else Verdict.NO_MATCH
    )
    assert compile_matcher(Or(tuple(leaves)))(record) is any_verdict
