"""PubMed: a native query string in which every term carries its field tag.

Rules: https://pubmed.ncbi.nlm.nih.gov/help/ and E-utilities
https://www.ncbi.nlm.nih.gov/books/NBK25499/. Tagging every term turns Automatic Term
Mapping off, so PubMed searches exactly the words written. Everything is EXACT except
proximity that PubMed would silently ignore, which is sent as AND (BROADER).
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar, Final

from searchharvest.dialects.base import Dialect, Fidelity, load_facts, unwrap
from searchharvest.query.ast import DateRange, Field, Near, Node, PartialDate, Phrase, Term

_FACTS: Final = load_facts("pubmed")
_PLAIN = re.compile(r"^[\w\s,.'-]+$")


class PubMed(Dialect, facts=_FACTS):
    """PubMed E-utilities `term` parameter, as typed in the PubMed search box."""

    name = "pubmed"
    SUPPORTS_BOOLEAN = True
    """AND/OR/NOT in uppercase; PubMed reads left to right, so we always parenthesise."""
    SUPPORTS_PHRASE = True
    """`"public sector"[tiab]`; a phrase absent from PubMed's phrase index is split."""
    SUPPORTS_WILDCARD = True
    """`co-produc*[tiab]`; truncation also turns off MeSH explosion."""
    MIN_TRUNCATION_STEM = 4
    """"At least four characters must be provided in the truncated term" (the parser checks)."""
    SUPPORTS_PROXIMITY = True
    """`"a b"[tiab:~N]`, in [ti] and [tiab] only, and ignored when a word is truncated."""
    PROXIMITY_FIELDS: ClassVar[frozenset[Field]] = frozenset(
        Field(f) for f in _FACTS["proximity"]["fields"]
    )
    """Fields where PubMed honours `[field:~N]`."""
    OPEN_START: ClassVar[str] = _FACTS["dates"]["open_start"]
    OPEN_END: ClassVar[str] = _FACTS["dates"]["open_end"]

    def tag(self, field: Field) -> str:
        return f"[{self.FIELDS[field]}]"

    def visit_term(self, node: Term) -> str:
        return node.text + ("*" if node.truncated else "") + self.tag(self.field_of(node))

    def visit_phrase(self, node: Phrase) -> str:
        field = self.field_of(node)
        text = " ".join(node.words) + ("*" if node.truncated else "")
        if not field.is_text and _PLAIN.match(text):
            # A tag after several words searches them as a phrase: `smith j[au]`.
            return text + self.tag(field)
        return f'"{text}"' + self.tag(field)

    def visit_near(self, node: Near) -> str:
        field = self.field_of(node)
        if node.truncated:
            reason = (
                "PubMed ignores proximity when a quoted word is truncated; sent as AND of "
                "the words (the local matcher applies the distance)"
            )
        elif field not in self.PROXIMITY_FIELDS:
            reason = (
                f"PubMed proximity works only in [ti] and [tiab], not [{field.value}]; sent "
                "as AND of the words (the local matcher applies the distance)"
            )
        else:
            return f'"{" ".join(node.words)}"[{self.FIELDS[field]}:~{node.distance}]'
        self.note(node, Fidelity.BROADER, reason)
        last = len(node.words) - 1
        parts = [
            w + ("*" if node.truncated and i == last else "") + self.tag(field)
            for i, w in enumerate(node.words)
        ]
        return "(" + " AND ".join(parts) + ")"

    def visit_date_range(self, node: DateRange) -> str:
        return f"{node.start}:{node.end}{self.tag(node.field)}"

    def native(self, query: Node, date_from: date | None, date_to: date | None) -> str:
        text = self.searchable(query)
        if date_from is None and date_to is None:
            return unwrap(text)
        start = _slash(date_from) if date_from else self.OPEN_START
        end = _slash(date_to) if date_to else self.OPEN_END
        return f"{text} AND {start}:{end}{self.tag(Field.DP)}"


def _slash(day: date) -> str:
    return str(PartialDate(day.year, day.month, day.day))
