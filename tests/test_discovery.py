"""File discovery: file kinds, excludes, .gitignore through git, symlinks, unreadable folders."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from backlint import discovery
from backlint import git as git_module
from backlint.discovery import discover, kind_of
from backlint.rules import Settings

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def touch(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")
    return root


def settings_at(root: Path, **changes: object) -> Settings:
    return replace(Settings(root=str(root)), **changes)


def relative(root: Path, paths: list[str]) -> list[str]:
    return [Path(path).relative_to(root).as_posix() for path in paths]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.mark.parametrize(("name", "kind"), [
    ("app.py", "python"), ("a.ts", "script"), ("a.tsx", "script"), ("a.js", "script"),
    ("a.jsx", "script"), ("a.mjs", "script"), ("a.cjs", "script"), ("types.d.ts", None),
    ("vendor.min.js", None), ("README.md", None), ("setup.cfg", None), ("app.pyc", None),
])
def test_kind_of(name: str, kind: str | None) -> None:
    assert kind_of(name) == kind


def test_python_and_scripts_are_listed_separately_and_sorted(tmp_path: Path) -> None:
    touch(tmp_path, "b.py", "a/c.py", "web/app.ts", "web/types.d.ts", "web/lib.min.js",
          "notes.txt")
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["a/c.py", "b.py"]
    assert relative(tmp_path, found.scripts) == ["web/app.ts"]
    assert found.errors == []


def test_default_and_configured_excludes(tmp_path: Path) -> None:
    touch(tmp_path, "app/x.py", ".venv/lib/y.py", "node_modules/z/index.js", "dist/w.py",
          "app/__pycache__/v.py", "legacy/old.py", "app/generated/g.py")
    settings = settings_at(tmp_path, extend_exclude=("legacy", "app/generated"))
    found = discover([str(tmp_path)], settings)
    assert relative(tmp_path, found.python) == ["app/x.py"]
    assert found.scripts == []


def test_named_files_are_always_checked(tmp_path: Path) -> None:
    touch(tmp_path, ".venv/keep.py", "build/gen.ts")
    named = [str(tmp_path / ".venv/keep.py"), str(tmp_path / "build/gen.ts")]
    found = discover(named, settings_at(tmp_path))
    assert relative(tmp_path, found.python) == [".venv/keep.py"]
    assert relative(tmp_path, found.scripts) == ["build/gen.ts"]


@needs_git
def test_gitignored_paths_are_skipped_inside_a_work_tree(tmp_path: Path) -> None:
    touch(tmp_path, "app/tracked.py", "app/untracked.py", "generated/x.py", "app/local_x.py",
          "app/deleted.py")
    (tmp_path / ".gitignore").write_text("generated/\nlocal_*.py\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "app/tracked.py", "app/deleted.py", ".gitignore")
    (tmp_path / "app/deleted.py").unlink()
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["app/tracked.py", "app/untracked.py"]


@needs_git
def test_gitignore_applies_to_a_subfolder_argument(tmp_path: Path) -> None:
    touch(tmp_path, "app/x.py", "app/cache/y.py")
    (tmp_path / ".gitignore").write_text("cache/\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    found = discover([str(tmp_path / "app")], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["app/x.py"]


def test_without_git_the_folders_are_walked(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "app/x.py", "ignored/y.py")
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")

    def no_git(*_args, **_kwargs):
        raise FileNotFoundError("git")
    monkeypatch.setattr(git_module.subprocess, "run", no_git)
    found = discover([str(tmp_path)], settings_at(tmp_path))
    # Without git, .gitignore is not read: both files are found, nothing crashes.
    assert relative(tmp_path, found.python) == ["app/x.py", "ignored/y.py"]


def _loop_tree(root: Path) -> None:
    touch(root, "app/x.py", "app/sub/y.py", "zzz/last.py")
    (root / "app/sub/back").symlink_to(root / "app", target_is_directory=True)


def test_symlink_loop_is_reported_and_the_walk_goes_on(tmp_path: Path) -> None:
    _loop_tree(tmp_path)
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["app/sub/y.py", "app/x.py", "zzz/last.py"]
    assert [(Path(error.path).relative_to(tmp_path).as_posix(), error.message)
            for error in found.errors] == [
        ("app/sub/back", f"skipped: symlink loop back to {(tmp_path / 'app').resolve()}")]


@needs_git
def test_symlink_loop_inside_a_git_work_tree(tmp_path: Path) -> None:
    _loop_tree(tmp_path)
    git(tmp_path, "init", "-q")
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["app/sub/y.py", "app/x.py", "zzz/last.py"]
    assert [error.message for error in found.errors] == [
        f"skipped: symlink loop back to {(tmp_path / 'app').resolve()}"]


def test_symlinked_folders_are_followed_once(tmp_path: Path, tmp_path_factory) -> None:
    outside = touch(tmp_path_factory.mktemp("shared"), "lib.py")
    touch(tmp_path, "app/v2/x.py")
    (tmp_path / "app/current").symlink_to(tmp_path / "app/v2", target_is_directory=True)
    (tmp_path / "shared").symlink_to(outside, target_is_directory=True)
    (tmp_path / "shared_again").symlink_to(outside, target_is_directory=True)
    found = discover([str(tmp_path)], settings_at(tmp_path), follow_symlinks=True)
    assert relative(tmp_path, found.python) == ["app/v2/x.py", "shared/lib.py"]
    assert found.errors == []


def test_broken_symlink_is_reported(tmp_path: Path) -> None:
    touch(tmp_path, "x.py")
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["x.py"]
    assert [error.message for error in found.errors] == ["skipped: broken symlink"]


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "app/x.py", "private/y.py")
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)
    monkeypatch.setattr(discovery.os, "scandir", scandir)
    monkeypatch.setattr(discovery, "_git_files", lambda _directory: None)
    found = discover([str(tmp_path)], settings_at(tmp_path))
    assert relative(tmp_path, found.python) == ["app/x.py"]
    assert [error.message for error in found.errors] == [
        "skipped: cannot read this folder: Permission denied"]
