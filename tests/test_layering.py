"""The layers import one way: cli → everything; ingest → warehouse; analyst → warehouse; warehouse →
records and paths only; extract and transform never import flows. Walked with ``ast`` over every
module (function-level imports included), so a wrong-way import fails CI the day it is written."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extract", "transform", "flows")

ALLOWED: dict[str, set[str]] = {
    "extract": {"extract"},
    "transform": {"transform", "extract"},
    "flows": set(),
    "flows.paths": set(),
    "flows.records": set(),
    # the warehouse reads the dictionary CSVs through transform.vocab (their one reader)
    "flows.warehouse": {"flows.warehouse", "flows.records", "flows.paths", "transform"},
    "flows.ingest": {
        "flows.ingest",
        "flows.warehouse",
        "flows.records",
        "flows.paths",
        "extract",
        "transform",
    },
    "flows.analyst": {"flows.analyst", "flows.warehouse", "flows.paths", "transform"},
    "flows.cli": {"flows", "extract", "transform"},
}
"""Layer → the layers (prefixes) it may import. A module's layer is its longest matching prefix."""

WORKER_MODULES = {"flows.ingest.parsing", "flows.records"}
"""Loaded into every parser process (forkserver preload): they must not drag Prefect or DuckDB in."""
WORKER_FORBIDDEN = ("prefect", "duckdb", "flows.warehouse", "flows.ingest.flow")


def _layer(module: str) -> str:
    matches = [layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")]
    if not matches:
        raise AssertionError(f"{module} belongs to no layer: add it to ALLOWED")
    return max(matches, key=len)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Every (line, module) an import statement of ``source`` names, relative imports resolved."""
    tree = ast.parse(source)
    package = module.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from flows.warehouse import staging`` imports the submodule flows.warehouse.staging
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def violations(source: str, module: str) -> list[str]:
    layer = _layer(module)
    out = []
    for line, target in imported_modules(source, module):
        if not target.startswith(PACKAGES):
            if module in WORKER_MODULES and target.startswith(WORKER_FORBIDDEN):
                out.append(f"{module}:{line} imports {target} (a parser worker module)")
            continue
        if target in ("extract", "transform"):
            target_layer = target
        else:
            try:
                target_layer = _layer(target)
            except AssertionError:
                continue  # a name imported from a package, not a module (checked via its package)
        if not any(target_layer == ok or target_layer.startswith(ok + ".") for ok in ALLOWED[layer]):
            out.append(f"{module}:{line} ({layer}) imports {target} ({target_layer})")
        if module in WORKER_MODULES and target.startswith(WORKER_FORBIDDEN):
            out.append(f"{module}:{line} imports {target} (a parser worker module)")
    return out


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_every_module_imports_only_its_allowed_layers() -> None:
    found = [
        v for path in _modules() for v in violations(path.read_text(encoding="utf-8"), _module_name(path))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("flows.warehouse.writer", "from flows.ingest.parsing import ParseOutcome\n"),
        ("flows.warehouse.staging", "def f():\n    from flows.analyst import query\n"),
        ("flows.analyst.query", "from flows.ingest import discovery\n"),
        ("transform.build", "import flows.warehouse.writer\n"),
        ("extract.pdf", "from transform import report\n"),
        ("flows.ingest.parsing", "import duckdb\n"),
        ("flows.records", "from flows.paths import SQL_DIR\n"),
    ],
)
def test_a_wrong_way_import_is_caught(module: str, source: str) -> None:
    assert violations(source, module), f"{source!r} in {module} should be a violation"


def test_right_way_imports_pass() -> None:
    assert (
        violations("from flows.warehouse.writer import Warehouse\nimport extract\n", "flows.ingest.flow")
        == []
    )
    assert violations("from flows.ingest.flow import ingest\n", "flows.cli.main") == []
    assert violations("from . import grid\n", "transform.tables.t3") == []
