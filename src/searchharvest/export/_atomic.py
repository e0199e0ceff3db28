"""Atomic file writes: a reader never sees half a file, and a failed export leaves the
previous file in place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def atomic_write(
    path: Path, write: Callable[[TextIO], None], *, newline: str | None = None
) -> None:
    """Run `write` on a temporary file beside `path`, then rename it over `path`.

    The temporary file lives in the same folder so the final `os.replace` is a rename
    within one file system, which is atomic on POSIX and Windows.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
