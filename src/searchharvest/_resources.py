"""Locate the data folders that ship with the package.

In a built wheel the top-level `connectors/`, `cassettes/` and `examples/` folders are
installed as `searchharvest/_data/<name>/` (see `force-include` in pyproject.toml); in a
source checkout or an editable install they are read where they stand in the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(folder: str, *parts: str) -> Path:
    """Path of a shipped data file, e.g. `data_path("connectors", "pubmed.toml")`.

    Raises:
        FileNotFoundError: the folder is in neither the wheel nor the checkout.
    """
    for base in (_PACKAGE_DIR / "_data" / folder, _PACKAGE_DIR.parents[1] / folder):
        if base.is_dir():
            return base.joinpath(*parts)
    raise FileNotFoundError(f"searchharvest data folder {folder!r} is not installed")
