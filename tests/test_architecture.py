"""The code's shape: layers that only look down, no import circle, every module
importable on its own (a newcomer can open any file and start there)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("factcheck")


def test_the_layers_contract_is_kept() -> None:
    """pyproject.toml's import-linter contract, as `make lint` checks it."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_no_module_imports_one_that_imports_it_back(graph: grimp.ImportGraph) -> None:
    circles = sorted(
        (module, imported) for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module))
    assert circles == []


def _import_alone(module: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    said = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
    return module, said[-1] if done.returncode else ""


def test_every_module_imports_on_its_own(graph: grimp.ImportGraph) -> None:
    modules = sorted(m for m in graph.modules if not m.endswith("__main__"))
    assert len(modules) > 50
    with ThreadPoolExecutor(4) as pool:
        failures = [(m, why) for m, why in pool.map(_import_alone, modules) if why]
    assert failures == []
