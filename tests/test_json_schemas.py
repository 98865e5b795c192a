"""One JSON vocabulary: every --json output and the report JSON validate against the
schema shipped for it (factcheck/schemas), on a database with a history (the demo's)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from factcheck import demo
from factcheck.cli import cli
from factcheck.schemas import OUTPUTS, schema


def validator(name: str) -> Draft202012Validator:
    shared = schema("definitions")
    registry: Registry[Any] = Registry().with_resource(
        shared["$id"], Resource.from_contents(shared))
    chosen = schema(name)
    Draft202012Validator.check_schema(chosen)
    return Draft202012Validator(chosen, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database: three rechecks, an edited figure, a move, a 404, a 403."""
    folder = tmp_path_factory.mktemp("demo")
    assert demo.main([str(folder)]) == 0
    return folder / "demo.db"


def run_json(db: Path, *args: str) -> tuple[int, Any, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None, \
        result.stderr


def test_every_json_output_has_its_schema_and_follows_it(history: Path,
                                                         tmp_path: Path) -> None:
    seed_file = history.parent / "demo-claims.yaml"
    history = Path(shutil.copy(history, tmp_path / "demo.db"))  # this test writes
    code, sources, _ = run_json(history, "sources", "--json")
    url = next(s["url"] for s in sources if s["url"].endswith("/budget"))
    article = tmp_path / "a.txt"
    article.write_text("The budget rose 26% in 2023. I think it is bad.\n")
    outputs = {
        "claims": ("claims", "--json"), "sources": ("sources", "--json"),
        "source": ("source", url, "--json"), "snapshots": ("snapshots", url, "--json"),
        "runs": ("runs", "--json"), "changes": ("changes", "--run", "2", "--json"),
        "history": ("history", "budget", "--json"), "scale": ("scale", "--json"),
        "summary": ("summary", "--json"), "digest": ("digest", "--json"),
        "report": ("report", "--format", "json"),
        "extract-claims": ("extract-claims", str(article), "--json"),
        "seed": ("seed", str(seed_file), "--json"),
        "verdict": ("verdict", "budget", "mostly-true", "--rationale", "Revised: 20.3%.",
                    "--json"),
        "fetch": ("fetch", "--allow-private", url, "--json"),
        "recheck": ("recheck", "--allow-private", "--all", "--json"),
    }
    assert set(outputs) | {"error"} == set(OUTPUTS)
    for name, args in outputs.items():
        code, data, err = run_json(history, *args)
        assert data is not None, (name, code, err)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator(name).iter_errors(data)]
        assert errors == [], name


def test_the_same_thing_has_the_same_name(history: Path) -> None:
    _, claims, _ = run_json(history, "claims", "--json")
    _, report, _ = run_json(history, "report", "--format", "json")
    _, runs, _ = run_json(history, "runs", "--json")
    _, digest, _ = run_json(history, "digest", "--json")
    budget = next(c for c in claims if c["key"] == "budget")
    reported = next(c for c in report["claims"] if c["key"] == "budget")
    projects = [c["needs_review"] for c in (*claims, *report["claims"]) if c["key"] == "projects"]
    assert projects == [True, True]
    assert budget["needs_review"] is False  # the demo's desk re-rated it
    shared = set(budget["evidence"][0]) & set(reported["evidence"][0])
    assert shared == set(budget["evidence"][0])  # the report adds, never renames
    assert {k: budget["evidence"][0][k] for k in ("passage", "source_state", "diff")} == \
        {k: reported["evidence"][0][k] for k in ("passage", "source_state", "diff")}
    assert ["-", "26.3", True] in budget["evidence"][0]["diff"]
    assert isinstance(runs[0]["run"], int) and isinstance(runs[0]["review_count"], int)
    assert digest["latest_run"]["run"] == runs[0]["run"]
    assert {i["claim"] for i in digest["review_queue"]} == \
        {i["claim"] for i in report["summary"]["review_queue"]} >= {"demo-article/projects"}


def test_errors_under_json_are_json(history: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(history), "claims", "--document", "demo-artcle",
                                      "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    error = json.loads(result.stderr)
    assert not list(validator("error").iter_errors(error))
    assert error["kind"] == "not-found" and "demo-article" in error["error"]
    usage = CliRunner().invoke(cli, ["--db", str(history), "changes", "--run", "1",
                                     "--since", "2020-01-01", "--json"])
    assert usage.exit_code == 2 and json.loads(usage.stderr)["kind"] == "usage"
    plain = CliRunner().invoke(cli, ["--db", str(history), "claims", "--document", "nope"])
    assert plain.exit_code == 1 and plain.stderr.startswith("Error: no document")
