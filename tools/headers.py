"""Upstream: (entry point: make check / make headers)
Downstream: (none)
Role: checks (or rewrites with --fix) the Upstream/Downstream header lines from the import graph.

Every code file of ours opens with a docstring whose first three lines are
``Upstream: ...``, ``Downstream: ...`` and ``Role: ...``. Downstream must name exactly the
project modules the file imports; Upstream exactly the project modules that import it.
Tests import everything and are imported by nothing, so they are left out of other files'
Upstream lines (their own Downstream lines are still checked). Each item may carry a note in
parentheses, and a line with no modules holds just a note, e.g. ``Upstream: (entry point)``;
notes are kept by --fix. Role is never rewritten.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ginkgo_site", "trading", "scheduling", "monitoring", "tests", "bench", "tools")
SCRIPTS = ("manage.py",)
NOT_AN_IMPORTER = ("tests",)
HEADER_KEYS = ("Upstream", "Downstream", "Role")
EMPTY_NOTE = "(none)"


@dataclass
class SourceFile:
    path: Path
    module: str
    tree: ast.Module
    imports: set[str] = field(default_factory=set)
    importers: set[str] = field(default_factory=set)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(root: Path) -> dict[str, SourceFile]:
    paths = [root / s for s in SCRIPTS if (root / s).exists()]
    for package in PACKAGES:
        paths.extend(p for p in (root / package).rglob("*.py") if "migrations" not in p.parts)
    files = {}
    for path in sorted(paths):
        tree = ast.parse(path.read_text(), filename=str(path))
        files[module_name(path, root)] = SourceFile(path, module_name(path, root), tree)
    return files


def _longest_known(dotted: str, known: set[str]) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def _absolute(source: SourceFile, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = source.module.split(".")
    if source.path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def resolve_imports(source: SourceFile, known: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            targets = [_longest_known(alias.name, known) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(source, node)
            targets = [
                f"{base}.{alias.name}"
                if f"{base}.{alias.name}" in known
                else _longest_known(base, known)
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t and t != source.module)
    return found


def build_graph(root: Path) -> dict[str, SourceFile]:
    files = discover(root)
    known = set(files)
    for source in files.values():
        source.imports = resolve_imports(source, known)
    for source in files.values():
        if source.module.split(".")[0] in NOT_AN_IMPORTER:
            continue
        for target in source.imports:
            files[target].importers.add(source.module)
    return files


def split_items(text: str) -> list[str]:
    """Split a header value on commas that are not inside parentheses."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


def parse_value(text: str) -> tuple[dict[str, str], list[str]]:
    """Return ({module: note}, [standalone notes]) for one header value."""
    modules: dict[str, str] = {}
    notes: list[str] = []
    for item in split_items(text):
        if item.startswith("("):
            notes.append(item)
        else:
            name, _, note = item.partition(" ")
            modules[name] = note.strip()
    return modules, notes


def render_value(wanted: set[str], old_text: str) -> str:
    old_modules, notes = parse_value(old_text)
    items = [f"{m} {old_modules[m]}".strip() if m in old_modules else m for m in sorted(wanted)]
    notes = [n for n in notes if n != EMPTY_NOTE or not items]
    return ", ".join(items + notes) or EMPTY_NOTE


HEADER_RE = {
    key: re.compile(rf'^(?P<lead>\s*(?:r?""")?){key}: (?P<value>.*)$') for key in HEADER_KEYS
}


def replace_first(text: str, key: str, value: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = HEADER_RE[key].match(line)
        if match:
            lines[index] = f"{match['lead']}{key}: {value}"
            break
    return "\n".join(lines)


def header_lines(source: SourceFile) -> list[str] | None:
    doc = ast.get_docstring(source.tree, clean=False)
    lines = (doc or "").splitlines()[:3]
    if len(lines) < 3 or any(
        not line.startswith(f"{key}: ") for line, key in zip(lines, HEADER_KEYS, strict=True)
    ):
        return None
    return lines


def check_file(source: SourceFile, root: Path, fix: bool) -> list[str]:
    lines = header_lines(source)
    rel = source.path.relative_to(root)
    if lines is None:
        return [f"{rel}: no Upstream/Downstream/Role header in the first three docstring lines"]
    problems = []
    text = source.path.read_text()
    for key, wanted in (("Upstream", source.importers), ("Downstream", source.imports)):
        value = lines[HEADER_KEYS.index(key)].removeprefix(f"{key}: ")
        declared = set(parse_value(value)[0])
        if declared == wanted:
            continue
        if fix:
            new_value = render_value(wanted, value)
            text = replace_first(text, key, new_value)
        else:
            missing, extra = sorted(wanted - declared), sorted(declared - wanted)
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not true: {', '.join(extra)}" if extra else "",
                )
                if part
            )
            problems.append(f"{rel}: stale {key} line ({detail})")
    if fix:
        source.path.write_text(text)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2].removeprefix("Role: "))
    parser.add_argument("--fix", action="store_true", help="rewrite Upstream/Downstream lines")
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this one)")
    args = parser.parse_args(argv)
    files = build_graph(args.root)
    problems = [p for source in files.values() for p in check_file(source, args.root, args.fix)]
    for problem in problems:
        print(problem)
    if problems:
        hint = "" if args.fix else " (run `make headers` to rewrite the computed lines)"
        print(f"{len(problems)} header problem(s){hint}", file=sys.stderr)
        return 1
    print(f"headers ok: {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
