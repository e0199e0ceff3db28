"""Strategy files: every kind of mistake a person makes → StrategyFileError at the right line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from searchharvest.errors import StrategyFileError
from searchharvest.query.ast import And, DateRange, Field, Term
from searchharvest.strategy import Strategy
from searchharvest.strategy.window import with_entry_date

GOOD = """\
name = "Example"
contact_email = "me@example.org"
databases = ["pubmed", "openalex"]
default_field = "tiab"

query = '''
(cancer* OR tumour*)
AND pain[ti]
'''

[overrides]
openalex = "cancer AND pain[ti]"

[dates]
from = 2019
to = 2024-06-30

[filters]
languages = ["english", "fr"]
publication_types = ["journal article"]

[output]
records = ["out/hits.ris", "out/hits.csv"]
log = "out/log.json"
prisma = "out/prisma.svg"

[update]
overlap_days = 10
screened = "library/screened.bib"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "strategy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_with_paths_beside_it(tmp_path: Path) -> None:
    strategy = Strategy.load(write(tmp_path, GOOD))
    spec = strategy.spec
    assert spec.databases == ("pubmed", "openalex")
    assert (spec.dates.first, spec.dates.last) == (date(2019, 1, 1), date(2024, 6, 30))
    assert spec.output.records == (tmp_path / "out/hits.ris", tmp_path / "out/hits.csv")
    assert spec.update.screened == tmp_path / "library/screened.bib"
    assert strategy.store.path == tmp_path / "strategy.runs.sqlite"
    pubmed = strategy.query_for("pubmed")
    assert isinstance(pubmed, And)
    assert Term("pain", field=Field.TI) in pubmed.items
    assert strategy.query_for("openalex").items[0] == Term("cancer")  # type: ignore[union-attr]


def test_the_shipped_examples_are_valid() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    names = sorted(p.name for p in examples.glob("*.toml"))
    assert names == ["coproduction.toml", "thyroid-autopsy.toml"]
    for path in examples.glob("*.toml"):
        assert Strategy.load(path).spec.output.records


def test_the_example_in_the_docs_is_valid(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "strategies.md").read_text("utf-8")
    [example] = re.findall(r"```toml\n(.*?)```", docs, re.S)
    spec = Strategy.load(write(tmp_path, example)).spec
    assert set(spec.overrides) == {"crossref"}
    assert spec.update.screened == tmp_path / "screened.ris"


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


MISTAKES = [
    pytest.param(replace('name = "Example"', 'name = "Example'), 1, "not valid TOML", id="toml"),
    pytest.param(
        replace("databases =", "databse ="), 3, "did you mean 'databases'", id="unknown-key"
    ),
    pytest.param(
        replace("overlap_days = 10", "overlap_day = 10"),
        28,
        "unknown key 'update.overlap_day'; did you mean 'overlap_days'",
        id="unknown-nested-key",
    ),
    pytest.param(replace("to = 2024-06-30", 'to = "2024-13-01"'), 16, "dates.to", id="bad-date"),
    pytest.param(replace("from = 2019", "from = true"), 15, "not true/false", id="date-bool"),
    pytest.param(replace("from = 2019", "from = 2025"), 15, "after to", id="from-after-to"),
    pytest.param(
        replace('"pubmed", "openalex"]', '"pubmd", "openalex"]'),
        3,
        "did you mean 'pubmed'",
        id="unknown-database",
    ),
    pytest.param(
        replace('"pubmed", "openalex"]', '"pubmed", "pubmed"]'), 3, "twice", id="database-twice"
    ),
    pytest.param(replace('"tiab"', '"mesh"'), 4, "default_field 'mesh'", id="bad-field"),
    pytest.param(
        replace("AND pain[ti]", "AND pain[ti"),
        8,
        "query syntax",
        id="query-syntax-line",
    ),
    pytest.param(
        replace("(cancer* OR tumour*)\nAND pain[ti]\n", "   \n"),
        6,
        "the query is empty",
        id="empty-query",
    ),
    pytest.param(
        replace('openalex = "cancer AND pain[ti]"', 'crossref = "cancer"'),
        12,
        "not in databases",
        id="override-not-listed",
    ),
    pytest.param(
        replace('openalex = "cancer AND pain[ti]"', 'openalex = "cancer AND (pain"'),
        12,
        "query syntax",
        id="override-syntax",
    ),
    pytest.param(
        replace('"out/hits.csv"', '"out/hits.docx"'),
        23,
        "unsupported suffix '.docx'",
        id="output-suffix",
    ),
    pytest.param(replace('"out/hits.csv"', '"out/hits.nbib"'), 23, ".nbib", id="read-only"),
    pytest.param(replace('"out/log.json"', '"out/log.txt"'), 24, "log file", id="log-suffix"),
    pytest.param(
        replace('"library/screened.bib"', '"library/screened.docx"'),
        29,
        "screened library",
        id="screened-suffix",
    ),
    pytest.param(replace('"me@example.org"', '"me at example"'), 2, "email", id="email"),
    pytest.param(replace('"english", "fr"', '"english", "klingon"'), 19, "klingon", id="lang"),
    pytest.param(replace("overlap_days = 10", "overlap_days = -1"), 28, "overlap_days", id="neg"),
    pytest.param(
        replace('records = ["out/hits.ris", "out/hits.csv"]', "records = []"),
        23,
        "output.records",
        id="no-records-file",
    ),
    pytest.param(replace('name = "Example"\n', ""), None, "missing required key 'name'", id="name"),
]


@pytest.mark.parametrize(("text", "line", "message"), MISTAKES)
def test_every_mistake_names_its_line(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(StrategyFileError) as caught:
        Strategy.load(path)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}:" if line else f"{path}:")


def test_a_query_error_shows_the_caret_inside_the_query(tmp_path: Path) -> None:
    path = write(tmp_path, replace("AND pain[ti]", "AND (pain[ti]"))
    with pytest.raises(StrategyFileError) as caught:
        Strategy.load(path)
    message = str(caught.value)
    assert caught.value.line == 8
    assert "line 2, column 5" in message
    assert "AND (pain[ti]\n      ^" in message


def test_a_missing_output_table_is_named(tmp_path: Path) -> None:
    text = GOOD[: GOOD.index("[output]")]
    with pytest.raises(StrategyFileError, match="missing required key 'output'"):
        Strategy.load(write(tmp_path, text))


def test_a_missing_file_is_a_strategy_file_error(tmp_path: Path) -> None:
    with pytest.raises(StrategyFileError, match="cannot read"):
        Strategy.load(tmp_path / "absent.toml")


def test_a_whole_year_date_range(tmp_path: Path) -> None:
    spec = Strategy.load(write(tmp_path, replace("to = 2024-06-30", 'to = "2024-02"'))).spec
    assert spec.dates.last == date(2024, 2, 29)


def test_an_update_window_is_an_entry_date_range_for_pubmed() -> None:
    node, window = with_entry_date("pubmed", Term("pain"), date(2024, 8, 24))
    assert isinstance(node, And)
    assert isinstance(node.items[1], DateRange)
    assert node.items[1].field is Field.EDAT
    assert window.since == date(2024, 8, 24)
