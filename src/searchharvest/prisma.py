"""PRISMA 2020 counts for the identification stage, as a table and as a flow diagram.

The counts come from the harvest reports (records identified per database, after local
filtering) and from `dedupe()` (duplicates removed, records already screened). The
diagram draws the identification part of the PRISMA 2020 flow diagram (Page et al.,
BMJ 2021;372:n71, https://www.prisma-statement.org/prisma-2020-flow-diagram) as plain
SVG, so it needs no plotting library; PNG needs an optional SVG renderer.
"""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree as ET

from pydantic import BaseModel, ConfigDict, model_validator

from searchharvest.dedup import DedupResult
from searchharvest.errors import ConfigError
from searchharvest.export._atomic import atomic_write

DISPLAY_NAMES: Final[Mapping[str, str]] = {
    "pubmed": "PubMed",
    "openalex": "OpenAlex",
    "crossref": "Crossref",
}
"""How each database is named in the diagram and tables (the key everywhere else)."""


def display_name(db: str) -> str:
    """The database name as a reader expects it (`pubmed` → `PubMed`)."""
    return DISPLAY_NAMES.get(db, db)


class PrismaCounts(BaseModel):
    """The numbers of the PRISMA 2020 identification stage.

    The boxes must add up: every record identified is either removed before screening
    or screened, so a diagram drawn from these counts is always consistent.

    >>> c = PrismaCounts(databases={"pubmed": 3, "openalex": 2}, duplicates_removed=1,
    ...                  after_dedup=4)
    >>> c.identified_total
    5
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    databases: dict[str, int]
    """Records identified per database (kept after local filtering)."""
    registers: dict[str, int] = {}
    """Records identified per register (trial registries), when any were searched."""
    citation_searching: int = 0
    """Records identified by citation searching (chaining)."""
    duplicates_removed: int
    """Copies of a work already counted from another source or the same source."""
    previously_screened_removed: int = 0
    """Records removed because an earlier run or the screened library already had them."""
    after_dedup: int
    """Records left to screen."""

    @model_validator(mode="before")
    @classmethod
    def _derived_total(cls, data: Any) -> Any:
        """Read `to_json()` output back: `identified_total` is derived, never stored."""
        if isinstance(data, dict) and "identified_total" in data:
            return {k: v for k, v in data.items() if k != "identified_total"}
        return data

    @model_validator(mode="after")
    def _adds_up(self) -> PrismaCounts:
        numbers = [
            *self.databases.values(),
            *self.registers.values(),
            self.citation_searching,
            self.duplicates_removed,
            self.previously_screened_removed,
            self.after_dedup,
        ]
        if any(n < 0 for n in numbers):
            raise ValueError("PRISMA counts cannot be negative")
        removed = self.duplicates_removed + self.previously_screened_removed
        if self.identified_total != removed + self.after_dedup:
            raise ValueError(
                f"PRISMA counts do not add up: {self.identified_total} identified, "
                f"{removed} removed, {self.after_dedup} to screen"
            )
        return self

    @property
    def identified_total(self) -> int:
        """Every record identified: databases, registers and citation searching."""
        return sum(self.databases.values()) + sum(self.registers.values()) + self.citation_searching

    def to_json(self) -> dict[str, Any]:
        """The counts plus `identified_total`, ready for `json.dumps`."""
        return {**self.model_dump(mode="json"), "identified_total": self.identified_total}

    def rows(self) -> list[tuple[str, int]]:
        """(label, n) per box in PRISMA 2020 wording; sub-counts start with two spaces."""
        rows = [("Records identified from databases", sum(self.databases.values()))]
        rows += [(f"  {display_name(db)}", n) for db, n in self.databases.items()]
        if self.registers:
            rows.append(("Records identified from registers", sum(self.registers.values())))
            rows += [(f"  {name}", n) for name, n in self.registers.items()]
        if self.citation_searching:
            rows.append(("Records identified from citation searching", self.citation_searching))
        rows.append(("Duplicate records removed", self.duplicates_removed))
        if self.previously_screened_removed:
            rows.append(("Records removed as already screened", self.previously_screened_removed))
        rows.append(("Records screened", self.after_dedup))
        return rows

    def to_markdown(self) -> str:
        """A two-column Markdown table in PRISMA 2020 wording."""
        lines = ["| PRISMA 2020 | n |", "|---|---:|"]
        lines += [f"| {label.replace('  ', '&emsp;', 1)} | {n} |" for label, n in self.rows()]
        return "\n".join(lines) + "\n"


def prisma_counts(
    identified: Mapping[str, int], dedup: DedupResult, *, citation_searching: int = 0
) -> PrismaCounts:
    """PRISMA counts from the records identified per database and the `dedupe()` result.

    `dedup` must have been run on exactly those records (plus the citation-searching
    ones): records matching `against` count as previously screened, the other removed
    copies as duplicates.

    Args:
        identified: records identified per database (kept after local filtering).
        dedup: the result of `dedupe()` over the same records.
        citation_searching: records from citation searching included in `dedup`.

    Raises:
        ConfigError: `dedup` did not see the number of records `identified` names.

    >>> from searchharvest.dedup import dedupe
    >>> from searchharvest.records import Record
    >>> a = Record(title="A trial", ids={"doi": "10.1000/x"})
    >>> prisma_counts({"pubmed": 1, "openalex": 1}, dedupe([a, a])).after_dedup
    1
    """
    expected = sum(identified.values()) + citation_searching
    if dedup.identified != expected:
        raise ConfigError(
            f"de-duplication saw {dedup.identified} records, but {expected} were identified; "
            "run dedupe() on exactly the identified records"
        )
    return PrismaCounts(
        databases=dict(identified),
        citation_searching=citation_searching,
        duplicates_removed=dedup.duplicates_removed,
        previously_screened_removed=dedup.prior_matches,
        after_dedup=dedup.unique,
    )


_SVG_NS: Final = "http://www.w3.org/2000/svg"
_FONT: Final = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"
_FONT_SIZE: Final = 14
_LINE: Final = 19
"""Line height in pixels."""
_CHAR: Final = 8.0
"""A generous average glyph width at `_FONT_SIZE`, so wrapped lines stay inside boxes."""
_PAD: Final = 12
_INDENT: Final = 16
_BOX_W: Final = 320
_GAP: Final = 48
_BAR: Final = 34
"""Width of the stage bars on the left and height of the column headers."""
_MARGIN: Final = 16


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[tuple[int, str], ...]
    """(indent level, text) per wrapped line."""


def _wrap(paragraphs: list[tuple[int, str]], width: float) -> tuple[tuple[int, str], ...]:
    """Wrap each (indent, text) paragraph to the box width; continuation lines indent."""
    out: list[tuple[int, str]] = []
    for indent, text in paragraphs:
        chars = max(8, int((width - 2 * _PAD - indent * _INDENT) / _CHAR))
        for i, line in enumerate(textwrap.wrap(text, chars) or [""]):
            out.append((indent + (1 if i else 0), line))
    return tuple(out)


def _height(lines: tuple[tuple[int, str], ...]) -> float:
    return 2 * _PAD + len(lines) * _LINE


def _bar_h(label: str) -> float:
    """The height a stage bar needs for its label written vertically."""
    return len(label) * _CHAR + 2 * _PAD


def _identified_lines(counts: PrismaCounts) -> list[tuple[int, str]]:
    lines = [(0, "Records identified from:")]
    lines.append((1, f"Databases (n = {sum(counts.databases.values())})"))
    lines += [(2, f"{display_name(db)} (n = {n})") for db, n in counts.databases.items()]
    if counts.registers:
        lines.append((1, f"Registers (n = {sum(counts.registers.values())})"))
        lines += [(2, f"{name} (n = {n})") for name, n in counts.registers.items()]
    return lines


def _removed_lines(counts: PrismaCounts) -> list[tuple[int, str]]:
    lines = [
        (0, "Records removed before screening:"),
        (1, f"Duplicate records removed (n = {counts.duplicates_removed})"),
    ]
    if counts.previously_screened_removed:
        lines.append(
            (
                1,
                f"Records already screened (n = {counts.previously_screened_removed})",
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class _Layout:
    width: float
    height: float
    title: tuple[str, ...]
    """The title wrapped to the diagram width; one text line each, from `_MARGIN`."""
    headers: tuple[tuple[_Box, str], ...]
    bars: tuple[tuple[_Box, str], ...]
    identified: _Box
    removed: _Box
    citation: _Box | None
    screened: _Box


def _layout(counts: PrismaCounts, title: str | None) -> _Layout:
    """Place every box; rows share a height so arrows run straight."""
    x1 = _MARGIN + _BAR + _GAP / 2
    x2 = x1 + _BOX_W + _GAP
    x3 = x2 + _BOX_W + _GAP
    right = (x3 if counts.citation_searching else x2) + _BOX_W + _MARGIN
    # Bold 16px glyphs run ~1.2 times wider than the body text.
    title_lines = tuple(textwrap.wrap(title or "", int((right - 2 * _MARGIN) / (_CHAR * 1.2))))
    top = _MARGIN + (_LINE * (len(title_lines) + 1) if title_lines else 0)
    ident = _wrap(_identified_lines(counts), _BOX_W)
    removed = _wrap(_removed_lines(counts), _BOX_W)
    citation = (
        _wrap(
            [(0, f"Records identified from citation searching (n = {counts.citation_searching})")],
            _BOX_W,
        )
        if counts.citation_searching
        else None
    )
    screened = _wrap([(0, f"Records screened (n = {counts.after_dedup})")], _BOX_W)
    row1_y = top + _BAR + _GAP / 2
    row1_h = max(
        _height(ident),
        _height(removed),
        _height(citation) if citation else 0,
        _bar_h("Identification"),
    )
    row2_y = row1_y + row1_h + _GAP
    row2_h = max(_height(screened), _bar_h("Screening"))
    bottom = row2_y + row2_h + _GAP / 2
    headers = [
        (
            _Box(x1, top, x2 + _BOX_W - x1, _BAR, ()),
            "Identification of studies via databases and registers",
        )
    ]
    if citation:
        headers.append((_Box(x3, top, _BOX_W, _BAR, ()), "Identification via other methods"))
    bar_x = _MARGIN
    bars = (
        (_Box(bar_x, row1_y, _BAR, row1_h, ()), "Identification"),
        (_Box(bar_x, row2_y, _BAR, row2_h, ()), "Screening"),
    )
    return _Layout(
        width=right,
        height=bottom,
        title=title_lines,
        headers=tuple(headers),
        bars=bars,
        identified=_Box(x1, row1_y, _BOX_W, row1_h, ident),
        removed=_Box(x2, row1_y, _BOX_W, row1_h, removed),
        citation=_Box(x3, row1_y, _BOX_W, row1_h, citation) if citation else None,
        screened=_Box(x1, row2_y, _BOX_W, row2_h, screened),
    )


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: float | str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{_SVG_NS}}}{tag}", {k: _fmt(v) for k, v in attrs.items()})
    node.text = text
    return node


def _fmt(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return f"{value:g}"


def _draw_box(svg: ET.Element, box: _Box, cls: str) -> None:
    _el(svg, "rect", x=box.x, y=box.y, width=box.w, height=box.h, rx=4, **{"class": cls})
    for i, (indent, line) in enumerate(box.lines):
        _el(
            svg,
            "text",
            line,
            x=box.x + _PAD + indent * _INDENT,
            y=box.y + _PAD + (i + 1) * _LINE - 5,
        )


def _draw_label(svg: ET.Element, box: _Box, label: str, *, vertical: bool) -> None:
    _el(svg, "rect", x=box.x, y=box.y, width=box.w, height=box.h, rx=4, **{"class": "bar"})
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    attrs: dict[str, float | str] = {"x": cx, "y": cy, "class": "label"}
    if vertical:
        attrs["transform"] = f"rotate(-90 {_fmt(cx)} {_fmt(cy)})"
    _el(svg, "text", label, **attrs)


def _arrow(svg: ET.Element, points: list[tuple[float, float]]) -> None:
    path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    _el(svg, "polyline", points=path, **{"class": "arrow", "marker-end": "url(#head)"})


def prisma_svg(counts: PrismaCounts, *, title: str | None = None) -> str:
    """The identification part of the PRISMA 2020 flow diagram as a standalone SVG.

    Boxes: records identified from databases (one line per database) and registers,
    citation searching when it found records, records removed before screening, and
    records screened. Text is wrapped to the box width and XML-escaped.

    >>> svg = prisma_svg(PrismaCounts(databases={"pubmed": 3}, duplicates_removed=0,
    ...                               after_dedup=3))
    >>> svg.startswith("<svg") and "PubMed (n = 3)" in svg
    True
    """
    lay = _layout(counts, title)
    ET.register_namespace("", _SVG_NS)
    svg = ET.Element(
        f"{{{_SVG_NS}}}svg",
        {
            "width": _fmt(lay.width),
            "height": _fmt(lay.height),
            "viewBox": f"0 0 {_fmt(lay.width)} {_fmt(lay.height)}",
            "role": "img",
        },
    )
    _el(svg, "title", title or "PRISMA 2020 flow diagram: identification")
    defs = _el(svg, "defs")
    marker = _el(
        defs, "marker", id="head", markerWidth=10, markerHeight=8, refX=9, refY=4, orient="auto"
    )
    _el(marker, "path", d="M0,0 L10,4 L0,8 z", fill="#333")
    _el(
        svg,
        "style",
        f"text {{ font-family: {_FONT}; font-size: {_FONT_SIZE}px; fill: #111; }}\n"
        ".box { fill: #fff; stroke: #333; stroke-width: 1.5; }\n"
        ".bar { fill: #c6dbef; stroke: #4a7bb7; stroke-width: 1; }\n"
        ".label { font-weight: bold; text-anchor: middle; dominant-baseline: central; }\n"
        ".arrow { fill: none; stroke: #333; stroke-width: 1.5; }\n"
        ".title { font-size: 16px; font-weight: bold; }",
    )
    _el(svg, "rect", x=0, y=0, width=lay.width, height=lay.height, fill="#fff")
    for i, line in enumerate(lay.title, start=1):
        _el(svg, "text", line, x=_MARGIN, y=_MARGIN + i * _LINE, **{"class": "title"})
    for box, label in lay.headers:
        _draw_label(svg, box, label, vertical=False)
    for box, label in lay.bars:
        _draw_label(svg, box, label, vertical=True)
    boxes = [lay.identified, lay.removed, lay.screened]
    if lay.citation is not None:
        boxes.append(lay.citation)
    for box in boxes:
        _draw_box(svg, box, "box")
    ident, removed, screened = lay.identified, lay.removed, lay.screened
    mid_y = ident.y + ident.h / 2
    _arrow(svg, [(ident.x + ident.w, mid_y), (removed.x - 2, mid_y)])
    col_x = ident.x + ident.w / 2
    _arrow(svg, [(col_x, ident.y + ident.h), (col_x, screened.y - 2)])
    if lay.citation is not None:
        cx = lay.citation.x + lay.citation.w / 2
        cy = screened.y + screened.h / 2
        _arrow(
            svg,
            [(cx, lay.citation.y + lay.citation.h), (cx, cy), (screened.x + screened.w + 2, cy)],
        )
    ET.indent(svg)
    return ET.tostring(svg, encoding="unicode") + "\n"


_RENDERERS: Final = ("resvg_py", "cairosvg")
_NO_RENDERER: Final = (
    "writing a PNG needs an SVG renderer: pip install 'searchharvest[png]' (installs "
    "resvg-py; cairosvg also works but needs the Cairo library); or write the diagram as .svg"
)


def _renderer() -> tuple[str, Any] | None:
    """The first installed SVG renderer module, by name."""
    for name in _RENDERERS:
        try:
            return name, importlib.import_module(name)
        except ImportError:
            continue
    return None


def _render_png(svg: str) -> bytes:
    """PNG bytes from the first SVG renderer that is installed."""
    found = _renderer()
    if found is None:
        raise ConfigError(_NO_RENDERER)
    name, module = found
    if name == "resvg_py":
        return bytes(module.svg_to_bytes(svg_string=svg))
    return bytes(module.svg2png(bytestring=svg.encode("utf-8")))


def check_diagram_path(path: Path) -> None:
    """Fail early (before a long harvest) if `write_prisma` could not write `path`.

    Raises:
        ConfigError: a suffix other than `.svg`/`.png`, or `.png` with no renderer.
    """
    suffix = path.suffix.lower()
    if suffix == ".png" and _renderer() is None:
        raise ConfigError(f"{path}: {_NO_RENDERER}")
    if suffix not in {".svg", ".png"}:
        raise ConfigError(f"{path}: the PRISMA diagram is written as .svg or .png")


def write_prisma(path: Path, counts: PrismaCounts, *, title: str | None = None) -> None:
    """Write the flow diagram to `path`: `.svg` always, `.png` with a renderer installed.

    Raises:
        ConfigError: another suffix, or `.png` with no SVG renderer installed.
    """
    check_diagram_path(path)
    svg = prisma_svg(counts, title=title)
    if path.suffix.lower() == ".svg":
        atomic_write(path, lambda fp: print(svg, end="", file=fp))
    else:
        path.write_bytes(_render_png(svg))
