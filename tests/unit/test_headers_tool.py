"""Upstream: (entry point: pytest)
Downstream: tools.headers
Role: the header check finds stale Upstream/Downstream lines and --fix rewrites them, keeping notes."""

from pathlib import Path

from tools import headers


def _write(root: Path, rel: str, up: str, down: str, body: str = "") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'"""Upstream: {up}\nDownstream: {down}\nRole: a test module."""\n{body}')
    return path


def _tree(root: Path) -> None:
    _write(root, "trading/__init__.py", "(package)", "(none)")
    _write(
        root,
        "trading/a.py",
        "(entry point: cli)",
        "trading.b (reads it)",
        "from trading import b\n",
    )
    _write(root, "trading/b.py", "trading.a", "(none)", "from .c import thing\n")
    _write(root, "trading/c.py", "(none)", "(none)", "thing = 1\n")
    _write(root, "tests/test_c.py", "(pytest)", "trading.c", "from trading.c import thing\n")


def test_consistent_tree_passes(tmp_path: Path, capsys) -> None:
    _tree(tmp_path)
    (tmp_path / "trading/b.py").write_text(
        '"""Upstream: trading.a\nDownstream: trading.c\nRole: r."""\nfrom .c import thing\n'
    )
    _write(tmp_path, "trading/c.py", "trading.b", "(none)", "thing = 1\n")

    assert headers.main(["--root", str(tmp_path)]) == 0


def test_stale_lines_are_reported_with_what_is_wrong(tmp_path: Path, capsys) -> None:
    _tree(tmp_path)

    assert headers.main(["--root", str(tmp_path)]) == 1

    out = capsys.readouterr().out
    assert "trading/b.py: stale Downstream line (missing trading.c)" in out
    # Tests import trading.c but do not count as its importers; trading.b does.
    assert "trading/c.py: stale Upstream line (missing trading.b)" in out
    assert "trading/a.py" not in out


def test_fix_rewrites_computed_lines_and_keeps_notes_and_role(tmp_path: Path) -> None:
    _tree(tmp_path)
    _write(
        tmp_path,
        "trading/a.py",
        "(entry point: cli)",
        "trading.b (reads it), trading.gone",
        "from trading import b\nimport trading.c\n",
    )

    assert headers.main(["--root", str(tmp_path), "--fix"]) == 0

    a_lines = (tmp_path / "trading/a.py").read_text().splitlines()
    assert a_lines[:3] == [
        '"""Upstream: (entry point: cli)',
        "Downstream: trading.b (reads it), trading.c",
        'Role: a test module."""',
    ]
    assert (tmp_path / "trading/c.py").read_text().startswith('"""Upstream: trading.a, trading.b\n')
    assert headers.main(["--root", str(tmp_path)]) == 0


def test_file_without_header_fails_and_is_not_invented(tmp_path: Path, capsys) -> None:
    _tree(tmp_path)
    (tmp_path / "trading/d.py").write_text('"""Just a docstring."""\n')

    assert headers.main(["--root", str(tmp_path), "--fix"]) == 1

    assert "trading/d.py: no Upstream/Downstream/Role header" in capsys.readouterr().out
    assert (tmp_path / "trading/d.py").read_text() == '"""Just a docstring."""\n'
