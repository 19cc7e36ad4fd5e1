"""Packs are authenticated under a per-user key kept outside the checked tree, so a cache that
came with the repository, however well formed, cannot hide findings; and what killed runs left
behind in the cache folder is cleaned up."""
from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

import pytest

from backlint.cache_key import key_path

from test_cache import check, entries, no_analysis, project_fixture  # noqa: F401  # a fixture
from test_cache_hostile import PACK, pack_lines, sealed
from test_cli import run


def _without_findings(lines: list[bytes]) -> list[bytes]:
    """The same entries under the same keys, with every finding removed: what a planted cache
    would say to hide them."""
    documents = [json.loads(line) for line in lines]
    return [json.dumps([key, path, [], error, facts]).encode()
            for key, path, _, error, facts in documents]


def _plant_key(home: Path, secret: bytes, mode: int = 0o600) -> Path:
    path = home / "backlint" / "key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(secret.hex().encode() + b"\n")
    path.chmod(mode)
    return path


def test_a_pack_made_under_another_key_hides_nothing(project: Path, tmp_path_factory,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    assert json.loads(cold)["findings"]
    other_machine = secrets.token_bytes(32)
    forged = sealed(*_without_findings(pack_lines(project)), secret=other_machine)
    for entry in entries(project):
        entry.unlink()
    (project / ".backlint_cache" / PACK).write_bytes(forged)
    elsewhere = tmp_path_factory.mktemp("other-home")
    _plant_key(elsewhere, other_machine)
    with monkeypatch.context() as there:  # on the machine that made it, it would hide them
        there.setenv("XDG_CACHE_HOME", str(elsewhere))
        assert not json.loads(check(project))["findings"]
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold and len(analysed) == 10
    assert not (project / ".backlint_cache" / PACK).exists()  # ignored and rewritten
    analysed.clear()
    assert check(project) == cold and analysed == []


def test_the_key_is_private_and_outside_the_checked_tree(project: Path) -> None:
    check(project)
    key = key_path()
    assert not key.resolve().is_relative_to(project.resolve())
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 65
    assert key.parent.stat().st_mode & 0o077 == 0
    assert not [path for path in project.rglob("*") if "key" in path.name]


def _refused(project: Path, cold: str, why: str) -> None:
    result = run(project, "check", "--format", "json", "--no-semgrep", "--jobs", "1")
    assert result.stdout == cold
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and why in warnings[0], result.stderr
    assert "continuing without the cache" in warnings[0]
    assert not (project / ".backlint_cache").exists()


@pytest.mark.parametrize("planted", ["symbolic link", "open to others", "another user",
                                     "not a key", "inside the checked project"])
def test_an_untrustworthy_key_is_refused(project: Path, tmp_path_factory, planted: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if planted == "another user" and os.geteuid() != 0:
        pytest.skip("giving a file away needs root")
    cold = check(project, "--no-cache")
    home = tmp_path_factory.mktemp("home")
    if planted == "inside the checked project":
        home = project / ".cache"  # HOME or XDG_CACHE_HOME pointing into a checkout
    key = _plant_key(home, secrets.token_bytes(32))
    if planted == "symbolic link":
        real = key.with_name("real-key")
        key.rename(real)
        key.symlink_to(real)
    elif planted == "open to others":
        key.chmod(0o644)
    elif planted == "another user":
        os.chown(key, 12345, 12345)
    elif planted == "not a key":
        key.write_bytes(b"0" * 65)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    _refused(project, cold, planted)
    assert key.exists() or key.is_symlink()  # refused, not replaced


def test_a_key_that_cannot_be_created_warns_once_and_runs(project: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project, "--no-cache")
    (project.parent / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(project.parent / "a-file"))
    _refused(project, cold, "cannot use the cache key")


def test_old_temporary_files_of_killed_runs_are_removed(project: Path, tmp_path_factory) -> None:
    check(project)
    folder = project / ".backlint_cache"
    outside = tmp_path_factory.mktemp("outside") / "precious"
    outside.write_text("keep\n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(outside, (old, old))
    stale, fresh = folder / ".tmp-1-0123456789abcdef", folder / ".tmp-2-fedcba9876543210"
    for path in (stale, fresh):
        path.write_bytes(b"half a pack")
    os.utime(stale, (old, old))
    (folder / ".tmp-3-link").symlink_to(outside)
    os.utime(folder / ".tmp-3-link", (old, old), follow_symlinks=False)
    (folder / ".tmp-4-folder").mkdir()
    os.utime(folder / ".tmp-4-folder", (old, old))
    check(project)
    assert sorted(path.name for path in folder.glob(".tmp-*")) == [fresh.name, ".tmp-4-folder"]
    assert outside.read_text(encoding="utf-8") == "keep\n"
