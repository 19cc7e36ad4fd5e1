"""The pre-commit hook works as users install it: pre-commit builds backlint from this repository
into its own environment and runs it on the staged files. Slow (an install), so one test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from expectations import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

LEAKY = '''import logging

from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
async def orders():
    try:
        return {"success": True, "data": []}
    except Exception as error:
        logging.exception("listing orders failed")
        return {"success": False, "error": str(error)}, 500
'''


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None,
                    reason="pre-commit or git is not installed")
def test_hook_reports_and_passes(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "routes.py").write_text(LEAKY)
    (project / "legacy").mkdir()
    (project / "legacy" / "old_routes.py").write_text(LEAKY)
    (project / "pyproject.toml").write_text('[tool.backlint]\nextend-exclude = ["legacy/"]\n')
    _git("init", "-q", cwd=project)
    _git("add", "routes.py", "legacy/old_routes.py", "pyproject.toml", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}

    def run_hook() -> subprocess.CompletedProcess:
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(REPO), "backlint", "--all-files"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=900)

    failing = run_hook()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "routes.py:14:44: BKL101" in failing.stdout
    assert "legacy" not in failing.stdout  # excluded in configuration, though pre-commit names it

    (project / "routes.py").write_text(LEAKY.replace("str(error)", '"Internal error"'))
    _git("add", "routes.py", cwd=project)
    passing = run_hook()
    assert passing.returncode == 0, passing.stdout + passing.stderr
