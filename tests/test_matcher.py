"""The local matcher on real PubMed records (mapped from recorded EFetch responses)."""

from __future__ import annotations

import pytest

from searchharvest._resources import data_path
from searchharvest.mappers.pubmed import iter_pubmed_articles
from searchharvest.query import parse
from searchharvest.query.ast import Field
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
