"""The local matcher: evaluate a query AST against a `Record`, in three-valued logic.

Databases answer a query only approximately (stemming, dropped operators, widened
fields); the matcher restores the exact meaning on the records they return. A record
often lacks the data to decide (no abstract, no MeSH, no date), so a leaf may be
UNKNOWN and the connectives follow Kleene's logic: `NO_MATCH AND UNKNOWN` is NO_MATCH,
`MATCH OR UNKNOWN` is MATCH, `NOT UNKNOWN` is UNKNOWN.

The query is compiled once into closures (user terms never become code); each record
text (title, abstract, keywords) and field is folded and tokenised at most once per
record, and only when a leaf asks for it. The matching rules are those of
docs/query-language.md:

- text is lower-cased and accent-folded; words are maximal runs of letters and digits;
- a term matches a whole word, or a word prefix when truncated; a hyphenated term is the
  phrase of its parts; a phrase matches consecutive words (the last may be a prefix);
- `Near` matches when all its words occur with at most `distance` words between them;
- `[tiab]` is title, abstract and author keywords, each searched as a separate text;
- `[mh]` is matched as the heading itself: we hold no MeSH tree, so explosion to
  narrower headings is only done by PubMed itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Final

from searchharvest.dialects.languages import language_name
from searchharvest.query.ast import (
    And,
    DateRange,
    Field,
    Near,
    Node,
    Not,
    Or,
    PartialDate,
    Term,
)
from searchharvest.records import Record

_WORD = re.compile(r"[^\W_]+")
_SEP = " | "
"""Separates the texts of one field; no pattern can match across it (it is not a word)."""


class Verdict(Enum):
    """The answer of the matcher for one record."""

    MATCH = "match"
    NO_MATCH = "no_match"
    UNKNOWN = "unknown"
    """The record lacks the data to decide (e.g. an `[ab]` term and no abstract)."""


MATCH = Verdict.MATCH
NO_MATCH = Verdict.NO_MATCH
UNKNOWN = Verdict.UNKNOWN


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=8_192)
def _fold_run(run: str) -> str:
    """One run of non-ASCII characters, decomposed and without its combining marks."""
    return "".join(c for c in unicodedata.normalize("NFKD", run) if not unicodedata.combining(c))


def _fold_match(match: re.Match[str]) -> str:
    return _fold_run(match.group())


def fold(text: str) -> str:
    """Lower-case and strip accents, so `Café` and `cafe` compare equal.

    Only the non-ASCII runs are decomposed (each distinct run once, then cached): text
    is mostly ASCII with a few accented words, and a Python step per character was the
    matcher's largest cost.

    >>> fold("Café Öl")
    'cafe ol'
    """
    text = text.lower()
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_match, text)


def words(text: str) -> list[str]:
    """The folded words of `text`: maximal runs of letters and digits.

    >>> words("Co-production, in Mental-Health!")
    ['co', 'production', 'in', 'mental', 'health']
    """
    return _WORD.findall(fold(text))


_ASCII_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
"""Turns every ASCII character that is not a letter or digit into a space."""


def _spaced(text: str) -> str:
    """The folded words of `text` joined by single spaces (the fast path of `words`)."""
    folded = fold(text)
    if folded.isascii():
        return " ".join(folded.translate(_ASCII_SPACES).split())
    return " ".join(_WORD.findall(folded))


def _joined(texts: Iterable[str]) -> str:
    """One searchable string: ` w1 w2 | w3 w4 ` (space-padded, texts kept apart)."""
    return " " + _SEP.join(_spaced(t) for t in texts) + " "


Builder = Callable[[Record], frozenset[str] | None]
"""Folded values of one record field, or None when the record does not hold the field."""


_PARTS: Final[dict[Field, tuple[str, ...]]] = {
    Field.TI: ("ti",),
    Field.AB: ("ab",),
    Field.OT: ("ot",),
    Field.TIAB: ("ti", "ab", "ot"),
}
"""The separately searched texts of each free-text field, cheapest first: `[tiab]`
tries the title before it prepares the (much longer) abstract."""


class _Doc:
    """One record with each text and field folded and tokenised on first use, then cached."""

    __slots__ = ("_cache", "record")

    def __init__(self, record: Record) -> None:
        self.record = record
        self._cache: dict[str, object] = {}

    def text(self, part: str) -> str | None:
        """The joined words of the title (`ti`), abstract (`ab`) or author keywords (`ot`).

        None when the record does not hold that text.
        """
        if part in self._cache:
            return self._cache[part]  # type: ignore[return-value]
        rec = self.record
        if part == "ti":
            value = _joined([rec.title]) if rec.title else None
        elif part == "ab":
            value = _joined([rec.abstract]) if rec.abstract else None
        else:
            value = _joined(rec.keywords) if rec.keywords else None
        self._cache[part] = value
        return value

    def values(self, name: str, build: Builder) -> frozenset[str] | None:
        """A cached set of folded values (MeSH headings, authors...); None if not held."""
        if name not in self._cache:
            self._cache[name] = build(self.record)
        return self._cache[name]  # type: ignore[return-value]


Predicate = Callable[[_Doc], Verdict]


def _pattern(parts: list[str], truncated: bool) -> str:
    """The substring that finds consecutive words in a joined text."""
    return " " + " ".join(parts) + ("" if truncated else " ")


def _text_leaf(parts: list[str], truncated: bool, field: Field) -> Predicate:
    """A term or phrase in a free-text field, as one substring test per text.

    A needle never spans two texts (it holds no `|`), so testing the texts one by one
    answers as one test on them joined would, and stops at the first that matches.
    """
    needle = _pattern(parts, truncated)
    keys = _PARTS[field]
    if field is Field.TIAB:

        def tiab(doc: _Doc) -> Verdict:
            for key in keys:
                text = doc.text(key)
                if text is not None and needle in text:
                    return MATCH
            return NO_MATCH if doc.record.abstract else UNKNOWN

        return tiab

    (key,) = keys

    def one_field(doc: _Doc) -> Verdict:
        text = doc.text(key)
        if text is None:
            return UNKNOWN
        return MATCH if needle in text else NO_MATCH

    return one_field


def _near_in(text: str, parts: list[str], truncated: bool, distance: int) -> bool:
    """Whether every word of `parts` occurs in one text within `distance` words."""
    for segment in text.split(_SEP):
        tokens = segment.split()
        hits: list[tuple[int, int]] = []
        for pos, token in enumerate(tokens):
            for index, part in enumerate(parts):
                last = truncated and index == len(parts) - 1
                if token == part or (last and token.startswith(part)):
                    hits.append((pos, index))
        if _window(hits, len(parts), distance):
            return True
    return False


def _window(hits: list[tuple[int, int]], wanted: int, distance: int) -> bool:
    """Sliding window over (position, word index): all words within the distance."""
    counts: dict[int, int] = {}
    start = 0
    for pos, index in hits:
        counts[index] = counts.get(index, 0) + 1
        while len(counts) == wanted:
            first_pos, first_index = hits[start]
            if pos - first_pos + 1 - wanted <= distance:
                return True
            counts[first_index] -= 1
            if not counts[first_index]:
                del counts[first_index]
            start += 1
    return False


def _near_leaf(node: Near, field: Field) -> Predicate:
    parts = [w for word in node.words for w in words(word)]
    quick = [
        " " + p + ("" if node.truncated and i == len(parts) - 1 else " ")
        for i, p in enumerate(parts)
    ]
    keys = _PARTS[field]

    def near(doc: _Doc) -> Verdict:
        held = False
        for key in keys:
            text = doc.text(key)
            if text is None:
                continue
            held = True
            if all(q in text for q in quick) and _near_in(
                text, parts, node.truncated, node.distance
            ):
                return MATCH
        if not held or (field is Field.TIAB and not doc.record.abstract):
            return UNKNOWN
        return NO_MATCH

    return near


def _set_leaf(name: str, build: Builder, wanted: str, prefix: bool) -> Predicate:
    """A leaf that compares a folded value with a set of folded record values."""

    def check(doc: _Doc) -> Verdict:
        values = doc.values(name, build)
        if values is None:
            return UNKNOWN
        if prefix:
            return MATCH if any(v.startswith(wanted) for v in values) else NO_MATCH
        return MATCH if wanted in values else NO_MATCH

    return check


def _norm(value: str) -> str:
    return " ".join(words(value))


def _held(values: Iterable[str]) -> frozenset[str] | None:
    folded = frozenset(_norm(v) for v in values)
    return folded or None


def _mesh(record: Record) -> frozenset[str] | None:
    return _held(record.mesh_headings)


def _mesh_major(record: Record) -> frozenset[str] | None:
    """Major-topic headings; empty (not None) when the record has MeSH but no major one."""
    return frozenset(_norm(m) for m in record.mesh_major) if record.mesh else None


def _authors(record: Record) -> frozenset[str] | None:
    """PubMed author forms: `smith ja` for Smith, John A."""
    forms = set()
    for author in record.authors:
        if author.family:
            initials = "".join(w[0] for w in words(author.given or ""))
            forms.add(f"{_norm(author.family)} {initials}".strip())
    return frozenset(forms) or None


def _types(record: Record) -> frozenset[str] | None:
    return _held([*record.publication_types, *([record.type] if record.type else [])])


def _journal(record: Record) -> frozenset[str] | None:
    return _held([record.journal] if record.journal else [])


def _language(record: Record) -> frozenset[str] | None:
    if not record.language:
        return None
    return frozenset({language_name(record.language) or _norm(record.language)})


def _author_leaf(wanted: str) -> Predicate:
    """`smith j` matches `smith ja`; `smith` matches `smith ja` but not `smithson ja`."""

    def author(doc: _Doc) -> Verdict:
        forms = doc.values("au", _authors)
        if forms is None:
            return UNKNOWN
        for form in forms:
            if form == wanted or form.startswith(wanted + " "):
                return MATCH
            if " " in wanted and form.startswith(wanted):
                return MATCH
        return NO_MATCH

    return author


def _record_span(record: Record) -> tuple[date, date] | None:
    """First and last day the record's (possibly partial) publication date may mean."""
    text = record.publication_date or (str(record.year) if record.year else None)
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    when = PartialDate(*parts)
    return when.first_day(), when.last_day()


def _date_leaf(node: DateRange) -> Predicate:
    if node.field is Field.EDAT:
        return lambda doc: UNKNOWN
    lo, hi = node.start.first_day(), node.end.last_day()

    def in_range(doc: _Doc) -> Verdict:
        span = _record_span(doc.record)
        if span is None:
            return UNKNOWN
        first, last = span
        if lo <= first and last <= hi:
            return MATCH
        if last < lo or first > hi:
            return NO_MATCH
        return UNKNOWN

    return in_range


def _leaf(text_parts: list[str], truncated: bool, field: Field) -> Predicate:
    """A term or phrase in any field."""
    if field.is_text:
        return _text_leaf(text_parts, truncated, field)
    wanted = " ".join(text_parts)
    if field in (Field.MH, Field.MH_NOEXP):
        return _set_leaf("mh", _mesh, wanted, truncated)
    if field is Field.MAJR:
        return _set_leaf("majr", _mesh_major, wanted, truncated)
    if field is Field.AU:
        return _author_leaf(wanted)
    if field is Field.LA:
        return _set_leaf("la", _language, language_name(wanted) or wanted, prefix=False)
    if field is Field.PT:
        return _set_leaf("pt", _types, wanted, truncated)
    if field is Field.TA:
        return _set_leaf("ta", _journal, wanted, truncated)
    return lambda doc: UNKNOWN


def _and(preds: list[Predicate]) -> Predicate:
    def conj(doc: _Doc) -> Verdict:
        result = MATCH
        for pred in preds:
            verdict = pred(doc)
            if verdict is NO_MATCH:
                return NO_MATCH
            if verdict is UNKNOWN:
                result = UNKNOWN
        return result

    return conj


def _or(preds: list[Predicate]) -> Predicate:
    def disj(doc: _Doc) -> Verdict:
        result = NO_MATCH
        for pred in preds:
            verdict = pred(doc)
            if verdict is MATCH:
                return MATCH
            if verdict is UNKNOWN:
                result = UNKNOWN
        return result

    return disj


def _not(include: Predicate, exclude: Predicate) -> Predicate:
    def negation(doc: _Doc) -> Verdict:
        kept = include(doc)
        if kept is NO_MATCH:
            return NO_MATCH
        dropped = exclude(doc)
        if dropped is MATCH:
            return NO_MATCH
        if dropped is UNKNOWN or kept is UNKNOWN:
            return UNKNOWN
        return MATCH

    return negation


def _build(node: Node, default: Field) -> Predicate:
    if isinstance(node, And):
        return _and([_build(item, default) for item in node.items])
    if isinstance(node, Or):
        return _or([_build(item, default) for item in node.items])
    if isinstance(node, Not):
        return _not(_build(node.include, default), _build(node.exclude, default))
    if isinstance(node, DateRange):
        return _date_leaf(node)
    field = node.field or default
    if isinstance(node, Near):
        return (
            _near_leaf(node, field)
            if field.is_text
            else _leaf(words(" ".join(node.words)), node.truncated, field)
        )
    if isinstance(node, Term):
        return _leaf(words(node.text), node.truncated, field)
    return _leaf(words(" ".join(node.words)), node.truncated, field)


class Matcher:
    """A query compiled into a predicate over records.

    >>> from searchharvest.query.ast import Term
    >>> m = compile_matcher(Term("cancer"))
    >>> m(Record(title="Cancer care", abstract="..."))
    <Verdict.MATCH: 'match'>
    """

    __slots__ = ("_predicate", "query")

    def __init__(self, query: Node, predicate: Predicate) -> None:
        self.query = query
        self._predicate = predicate

    def __call__(self, record: Record) -> Verdict:
        return self._predicate(_Doc(record))

    def filter(self, records: Iterable[Record]) -> Iterator[tuple[Record, Verdict]]:
        """Each record with its verdict (callers decide what to do with UNKNOWN)."""
        predicate = self._predicate
        for record in records:
            yield record, predicate(_Doc(record))


def compile_matcher(node: Node, default_field: Field = Field.TIAB) -> Matcher:
    """Compile `node` once; untagged leaves search `default_field`.

    Args:
        node: the query AST.
        default_field: the field of leaves written without a tag.

    Returns:
        A `Matcher`, callable on a `Record`, returning a `Verdict`.
    """
    return Matcher(node, _build(node, default_field))
