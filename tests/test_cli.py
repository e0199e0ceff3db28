"""The `searchharvest` command: output, exit codes, and a search against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from searchharvest.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
STRATEGIES = [
    line
    for line in (ROOT / "tests" / "fixtures" / "queries" / "strategies.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("#")
]
STRATEGY_1 = STRATEGIES[0]
UNPARENTHESISED = STRATEGIES[1]
STRATEGY_1_PUBMED = (
    "(co-produc*[tiab] OR coproduc*[tiab] OR co-design*[tiab] OR codesign*[tiab]) AND "
    '(health[tiab] OR social[tiab] OR "public service*"[tiab] OR "public sector"[tiab])'
)
STRATEGY_1_OPENALEX = (
    "title_and_abstract.search:((co AND produc*) OR coproduc* OR (co AND design*) OR "
    'codesign*) AND (health OR social OR (public AND service*) OR "public sector")'
)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_lint_marks_the_mixed_and_or_with_carets() -> None:
    result = run("lint", UNPARENTHESISED)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "[mixed-and-or]" in line)
    assert lines[at].startswith("warning [mixed-and-or] at offset ")
    assert "AND binds tighter" in lines[at + 1]
    assert lines[at + 2] == f"  {UNPARENTHESISED}"
    caret = lines[at + 3]
    assert set(caret.strip()) == {"^"}
    offset = int(lines[at].split("offset ")[1].rstrip(":"))
    assert caret.index("^") == 2 + offset


def test_lint_without_warnings_says_so() -> None:
    result = run("lint", '"public sector"[ti]')
    assert (result.exit_code, result.output) == (0, "no warnings\n")


@pytest.mark.parametrize(
    ("db", "stdout"),
    [
        ("pubmed", f"{STRATEGY_1_PUBMED}\n"),
        ("openalex", f"filter={STRATEGY_1_OPENALEX}\n"),
    ],
)
def test_compile_prints_the_native_query(db: str, stdout: str) -> None:
    result = run("compile", STRATEGY_1, "--db", db)
    assert result.exit_code == 0
    assert result.stdout == stdout
    assert "fidelity: " in result.stderr


@pytest.mark.parametrize(
    ("db", "native", "fidelity", "notes"),
    [
        ("pubmed", STRATEGY_1_PUBMED, "exact", 0),
        ("openalex", {"filter": STRATEGY_1_OPENALEX}, "broader", 5),
        (
            "crossref",
            {
                "query.bibliographic": "co produc coproduc design codesign health social "
                "public service sector"
            },
            "narrower",
            11,
        ),
    ],
)
def test_compile_json(db: str, native: object, fidelity: str, notes: int) -> None:
    result = run("compile", STRATEGY_1, "--db", db, "--json", "--allow-narrower")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert {"db", "native", "fidelity", "notes"} <= set(payload)
    assert (payload["db"], payload["native"], payload["fidelity"]) == (db, native, fidelity)
    assert len(payload["notes"]) == notes
    assert all({"fidelity", "element", "offset", "reason"} <= set(n) for n in payload["notes"])


def test_a_syntax_error_exits_2_with_a_caret() -> None:
    result = run("compile", "aids[ti] AND (b", "--db", "pubmed")
    assert result.exit_code == 2
    assert "error: query syntax: unbalanced parenthesis" in result.stderr
    assert "  aids[ti] AND (b\n" + " " * 15 + "^" in result.stderr


def test_crossref_truncation_exits_3() -> None:
    result = run("compile", "machin*[ti]", "--db", "crossref")
    assert result.exit_code == 3
    assert "Crossref has no truncation" in result.stderr
    assert "--allow-narrower" in result.stderr


def test_a_query_can_come_from_a_file(tmp_path: Path) -> None:
    query_file = tmp_path / "strategy.txt"
    query_file.write_text(STRATEGY_1 + "\n", encoding="utf-8")
    result = run("compile", f"@{query_file}", "--db", "pubmed")
    assert (result.exit_code, result.stdout) == (0, f"{STRATEGY_1_PUBMED}\n")
    missing = run("compile", f"@{tmp_path / 'missing.txt'}", "--db", "pubmed")
    assert missing.exit_code == 2
    assert "cannot read query file" in missing.stderr


def test_demo_writes_records_and_a_report(tmp_path: Path) -> None:
    output, report = tmp_path / "demo.jsonl", tmp_path / "report.json"
    result = run("demo", "-o", str(output), "--report", str(report))
    assert result.exit_code == 0
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 23
    assert all(json.loads(line)["title"] for line in lines)
    numbers = {
        d["db"]: (d["total"], d["retrieved"], d["kept"])
        for d in json.loads(report.read_text(encoding="utf-8"))["databases"]
    }
    assert numbers == {"pubmed": (1, 1, 1), "openalex": (2, 2, 2), "crossref": (20, 20, 20)}
    assert "wrote 23 records" in result.stderr


@pytest.fixture
def loopback(loopback_env: dict[str, str]) -> dict[str, str]:
    """Every API at the loopback server (tests add the OpenAlex and Crossref answers)."""
    return loopback_env


def test_search_writes_jsonl_and_a_report(
    httpserver: HTTPServer, loopback: dict[str, str], tmp_path: Path
) -> None:
    httpserver.expect_request("/crossref/works").respond_with_data(
        (CASSETTES / "demo" / "crossref_works.json").read_bytes(),
        content_type="application/json",
    )
    output, report = tmp_path / "out.jsonl", tmp_path / "report.json"
    result = run(
        "search",
        "aids[ti] OR chromatium[ti] OR widget[ti]",
        "--db",
        "pubmed,crossref",
        "-o",
        str(output),
        "--report",
        str(report),
        env=loopback,
    )
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    databases = json.loads(report.read_text(encoding="utf-8"))["databases"]
    assert len(records) == sum(d["kept"] for d in databases)
    assert {d["db"]: d["requests"] for d in databases} == {"pubmed": 2, "crossref": 1}
    assert len(httpserver.log) == 3


def test_max_records_reaching_a_cap_exits_4(
    httpserver: HTTPServer, loopback: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    result = run(
        "search",
        "aids[ti] OR chromatium[ti]",
        "--db",
        "pubmed",
        "--max",
        "1",
        "-o",
        str(output),
        env=loopback,
    )
    assert result.exit_code == 4
    assert "harvest incomplete" in result.stderr
    assert len(output.read_text(encoding="utf-8").splitlines()) == 1


def test_a_failed_harvest_exits_1_and_keeps_what_was_harvested(
    httpserver: HTTPServer, loopback: dict[str, str], tmp_path: Path
) -> None:
    error = (
        CASSETTES
        / "crossref"
        / "habanero__test_works_query_filters_not_allowed_with_dois.body0.json"
    )
    httpserver.expect_request("/crossref/works").respond_with_data(
        error.read_bytes(), status=400, content_type="application/json"
    )
    output = tmp_path / "out.jsonl"
    result = run(
        "search",
        "aids[ti] OR chromatium[ti]",
        "--db",
        "pubmed,crossref",
        "-o",
        str(output),
        env=loopback,
    )
    assert result.exit_code == 1
    assert "HarvestError" in result.stderr
    assert "does not support field query parameters" in result.stderr
    pmids = [json.loads(line)["ids"]["pmid"] for line in output.read_text("utf-8").splitlines()]
    assert sorted(pmids) == ["12091962", "9997"]


def test_an_unsupported_output_suffix_exits_2(loopback: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "out.docx"
    result = run("search", "aids[ti]", "--db", "pubmed", "-o", str(output), env=loopback)
    assert result.exit_code == 2
    assert "unknown suffix '.docx'" in result.stderr
    assert not output.exists()
