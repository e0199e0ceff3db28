"""The registry, the facts files and the documented translation table agree."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from searchharvest.compiler import compile
from searchharvest.dialects import DIALECTS, get_dialect
from searchharvest.dialects.base import load_facts
from searchharvest.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "databases.md"


@pytest.mark.parametrize("db", DIALECTS)
def test_facts_file_loads_and_matches_the_class_flags(db: str) -> None:
    facts = load_facts(db)
    dialect = get_dialect(db)
    assert facts["flags"] == dialect.flags()
    assert set(facts["fields"]) <= {f.value for f in dialect.FIELDS}
    assert set(facts.get("unsearchable", {})).isdisjoint(facts["fields"])


def test_unknown_database_suggests_the_closest_name() -> None:
    with pytest.raises(ConfigError, match="did you mean 'pubmed'"):
        get_dialect("pubmd")


def test_dates_in_the_wrong_order_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="after"):
        compile("cancer", "pubmed", date_from=date(2024, 1, 1), date_to=date(2020, 1, 1))


def test_docs_flag_table_matches_the_dialects() -> None:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `(SUPPORTS_\w+|MIN_TRUNCATION_STEM)` \|(.+)\|$", line)
        if match:
            rows[match.group(1)] = [c.strip() for c in match.group(2).split("|")]
    assert set(rows) == set(get_dialect("pubmed").FLAG_NAMES)
    for flag, cells in rows.items():
        expected = [str(get_dialect(db).flags()[flag]).lower() for db in DIALECTS]
        assert cells == expected, flag
