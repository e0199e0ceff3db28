"""The built wheel carries the data the package reads at run time (facts, demo cassettes)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_connector_facts_and_demo_cassettes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("searchharvest-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for db in ("pubmed", "openalex", "crossref"):
        assert f"searchharvest/_data/connectors/{db}.toml" in names
        assert f"searchharvest/_data/cassettes/demo/{db}.json" in names
    assert "searchharvest/py.typed" in names
    assert "searchharvest/_data/cassettes/pubmed/metapub__efetch_32525788.xml" in names
