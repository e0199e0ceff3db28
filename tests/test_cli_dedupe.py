"""`searchharvest dedupe`: record files from anywhere, a prior library, audit groups, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchharvest.cli import main
from searchharvest.export import read_file, write_file
from searchharvest.mappers.crossref import parse_crossref_page, parse_crossref_work
from searchharvest.records import Record

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def crossref() -> list[Record]:
    """Twenty real Crossref records (the demo recording), each a different work."""
    page = parse_crossref_page((CASSETTES / "demo" / "crossref_works.json").read_bytes())
    return [parse_crossref_work(item) for item in page.items]


@pytest.fixture
def exports(tmp_path: Path, crossref: list[Record]) -> tuple[Path, Path, Path]:
    """Two overlapping 'database exports' in different formats and a screened library."""
    wos = write_file(tmp_path / "wos.ris", crossref[:12])
    scopus = write_file(tmp_path / "scopus.bib", crossref[8:])
    screened = write_file(tmp_path / "screened.jsonl", crossref[:2])
    return wos, scopus, screened


def test_dedupe_merges_across_files_and_removes_the_screened(
    tmp_path: Path, exports: tuple[Path, Path, Path]
) -> None:
    wos, scopus, screened = exports
    output = tmp_path / "new.ris"
    result = run("dedupe", str(wos), str(scopus), "--against", str(screened), "-o", str(output))
    assert result.exit_code == 0, result.output
    records = read_file(output)
    assert len(records) == 18
    assert not {"10.1007/978-1-4302-0197-7_9"} & {r.ids.doi for r in records}
    assert "wrote 18 records" in result.stderr
    for label, n in (
        ("wos.ris", 12),
        ("scopus.bib", 12),
        ("Duplicate records removed", 4),
        ("Records removed as already screened", 2),
        ("Records screened", 18),
    ):
        assert f"{label}" in result.stderr
        line = next(x for x in result.stderr.splitlines() if label in x)
        assert line.rstrip(" │").endswith(f" {n}")


def test_groups_name_each_record_and_the_reason_for_each_link(
    tmp_path: Path, exports: tuple[Path, Path, Path]
) -> None:
    wos, scopus, screened = exports
    groups = tmp_path / "groups.csv"
    result = run(
        "dedupe",
        str(wos),
        str(scopus),
        "--against",
        str(screened),
        "-o",
        str(tmp_path / "new.jsonl"),
        "--groups",
        str(groups),
    )
    assert result.exit_code == 0, result.output
    with groups.open(encoding="utf-8", newline="") as fp:
        rows = list(csv.DictReader(fp))
    by_group: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_group.setdefault(row["group"], []).append(row)
    assert len(by_group) == 6
    merged = [g for g in by_group.values() if g[0]["outcome"] == "merged"]
    assert len(merged) == 4
    for group in merged:
        assert sorted(r["origin"].split("#")[0] for r in group) == ["scopus.bib", "wos.ris"]
        assert {r["links"] for r in group} == {"m1: doi", "m2: doi"}
    screened_rows = [r for g in by_group.values() if g[0]["outcome"] != "merged" for r in g]
    assert {r["origin"] for r in screened_rows} == {
        "wos.ris#1",
        "wos.ris#2",
        "already screened: screened.jsonl#1",
        "already screened: screened.jsonl#2",
    }


def test_no_dedup_keeps_every_record(tmp_path: Path, exports: tuple[Path, Path, Path]) -> None:
    wos, scopus, _ = exports
    output = tmp_path / "all.csv"
    result = run("dedupe", str(wos), str(scopus), "--no-dedup", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert len(read_file(output)) == 24


def test_the_diagram_carries_the_counts(tmp_path: Path, exports: tuple[Path, Path, Path]) -> None:
    wos, scopus, _ = exports
    diagram = tmp_path / "prisma.svg"
    result = run(
        "dedupe", str(wos), str(scopus), "-o", str(tmp_path / "o.ris"), "--prisma", str(diagram)
    )
    assert result.exit_code == 0, result.output
    svg = diagram.read_text(encoding="utf-8")
    for text in ("wos.ris (n = 12)", "Duplicate records removed (n = 4)", "(n = 20)"):
        assert text in svg


def test_a_malformed_input_exits_2_naming_file_and_line(
    tmp_path: Path, exports: tuple[Path, Path, Path]
) -> None:
    wos, _, screened = exports
    bad = tmp_path / "bad.jsonl"
    lines = screened.read_text(encoding="utf-8").splitlines()
    bad.write_text(f"{lines[0]}\n{{not json\n", encoding="utf-8")
    output = tmp_path / "out.ris"
    result = run("dedupe", str(wos), str(bad), "-o", str(output))
    assert result.exit_code == 2
    assert f"error: {bad}:2: " in result.stderr
    assert not output.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.ris"], "missing.ris: cannot read"),
        (["records.docx"], "unknown suffix '.docx'"),
        (["{wos}", "-o", "out.nbib"], "read-only"),
        (["{wos}", "--groups", "groups.tsv"], "written as .csv"),
        (["{wos}", "--no-dedup", "--against", "{wos}"], "drop --no-dedup"),
        (["{wos}", "--prisma", "prisma.pdf"], ".svg or .png"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path,
    exports: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "records.docx").write_text("x", encoding="utf-8")
    argv = [a.format(wos=exports[0]) for a in args]
    if "-o" not in argv:
        argv += ["-o", "out.ris"]
    result = run("dedupe", *argv)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "out.ris").exists()


def test_inputs_with_the_same_name_are_told_apart_by_path(
    tmp_path: Path, crossref: list[Record]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_file(tmp_path / "a" / "export.ris", crossref[:3])
    second = write_file(tmp_path / "b" / "export.ris", crossref[2:5])
    groups = tmp_path / "groups.csv"
    out = tmp_path / "out.ris"
    result = run("dedupe", str(first), str(second), "-o", str(out), "--groups", str(groups))
    assert result.exit_code == 0, result.output
    assert len(read_file(out)) == 5
    with groups.open(encoding="utf-8", newline="") as fp:
        origins = sorted(row["origin"] for row in csv.DictReader(fp))
    assert origins == [f"{first}#3", f"{second}#1"]
