"""Chaining runs against the fake APIs built from real response bodies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from searchharvest.chain import Edge, achain, chain
from searchharvest.config import Settings
from searchharvest.errors import ConfigError
from searchharvest.records import Record
from tests.chain.fakeapis import Work, World


def _seeded(world: World, seeds: int, refs_each: int) -> list[str]:
    """`seeds` works, each citing `refs_each` works of its own; returns the seed DOIs."""
    dois = []
    for s in range(seeds):
        refs = []
        for r in range(refs_each):
            key = f"r{s}-{r}"
            world.add(
                key,
                Work(
                    f"Referenced work {s} {r} on coproduction",
                    openalex=f"W9{s:03d}{r:03d}",
                    doi=f"10.1000/r{s}.{r}",
                    in_pubmed=False,
                ),
            )
            refs.append(key)
        world.add(
            f"s{s}",
            Work(
                f"Seed study {s} of public services",
                openalex=f"W1{s:04d}",
                doi=f"10.1000/s{s}",
                references=refs,
                in_pubmed=False,
            ),
        )
        dois.append(f"10.1000/s{s}")
    return dois


def test_100_seeds_backward_through_openalex_takes_batched_requests(
    world: World, settings: Settings
) -> None:
    dois = _seeded(world, 100, 5)
    result = chain(
        dois, "backward", sources=["openalex"], settings=settings, transport=world.transport()
    )
    assert len(result.seeds) == 100
    assert len(result.records) == 500
    # 1 lookup of the 100 seed DOIs, then the 500 references in 5 batches of 100:
    # 6 requests, not one per record.
    assert world.count("/works") == 6
    assert result.requests == {"openalex": 6}
    assert result.coverage["openalex"].with_references == 100
    assert result.coverage["openalex"].links == 500
    origin = result.records[0].provenance[0].chain
    assert origin is not None
    assert (origin.seeds, origin.direction, origin.generation) == (
        ("doi:10.1000/s0",),
        "references",
        1,
    )
    assert result.prisma.citation_searching == 500
    assert result.prisma.after_dedup == 500


def test_forward_via_cites_filter_pages_by_cursor(world: World, settings: Settings) -> None:
    world.add(
        "seed", Work("Seed study on coproduction in health", openalex="W100", doi="10.1000/seed")
    )
    for n in range(150):
        world.add(
            f"c{n}",
            Work(
                f"Citing work {n} about health services", openalex=f"W5{n:04d}", references=["seed"]
            ),
        )
    result = chain(
        "W100", "forward", sources=["openalex"], settings=settings, transport=world.transport()
    )
    assert len(result.records) == 150
    cites = [r for r in world.requests if r.url.params["filter"].startswith("cites:")]
    assert [r.url.params["cursor"] for r in cites] == ["*", "100"]
    assert result.requests == {"openalex": 3}
    assert {r.provenance[0].chain.direction for r in result.records if r.provenance[0].chain} == {
        "citations"
    }
    assert result.coverage["openalex"].with_citations == 1


def test_pubmed_elink_sends_many_ids_in_one_request(world: World, settings: Settings) -> None:
    for n in range(3):
        world.add(
            f"ref{n}", Work(f"Reference {n} on nurse staffing", pmid=f"90{n}", in_openalex=False)
        )
        world.add(
            f"cit{n}",
            Work(
                f"Citing {n} on nurse staffing",
                pmid=f"80{n}",
                in_openalex=False,
                references=[f"s{n}"],
            ),
        )
        world.add(
            f"s{n}",
            Work(
                f"Seed {n} on nurse staffing",
                pmid=f"70{n}",
                in_openalex=False,
                references=[f"ref{n}"],
            ),
        )
    world.works["s1"].retracted = True  # PubMed marks it with a publication type
    result = chain(
        ["701", "700", "702"],
        "both",
        sources=["pubmed"],
        settings=settings,
        transport=world.transport(),
    )
    elinks = [r for r in world.requests if r.url.path.endswith("elink.fcgi")]
    assert len(elinks) == 2
    assert sorted(elinks[0].url.params.get_list("id")) == ["700", "701", "702"]
    assert {r.url.params["linkname"] for r in elinks} == {
        "pubmed_pubmed_refs",
        "pubmed_pubmed_citedin",
    }
    efetch = [r for r in world.requests if r.url.path.endswith("efetch.fcgi")]
    assert len(efetch) == 2  # the seeds, then the six linked works in one POST
    assert result.requests == {"pubmed": 4}
    assert len(result.records) == 6
    by_pmid = {r.ids.pmid: r for r in result.records}
    assert by_pmid["900"].provenance[0].chain.seeds == ("pmid:700",)
    assert by_pmid["800"].provenance[0].chain.direction == "citations"
    cov = result.coverage["pubmed"]
    assert result.retracted == ["pmid:701"]
    assert (cov.seeds_queried, cov.with_references, cov.with_citations) == (3, 3, 3)


def test_crossref_references_by_doi_batch_and_unstructured_matching(
    world: World, settings: Settings
) -> None:
    world.add(
        "a",
        Work(
            "Alpha-synuclein in Lewy bodies of the brain",
            year=1997,
            author="Spillantini",
            doi="10.1038/42166",
            in_openalex=False,
            in_pubmed=False,
        ),
    )
    world.add(
        "b",
        Work(
            "Dark matter in spiral galaxies revisited",
            year=1999,
            author="Rubin",
            doi="10.1000/dark",
            in_openalex=False,
            in_pubmed=False,
        ),
    )
    world.add(
        "wrong",
        Work(
            "Dark energy in elliptical galaxies",
            year=2004,
            author="Smith",
            doi="10.1000/wrong",
            in_openalex=False,
            in_pubmed=False,
        ),
    )
    good = "Rubin, V. Dark matter in spiral galaxies revisited. Science 3, 1-2 (1999)."
    bad = "Smith, J. Dark energy in elliptical galaxies. Nature 9, 3 (2011)."
    world.bibliographic = {good: ["b"], bad: ["wrong"]}
    world.add(
        "seed",
        Work(
            "Seed with deposited references on Parkinson disease",
            doi="10.1038/srep16696",
            references=["a"],
            unstructured=[good, bad],
            in_openalex=False,
            in_pubmed=False,
        ),
    )
    result = chain(
        "10.1038/srep16696",
        "backward",
        sources=["crossref"],
        settings=settings,
        transport=world.transport(),
    )
    assert sorted(r.ids.doi for r in result.records) == ["10.1000/dark", "10.1038/42166"]
    assert any("1 of 2 references without a DOI" in w for w in result.warnings)
    lists = [r for r in world.requests if "filter" in r.url.params]
    assert [r.url.params["filter"] for r in lists] == ["doi:10.1038/srep16696", "doi:10.1038/42166"]


def test_seed_without_references_retracted_seed_and_pubmed_only_seed(
    world: World, settings: Settings
) -> None:
    world.add(
        "ref",
        Work(
            "A referenced trial of exercise therapy", openalex="W300", doi="10.1000/ref", pmid="300"
        ),
    )
    world.add(
        "bare",
        Work("A seed with no deposited references at all", openalex="W301", doi="10.1000/bare"),
    )
    world.add(
        "retracted",
        Work(
            "A retracted seed about exercise therapy",
            openalex="W302",
            doi="10.1000/retracted",
            references=["ref"],
            retracted=True,
        ),
    )
    world.add(
        "pmonly",
        Work(
            "A seed indexed only in PubMed on exercise",
            pmid="303",
            in_openalex=False,
            in_crossref=False,
            references=["ref"],
        ),
    )
    result = chain(
        ["10.1000/bare", "10.1000/retracted", "pmid:303"],
        "backward",
        sources=["openalex", "pubmed"],
        settings=settings,
        transport=world.transport(),
    )
    assert len(result.seeds) == 3
    assert not result.unresolved
    assert result.coverage["openalex"].seeds_queried == 2
    assert result.coverage["openalex"].with_references == 1
    assert result.coverage["pubmed"].with_references == 1
    assert [r.ids.doi for r in result.records] == ["10.1000/ref"]
    seeds = {s for p in result.records[0].provenance if p.chain for s in p.chain.seeds}
    assert seeds == {"doi:10.1000/retracted", "pmid:303"}
    assert "doi:10.1000/retracted" in result.retracted
    assert any("seed doi:10.1000/retracted is retracted" in w for w in result.warnings)


def test_cycle_stops_at_seen_works_without_duplicates(world: World, settings: Settings) -> None:
    world.add(
        "A",
        Work("Work A on shared decision making", openalex="W1", doi="10.1000/a", references=["B"]),
    )
    world.add(
        "B",
        Work("Work B on shared decision making", openalex="W2", doi="10.1000/b", references=["A"]),
    )
    result = chain(
        "W1", "both", depth=2, sources=["openalex"], settings=settings, transport=world.transport()
    )
    assert [r.ids.openalex for r in result.records] == ["W2"]
    assert result.generations == [1, 0]
    assert set(result.edges) >= {
        Edge("doi:10.1000/a", "doi:10.1000/b", "openalex"),
        Edge("doi:10.1000/b", "doi:10.1000/a", "openalex"),
    }
    assert any("depth 2" in w for w in result.warnings)


def test_unresolved_seeds_are_reported(world: World, settings: Settings) -> None:
    world.add("x", Work("A findable seed on coproduction of care", openalex="W7", doi="10.1000/x"))
    title_only = Record(title="An unpublished report on coproduction", year=2019)
    result = chain(
        ["10.1000/x", "10.1000/missing", title_only],
        "backward",
        sources=["openalex"],
        settings=settings,
        transport=world.transport(),
    )
    assert [u.label for u in result.unresolved] == [
        "An unpublished report on coproduction (2019)",
        "10.1000/missing",
    ]
    assert "not found in openalex" in result.unresolved[1].reason
    assert result.to_json()["seeds"]["resolved"] == 1


def test_title_only_seed_resolved_by_verified_bibliographic_lookup(
    world: World, settings: Settings
) -> None:
    world.add(
        "t",
        Work(
            "Co-production of health services: a realist review",
            year=2018,
            author="Turk",
            doi="10.1000/t",
            openalex="W44",
        ),
    )
    wanted = Record(
        title="Co-production of health services - a realist review",
        year=2018,
        authors=[{"family": "Turk"}],
    )
    world.bibliographic = {"Co-production of health services - a realist review 2018 Turk": ["t"]}
    result = chain(
        [wanted], "backward", sources=["openalex"], settings=settings, transport=world.transport()
    )
    assert [s.ids.openalex for s in result.seeds] == ["W44"]
    assert not result.unresolved


def test_dedup_across_sources_against_seeds_and_prior(world: World, settings: Settings) -> None:
    world.add(
        "r1",
        Work("First reference on telehealth outcomes", openalex="W61", doi="10.1000/r1", pmid="61"),
    )
    world.add(
        "r2",
        Work(
            "Second reference on telehealth outcomes", openalex="W62", doi="10.1000/r2", pmid="62"
        ),
    )
    world.add(
        "s",
        Work(
            "Seed on telehealth outcomes",
            openalex="W60",
            doi="10.1000/s",
            pmid="60",
            references=["r1", "r2"],
        ),
    )
    prior = [Record(title="Second reference on telehealth outcomes", ids={"doi": "10.1000/r2"})]
    result = chain(
        "10.1000/s",
        "backward",
        sources=["openalex", "pubmed"],
        against=prior,
        settings=settings,
        transport=world.transport(),
    )
    assert [r.ids.doi for r in result.records] == ["10.1000/r1"]
    assert set(result.records[0].sources) == {"openalex", "pubmed"}
    assert {p.database for p in result.records[0].provenance} == {"openalex", "pubmed"}
    counts = result.prisma
    assert (counts.citation_searching, counts.duplicates_removed) == (4, 2)
    assert (counts.previously_screened_removed, counts.after_dedup) == (1, 1)


def test_cap_per_generation_marks_incomplete(world: World, settings: Settings) -> None:
    _seeded(world, 1, 5)
    result = chain(
        "10.1000/s0",
        "backward",
        sources=["openalex"],
        max_per_generation=2,
        settings=settings,
        transport=world.transport(),
    )
    assert len(result.records) == 2
    assert not result.complete
    assert any("fetched 2" in w for w in result.warnings)


def test_a_failing_source_keeps_the_others_results(world: World, tmp_path: Path) -> None:
    world.add("r", Work("Reference kept although PubMed fails", openalex="W81", doi="10.1000/r"))
    world.add(
        "s",
        Work("Seed on telehealth", openalex="W80", doi="10.1000/s", pmid="80", references=["r"]),
    )
    world.fail = "elink.fcgi"
    settings = Settings(email="t@example.org", cache_dir=tmp_path, max_attempts=1)
    result = chain(
        "10.1000/s",
        "backward",
        sources=["openalex", "pubmed"],
        settings=settings,
        transport=world.transport(),
    )
    assert not result.complete
    assert [e.split(":")[0] for e in result.errors] == ["pubmed"]
    assert "RetriesExhausted" in result.errors[0]
    assert [r.ids.doi for r in result.records] == ["10.1000/r"]


def test_a_seed_no_source_could_be_asked_about_says_so(world: World, tmp_path: Path) -> None:
    world.add("s", Work("Seed while OpenAlex is down", openalex="W82", doi="10.1000/down"))
    world.fail = "api.openalex.org"
    settings = Settings(email="t@example.org", cache_dir=tmp_path, max_attempts=1)
    result = chain(
        "10.1000/down",
        "backward",
        sources=["openalex"],
        settings=settings,
        transport=world.transport(),
    )
    [unresolved] = result.unresolved
    assert unresolved.reason == "not looked up: openalex failed"
    assert not result.complete


def test_base_urls_are_honoured(world: World, tmp_path: Path) -> None:
    world.add("s", Work("Seed on local mirrors", openalex="W90", doi="10.1000/s"))
    local = Settings(openalex_url="http://127.0.0.1:9/oa", cache_dir=tmp_path, max_attempts=1)

    def rewrite(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "127.0.0.1"
        assert request.url.path.startswith("/oa/")
        request.url = request.url.copy_with(host="api.openalex.org", path=request.url.path[3:])
        return world.handle(request)

    result = chain(
        "W90",
        "backward",
        sources=["openalex"],
        settings=local,
        transport=httpx.MockTransport(rewrite),
    )
    assert len(result.seeds) == 1
    assert world.requests


def test_async_twin_and_bad_arguments(world: World, settings: Settings) -> None:
    world.add("s", Work("Seed for the async twin", openalex="W91", doi="10.1000/s"))
    result = asyncio.run(
        achain(
            "W91",
            "references",
            sources=["openalex"],
            settings=settings,
            transport=world.transport(),
        )
    )
    assert len(result.seeds) == 1
    for kwargs in ({"direction": "sideways"}, {"depth": 0}, {"sources": ["scopus"]}):
        with pytest.raises(ConfigError):
            chain("W91", settings=settings, transport=world.transport(), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a DOI"):
        chain("nonsense-id", settings=settings, transport=world.transport())


def test_openalex_refusing_pmid_lookups_leaves_them_to_pubmed(
    world: World, settings: Settings
) -> None:
    world.add("r", Work("A reference reached through OpenAlex", openalex="W71", doi="10.1000/r"))
    world.add(
        "s",
        Work("A seed given by PMID", openalex="W70", pmid="70", doi="10.1000/s", references=["r"]),
    )
    world.refuse = "pmid"
    result = chain(
        "pmid:70",
        "backward",
        sources=["openalex", "pubmed"],
        settings=settings,
        transport=world.transport(),
    )
    assert len(result.seeds) == 1
    assert result.complete
    assert any("openalex refused a pmid lookup" in w for w in result.warnings)
    # PubMed gave the seed's DOI, and OpenAlex found it by DOI and followed its references
    assert [r.ids.doi for r in result.records] == ["10.1000/r"]


def test_failed_title_lookup_does_not_stop_the_other_seeds(world: World, tmp_path: Path) -> None:
    world.add("r", Work("A reference of the identified seed", openalex="W51", doi="10.1000/r"))
    world.add("s", Work("The identified seed", openalex="W50", references=["r"]))
    world.fail = "api.crossref.org"
    settings = Settings(email="t@example.org", cache_dir=tmp_path, max_attempts=1)
    title_only = Record(title="A seed known by its title only", year=2020)
    result = chain(
        ["W50", title_only],
        "backward",
        sources=["openalex"],
        settings=settings,
        transport=world.transport(),
    )
    assert [r.ids.openalex for r in result.records] == ["W51"]
    assert "the Crossref lookup failed" in result.unresolved[0].reason
    assert result.errors[0].startswith("crossref: RetriesExhausted")


def test_cap_stops_forward_paging(world: World, settings: Settings) -> None:
    world.add("seed", Work("A much cited seed on peer review", openalex="W200", doi="10.1000/seed"))
    for n in range(150):
        world.add(
            f"c{n}",
            Work(f"Citing work {n} on peer review", openalex=f"W6{n:04d}", references=["seed"]),
        )
    result = chain(
        "W200",
        "forward",
        sources=["openalex"],
        max_per_generation=100,
        settings=settings,
        transport=world.transport(),
    )
    cites = [r for r in world.requests if r.url.params["filter"].startswith("cites:")]
    assert len(cites) == 1
    assert len(result.records) == 100
    assert not result.complete
    assert any("50 linked works not read" in w for w in result.warnings)


def test_a_found_copy_of_a_seed_without_shared_ids_is_removed(
    world: World, settings: Settings
) -> None:
    title = "Peer support for people with severe mental illness: a randomised trial"
    world.add("copy", Work(title, year=2019, author="Lloyd", openalex="W31"))
    world.add("other", Work("An unrelated reference on housing first", openalex="W32"))
    world.add(
        "s",
        Work(
            title,
            year=2019,
            author="Lloyd",
            openalex="W30",
            doi="10.1000/s",
            references=["copy", "other"],
        ),
    )
    result = chain(
        "W30", "backward", sources=["openalex"], settings=settings, transport=world.transport()
    )
    assert [r.ids.openalex for r in result.records] == ["W32"]
    assert result.prisma.duplicates_removed == 1
