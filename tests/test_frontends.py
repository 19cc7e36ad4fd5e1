"""One analysis, many front ends: every fixture gives the same findings (code, line, column)
through the core, the CLI, the flake8 plugin and pylint with the plugin at -j 1 and -j 2.

Each front end runs once over all fixture projects together (they are slow to start), then each
project's files are compared."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backlint.rules.catalog import all_rules

from expectations import FIXTURES, fixture_projects, python_files, script_files, script_projects
from test_rules import core_findings, ts_core_findings

BIN = Path(sys.executable).parent
_PYLINT_TO_CODE = {rule.pylint_id: rule.code for rule in all_rules()}


def _run(command: list[str], cwd: Path) -> str:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                               env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed.stdout


def _by_path(triples) -> dict[str, list[tuple[str, int, int]]]:
    found: dict[str, list[tuple[str, int, int]]] = {}
    for path, code, line, column in triples:
        found.setdefault(str((FIXTURES / path).resolve()), []).append((code, line, column))
    return found


def _fixture_files() -> list[str]:
    return sorted({str(path.relative_to(FIXTURES)) for project in fixture_projects()
                   for path in python_files(project)})


def cli_findings():
    output = _run([str(BIN / "backlint"), "check", "--format", "json", "--no-cache",
                   "--no-semgrep", "."], FIXTURES)
    report = json.loads(output)
    return _by_path((item["path"], item["code"], item["line"], item["column"])
                    for item in report["findings"] if item["path"].endswith(".py"))


def flake8_findings():
    output = _run([str(BIN / "flake8"), "--isolated", "--select=BKL",
                   "--format=%(path)s\t%(code)s\t%(row)d\t%(col)d", *_fixture_files()], FIXTURES)
    rows = (line.split("\t") for line in output.splitlines() if line.count("\t") == 3)
    # flake8 prints 1-based columns; the contract (and the core) is 0-based.
    return _by_path((path, code, int(row), int(col) - 1) for path, code, row, col in rows)


def pylint_findings(jobs: int):
    symbols = ",".join(rule.pylint_name() for rule in all_rules())
    output = _run([str(BIN / "pylint"), "--load-plugins=backlint.checkers", "--disable=all",
                   f"--enable={symbols}", f"-j{jobs}", "--score=n", "--persistent=n",
                   "--msg-template={path}\t{msg_id}\t{line}\t{column}", *_fixture_files()],
                  FIXTURES)
    rows = (line.split("\t") for line in output.splitlines() if line.count("\t") == 3)
    return _by_path((path, _PYLINT_TO_CODE[msg], int(row), int(col))
                    for path, msg, row, col in rows)


FRONT_ENDS = {
    "cli": cli_findings,
    "flake8": flake8_findings,
    "pylint-j1": lambda: pylint_findings(1),
    "pylint-j2": lambda: pylint_findings(2),
}
PROJECTS = fixture_projects()


@pytest.fixture(scope="module")
def reports():
    """Findings by front end, each front end run once over every fixture project at once (they
    are slow to start); each project keeps its own configuration and cross-file universe."""
    memo: dict[str, dict] = {}

    def report(front_end: str) -> dict:
        if front_end not in memo:
            memo[front_end] = FRONT_ENDS[front_end]()
        return memo[front_end]

    return report


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_front_end_matches_core(reports, front_end, project):
    # flake8 sees one file at a time: it reports the per-file part of every rule only.
    expected = {path: items for path, items in
                core_findings(project, cross_file=front_end != "flake8").items()
                if _nearest_project(Path(path)) == project}
    actual = reports(front_end)
    mismatches = {path: (sorted(expected[path]), sorted(actual.get(path, [])))
                  for path in expected if sorted(expected[path]) != sorted(actual.get(path, []))}
    assert not mismatches, json.dumps({path: {"core": core, front_end: other}
                                       for path, (core, other) in mismatches.items()}, indent=1)


def test_one_cli_run_over_all_fixtures_uses_each_projects_configuration():
    """Nested projects keep their own [tool.backlint] and cross-file universe in one run, as
    flake8 and pylint (which read the nearest configuration per file) see them."""
    expected: dict[str, list] = {}
    for project in PROJECTS:
        for path, items in core_findings(project).items():
            if Path(path).parent == project or _nearest_project(Path(path)) == project:
                expected[path] = sorted(items)
    output = _run([str(BIN / "backlint"), "check", "--format", "json", "--no-cache",
                   "--no-semgrep", "."], FIXTURES)
    actual: dict[str, list] = {path: [] for path in expected}
    for item in json.loads(output)["findings"]:
        path = str((FIXTURES / item["path"]).resolve())
        if path in actual:
            actual[path].append((item["code"], item["line"], item["column"]))
    mismatches = {path: {"core": expected[path], "cli": sorted(actual[path])}
                  for path in expected if sorted(actual[path]) != expected[path]}
    assert not mismatches, json.dumps(mismatches, indent=1)


def _nearest_project(path: Path) -> Path:
    return next(parent for parent in path.parents if (parent / "pyproject.toml").is_file())


# --- JS/TS: the CLI gives what the TS engine gives ---------------------------------------------

def _cli_script_findings(project: Path) -> dict[str, list[tuple[str, int, int]]]:
    output = _run([str(BIN / "backlint"), "check", "--format", "json", "--no-cache",
                   "--no-semgrep", "."], project)
    found: dict[str, list[tuple[str, int, int]]] = {str(path): [] for path in script_files(project)}
    for item in json.loads(output)["findings"]:
        path = str((project / item["path"]).resolve())
        if path in found:
            found[path].append((item["code"], item["line"], item["column"]))
    return found


@pytest.mark.parametrize("project", script_projects(),
                         ids=lambda path: str(path.relative_to(FIXTURES)))
def test_cli_matches_ts_engine(project):
    expected = ts_core_findings(project)
    actual = _cli_script_findings(project)
    mismatches = {path: {"core": sorted(expected[path]), "cli": sorted(actual.get(path, []))}
                  for path in expected if sorted(expected[path]) != sorted(actual.get(path, []))}
    assert not mismatches, json.dumps(mismatches, indent=1)
