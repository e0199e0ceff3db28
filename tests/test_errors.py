"""The error tree's shared helpers."""

from __future__ import annotations

import pytest

from searchharvest.errors import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET /esearch.fcgi?db=pubmed&api_key=abc123&term=x",
            "GET /esearch.fcgi?db=pubmed&api_key=***&term=x",
        ),
        ("[GET /works?api_key=abc123]", "[GET /works?api_key=***]"),
        ("(see /works?per_page=1&api_key=abc)", "(see /works?per_page=1&api_key=***)"),
        ("'https://x/works?token=s3cret'", "'https://x/works?token=***'"),
        ("/works?apikey=zz#frag", "/works?apikey=***#frag"),
        ("/works?keyword=health", "/works?keyword=health"),
    ],
)
def test_redact_hides_the_value_and_keeps_what_follows(text: str, expected: str) -> None:
    assert redact(text) == expected
