"""`searchharvest search` and `demo`: formats, de-duplication, PRISMA counts, diagram, log."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree
from pytest_httpserver import HTTPServer

from searchharvest.cli import main
from searchharvest.export import read_file, write_file

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every record of the offline demo, not de-duplicated."""
    path = tmp_path_factory.mktemp("demo") / "all.jsonl"
    assert run("demo", "-o", str(path), "--no-dedup").exit_code == 0
    return path


def test_demo_writes_ris_the_diagram_the_log_and_the_counts(tmp_path: Path) -> None:
    output, diagram, log, report = (
        tmp_path / "demo.ris",
        tmp_path / "prisma.svg",
        tmp_path / "searchlog.md",
        tmp_path / "report.json",
    )
    result = run(
        "demo",
        "-o",
        str(output),
        "--prisma",
        str(diagram),
        "--log",
        str(log),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    kept = {d["db"]: d["kept"] for d in json.loads(report.read_text("utf-8"))["databases"]}
    records = read_file(output)
    assert len(records) <= sum(kept.values())
    assert "PRISMA 2020 counts" in result.stderr
    assert f"wrote {len(records)} records to {output}" in result.stderr
    texts = [t.text for t in etree.parse(str(diagram)).iter("{*}text")]
    assert f"Records screened (n = {len(records)})" in texts
    assert f"PubMed (n = {kept['pubmed']})" in texts
    text = log.read_text(encoding="utf-8")
    for heading in ("# Search log", "## PubMed", "## OpenAlex", "## Crossref"):
        assert f"{heading}\n" in text
    assert f"| Records screened | {len(records)} |" in text


def test_demo_removes_records_already_screened(tmp_path: Path, demo_records: Path) -> None:
    every = read_file(demo_records)
    screened = write_file(tmp_path / "screened.ris", every[:3])
    output, log = tmp_path / "new.jsonl", tmp_path / "log.json"
    result = run("demo", "-o", str(output), "--against", str(screened), "--log", str(log))
    assert result.exit_code == 0, result.output
    assert len(read_file(output)) == len(every) - 3
    prisma = json.loads(log.read_text(encoding="utf-8"))["prisma"]
    assert prisma["previously_screened_removed"] == 3
    assert prisma["identified_total"] == len(every)
    assert "Records removed as already screened" in result.stderr


def test_demo_writes_asreview_csv(tmp_path: Path, demo_records: Path) -> None:
    output = tmp_path / "screen.csv"
    assert run("demo", "-o", str(output)).exit_code == 0
    header = output.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("title,abstract,authors,keywords,year,doi,url")
    assert len(read_file(output)) == len(read_file(demo_records))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--log", "log.txt", "written as .md or .json"),
        ("--prisma", "flow.pdf", "written as .svg or .png"),
        ("--against", "missing.ris", "missing.ris: cannot read"),
        ("-o", "out.nbib", "read-only"),
    ],
)
def test_bad_outputs_and_inputs_exit_2_before_harvesting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["demo", option, value] if option == "-o" else ["demo", "-o", "out.ris", option, value]
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Harvest summary" not in result.stderr
    assert not (tmp_path / "out.ris").exists()


def test_png_without_a_renderer_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    result = run("demo", "-o", str(tmp_path / "o.ris"), "--prisma", str(tmp_path / "p.png"))
    assert result.exit_code == 2
    assert "pip install 'searchharvest[png]'" in result.stderr


@pytest.fixture
def loopback(httpserver: HTTPServer, loopback_env: dict[str, str]) -> dict[str, str]:
    """Every API at the loopback server: PubMed answers real bodies, Crossref a real 400."""
    error = (
        CASSETTES
        / "crossref"
        / "habanero__test_works_query_filters_not_allowed_with_dois.body0.json"
    )
    httpserver.expect_request("/crossref/works").respond_with_data(
        error.read_bytes(), status=400, content_type="application/json"
    )
    return loopback_env


def test_a_failed_database_still_writes_records_counts_and_log(
    loopback: dict[str, str], tmp_path: Path
) -> None:
    output, log, diagram = tmp_path / "out.bib", tmp_path / "log.md", tmp_path / "prisma.svg"
    result = run(
        "search",
        "aids[ti] OR chromatium[ti]",
        "--db",
        "pubmed,crossref",
        "-o",
        str(output),
        "--log",
        str(log),
        "--prisma",
        str(diagram),
        env=loopback,
    )
    assert result.exit_code == 1
    assert sorted(r.ids.pmid or "" for r in read_file(output)) == ["12091962", "9997"]
    assert "Crossref (n = 0)" in diagram.read_text(encoding="utf-8")
    text = log.read_text(encoding="utf-8")
    crossref = text.split("## Crossref\n", 1)[1]
    assert "- Complete: no\n" in crossref
    assert "- Failed: " in crossref
    assert "aids[ti] OR chromatium[ti]" in text.split("## PubMed\n", 1)[1]
    for secret in (loopback["SEARCHHARVEST_EMAIL"], loopback["NCBI_API_KEY"]):
        assert secret not in text
