"""Recursive-descent parser: query text → AST.

Precedence, tightest first: phrase/proximity and field tags, then `NOT`, then `AND`
(explicit or implicit), then `OR`. This is deliberately *not* PubMed's strict
left-to-right evaluation; `lint()` warns wherever the two readings could differ.

```
query   = or_expr EOF
or_expr = and_expr { "OR" and_expr }
and_expr= not_expr { ["AND"] not_expr }          (* no operator = implicit AND *)
not_expr= primary { "NOT" primary }              (* binary, left-associative *)
primary = "(" or_expr ")" [tag] | PHRASE [tag] | WORD [tag] | WORD WORD {WORD} tag
```
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass, replace

from searchharvest.errors import QuerySyntaxError
from searchharvest.query.ast import (
    And,
    DateRange,
    Field,
    Near,
    Node,
    Not,
    Or,
    PartialDate,
    Phrase,
    Span,
    Term,
    walk,
)
from searchharvest.query.tokens import DOUBLE_CLOSERS, OPERATORS, Token, tokenize

MIN_TRUNCATION_STEM = 4
"""PubMed: "At least four characters must be provided in the truncated term"."""

_LONG_TAGS: dict[str, Field] = {
    "title/abstract": Field.TIAB,
    "title": Field.TI,
    "abstract": Field.AB,
    "otherterm": Field.OT,
    "meshterms": Field.MH,
    "meshterms:noexp": Field.MH_NOEXP,
    "mesh": Field.MH,
    "mesh:noexp": Field.MH_NOEXP,
    "meshmajortopic": Field.MAJR,
    "author": Field.AU,
    "language": Field.LA,
    "publicationtype": Field.PT,
    "journal": Field.TA,
    "date-publication": Field.DP,
    "date-entry": Field.EDAT,
}
FIELD_TAGS: dict[str, Field] = {f.value: f for f in Field} | _LONG_TAGS
"""Every accepted tag spelling (lower case, whitespace removed) → field."""

_TAG_DISPLAY = [f.value for f in Field] + [
    "Title/Abstract",
    "Title",
    "Abstract",
    "Other Term",
    "MeSH Terms",
    "MeSH Terms:noexp",
    "MeSH",
    "MeSH Major Topic",
    "Author",
    "Language",
    "Publication Type",
    "Journal",
    "Date - Publication",
    "Date - Entry",
]
_PROXIMITY = re.compile(r"^(?:(.+):)?~(\d+)$")
_DATE = re.compile(r"^(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?$")
_OVID_SUFFIX = re.compile(r"\.[a-z]{2,3}(?:,[a-z]{2,3})*\.$", re.IGNORECASE)
_FOREIGN_OPERATOR = re.compile(r"^(?:adj\d*|near/\d+|w/\d+|pre/\d+)$", re.IGNORECASE)
_FOREIGN_CHARS = {
    "$": "$ truncation is Ovid/Web of Science syntax; use * at the end of a word",
    "?": "? wildcards are not supported; use * at the end of a word",
    "#": "# wildcards and #n set references are not supported",
    "=": "field codes such as TS= are Web of Science syntax; use tags such as [tiab]",
    "~": 'proximity is written "word word"[tiab:~N]',
    "\\": "backslash escapes are not supported; quote the text instead",
    "{": "braces are not supported",
    "}": "braces are not supported",
}


def word_problem(word: str) -> tuple[str, int] | None:
    """Why `word` cannot stand unquoted in a query, with the offset inside it, or None.

    Shared with the printer, which quotes any word that has a problem.
    """
    for i, ch in enumerate(word):
        if ch in _FOREIGN_CHARS:
            return _FOREIGN_CHARS[ch], i
        if ch == "*" and i != len(word) - 1:
            return "misplaced *: truncation is only allowed at the end of a word", i
    if _FOREIGN_OPERATOR.match(word):
        return f'{word} is another database\'s proximity operator; write "a b"[tiab:~N]', 0
    if _OVID_SUFFIX.search(word):
        return "Ovid field suffixes such as .ti,ab. are not supported; use [tiab]", 0
    if word.endswith("/") and len(word) > 1:
        return "Ovid subject headings (Term/) are not supported; use [mh]", len(word) - 1
    if ":" in word:
        return "a date range needs a [dp] or [edat] tag; ':' is not allowed in a word", 0
    if not any(ch.isalnum() for ch in word.rstrip("*")):
        return f"{word!r} has no letter or digit to search for", 0
    return None


@dataclass(frozen=True, slots=True)
class _Tag:
    field: Field | None
    distance: int | None
    span: Span


def _parse_tag(token: Token, query: str) -> _Tag:
    raw = "".join(token.text.split()).lower()
    distance: int | None = None
    match = _PROXIMITY.match(raw)
    if match:
        raw, distance = match.group(1) or "", int(match.group(2))
    span = Span(token.start, token.end)
    if raw == "" and distance is not None:
        return _Tag(None, distance, span)
    field = FIELD_TAGS.get(raw)
    if field is None:
        close = difflib.get_close_matches(token.text.strip(), _TAG_DISPLAY, n=3, cutoff=0.5)
        hint = (
            f"; did you mean {' or '.join(f'[{c}]' for c in close)}?"
            if close
            else f"; known tags: {', '.join(f.value for f in Field)}"
        )
        raise QuerySyntaxError(
            f"unknown field tag [{token.text}]{hint}", query, token.start, token.end - token.start
        )
    if distance is not None and field not in (Field.TIAB, Field.TI, Field.AB):
        raise QuerySyntaxError(
            f"proximity only works in [tiab], [ti] or [ab], not [{field.value}]",
            query,
            token.start,
            token.end - token.start,
        )
    return _Tag(field, distance, span)


def _truncation(word: str, offset: int, query: str) -> tuple[str, bool]:
    """Split a trailing `*` off `word`, enforcing PubMed's minimum stem."""
    if not word.endswith("*"):
        return word, False
    stem = word[:-1]
    if sum(ch.isalnum() for ch in stem) < MIN_TRUNCATION_STEM:
        raise QuerySyntaxError(
            f"truncation stem too short: {stem}* (at least {MIN_TRUNCATION_STEM} "
            "letters or digits before *)",
            query,
            offset,
            len(word),
        )
    return stem, True


def _partial_date(text: str, offset: int, query: str) -> PartialDate:
    match = _DATE.match(text)
    if not match:
        raise QuerySyntaxError(
            f"bad date {text!r}: write YYYY, YYYY/MM or YYYY/MM/DD", query, offset, len(text)
        )
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise QuerySyntaxError(f"bad date {text!r}: month {month}", query, offset, len(text))
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise QuerySyntaxError(
                f"bad date {text!r}: day {day} (month has {last})", query, offset, len(text)
            )
    return PartialDate(year, month, day)


def _date_range(text: str, field: Field, span: Span, query: str) -> DateRange:
    first, sep, second = text.partition(":")
    start = _partial_date(first, span.start, query)
    end = _partial_date(second, span.start + len(first) + 1, query) if sep else start
    if start.first_day() > end.last_day():
        raise QuerySyntaxError(
            f"bad date range {text!r}: starts after it ends", query, span.start, len(text)
        )
    return DateRange(start, end, field, span)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.pos = 0

    def error(self, reason: str, token: Token) -> QuerySyntaxError:
        return QuerySyntaxError(reason, self.query, token.start, token.end - token.start)

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("empty query", self.query, 0)
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            if token.kind == "RPAREN":
                raise self.error("unbalanced parenthesis: ) without a matching (", token)
            raise self.error(f"unexpected {token.text!r}", token)
        return node

    def binary(self, kind: str, operand: type[And] | type[Or]) -> Node:
        sub = self.and_expr if operand is Or else self.not_expr
        items = [sub()]
        while (token := self.peek()) is not None and (
            token.kind == kind or (operand is And and token.kind in ("WORD", "PHRASE", "LPAREN"))
        ):
            if token.kind == kind:
                self.pos += 1
            items.append(sub())
        if len(items) == 1:
            return items[0]
        return operand(tuple(items), Span(items[0].span.start, items[-1].span.end))

    def or_expr(self) -> Node:
        return self.binary("OR", Or)

    def and_expr(self) -> Node:
        return self.binary("AND", And)

    def not_expr(self) -> Node:
        node = self.primary()
        while (token := self.peek()) is not None and token.kind == "NOT":
            self.pos += 1
            exclude = self.primary()
            node = Not(node, exclude, Span(node.span.start, exclude.span.end))
        return node

    def missing_operand(self) -> QuerySyntaxError:
        token = self.peek()
        before = self.tokens[self.pos - 1] if self.pos > 0 else None
        if before is not None and before.kind in OPERATORS:
            if token is not None and token.kind in OPERATORS:
                return self.error(f"{token.text} cannot follow {before.text}", token)
            return self.error(f"{before.text} needs a term after it", before)
        if token is None:
            if before is not None and before.kind == "LPAREN":
                return self.error("unbalanced parenthesis: this ( is never closed", before)
            return QuerySyntaxError("empty query", self.query, 0)
        if token.kind in OPERATORS:
            hint = " (NOT is binary: a NOT b)" if token.kind == "NOT" else ""
            return self.error(f"{token.text} needs a term before it{hint}", token)
        if token.kind == "RPAREN":
            if before is not None and before.kind == "LPAREN":
                return self.error("empty parentheses", before)
            return self.error("unbalanced parenthesis: ) without a matching (", token)
        return self.error(
            f"field tag [{token.text}] must follow a term, a phrase or a group", token
        )

    def take_tag(self) -> _Tag | None:
        token = self.peek()
        if token is None or token.kind != "TAG":
            return None
        self.pos += 1
        tag = _parse_tag(token, self.query)
        extra = self.peek()
        if extra is not None and extra.kind == "TAG":
            raise self.error("a second field tag; a term takes one tag", extra)
        return tag

    def primary(self) -> Node:
        token = self.peek()
        if token is None or token.kind not in ("LPAREN", "WORD", "PHRASE"):
            raise self.missing_operand()
        if token.kind == "LPAREN":
            return self.group(token)
        if token.kind == "PHRASE":
            self.pos += 1
            return self.quoted(token, self.take_tag())
        run = 1
        while (nxt := self.peek(run)) is not None and nxt.kind == "WORD":
            run += 1
        following = self.peek(run)
        if run == 1 or following is None or following.kind != "TAG":
            run = 1
        words = self.tokens[self.pos : self.pos + run]
        self.pos += run
        return self.bare(words, self.take_tag())

    def group(self, opener: Token) -> Node:
        self.pos += 1
        inner = self.or_expr()
        closer = self.peek()
        if closer is None:
            raise self.error("unbalanced parenthesis: this ( is never closed", opener)
        if closer.kind != "RPAREN":
            raise self.error(f"unexpected {closer.text!r}", closer)
        self.pos += 1
        span = Span(opener.start, closer.end)
        node = replace(inner, span=span)
        tag = self.take_tag()
        if tag is None:
            return node
        if tag.distance is not None:
            raise self.tag_error("a proximity tag must follow a quoted phrase", tag)
        if any(isinstance(n, Not) for n in walk(node)):
            raise self.tag_error(
                "a field tag cannot follow a group that contains NOT; tag the terms", tag
            )
        return self.push_down(node, tag)

    def tag_error(self, reason: str, tag: _Tag) -> QuerySyntaxError:
        return QuerySyntaxError(reason, self.query, tag.span.start, tag.span.end - tag.span.start)

    def push_down(self, node: Node, tag: _Tag) -> Node:
        if isinstance(node, And | Or):
            items = tuple(self.push_down(item, tag) for item in node.items)
            return replace(node, items=items)
        if isinstance(node, Not):
            return replace(
                node,
                include=self.push_down(node.include, tag),
                exclude=self.push_down(node.exclude, tag),
            )
        if isinstance(node, DateRange) or node.field is not None:
            return node
        if tag.field is not None and tag.field.is_date:
            if isinstance(node, Term) and not node.truncated:
                return _date_range(node.text, tag.field, node.span, self.query)
            raise self.tag_error(f"[{tag.field.value}] only applies to dates", tag)
        return replace(node, field=tag.field)

    def quoted(self, token: Token, tag: _Tag | None) -> Node:
        content = token.text
        if not content.strip():
            raise self.error("empty phrase", token)
        offset = token.start + 1
        words: list[str] = []
        for match in re.finditer(r"\S+", content):
            word, at = match.group(), offset + match.start()
            for i, ch in enumerate(word):
                if ch in DOUBLE_CLOSERS:
                    raise QuerySyntaxError("a quote inside a phrase", self.query, at + i)
                if ch == "*" and (i != len(word) - 1 or match.end() != len(content.rstrip())):
                    raise QuerySyntaxError(
                        "misplaced *: truncation is only allowed at the end of the last word",
                        self.query,
                        at + i,
                    )
            if word == "*":
                raise QuerySyntaxError("misplaced *: nothing to truncate", self.query, at)
            words.append(word)
        last_at = offset + len(content.rstrip()) - len(words[-1])
        words[-1], truncated = _truncation(words[-1], last_at, self.query)
        return self.leaf(tuple(words), truncated, tag, Span(token.start, self.end(token, tag)))

    def bare(self, tokens: list[Token], tag: _Tag | None) -> Node:
        span = Span(tokens[0].start, self.end(tokens[-1], tag))
        if (
            tag is not None
            and tag.field is not None
            and tag.field.is_date
            and len(tokens) == 1
            and not tokens[0].text.endswith("*")
        ):
            if not tokens[0].text[:1].isdigit():
                raise self.tag_error(
                    f"[{tag.field.value}] only applies to dates such as 2020:2024", tag
                )
            return _date_range(tokens[0].text, tag.field, span, self.query)
        words: list[str] = []
        truncated = False
        for i, token in enumerate(tokens):
            problem = word_problem(token.text)
            if problem is not None:
                reason, at = problem
                raise QuerySyntaxError(reason, self.query, token.start + at)
            if token.text.endswith("*") and i != len(tokens) - 1:
                raise QuerySyntaxError(
                    "misplaced *: truncation is only allowed at the end of the last word",
                    self.query,
                    token.end - 1,
                )
            if token.text == "*":
                raise QuerySyntaxError("misplaced *: nothing to truncate", self.query, token.start)
            word, truncated = _truncation(token.text, token.start, self.query)
            words.append(word)
        return self.leaf(tuple(words), truncated, tag, span)

    @staticmethod
    def end(token: Token, tag: _Tag | None) -> int:
        return tag.span.end if tag is not None else token.end

    def leaf(self, words: tuple[str, ...], truncated: bool, tag: _Tag | None, span: Span) -> Node:
        field = tag.field if tag is not None else None
        if tag is not None and tag.distance is not None:
            if len(words) < 2:
                raise self.tag_error("proximity needs at least two words", tag)
            return Near(words, tag.distance, field, truncated, span)
        if tag is not None and field is not None and field.is_date:
            raise self.tag_error(f"[{field.value}] only applies to dates such as 2020:2024", tag)
        if len(words) == 1:
            return Term(words[0], truncated, field, span)
        return Phrase(words, truncated, field, span)


def parse(text: str) -> Node:
    """Parse a query written in the searchharvest query language.

    Args:
        text: the query, e.g. `(co-produc* OR codesign*) AND "mental health"[tiab]`.

    Returns:
        The AST. Field tags are on the leaves; untagged leaves have `field=None`.

    Raises:
        QuerySyntaxError: the text does not parse; `.offset` points at the problem.

    >>> parse('"public service*" OR health[ti]')
    Or(items=(Phrase(words=('public', 'service'), truncated=True, field=None), \
Term(text='health', truncated=False, field=<Field.TI: 'ti'>)))
    """
    return _Parser(text).parse()
