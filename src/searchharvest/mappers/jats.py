"""JATS (or HTML) abstract markup → plain text with one paragraph per line.

Crossref sends `abstract` as "a JATS XML snippet encoded into a JSON string"
(https://github.com/CrossRef/rest-api-doc/blob/master/api_format.md). The snippet uses
the `jats:` prefix without declaring its namespace, so it is not well-formed XML; the
lenient lxml HTML parser reads it, unescapes entities and keeps `jats:p` as tag names.
"""

from __future__ import annotations

from typing import Any

from lxml import html
from lxml.etree import ParserError

_SKIP_HEADINGS = frozenset({"abstract", "summary"})


def _local(tag: Any) -> str:
    """`jats:p` or `{ns}p` → `p`; comments and processing instructions → ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1].lower()


def _flat(element: Any) -> str:
    return " ".join(element.text_content().split())


def jats_to_text(s: str) -> str:
    """Strip tags, keeping section titles as `Title: ` prefixes and paragraphs as lines.

    A leading `Abstract` heading is dropped: it names the field, not a section.

    >>> jats_to_text("<jats:title>Abstract</jats:title><jats:p>A &amp; B</jats:p>")
    'A & B'
    >>> jats_to_text("<jats:sec><jats:title>Methods</jats:title><jats:p>We <b>did</b>.</jats:p>")
    'Methods: We did.'
    """
    try:
        root = html.fragment_fromstring(s, create_parent="div")
    except ParserError:
        return " ".join(s.split())
    lines: list[str] = []
    pending: str | None = None
    for element in root.iter():
        name = _local(element.tag)
        if name == "title":
            title = _flat(element).rstrip(":").strip()
            if not title or (not lines and pending is None and title.lower() in _SKIP_HEADINGS):
                continue
            if pending is not None:
                lines.append(pending)
            pending = title
        elif name == "p" and not any(_local(a.tag) == "p" for a in element.iterancestors()):
            text = _flat(element)
            if text:
                lines.append(f"{pending}: {text}" if pending else text)
                pending = None
    if pending is not None:
        lines.append(pending)
    return "\n".join(lines) if lines else _flat(root)
