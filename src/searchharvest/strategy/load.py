"""Read a strategy file: TOML → `StrategySpec`, every mistake a `StrategyFileError` with its line.

tomllib reports syntax errors with a line; pydantic reports the key path (`loc`) of a bad
value but not where it is in the file, so `locate()` finds the line of a key path in the
source text. Relative paths in the file resolve against the file's folder, so a strategy
runs the same from cron, CI or an editor whatever the working directory.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from searchharvest.errors import StrategyFileError
from searchharvest.strategy.schema import Problem, StrategySpec, problems

_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def load_spec(path: str | Path) -> tuple[StrategySpec, str]:
    """Read and validate a strategy file; paths in it become absolute.

    Returns:
        The validated spec and the file's text.

    Raises:
        StrategyFileError: the file cannot be read, is not TOML, or is not a valid
            strategy; `.line` points at the offending key when it can be found.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StrategyFileError(f"cannot read: {exc}", str(source)) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        line = int(at.group(1)) if at else None
        message = _TOML_AT.sub("", str(exc)).strip()
        raise StrategyFileError(f"not valid TOML: {message}", str(source), line) from exc
    try:
        spec = StrategySpec.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(str(part) for part in error["loc"])
        message = _describe(error, loc)
        raise StrategyFileError(message, str(source), locate(text, loc)) from exc
    found = problems(spec)
    if found:
        raise _problem_error(found[0], spec, text, source)
    return _absolute(spec, source.resolve().parent), text


def _describe(error: Any, loc: tuple[str, ...]) -> str:
    """One line for a pydantic error, with a did-you-mean for an unknown key."""
    key = ".".join(p for p in loc if not p.isdigit()) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return f"missing required key {key!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}"


def _known_keys(loc: tuple[str, ...]) -> list[str]:
    """The keys a table at `loc` accepts, as they are written in the file."""
    model: type[BaseModel] = StrategySpec
    for part in loc:
        info = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        nested = getattr(info, "annotation", None) if info else None
        if not (isinstance(nested, type) and issubclass(nested, BaseModel)):
            return []
        model = nested
    return sorted(info.alias or name for name, info in model.model_fields.items())


def _problem_error(
    problem: Problem, spec: StrategySpec, text: str, source: Path
) -> StrategyFileError:
    line = locate(text, problem.loc)
    if problem.offset is not None and line is not None:
        value = spec.query if problem.loc == ("query",) else spec.overrides[problem.loc[-1]]
        line = _value_line(text, line, value, problem.offset)
    return StrategyFileError(problem.message, str(source), line)


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


def locate(text: str, loc: tuple[str, ...]) -> int | None:
    """The 1-based line where the key path `loc` (or its nearest written parent) is set."""
    wanted = tuple(p for p in loc if not p.isdigit())
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _split_key(header.group(1))
            path = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            path = table + _split_key(key.group(1))
            rest = line[key.end() :]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2 == 1:
                    in_string = quotes
        depth = len(path)
        if path == wanted[:depth] and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None


def _value_line(text: str, key_line: int, value: str, offset: int) -> int:
    """The line of character `offset` of the string `value` set on `key_line`."""
    after = text.splitlines()[key_line - 1].split("=", 1)[1].lstrip()
    shift = 0
    if after.startswith(('"""', "'''")) and not after[3:].strip():
        shift = 1  # TOML drops the newline right after an opening triple quote
    return key_line + shift + value[:offset].count("\n")


def _absolute(spec: StrategySpec, folder: Path) -> StrategySpec:
    """The spec with every relative output and library path resolved against `folder`."""

    def resolve(path: Path) -> Path:
        return path if path.is_absolute() else folder / path

    output = spec.output.model_copy(
        update={
            "records": tuple(resolve(p) for p in spec.output.records),
            "log": resolve(spec.output.log) if spec.output.log else None,
            "prisma": resolve(spec.output.prisma) if spec.output.prisma else None,
        }
    )
    update = spec.update.model_copy(
        update={"screened": resolve(spec.update.screened) if spec.update.screened else None}
    )
    return spec.model_copy(update={"output": output, "update": update})
