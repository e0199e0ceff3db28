"""The docs stay true: README's test command is what CI runs, the CLI reference matches
`--help`, and every command has help ending with an example.

Regenerate docs/cli.md with: SEARCHHARVEST_WRITE_DOCS=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
from click.testing import CliRunner

import searchharvest
from searchharvest.cli import main

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("searchharvest demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = readme_commands()[1]
    assert test_command in ci.splitlines()


def cli_reference() -> str:
    runner = CliRunner()
    parts = ["# Command-line reference", "", "Generated from `--help` (tests/test_docs.py).", ""]
    parts += [
        "## searchharvest",
        "",
        "```",
        runner.invoke(
            main, ["--help"], terminal_width=80, prog_name="searchharvest"
        ).output.strip(),
        "```",
    ]
    assert isinstance(main, click.Group)
    for name in sorted(main.commands):
        output = runner.invoke(
            main, [name, "--help"], terminal_width=80, prog_name="searchharvest"
        ).output.strip()
        parts += ["", f"## searchharvest {name}", "", "```", output, "```"]
    return "\n".join(parts) + "\n"


def test_cli_reference_is_current() -> None:
    path = ROOT / "docs" / "cli.md"
    expected = cli_reference()
    if os.environ.get("SEARCHHARVEST_WRITE_DOCS") == "1":
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert command.help, name
        assert "Example:" in command.help, name


def test_api_page_lists_every_public_name() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(\w+)`", page))
    assert set(searchharvest.__all__) <= listed


def test_docs_links_point_at_existing_pages_and_headings() -> None:
    def anchors(path: Path) -> set[str]:
        headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([\w./-]+\.md)(?:#([\w-]+))?\)", text):
            linked = (page.parent / target).resolve()
            assert linked.is_file(), f"{page.name} links to missing {target}"
            if anchor:
                assert anchor in anchors(linked), f"{page.name} links to missing {target}#{anchor}"
