"""The README stays true: commands, the rating scale, the two make targets."""

import re

from factcheck import DEFAULT_SCALE
from factcheck.cli import cli

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_documented() -> None:
    assert "make run" in README
    assert "make test" in README


def test_every_cli_command_is_documented() -> None:
    for name in cli.commands:
        assert f"`factcheck {name}" in README, f"factcheck {name} is not in the README"


def test_the_rating_scale_table_matches_the_code() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \| ([0-9–]) \| ([^|]+) \| ([^|]+) \|$", README, re.M)
    documented = {slug: (value, averitec.strip(), definition.strip())
                  for slug, value, averitec, definition in rows}
    expected = {r.slug: ("–" if r.value is None else str(r.value), r.averitec, r.definition)
                for r in DEFAULT_SCALE}
    assert documented == expected
