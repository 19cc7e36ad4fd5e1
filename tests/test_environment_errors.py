"""A failing environment (full disk, closed output, deleted working folder) is one line naming
the cause and exit 2: never a traceback, never "internal error, please report it". A reader that
went away (`| head`) ends the run quietly with 141, as it ends Unix tools."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import LEAKY_ROUTE, write

BACKLINT = str(Path(sys.executable).with_name("backlint"))
CHECK = ["check", "--no-semgrep", "--no-cache", "--jobs", "1"]


@pytest.fixture(name="project")
def project_fixture(tmp_path: Path) -> Path:
    return write(tmp_path / "project", {"app/routes.py": LEAKY_ROUTE})


def _shell(script: str, project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", script, BACKLINT, *CHECK, str(project)], cwd=project.parent,
                          capture_output=True, text=True, timeout=120, check=False)


def _assert_one_line(result: subprocess.CompletedProcess, cause: str) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("backlint: error")]
    assert result.returncode == 2, result.stderr
    assert errors == [f"backlint: error: {cause}"], result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk(project: Path) -> None:
    _assert_one_line(_shell('exec "$0" "$@" > /dev/full', project),
                     "no space left on the device")


def test_a_closed_stdout(project: Path) -> None:
    _assert_one_line(_shell('exec "$0" "$@" >&-', project),
                     "standard output is closed: nowhere to print the report (or use --output "
                     "FILE)")


def test_a_deleted_working_folder(project: Path) -> None:
    script = 'mkdir gone && cd gone && rmdir ../gone && exec "$0" "$@"'
    _assert_one_line(_shell(script, project),
                     "the current folder no longer exists (deleted?); run backlint from an "
                     "existing one")


def _with_reader_gone(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    with subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        process.stdout.close()  # before backlint has started: its first write meets no reader
        stderr = process.stderr.read()
    return subprocess.CompletedProcess(process.args, process.returncode, "", stderr)


@pytest.mark.parametrize("command", [["check", *CHECK[1:], "."], ["rules"],
                                     ["rules", "--format", "json"], ["explain", "BKL101"],
                                     ["--help"], ["check", "--help"]])
def test_a_reader_that_went_away_ends_the_run_quietly(project: Path, command: list[str]) -> None:
    # As a Unix tool ended by SIGPIPE: 141, no message (`set -o pipefail` still sees a failure).
    result = _with_reader_gone([BACKLINT, *command], project)
    assert (result.returncode, result.stderr) == (141, "")


def test_head_reads_the_first_line_and_nothing_is_said(project: Path) -> None:
    result = subprocess.run(["sh", "-c", '"$0" rules | head -1', BACKLINT], cwd=project,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout.startswith("BKL101 ") and result.stdout.count("\n") == 1
    assert (result.returncode, result.stderr) == (0, "")
