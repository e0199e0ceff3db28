"""Split query text into tokens that remember where they came from.

Every token keeps `start`/`end` offsets into the original text, so the parser and the
linter can point a caret at the exact spot of a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from searchharvest.errors import QuerySyntaxError

TokenKind = Literal["LPAREN", "RPAREN", "AND", "OR", "NOT", "WORD", "PHRASE", "TAG"]

OPERATORS: frozenset[str] = frozenset({"AND", "OR", "NOT"})
"""Boolean operators; only the uppercase spelling is an operator."""

DOUBLE_QUOTES = '"“”„'
"""Characters that open a double-quoted phrase (straight and typographic)."""
DOUBLE_CLOSERS = '"“”'
SINGLE_QUOTES = "'‘’‚"
"""Characters that open a single-quoted phrase when they start a token."""
_SINGLE_CLOSERS = {"'": "'", "‘": "‘’", "’": "‘’", "‚": "‘’"}
_WORD_STOP = frozenset("()[]" + DOUBLE_QUOTES)
_AFTER_CLOSING = frozenset("()[")


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit.

    `text` is the raw word for WORD and operators, the content between the quotes for
    PHRASE and between the brackets for TAG; `start`/`end` cover the whole token,
    quotes and brackets included.
    """

    kind: TokenKind
    text: str
    start: int
    end: int


def _closing_single(text: str, start: int) -> int:
    """Offset of the quote that closes the single quote at `start`, or -1.

    A closing quote must be followed by whitespace, a parenthesis, a `[` or the end, so
    an apostrophe inside a word (`Crohn's`, `Crohn’s`) never closes the phrase.
    """
    closers = _SINGLE_CLOSERS[text[start]]
    for j in range(start + 1, len(text)):
        if text[j] in closers and (
            j + 1 == len(text) or text[j + 1].isspace() or text[j + 1] in _AFTER_CLOSING
        ):
            return j
    return -1


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens.

    Args:
        text: the query as the user wrote it.

    Returns:
        The tokens in order; whitespace is dropped.

    Raises:
        QuerySyntaxError: an unterminated quote or field tag, or a stray `]`.

    >>> [t.kind for t in tokenize('"public service*" OR co-produc*[tiab]')]
    ['PHRASE', 'OR', 'WORD', 'TAG']
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token("LPAREN" if ch == "(" else "RPAREN", ch, i, i + 1))
            i += 1
        elif ch == "[":
            close = text.find("]", i + 1)
            if close == -1:
                raise QuerySyntaxError("unterminated field tag: missing ]", text, i)
            tokens.append(Token("TAG", text[i + 1 : close], i, close + 1))
            i = close + 1
        elif ch == "]":
            raise QuerySyntaxError("] without a matching [", text, i)
        elif ch in DOUBLE_QUOTES:
            close = next((j for j in range(i + 1, n) if text[j] in DOUBLE_CLOSERS), -1)
            if close == -1:
                raise QuerySyntaxError("unterminated quote", text, i)
            tokens.append(Token("PHRASE", text[i + 1 : close], i, close + 1))
            i = close + 1
        elif ch in SINGLE_QUOTES:
            close = _closing_single(text, i)
            if close == -1:
                raise QuerySyntaxError(
                    "unterminated quote (a quote that starts a word opens a phrase)", text, i
                )
            tokens.append(Token("PHRASE", text[i + 1 : close], i, close + 1))
            i = close + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _WORD_STOP:
                j += 1
            word = text[i:j]
            kind: TokenKind = "WORD"
            if word == "AND":
                kind = "AND"
            elif word == "OR":
                kind = "OR"
            elif word == "NOT":
                kind = "NOT"
            tokens.append(Token(kind, word, i, j))
            i = j
    return tokens
