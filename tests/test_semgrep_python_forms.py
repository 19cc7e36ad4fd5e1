"""The pack's Python forms of core rules (BKL203, BKL204) run on the core's own fixtures: every
line they report is one the core is expected to report there (semgrep sees less than the core,
never something else), and each reports some of them. semgrep runs once; skipped without it."""
from __future__ import annotations

from pathlib import Path

import pytest

from backlint.rules.globs import matches_any
from backlint.rules.settings import TEST_PATTERNS
from backlint.semgrep_runner import find_semgrep, run_semgrep

from expectations import FIXTURES, REPO, expectations_in, python_files

CODES = ("BKL203", "BKL204")


def _fixture_files() -> list:
    files = []
    for code in CODES:
        folder = FIXTURES / "rules" / code
        if folder.is_dir():
            files += [path for path in python_files(folder)
                      if not matches_any(str(path.relative_to(folder)), TEST_PATTERNS)]
    return files


@pytest.fixture(scope="module")
def semgrep_lines() -> dict[str, set[tuple[str, int]]]:
    if find_semgrep() is None:
        pytest.skip("semgrep is not installed (pip install semgrep)")
    paths = [str(path) for path in _fixture_files()]
    outcome = run_semgrep(paths, REPO / "semgrep-rules" / "python")
    assert outcome.unavailable is None and not outcome.errors, (outcome.unavailable, outcome.errors)
    found: dict[str, set[tuple[str, int]]] = {code: set() for code in CODES}
    for finding in outcome.findings:
        if finding["code"] in found:
            found[finding["code"]].add((str(Path(finding["path"]).resolve()), finding["line"]))
    return found


@pytest.mark.parametrize("code", CODES)
def test_semgrep_form_reports_only_lines_the_core_expects(code, semgrep_lines):
    folder = FIXTURES / "rules" / code
    if not folder.is_dir():
        pytest.skip(f"no core fixtures for {code} yet")
    expected = {(str(path.resolve()), item.line) for path in _fixture_files()
                for item in expectations_in(path) if item.code == code}
    extra = sorted(semgrep_lines[code] - expected)
    assert not extra, f"semgrep reports lines the core does not expect: {extra}"
    assert semgrep_lines[code], f"the semgrep form of {code} reports none of its fixtures"
