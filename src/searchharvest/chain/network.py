"""The citation network among seeds and found records, as CSV or GraphML.

Nodes are record keys (`Record.key`: the first identifier, else title and year); an
edge points from the citing work to the cited one and names the source that reported
it. GraphML is written with lxml (http://graphml.graphdrawing.org/specification.html),
so Gephi, Cytoscape, yEd and networkx can open it without this package.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from lxml import etree

from searchharvest.errors import RecordFileError
from searchharvest.export._atomic import atomic_write
from searchharvest.records import Record

GRAPHML_NS: Final = "http://graphml.graphdrawing.org/xmlns"
_NODE_KEYS: Final = (("title", "string"), ("year", "int"), ("role", "string"))


@dataclass(frozen=True, slots=True)
class Edge:
    """`citing` cites `cited`, as reported by `via` (`openalex`, `pubmed`, `crossref`)."""

    citing: str
    cited: str
    via: str


def write_network(
    path: str | Path, edges: Sequence[Edge], records: Iterable[Record], seeds: Iterable[Record]
) -> Path:
    """Write the network to `path`: `.csv` (one edge per row) or `.graphml`.

    Raises:
        RecordFileError: another suffix, or the file cannot be written.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "net.csv"
    >>> write_network(out, [Edge("doi:10.1/a", "doi:10.1/b", "crossref")], [], []).name
    'net.csv'
    """
    target = Path(path)
    roles = {r.key: ("found", r) for r in records} | {s.key: ("seed", s) for s in seeds}
    suffix = target.suffix.lower()
    try:
        if suffix == ".csv":
            atomic_write(target, lambda fp: _write_csv(fp, edges), newline="")
        elif suffix == ".graphml":
            body = _graphml(edges, roles)

            def write_body(fp: TextIO) -> None:
                fp.write(body)

            atomic_write(target, write_body)
        else:
            raise RecordFileError("network files are .csv or .graphml", str(target))
    except OSError as exc:
        raise RecordFileError(f"cannot write: {exc}", str(target)) from exc
    return target


def _write_csv(fp: TextIO, edges: Sequence[Edge]) -> None:
    writer = csv.writer(fp)
    writer.writerow(["citing", "cited", "via"])
    writer.writerows((e.citing, e.cited, e.via) for e in edges)


def _graphml(edges: Sequence[Edge], roles: dict[str, tuple[str, Record]]) -> str:
    root = etree.Element(f"{{{GRAPHML_NS}}}graphml", nsmap={None: GRAPHML_NS})  # type: ignore[dict-item]
    for name, kind in _NODE_KEYS:
        etree.SubElement(
            root,
            f"{{{GRAPHML_NS}}}key",
            id=name,
            attrib={"for": "node", "attr.name": name, "attr.type": kind},
        )
    etree.SubElement(
        root,
        f"{{{GRAPHML_NS}}}key",
        id="via",
        attrib={"for": "edge", "attr.name": "via", "attr.type": "string"},
    )
    graph = etree.SubElement(root, f"{{{GRAPHML_NS}}}graph", id="citations", edgedefault="directed")
    nodes = dict.fromkeys(k for e in edges for k in (e.citing, e.cited))
    nodes.update(dict.fromkeys(roles))
    for key in nodes:
        node = etree.SubElement(graph, f"{{{GRAPHML_NS}}}node", id=key)
        role, record = roles.get(key, ("linked", None))
        values = {"role": role}
        if record is not None:
            values |= {"title": record.title or "", "year": str(record.year or "")}
        for name, value in values.items():
            if value:
                etree.SubElement(node, f"{{{GRAPHML_NS}}}data", key=name).text = value
    for number, edge in enumerate(edges):
        element = etree.SubElement(
            graph, f"{{{GRAPHML_NS}}}edge", id=f"e{number}", source=edge.citing, target=edge.cited
        )
        etree.SubElement(element, f"{{{GRAPHML_NS}}}data", key="via").text = edge.via
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()
