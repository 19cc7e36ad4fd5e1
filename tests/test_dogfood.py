"""backlint's own code passes backlint, flake8 and pylint with the backlint plugin.

pylint resolves imports from the source tree, where `backlint/`, `checkers/` and `rules/` are
siblings; they become one package only when installed. So pylint runs over a staged copy laid out
as installed, and its paths are mapped back."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from expectations import REPO

BIN = Path(sys.executable).parent
LAYERS = {"backlint": "backlint", "checkers": "backlint/checkers", "rules": "backlint/rules"}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_backlint_checks_itself_clean():
    result = _run([str(BIN / "backlint"), "check", "--no-cache", *LAYERS], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flake8_passes():
    result = _run([str(BIN / "flake8"), *LAYERS, "tests", "bench"], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pylint_with_the_plugin_passes(tmp_path):
    for source, target in LAYERS.items():
        shutil.copytree(REPO / source, tmp_path / target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    result = _run([str(BIN / "pylint"), f"--rcfile={REPO / 'pyproject.toml'}", "--score=n",
                   "backlint"], tmp_path)
    report = result.stdout.replace("backlint/rules/", "rules/").replace(
        "backlint/checkers/", "checkers/")
    assert result.returncode == 0, report + result.stderr
