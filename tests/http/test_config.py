from __future__ import annotations

from pathlib import Path

import pytest

from searchharvest.config import DEFAULT_CACHE_TTL, Settings
from searchharvest.errors import ConfigError


def test_defaults_point_at_the_public_apis() -> None:
    s = Settings.from_env({})
    assert s.pubmed_url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    assert s.openalex_url == "https://api.openalex.org"
    assert s.crossref_url == "https://api.crossref.org"
    assert s.cache_ttl == DEFAULT_CACHE_TTL
    assert s.offline is False
    assert s.ncbi_api_key is None
    assert "searchharvest" in str(s.cache_dir)


def test_env_is_read_and_explicit_arguments_win(tmp_path: Path) -> None:
    env = {
        "SEARCHHARVEST_PUBMED_URL": "http://127.0.0.1:9/eutils/",
        "NCBI_API_KEY": "envkey",
        "SEARCHHARVEST_EMAIL": "a@b.org",
        "SEARCHHARVEST_OFFLINE": "1",
        "SEARCHHARVEST_CACHE_TTL": "0",
        "SEARCHHARVEST_TIMEOUT": "5",
        "SEARCHHARVEST_MAX_ATTEMPTS": "2",
        "SEARCHHARVEST_CACHE_DIR": str(tmp_path),
    }
    s = Settings.from_env(env, timeout=1.5, email="c@d.org")
    assert s.pubmed_url == "http://127.0.0.1:9/eutils"
    assert s.ncbi_api_key is not None
    assert s.ncbi_api_key.get_secret_value() == "envkey"
    assert s.email == "c@d.org"
    assert s.offline is True
    assert s.cache_ttl == 0
    assert s.timeout == 1.5
    assert s.max_attempts == 2
    assert s.cache_dir == tmp_path


def test_keys_never_show_in_repr_or_str() -> None:
    s = Settings.from_env({"NCBI_API_KEY": "topsecret", "OPENALEX_API_KEY": "alsosecret"})
    assert "topsecret" not in repr(s)
    assert "alsosecret" not in str(s)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEARCHHARVEST_CROSSREF_URL", "api.crossref.org"),
        ("SEARCHHARVEST_OPENALEX_URL", "ftp://example.org"),
        ("SEARCHHARVEST_CACHE_TTL", "thirty"),
        ("SEARCHHARVEST_TIMEOUT", "-1"),
        ("SEARCHHARVEST_MAX_ATTEMPTS", "2.5"),
        ("SEARCHHARVEST_OFFLINE", "maybe"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="colour"):
        Settings.from_env({}, colour="blue")
