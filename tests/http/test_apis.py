from __future__ import annotations

import pytest

from searchharvest.apis import SAFETY, profile
from searchharvest.config import Settings
from searchharvest.errors import ConfigError


def test_ncbi_rate_depends_on_the_key() -> None:
    assert profile("pubmed", Settings()).limits["list"].rate == pytest.approx(3 * SAFETY)
    keyed = profile("pubmed", Settings(ncbi_api_key="k"))  # type: ignore[arg-type]
    assert keyed.limits["list"].rate == pytest.approx(10 * SAFETY)
    assert keyed.secrets == {"api_key": "k"}


def test_ncbi_spacing_is_at_least_bio_entrez() -> None:
    assert 1 / profile("pubmed", Settings()).limits["list"].rate >= 0.37


def test_crossref_pools() -> None:
    public = profile("crossref", Settings())
    assert (public.limits["list"].rate, public.limits["list"].concurrency) == (
        pytest.approx(1 * SAFETY),
        1,
    )
    assert public.limits["single"].rate == pytest.approx(5 * SAFETY)
    assert public.identity == {}
    polite = profile("crossref", Settings(email="a@b.org"))
    assert polite.identity == {"mailto": "a@b.org"}
    assert polite.limits["list"].concurrency == 3
    assert polite.limits["single"].rate == pytest.approx(10 * SAFETY)


def test_identity_params() -> None:
    pubmed = profile("pubmed", Settings(email="a@b.org"))
    assert pubmed.identity == {"tool": "searchharvest", "email": "a@b.org"}
    openalex = profile("openalex", Settings(openalex_api_key="k"))  # type: ignore[arg-type]
    assert openalex.secrets == {"api_key": "k"}


@pytest.mark.parametrize(
    ("api", "path", "kind"),
    [
        ("crossref", "/works", "list"),
        ("crossref", "/works/10.1038/srep16696", "single"),
        ("openalex", "/works/W2741809807", "single"),
        ("openalex", "/works", "list"),
        ("pubmed", "/efetch.fcgi", "list"),
    ],
)
def test_kind_of(api: str, path: str, kind: str) -> None:
    assert profile(api, Settings()).kind_of(path) == kind


def test_announced_rate_from_crossref_headers() -> None:
    crossref = profile("crossref", Settings())
    headers = {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s"}
    assert crossref.announced_rate(headers) == 50.0
    assert (
        crossref.announced_rate({"x-rate-limit-limit": "30", "x-rate-limit-interval": "1m"}) == 0.5
    )
    assert crossref.announced_rate({}) is None
    assert profile("openalex", Settings()).announced_rate(headers) is None


def test_unknown_api() -> None:
    with pytest.raises(ConfigError, match="expected one of"):
        profile("scopus", Settings())
