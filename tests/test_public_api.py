"""`searchharvest.__all__` is the public API: sorted, complete, and importable."""

from __future__ import annotations

import searchharvest


def test_all_is_sorted_and_importable() -> None:
    names = searchharvest.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(searchharvest, name), name


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(searchharvest).items()
        if not name.startswith("_")
        and not getattr(value, "__name__", "").startswith("searchharvest.")
    }
    assert public <= set(searchharvest.__all__) | {"annotations", "version"}
