from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rispy
from bibtexparser.entrypoint import parse_string

from searchharvest.errors import RecordFileError
from searchharvest.export import FORMATS, read_file, write_file
from searchharvest.export import bibtex as bibtex_format
from searchharvest.export import csv as csv_format
from searchharvest.export import ris as ris_format
from searchharvest.records import Author, Provenance, Record

RECORDS = [
    Record(
        ids={"doi": "10.1000/xyz.1", "pmid": "123456", "pmcid": "PMC42", "openalex": "W77"},
        title="Effects of 50% dose & {braces}: a_trial of ~X^2 in C# users",
        abstract="Background: one.\nMethods: two.",
        authors=(
            Author(family="Nürnberger", given="Jens"),
            Author(family="van der Berg", given="A B"),
        ),
        year=2021,
        publication_date="2021-03-04",
        journal="New England Journal of Medicine",
        issn=("0028-4793", "1533-4406"),
        volume="384",
        issue="9",
        pages="801-812",
        type="journal-article",
        language="en",
        keywords=("dose finding", "trial"),
        mesh=("Humans*", "Adult"),
        publication_types=("Randomized Controlled Trial",),
        url="https://example.org/a",
        sources=("pubmed", "openalex"),
        provenance=(
            Provenance(
                database="pubmed",
                native_query="x[tiab]",
                retrieved=datetime(2024, 5, 1, tzinfo=UTC),
                library_version="0.1.0",
            ),
        ),
    ),
    Record(
        title="Conference paper on screening",
        year=2019,
        type="proceedings-article",
        journal="Proceedings of the ICIS",
        authors=(Author(family="Smith"),),
    ),
    Record(title="Book on screening", type="book", year=2000),
]

RIS_FIELDS = ("ids", "title", "authors", "year", "publication_date", "journal",
              "issn", "volume", "issue", "pages", "type", "language", "keywords", "mesh",
              "publication_types", "url", "sources")  # fmt: skip
CSV_FIELDS = ("title", "abstract", "authors", "year", "keywords", "url", "journal")
BIB_FIELDS = ("title", "abstract", "authors", "year", "publication_date", "journal", "issn",
              "volume", "issue", "pages", "type", "language", "keywords", "url")  # fmt: skip


def assert_same(got: list[Record], fields: tuple[str, ...]) -> None:
    assert len(got) == len(RECORDS)
    for old, new in zip(RECORDS, got, strict=True):
        for name in fields:
            assert getattr(new, name) == getattr(old, name), name


@pytest.mark.parametrize(
    ("suffix", "fields"),
    [
        (".jsonl", tuple(Record.model_fields)),
        (".ris", RIS_FIELDS),
        (".bib", (*BIB_FIELDS, "ids")),
        (".csv", (*CSV_FIELDS, "ids")),
    ],
)
def test_write_file_then_read_file_round_trips(
    tmp_path: Path, suffix: str, fields: tuple[str, ...]
) -> None:
    path = write_file(tmp_path / f"records{suffix}", RECORDS)
    assert_same(read_file(path), fields)
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_full_csv_round_trips_every_field(tmp_path: Path) -> None:
    path = write_file(tmp_path / "all.csv", RECORDS, format="csv-full")
    assert read_file(path) == RECORDS


def test_ris_read_back_with_rispy() -> None:
    fp = io.StringIO()
    ris_format.write(RECORDS, fp)
    text = fp.getvalue()
    assert not text.startswith("1.")
    entries = rispy.loads(text)
    first = entries[0]
    assert first["type_of_reference"] == "JOUR"
    assert first["authors"] == ["Nürnberger, Jens", "van der Berg, A B"]
    assert first["accession_number"] == "123456"
    assert (first["start_page"], first["end_page"]) == ("801", "812")
    assert first["doi"] == "10.1000/xyz.1"
    assert [e["type_of_reference"] for e in entries[1:]] == ["CONF", "BOOK"]
    # RIS has one line per tag: the abstract's paragraphs are joined by a space.
    assert first["abstract"] == "Background: one. Methods: two."


def test_bibtex_read_back_with_bibtexparser() -> None:
    fp = io.StringIO()
    bibtex_format.write([*RECORDS, RECORDS[0]], fp)
    library = parse_string(fp.getvalue())
    assert not library.failed_blocks
    keys = [e.key for e in library.entries]
    assert keys == ["nurnberger2021effects", "smith2019conference", "anon2000book",
                    "nurnberger2021effectsa"]  # fmt: skip
    first = library.entries[0].fields_dict
    assert first["title"].value.startswith("{Effects of 50\\% dose \\& \\{braces\\}")
    assert first["author"].value == "Nürnberger, Jens and van der Berg, A B"
    assert library.entries[1].entry_type == "inproceedings"


def test_asreview_csv_has_its_documented_columns() -> None:
    fp = io.StringIO(newline="")
    csv_format.write(RECORDS, fp)
    rows = list(csv.DictReader(io.StringIO(fp.getvalue())))
    assert {"title", "abstract", "authors", "keywords", "year", "doi", "url"} <= set(rows[0])
    assert rows[0]["authors"].split(";") == ["Nürnberger, Jens", "van der Berg, A B"]
    assert rows[0]["keywords"].split(";") == ["dose finding", "trial"]
    assert rows[0]["pmid"] == "123456"


def test_jsonl_uses_record_key_names(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.jsonl", RECORDS[:1])
    assert json.loads(path.read_text(encoding="utf-8"))["ids"]["doi"] == "10.1000/xyz.1"


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok"}\n\n{"title": "x", "year": "soon"}\n', encoding="utf-8")
    with pytest.raises(RecordFileError) as info:
        read_file(bad)
    assert info.value.line == 3
    assert info.value.path == str(bad)


def test_malformed_bibtex_reports_a_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{ok, title={Fine}}\n\n@article{x, title={unclosed\n", encoding="utf-8")
    with pytest.raises(RecordFileError) as info:
        read_file(bad)
    assert info.value.line is not None


def test_unknown_suffix_and_read_only_format(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match="unknown suffix"):
        write_file(tmp_path / "x.docx", RECORDS)
    with pytest.raises(RecordFileError, match="read-only"):
        write_file(tmp_path / "x.nbib", RECORDS)
    assert set(FORMATS) >= {"ris", "csv", "csv-full", "bibtex", "jsonl", "nbib"}


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = write_file(tmp_path / "keep.jsonl", RECORDS[:1])
    before = path.read_text(encoding="utf-8")

    class Boom(Exception):
        pass

    def broken() -> list[Record]:
        raise Boom

    with pytest.raises(Boom):
        write_file(path, iter(broken()))
    assert path.read_text(encoding="utf-8") == before
    assert list(tmp_path.iterdir()) == [path]


def test_nbib_is_read_through_the_medline_mapper(tmp_path: Path) -> None:
    path = tmp_path / "pubmed.nbib"
    path.write_text("PMID- 99\nTI  - A title\nFAU - Smith, Jane\nAU  - Smith J\n", encoding="utf-8")
    (record,) = read_file(path)
    assert (record.ids.pmid, record.title) == ("99", "A title")
