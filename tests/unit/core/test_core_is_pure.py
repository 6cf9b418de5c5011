"""Upstream: (entry point: pytest)
Downstream: (none)
Role: guards the core's boundary: trading.core imports only the standard library and itself."""

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[3] / "trading" / "core"


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_core_modules_import_only_the_standard_library_and_the_core() -> None:
    offenders = {
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in _imported_roots(path)
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("trading.core")
    }

    assert offenders == set()
