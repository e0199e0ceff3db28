"""Seeds, bibliographic verification and network export, without any HTTP."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from searchharvest.chain import Edge, load_seeds, write_network
from searchharvest.chain.matching import matches_reference, same_work
from searchharvest.errors import ConfigError, RecordFileError
from searchharvest.export import write_file
from searchharvest.records import Record


def test_identifiers_of_every_kind_are_parsed() -> None:
    seeds = load_seeds("https://doi.org/10.7717/PEERJ.4375; pmid:29456894 PMC5815332,W2741809807")
    assert [s.record.ids.keys() for s in seeds] == [
        ["doi:10.7717/peerj.4375"],
        ["pmid:29456894"],
        ["pmcid:PMC5815332"],
        ["openalex:W2741809807"],
    ]


@pytest.mark.parametrize("bad", ["", "  ,  ", "not-an-id"])
def test_bad_seed_text_is_an_input_error(bad: str) -> None:
    with pytest.raises(ConfigError):
        load_seeds(bad)


def test_seeds_from_a_record_file_keep_title_only_records(tmp_path: Path) -> None:
    path = write_file(
        tmp_path / "included.ris",
        [Record(title="Only a title here", year=2019), Record(ids={"pmid": "29456894"})],
    )
    seeds = load_seeds(path)
    assert [s.label for s in seeds] == ["Only a title here (2019)", "29456894"]
    assert load_seeds(str(path))[1].record.ids.pmid == "29456894"


def test_missing_seed_file_is_named() -> None:
    with pytest.raises(ConfigError, match=r"absent-file\.ris: no such seed file"):
        load_seeds("absent-file.ris")
    assert load_seeds("10.5281/zenodo.1.csv")[0].record.ids.doi == "10.5281/zenodo.1.csv"


def test_same_work_needs_title_year_and_first_author() -> None:
    wanted = Record(
        title="Patient involvement in research", year=2015, authors=[{"family": "Brett"}]
    )
    assert same_work(
        Record(title="Patient involvement in research.", year=2016, authors=[{"family": "Brett"}]),
        wanted,
    )
    assert not same_work(
        Record(
            title="Patient involvement in research", year=2015, authors=[{"family": "Staniszewska"}]
        ),
        wanted,
    )
    assert not same_work(Record(title="Public involvement in audit", year=2015), wanted)
    assert not same_work(Record(title="Editorial"), Record(title="Editorial"))


def test_reference_text_matching_rejects_wrong_year_or_author() -> None:
    work = Record(
        title="Alpha-synuclein in Lewy bodies", year=1997, authors=[{"family": "Spillantini"}]
    )
    text = "Spillantini, M. G. et al. Alpha-synuclein in Lewy bodies. Nature 388, 839-840 (1997)."
    assert matches_reference(work, text)
    assert not matches_reference(work, text.replace("1997", "2007"))
    assert not matches_reference(work, text.replace("Spillantini", "Goedert"))


EDGES = [
    Edge("doi:10.1000/a", "doi:10.1000/b", "openalex"),
    Edge("doi:10.1000/c", "doi:10.1000/a", "pubmed"),
]
SEEDS = [Record(title="Seed A", year=2020, ids={"doi": "10.1000/a"})]
FOUND = [Record(title="Found B & <C>", year=2011, ids={"doi": "10.1000/b"})]


def test_network_csv_has_one_row_per_edge(tmp_path: Path) -> None:
    path = write_network(tmp_path / "net.csv", EDGES, FOUND, SEEDS)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["citing", "cited", "via"], *[[e.citing, e.cited, e.via] for e in EDGES]]


def test_network_graphml_is_valid_and_complete(tmp_path: Path) -> None:
    path = write_network(tmp_path / "net.graphml", EDGES, FOUND, SEEDS)
    root = etree.parse(str(path)).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    nodes = {n.get("id"): n for n in root.iterfind("g:graph/g:node", ns)}
    assert set(nodes) == {"doi:10.1000/a", "doi:10.1000/b", "doi:10.1000/c"}
    role = {k: n.findtext("g:data[@key='role']", namespaces=ns) for k, n in nodes.items()}
    assert role == {"doi:10.1000/a": "seed", "doi:10.1000/b": "found", "doi:10.1000/c": "linked"}
    assert nodes["doi:10.1000/b"].findtext("g:data[@key='title']", namespaces=ns) == "Found B & <C>"
    edges = [(e.get("source"), e.get("target")) for e in root.iterfind("g:graph/g:edge", ns)]
    assert edges == [(e.citing, e.cited) for e in EDGES]


def test_network_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError):
        write_network(tmp_path / "net.json", EDGES, FOUND, SEEDS)
