"""Comparable forms of record fields, computed once per record before any matching.

Matching compares thousands of pairs, so every string is folded here once (accents, case,
markup, punctuation) into a frozen `Features` value; `match.py` only compares them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from searchharvest.records import Author, Record

Notice = Literal["erratum", "retraction", "concern", "withdrawal"]

_MARKUP = re.compile(r"<[^>]{1,40}>")
_GREEK = {
    code: f" {unicodedata.name(chr(code)).split()[-1].lower().replace('lamda', 'lambda')} "
    for code in range(0x391, 0x3CA)
    if unicodedata.name(chr(code), "").startswith("GREEK")
    and "WITH" not in unicodedata.name(chr(code))
}
"""`α` → ` alpha `, `ς` → ` sigma `: the letters as another database spells them."""
_LATEX = re.compile(r"\\[`'\"^~=.]\s*|\\[a-zA-Z]+\s*(?=\{)|\\[a-zA-Z]+\s+|[{}]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NOTICE_TITLE: tuple[tuple[re.Pattern[str], Notice], ...] = (
    (re.compile(r"^(?:erratum|errata|corrigendum|corrigenda|correction)\b"), "erratum"),
    (re.compile(r"^(?:publisher s |author )?(?:correction|erratum|addendum)\b"), "erratum"),
    (re.compile(r"^(?:notice of )?retraction\b|^retraction note\b"), "retraction"),
    (re.compile(r"^(?:editorial )?expression of concern\b"), "concern"),
    (re.compile(r"^withdrawn\b|^withdrawal\b"), "withdrawal"),
)
_NOTICE_TYPES: dict[str, Notice] = {
    "published erratum": "erratum",
    "erratum": "erratum",
    "correction": "erratum",
    "retraction of publication": "retraction",
    "retraction": "retraction",
    "expression of concern": "concern",
    "withdrawn publication": "withdrawal",
}
_TRAILING_BRACKETS = re.compile(r"\s*(?:\[[^\[\]]*\]|\([^()]*\))\s*\.?\s*$")
_MEDLINE_NOTE = re.compile(
    r"\s*\[(?:erratum|comment|corrected|republished|retraction|retracted|update|summary)"
    r"\b.*$",
    re.I,
)
_LEADING_TRANSLATION = re.compile(r"^\s*\[([^\[\]]{10,})\]")
_THOUSANDS = re.compile(r"(?<=\d)[ ,](?=\d{3}\b)")
_EMBASE_CONFERENCE = re.compile(r"\.\s*conference\s*:.*$", re.I | re.S)
_EMBASE_ERRATUM = re.compile(r"\([^()]+\(\d{4}\)\s*\d+\s*\([\d\s\-–]+\)\)\s*\.?\s*$")
_ARTICLE_ID = re.compile(r"^\s*((?:cd|[a-z])\d{4,})\s*$", re.I)
_RETRACTED_PREFIX = re.compile(r"^(?:retracted(?: article)?|withdrawn)\s*[:.\-]\s*", re.I)
_GENERIC_TITLES = frozenset(
    {
        "editorial", "letter", "letters", "letter to the editor", "reply", "in reply",
        "authors reply", "author s reply", "reply to letter", "response", "introduction",
        "commentary", "comment", "comments", "preface", "foreword", "abstracts", "news",
        "book review", "book reviews", "erratum", "correction", "corrigendum", "index",
        "editor s note", "editors note", "in this issue", "highlights", "obituary",
        "conclusion", "conclusions", "discussion", "summary", "overview", "guest editorial",
        "correspondence", "retraction", "expression of concern", "untitled",
    }
)  # fmt: skip
_PART = re.compile(r"\b(?:part|pt|phase|study|series)\s+(\d+|[ivx]{1,4}|one|two|three|four|five)\b")
_TRAILING_ROMAN = re.compile(r"\s([ivx]{1,4})$")
_SUFFIX = re.compile(r"\s+(?:jr|sr|ii|iii|iv)$")
_NUMBER = re.compile(r"\d+")
_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
_CONFERENCE_TYPES = frozenset(
    {"inproceedings", "conference", "proceedings", "proceedings-article", "conf", "cpaper",
     "conference paper", "conference abstract", "meeting abstract", "congress"}
)  # fmt: skip
_CONFERENCE_VENUE = re.compile(
    r"^(?:\d+\w* |annual |international |the )*(?:conference|congress|symposium|workshop|"
    r"meeting|colloquium|amcis|icis|ecis|hicss|pacis|abstracts? of)\b"
    r"|\bproceedings\b(?! of the national academy)"
)
_PREPRINT_VENUE = re.compile(
    r"\b(?:arxiv|biorxiv|medrxiv|chemrxiv|ssrn|research square|preprints|psyarxiv|socarxiv|"
    r"osf preprints|eartharxiv|techrxiv|authorea)\b"
)
_PREPRINT_DOI = ("10.1101/", "10.48550/", "10.2139/", "10.21203/", "10.20944/", "10.31219/")
_DOI_VERSION = re.compile(r"(?:\.pub\d+|[./]v\d+)$")
_PAGES = re.compile(r"^\s*[a-z]?(\d+)[a-z]?(?:\s*[-–]+\s*[a-z]?(\d+))?", re.I)
_VOLUME_NUMBER = re.compile(r"\d+")
_WOS_ERRATUM = re.compile(r"\(vol\.? \d+,? (?:pg?|page)\.? \w+", re.I)


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces: `"Ångström: <i>A</i>"` → `angstrom a`.

    Greek letters are spelt out and `&` becomes `and`, as one database writes `β-cell`
    or `&amp;` where another writes `beta-cell` or `and`; BibTeX braces and accent
    commands go without splitting the word (`{B}ig M{\\"u}ller` → `big muller`).
    """
    if not text:
        return ""
    if "{" in text or "\\" in text:
        text = _LATEX.sub("", text)
    if "&" in text:
        text = html.unescape(text).replace("&", " and ")
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_GREEK)
        text = text.encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def normalize_title(title: str | None) -> str:
    """Folded title without a `Retracted:` prefix or trailing bracketed notes.

    Medline appends `[Review] [33 refs]`, `[Spanish]` or `[Erratum appears in ...]`, and
    wraps a translated title in brackets (sometimes followed by `TO: <original title>`);
    only the translation is what another database gives. Thousands separators go too
    (`10 000 women` ~ `10000 women`), as they would split one number in two.
    """
    if not title:
        return ""
    text = _RETRACTED_PREFIX.sub("", title.strip())
    translated = _LEADING_TRANSLATION.match(text)
    if translated:
        text = translated.group(1)
    if "[" in text:
        text = _MEDLINE_NOTE.sub("", text) or text
    while (
        text.rstrip(" .").endswith(("]", ")"))
        and (stripped := _TRAILING_BRACKETS.sub("", text, count=1)) != text
        and len(stripped) >= 10
    ):
        text = stripped
    return fold(_THOUSANDS.sub("", text))


def notice_kind(record: Record) -> Notice | None:
    """Which kind of notice (erratum, retraction, ...) a record is, if it is one.

    A notice and the article it concerns share title, authors and journal, so without this
    check fuzzy matching would merge them and drop one from screening.
    """
    for ptype in record.publication_types:
        kind = _NOTICE_TYPES.get(ptype.strip().lower())
        if kind is not None:
            return kind
    rtype = (record.type or "").strip().lower()
    if rtype in _NOTICE_TYPES:
        return _NOTICE_TYPES[rtype]
    title = record.title or ""
    if "(" in title and (_WOS_ERRATUM.search(title) or _EMBASE_ERRATUM.search(title)):
        # Web of Science `Title (vol 360, pg 542, 2009)`, Embase `Title (N Engl J Med
        # (2009) 360 (542-544))`.
        return "erratum"
    folded = fold(title[:60])
    for pattern, kind in _NOTICE_TITLE:
        if pattern.match(folded):
            return kind
    return None


def part_markers(title: str) -> frozenset[str]:
    """Part numbers of a multi-part title (`Part 2`, `Phase II`, a trailing `II`) as digits."""
    marks = {_ROMAN.get(m, _WORDS.get(m, m)) for m in _PART.findall(title)}
    trailing = _TRAILING_ROMAN.search(title)
    if trailing:
        marks.add(_ROMAN.get(trailing.group(1), trailing.group(1)))
    return frozenset(marks)


def family_key(author: Author) -> str:
    """Folded family name without spaces (`Van der Berg` → `vanderberg`)."""
    return _name_key(author.family or author.given or "")


@lru_cache(maxsize=1 << 16)
def _name_key(name: str) -> str:
    # Cached: the same authors recur across the copies of a work and across a harvest.
    return _SUFFIX.sub("", fold(name)).replace(" ", "")


def doi_stem(doi: str) -> str:
    """DOI without a version suffix: Cochrane `.pub3`, `/v2`, `.v2`."""
    return _DOI_VERSION.sub("", doi)


def is_preprint(record: Record) -> bool:
    """Whether a record is a preprint (by type, DOI prefix or server name)."""
    if (record.type or "").lower() in {"preprint", "posted-content", "posted content"}:
        return True
    doi = record.ids.doi or ""
    if doi.startswith(_PREPRINT_DOI):
        return True
    return _venue(record.journal or "")[2]


def is_conference(record: Record) -> bool:
    """Whether a record is a conference paper or abstract rather than a journal article."""
    if (record.type or "").strip().lower() in _CONFERENCE_TYPES:
        return True
    if any(p.strip().lower() in _CONFERENCE_TYPES for p in record.publication_types):
        return True
    # Only a venue that *is* a conference: Embase files an abstract printed in a journal
    # supplement as `Journal X.Conference: ...`, and Medline the same abstract as `Journal X`.
    return _venue(record.journal or "")[1]


def page_span(pages: str | None) -> frozenset[str]:
    """First and last page as digits (`288-97` → {288, 297}, `c37-c42` → {37, 42}).

    Two records agree on pages when these sets overlap, because one database may give
    only the last page of a range the other gives in full; a `Suppl-89` style value is
    unknown rather than different.
    """
    match = _PAGES.match(pages or "")
    if not match:
        return frozenset()
    first = match.group(1).lstrip("0") or "0"
    last = match.group(2)
    if last is None:
        return frozenset({first})
    last = last.lstrip("0") or "0"
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return frozenset({first, last})


def issue_key(issue: str | None) -> str:
    """First number of an issue; a bare `Suppl` or `S` is unknown rather than different."""
    number = _VOLUME_NUMBER.search(issue or "")
    return (number.group().lstrip("0") or "0") if number else ""


def article_id(pages: str | None) -> str:
    """An electronic article number given in place of pages (`e12724`, `CD006828`), folded.

    The same article may be cited by its article number in one database and by print
    pages in another, so a number on one side only leaves the pages unknown.
    """
    match = _ARTICLE_ID.match(pages or "")
    return match.group(1).lower() if match else ""


def journal_key(journal: str | None) -> str:
    """Folded journal name without Embase's `.Conference: <meeting>` suffix."""
    return _venue(journal or "")[0]


@lru_cache(maxsize=1 << 14)
def _venue(journal: str) -> tuple[str, bool, bool, bool]:
    """Journal key, conference venue, preprint server, supplement abstract: cached, as a
    harvest has far fewer venues than records."""
    folded = fold(journal)
    return (
        fold(_EMBASE_CONFERENCE.sub("", journal)),
        bool(_CONFERENCE_VENUE.match(folded)),
        bool(_PREPRINT_VENUE.search(folded)),
        bool(_EMBASE_CONFERENCE.search(journal)),
    )


def volume_key(volume: str | None) -> str:
    """First number of a volume without leading zeros (`24 Suppl 3` → `24`); else folded."""
    number = _VOLUME_NUMBER.search(volume or "")
    if number:
        return number.group().lstrip("0") or "0"
    text = fold(volume).replace(" ", "")
    return "" if text in {"unknown", "na"} else text


@dataclass(frozen=True, slots=True)
class Features:
    """The comparable form of one record."""

    title: str
    families: tuple[str, ...]
    year: int | None
    volume: str
    issue: str
    pages: frozenset[str]
    article_id: str
    journal: str
    numbers: frozenset[str]
    parts: frozenset[str]
    notice: Notice | None
    generic: bool
    conference: bool
    in_supplement: bool
    """An abstract printed in a journal supplement (Embase `Journal X.Conference: ...`):
    the same abstract may be filed under the journal or under the meeting."""
    preprint: bool
    doi: str | None
    pmid: str | None


def features(record: Record) -> Features:
    """Fold one record into `Features`."""
    title = normalize_title(record.title)
    return Features(
        title=title,
        families=tuple(k for k in (family_key(a) for a in record.authors) if k),
        year=record.year,
        volume=volume_key(record.volume),
        issue=issue_key(record.issue),
        pages=page_span(record.pages),
        article_id=article_id(record.pages),
        journal=journal_key(record.journal),
        numbers=frozenset(_NUMBER.findall(title)),
        parts=part_markers(title),
        notice=notice_kind(record),
        generic=title in _GENERIC_TITLES or len(title) < 25 or title.count(" ") < 3,
        conference=is_conference(record),
        in_supplement=_venue(record.journal or "")[3],
        preprint=is_preprint(record),
        doi=record.ids.doi,
        pmid=record.ids.pmid,
    )


_INITIALS = re.compile(r"^(.*?[a-z][^\s.]*)\s+((?:[A-Z][a-z]?\.?[\s-]*)+)$")
_GLUED = re.compile(r"(?<=\.)(?=[A-Z][a-z'])")


def parse_authors(text: str | None) -> tuple[Author, ...]:
    """Authors from the usual flat strings of reference files.

    Handles `Family, Given and Family, Given` (BibTeX), `Family, Given; Family, Given`,
    `Given Family; Given Family`, `Family AB, Family CD` and initials glued together
    (`Adeli K.Lewis G. F.`), because exported libraries mix them.

    >>> [a.family for a in parse_authors("Zuna, R E and Wang, S S")]
    ['Zuna', 'Wang']
    """
    if not text or not text.strip():
        return ()
    if " and " in text:
        parts = text.split(" and ")
    elif ";" in text:
        parts = text.split(";")
    elif _GLUED.search(text):
        parts = _GLUED.split(text)
    elif text.count(",") > 1 or all(_INITIALS.match(p.strip()) for p in text.split(",")):
        parts = text.split(",")
    else:
        parts = [text]
    return tuple(a for a in (_one_author(p.strip()) for p in parts) if a is not None)


def _one_author(text: str) -> Author | None:
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        return Author(family=family.strip(), given=given.strip() or None)
    initials = _INITIALS.match(text)
    if initials:
        return Author(family=initials.group(1), given=initials.group(2).strip())
    words = text.split()
    if len(words) == 1:
        return Author(family=words[0])
    return Author(family=words[-1], given=" ".join(words[:-1]))
