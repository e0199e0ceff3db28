"""PRISMA counts from a de-duplication, the Markdown table, and the SVG flow diagram."""

from __future__ import annotations

import itertools
import sys
import types
from pathlib import Path

import pytest
from lxml import etree
from pydantic import ValidationError

from searchharvest.dedup import dedupe
from searchharvest.errors import ConfigError
from searchharvest.prisma import PrismaCounts, prisma_counts, prisma_svg, write_prisma
from searchharvest.records import Record

SVG = "{http://www.w3.org/2000/svg}"

TRIAL = Record(
    title="Co-production of health services: a trial", year=2020, ids={"doi": "10.1000/a"}
)
SAME_TRIAL = Record(
    title="Co-production of health services: a trial.", year=2020, ids={"doi": "10.1000/A"}
)
OTHER = Record(title="Codesign in social care", year=2019, ids={"doi": "10.1000/b"})
PRIOR = Record(title="Public sector innovation", year=2018, ids={"doi": "10.1000/c"})
PRIOR_COPY = Record(title="Public sector innovation", year=2018, ids={"doi": "10.1000/c"})

FULL = PrismaCounts(
    databases={"pubmed": 120, "openalex": 340, "crossref": 75},
    citation_searching=12,
    duplicates_removed=150,
    previously_screened_removed=7,
    after_dedup=390,
)


def test_counts_separate_duplicates_from_previously_screened() -> None:
    result = dedupe([TRIAL, OTHER, SAME_TRIAL, PRIOR_COPY], against=[PRIOR])
    counts = prisma_counts({"pubmed": 2, "openalex": 2}, result)
    assert counts.databases == {"pubmed": 2, "openalex": 2}
    assert counts.duplicates_removed == 1
    assert counts.previously_screened_removed == 1
    assert counts.after_dedup == 2
    assert counts.identified_total == 4


def test_counts_include_citation_searching() -> None:
    result = dedupe([TRIAL, OTHER, SAME_TRIAL])
    counts = prisma_counts({"pubmed": 2}, result, citation_searching=1)
    assert (counts.identified_total, counts.citation_searching, counts.after_dedup) == (3, 1, 2)


def test_counts_refuse_a_dedup_of_other_records() -> None:
    with pytest.raises(ConfigError, match="saw 2 records, but 3 were identified"):
        prisma_counts({"pubmed": 3}, dedupe([TRIAL, OTHER]))


def test_counts_that_do_not_add_up_are_rejected() -> None:
    with pytest.raises(ValidationError, match="do not add up"):
        PrismaCounts(databases={"pubmed": 5}, duplicates_removed=1, after_dedup=5)
    with pytest.raises(ValidationError, match="negative"):
        PrismaCounts(databases={"pubmed": -1}, duplicates_removed=0, after_dedup=-1)


def test_json_carries_every_count_and_the_total() -> None:
    data = FULL.to_json()
    assert data["identified_total"] == 547
    assert data["databases"] == {"pubmed": 120, "openalex": 340, "crossref": 75}
    assert data["previously_screened_removed"] == 7
    assert PrismaCounts.model_validate(data) == FULL


def test_markdown_table_lists_each_box() -> None:
    table = FULL.to_markdown().splitlines()
    assert table[:3] == [
        "| PRISMA 2020 | n |",
        "|---|---:|",
        "| Records identified from databases | 535 |",
    ]
    assert "| &emsp;OpenAlex | 340 |" in table
    assert "| Records identified from citation searching | 12 |" in table
    assert "| Records removed as already screened | 7 |" in table
    assert table[-1] == "| Records screened | 390 |"


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def _texts(root: etree._Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _rects(root: etree._Element) -> list[tuple[float, float, float, float]]:
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for r in root.iter(f"{SVG}rect")
        if r.get("class") in {"box", "bar"}
    ]


def test_svg_is_valid_xml_with_every_number() -> None:
    root = _parse(prisma_svg(FULL))
    texts = _texts(root)
    for line in (
        "Databases (n = 535)",
        "PubMed (n = 120)",
        "OpenAlex (n = 340)",
        "Crossref (n = 75)",
        "Duplicate records removed (n = 150)",
        "Records screened (n = 390)",
    ):
        assert line in texts
    joined = " ".join(texts)
    assert "citation searching (n = 12)" in joined.replace("citation\n", "citation ")
    assert "(n = 7)" in joined


def test_svg_leaves_out_empty_optional_boxes() -> None:
    counts = PrismaCounts(databases={"pubmed": 3}, duplicates_removed=1, after_dedup=2)
    texts = " ".join(_texts(_parse(prisma_svg(counts))))
    assert "citation" not in texts
    assert "already screened" not in texts
    assert "other methods" not in texts


@pytest.mark.parametrize(
    "counts",
    [
        FULL,
        PrismaCounts(databases={"pubmed": 1}, duplicates_removed=0, after_dedup=1),
        PrismaCounts(
            databases={f"database number {i} with a long name": 10 for i in range(8)},
            registers={"ClinicalTrials.gov": 4},
            duplicates_removed=20,
            after_dedup=64,
        ),
    ],
)
def test_svg_boxes_do_not_overlap_and_stay_inside(counts: PrismaCounts) -> None:
    root = _parse(prisma_svg(counts, title="A title"))
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    rects = _rects(root)
    for x, y, w, h in rects:
        assert x >= 0
        assert y >= 0
        assert x + w <= width
        assert y + h <= height
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
        apart = ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
        assert apart, ((ax, ay, aw, ah), (bx, by, bw, bh))


def test_svg_wraps_long_lines_to_the_box_width() -> None:
    counts = PrismaCounts(
        databases={"a database with a very long name indeed, longer than any box": 2},
        duplicates_removed=0,
        after_dedup=2,
    )
    root = _parse(prisma_svg(counts))
    texts = [t for t in _texts(root) if "database with" in t or "longer" in t or "(n = 2)" in t]
    assert len(texts) >= 2
    assert max(len(t) for t in texts) <= 40


def test_svg_wraps_a_long_title_above_the_boxes() -> None:
    root = _parse(prisma_svg(FULL, title="word " * 80))
    lines = [t for t in root.iter(f"{SVG}text") if t.get("class") == "title"]
    assert len(lines) > 1
    top = min(y for _, y, _, _ in _rects(root))
    assert max(float(t.get("y", 0)) for t in lines) < top


def test_svg_escapes_text() -> None:
    svg = prisma_svg(FULL, title='Screen <script> & "quotes"')
    assert "<script>" not in svg
    assert 'Screen <script> & "quotes"' in _texts(_parse(svg))


def test_write_svg(tmp_path: Path) -> None:
    path = tmp_path / "prisma.svg"
    write_prisma(path, FULL)
    assert _parse(path.read_text(encoding="utf-8")).tag == f"{SVG}svg"


def test_write_png_without_a_renderer_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    with pytest.raises(ConfigError, match="searchharvest\\[png\\]"):
        write_prisma(tmp_path / "prisma.png", FULL)
    assert not (tmp_path / "prisma.png").exists()


def test_write_png_uses_an_installed_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def svg_to_bytes(*, svg_string: str) -> bytes:
        seen.append(svg_string)
        return b"\x89PNG"

    monkeypatch.setitem(sys.modules, "resvg_py", types.SimpleNamespace(svg_to_bytes=svg_to_bytes))
    write_prisma(tmp_path / "prisma.png", FULL)
    assert (tmp_path / "prisma.png").read_bytes() == b"\x89PNG"
    assert "PubMed (n = 120)" in seen[0]


def test_write_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.svg or \.png"):
        write_prisma(tmp_path / "prisma.pdf", FULL)
