"""bib-dedupe's 25 hand-written hard pairs (10 duplicates, 15 not)."""

from __future__ import annotations

from typing import Any

import pytest

from searchharvest.dedup import dedupe
from tests.dedup.conftest import flat_to_record, pair_cases


@pytest.mark.parametrize("case", pair_cases(), ids=lambda c: str(c["id"]))
def test_pair_case(case: dict[str, Any]) -> None:
    result = dedupe([flat_to_record(case["record_a"]), flat_to_record(case["record_b"])])
    assert (result.unique == 1) is case["expected_duplicate"], case["note"]
