"""BibTeX through bibtexparser v2, for LaTeX users and reference managers.

Keys are stable and unique (`family` + `year` + first title word, then `a`, `b`, ...
for clashes), titles are brace-protected so styles keep their capitals, and the LaTeX
specials (`& % $ # _ { } ~ ^ \\`) are escaped on writing and unescaped on reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pydantic import ValidationError

from searchharvest.dedup.normalize import fold
from searchharvest.errors import RecordFileError
from searchharvest.export._fields import (
    author_from_text,
    author_text,
    split_list,
    stream_name,
)
from searchharvest.records import Record

TYPE_TO_BIBTEX: dict[str, str] = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "posted-content": "unpublished",
    "book": "book",
    "book-chapter": "incollection",
    "report": "techreport",
    "dissertation": "phdthesis",
    "other": "misc",
}
BIBTEX_TO_TYPE: dict[str, str] = {v: k for k, v in TYPE_TO_BIBTEX.items()} | {
    "conference": "proceedings-article",
    "inbook": "book-chapter",
    "mastersthesis": "dissertation",
    "online": "posted-content",
}
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
_UNESCAPE = re.compile("|".join(re.escape(v) for v in sorted(_SPECIALS.values(), key=len)[::-1]))
_REVERSE = {v: k for k, v in _SPECIALS.items()}


def escape(text: str) -> str:
    r"""LaTeX-escape the specials: `50% & more` → `50\% \& more`."""
    return _ESCAPE.sub(lambda m: _SPECIALS[m.group()], text)


def unescape(text: str) -> str:
    """Inverse of `escape`."""
    return _UNESCAPE.sub(lambda m: _REVERSE[m.group()], text)


def _key(record: Record) -> str:
    family = fold(record.authors[0].family if record.authors else None).replace(" ", "")
    word = next((w for w in fold(record.title).split() if len(w) > 3), "")
    return f"{family or 'anon'}{record.year or 'nd'}{word}"


def _entry(record: Record, key: str) -> Entry:
    values: list[tuple[str, str | None]] = [
        ("title", "{" + escape(record.title) + "}" if record.title else None),
        ("author", " and ".join(escape(author_text(a)) for a in record.authors) or None),
        ("year", str(record.year) if record.year else None),
        ("date", record.publication_date),
        (
            "journal" if record.type != "proceedings-article" else "booktitle",
            escape(record.journal) if record.journal else None,
        ),
        ("volume", record.volume),
        ("number", record.issue),
        ("pages", record.pages.replace("-", "--") if record.pages else None),
        ("doi", record.ids.doi),
        ("pmid", record.ids.pmid),
        ("pmcid", record.ids.pmcid),
        ("openalex", record.ids.openalex),
        ("issn", ", ".join(record.issn) or None),
        ("abstract", escape(record.abstract) if record.abstract else None),
        ("keywords", escape(", ".join(record.keywords)) or None),
        ("language", record.language),
        ("url", record.url),
    ]
    fields = [Field(name, value) for name, value in values if value]
    return Entry(TYPE_TO_BIBTEX.get(record.type or "", "misc"), key, fields)


def write(records: Iterable[Record], fp: IO[str]) -> None:
    """Write `records` as BibTeX entries with unique keys."""
    library = Library()
    seen: dict[str, int] = {}
    for record in records:
        base = _key(record)
        count = seen.get(base, 0)
        seen[base] = count + 1
        key = base if count == 0 else base + _suffix(count)
        library.add(_entry(record, key))
    fp.write(write_string(library))


def _suffix(n: int) -> str:
    """1 → `a`, 26 → `z`, 27 → `aa`."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _strip_braces(text: str) -> str:
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def _record(entry: Entry) -> Record:
    fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}

    def get(name: str) -> str | None:
        value = fields.get(name, "").strip()
        return unescape(_strip_braces(value)) if value else None

    year = get("year")
    return Record(
        ids={k: get(k) for k in ("doi", "pmid", "pmcid", "openalex")},
        title=get("title"),
        abstract=get("abstract"),
        authors=tuple(a for a in map(author_from_text, split_list(get("author"), " and ")) if a),
        year=int(year[:4]) if year and year[:4].isdigit() else None,
        publication_date=get("date"),
        journal=get("journal") or get("booktitle"),
        issn=split_list(get("issn"), ","),
        volume=get("volume"),
        issue=get("number"),
        pages=(get("pages") or "").replace("--", "-") or None,
        type=BIBTEX_TO_TYPE.get(entry.entry_type.lower(), "other"),
        language=get("language"),
        keywords=split_list(get("keywords"), ","),
        url=get("url"),
    )


def _line(start: int | None) -> int | None:
    """bibtexparser counts lines from 0; error messages count from 1."""
    return start + 1 if start is not None else None


def read(fp: IO[str]) -> list[Record]:
    """Read every BibTeX entry into a Record.

    Raises:
        RecordFileError: an entry cannot be parsed (with its line) or is not a valid record.
    """
    name = stream_name(fp)
    library = parse_string(fp.read())
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise RecordFileError("malformed BibTeX entry", name, _line(block.start_line))
    records: list[Record] = []
    for entry in library.entries:
        try:
            records.append(_record(entry))
        except ValidationError as exc:
            message = f"entry {entry.key} is not a valid record: {exc}"
            raise RecordFileError(message, name, _line(entry.start_line)) from exc
    return records
