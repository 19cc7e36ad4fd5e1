"""flake8 and pylint say what backlint could not do: a configuration error once per run (not once
per module), a skipped file as a message on that file, and `# noqa` on the line Python numbers."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backlint.checkers.flake8_plugin import BacklintFlake8
from backlint.rules import all_rules

from test_cli import write
from test_configuration_reading import LEAK, SHIFTING_ROUTE

BIN = Path(sys.executable).parent
WRONG_TABLE = "`tool.backlint` must be a table (`[tool.backlint]`), not an array of tables"
OVERSIZE = "backlint could not check this file: skipped: 3,000 bytes is over max-file-bytes"


@pytest.fixture(name="tree", scope="module")
def tree_fixture(tmp_path_factory) -> Path:
    files: dict[str, str | bytes] = {
        "bad/pyproject.toml": '[[tool.backlint]]\nignore = ["BKL4"]\n',
        "good/pyproject.toml": "[tool.backlint]\nmax-file-bytes = 2000\n",
        "good/app/big.py": "x = 1\n" * 500, "good/app/routes.py": SHIFTING_ROUTE}
    files.update({f"bad/app/module_{index}.py": "x = 1\n" for index in range(4)})
    return write(tmp_path_factory.mktemp("frontends"), files)


def _run(tree: Path, *command: str) -> str:
    completed = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=600,
                               check=False, env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode != 0, completed.stdout
    return completed.stdout + completed.stderr


def _leak_line() -> int:
    lines = SHIFTING_ROUTE.split("\n")
    return len(lines) - lines[::-1].index(LEAK)


def test_flake8_stops_once_on_the_configuration_of_the_named_paths(tree: Path) -> None:
    output = _run(tree, str(BIN / "flake8"), "--isolated", "--select=BKL", "bad")
    assert output.count(WRONG_TABLE) == 1, output
    assert "There was a critical error during execution of Flake8" in output


def test_flake8_reports_a_nested_configuration_once_and_skipped_files(tree: Path) -> None:
    output = _run(tree, str(BIN / "flake8"), "--isolated", "--select=BKL", "-j1", ".")
    assert output.count(WRONG_TABLE) == 1, output
    assert f"./good/app/big.py:1:1: BKL000 {OVERSIZE}" in output
    leaks = [line for line in output.splitlines() if "BKL101" in line]
    assert [line.split(":")[1] for line in leaks] == [str(_leak_line())], output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pylint_reports_the_configuration_once_and_skipped_files(tree: Path, jobs: str) -> None:
    symbols = ",".join(rule.pylint_name() for rule in all_rules())
    output = _run(tree, str(BIN / "pylint"), "--load-plugins=backlint.checkers", "--disable=all",
                  f"--enable=config-parse-error,backlint-file-error,{symbols}", f"-j{jobs}",
                  "--score=n", "--persistent=n", "bad", "good")
    assert output.count(WRONG_TABLE) == 1, output
    assert f"good/app/big.py:1:0: E9000: {OVERSIZE}" in output
    leaks = [line for line in output.splitlines() if "leaked-exception-detail" in line]
    assert [line.split(":")[1] for line in leaks] == [str(_leak_line())], output


def test_flake8_reports_a_file_too_deep_to_analyse() -> None:
    source = "TOTAL = " + "order + " * 20_000 + "order\n"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        tree = ast.parse(source)
    finally:
        sys.setrecursionlimit(limit)
    lines = source.splitlines(keepends=True)
    messages = [message for _, _, message, _ in BacklintFlake8(tree, "app/deep.py", lines).run()]
    assert messages == ["BKL000 backlint could not check this file: nested too deeply to analyse; "
                        "skipped"]
