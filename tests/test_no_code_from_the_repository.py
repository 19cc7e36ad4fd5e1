"""Nothing from the checked repository runs: not its modules (`python -m backlint` from inside
it), not its git configuration (fsmonitor, hooks, filters, diff and textconv drivers)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import LEAKY_ROUTE, write

PLANTED = "from pathlib import Path\nPath({marker!r}).write_text('ran')\nraise SystemExit(42)\n"


def _plant(project: Path, marker: Path, *names: str) -> None:
    for name in names:
        (project / name).write_text(PLANTED.format(marker=str(marker)), encoding="utf-8")


def _check(command: list[str], project: Path, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run([*command, "check", "--no-semgrep", "--no-cache", "--jobs", "1", "."],
                          cwd=project, capture_output=True, text=True, timeout=120, check=False,
                          env=env)


@pytest.fixture(name="project")
def project_fixture(tmp_path: Path) -> Path:
    return write(tmp_path / "repo", {"app/routes.py": LEAKY_ROUTE})


def test_python_m_backlint_imports_nothing_from_the_current_folder(project: Path) -> None:
    marker = project.parent / "ran"
    _plant(project, marker, "click.py", "json.py", "tomllib.py", "tomli.py", "ast.py")
    result = _check([sys.executable, "-m", "backlint"], project)
    assert result.returncode == 1 and "BKL101" in result.stdout, result.stderr
    assert not marker.exists()


def test_the_backlint_command_imports_nothing_from_the_current_folder(project: Path) -> None:
    marker = project.parent / "ran"
    _plant(project, marker, "backlint.py", "click.py", "json.py")
    result = _check([str(Path(sys.executable).with_name("backlint"))], project)
    assert result.returncode == 1 and "BKL101" in result.stdout, result.stderr
    assert not marker.exists()


def _git(project: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=project, check=True, capture_output=True,
                   env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})


def test_listing_files_runs_nothing_from_the_repositorys_git_configuration(
        project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    _git(project, "init", "-q")
    _git(project, "add", ".")
    hooks = project / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "fsmonitor-watchman", "pre-commit"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    for setting, value in (("core.fsmonitor", f"touch {marker}; false"),
                           ("core.hooksPath", str(hooks)), ("core.pager", f"touch {marker}"),
                           ("filter.evil.clean", f"touch {marker}; cat"),
                           ("filter.evil.process", f"touch {marker}"),
                           ("diff.evil.textconv", f"touch {marker}; cat"),
                           ("diff.external", f"touch {marker}")):
        _git(project, "config", setting, value)
    (project / ".gitattributes").write_text("*.py filter=evil diff=evil\n")
    # A hostile global configuration named through the environment is not read either.
    hostile = tmp_path / "hostile.gitconfig"
    hostile.write_text(f"[core]\n\tfsmonitor = touch {marker}; false\n")
    result = _check([sys.executable, "-m", "backlint"], project, GIT_CONFIG_GLOBAL=str(hostile),
                    GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="core.fsmonitor",
                    GIT_CONFIG_VALUE_0=f"touch {marker}; false", GIT_DIR=str(project / ".git"))
    assert result.returncode == 1 and "BKL101" in result.stdout, result.stderr
    assert not marker.exists()
