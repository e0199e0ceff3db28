"""JSON Lines: one `Record.model_dump(mode="json")` object per line; the lossless format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from pydantic import ValidationError

from searchharvest.errors import RecordFileError
from searchharvest.export._fields import stream_name
from searchharvest.records import Record


def write(records: Iterable[Record], fp: IO[str]) -> None:
    """Write one JSON object per record, keys exactly as `Record` names them."""
    for record in records:
        fp.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False))
        fp.write("\n")


def read(fp: IO[str]) -> list[Record]:
    """Read and validate every line; blank lines are skipped.

    Raises:
        RecordFileError: a line is not JSON or not a valid record (with its line number).
    """
    records: list[Record] = []
    for number, line in enumerate(fp, start=1):
        if not line.strip():
            continue
        try:
            records.append(Record.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise RecordFileError(f"not a valid record: {exc}", stream_name(fp), number) from exc
    return records
