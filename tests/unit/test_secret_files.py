"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.secret_files
Role: secret files are written readable by their owner only, even over a looser file, and make run's SECRET_KEY is generated once and kept."""

import stat

from ginkgo_site.secret_files import secret_key_ensure, secret_read, secret_write


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_secret_is_written_0600_even_over_a_world_readable_file(tmp_path):
    path = tmp_path / "demo-token"
    path.write_text("old\n")
    path.chmod(0o644)

    secret_write(path, "abc\n")

    assert _mode(path) == 0o600
    assert secret_read(path) == "abc"
    assert [p.name for p in tmp_path.iterdir()] == ["demo-token"]


def test_a_missing_secret_reads_empty(tmp_path):
    assert secret_read(tmp_path / "nothing") == ""


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    path = tmp_path / "secret-key"

    secret_key_ensure(path)
    first = secret_read(path)
    secret_key_ensure(path)

    assert len(first) >= 50
    assert secret_read(path) == first
    assert _mode(path) == 0o600
