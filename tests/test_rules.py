"""Every fixture file, run through the core, gives exactly the findings written beside it."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from backlint.rules import analyse_source, settings_for
from backlint.rules.catalog import all_rules
from backlint.rules.project import merge_findings, project_findings

from expectations import (FIXTURES, compare, describe, expectations_in, fixture_projects,
                          python_files, script_files, script_projects)


def core_findings(project, cross_file: bool = True) -> dict[str, list[tuple[str, int, int]]]:
    """Findings per file of a fixture project: per-file rules, and cross-file rules if asked."""
    settings = settings_for(str(project))
    results = [analyse_source(path.read_bytes(), str(path), settings)
               for path in python_files(project)]
    by_path: dict[str, list[tuple[str, int, int]]] = {
        str(path): [] for path in python_files(project)}
    for result in results:
        assert result.error is None, f"{result.path}: {result.error}"
    per_file = [finding for result in results for finding in result.findings]
    cross = project_findings(results, settings, lines_of=_lines_of) if cross_file else []
    for finding in merge_findings(per_file, cross):
        by_path[finding.path].append(finding.key())
    return by_path


def _lines_of(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


CASES = [(project, path) for project in fixture_projects() for path in python_files(project)]


@pytest.mark.parametrize(("project", "path"), CASES,
                         ids=[str(path.relative_to(FIXTURES)) for _, path in CASES])
def test_fixture_findings_match_expectations(project, path):
    assert_as_expected(core_findings(project)[str(path)], expectations_in(path))


def assert_as_expected(actual, expected) -> None:
    missing, unexpected = compare(actual, expected)
    assert not missing and not unexpected, "\n" + describe(missing, unexpected)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_has_positive_and_negative_fixtures(rule):
    folder = FIXTURES / "rules" / rule.code
    files = python_files(folder) if folder.is_dir() else []
    expected = [item for path in files for item in expectations_in(path) if item.code == rule.code]
    assert expected, f"fixtures/rules/{rule.code}/ has no `# expect: {rule.code}` case"
    clean_functions = sum(text.count("near-miss") + text.count("not findings")
                          for text in (path.read_text() for path in files))
    assert clean_functions, f"fixtures/rules/{rule.code}/ has no marked near-miss section"


def test_compare_reports_missing_and_unexpected_apart():
    from expectations import Expected

    missing, unexpected = compare([("BKL101", 3, 4), ("BKL401", 9, 0)],
                                  [Expected(3, "BKL101", 4), Expected(5, "BKL101")])
    assert missing == [Expected(5, "BKL101")]
    assert unexpected == [("BKL401", 9, 0)]


LEAK_TEMPLATE = """
import sys
import traceback

from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/x")
async def handler():
    try:
        return {{"success": True}}
    except Exception as error:
        {prepare}
        return JSONResponse({{"error": {value}}}, status_code=500)
"""


@pytest.mark.parametrize(("prepare", "value", "words"), [
    ("pass", "str(error)", "The exception message"),
    ("pass", "error", "The exception object"),
    ("pass", "traceback.format_exc()", "A stack trace"),
    ("_, caught, trace = sys.exc_info()", "repr(caught)", "The exception message"),
    ("_, caught, trace = sys.exc_info()", "trace", "A stack trace"),
    ("kind, caught = sys.exc_info()[:2]", "str(caught)", "The exception message"),
])
def test_bkl101_message_says_what_leaks(prepare, value, words):
    from backlint.rules import Settings

    source = LEAK_TEMPLATE.format(prepare=prepare, value=value)
    result = analyse_source(source, "app/routes.py", Settings(root="."))
    messages = [finding.message for finding in result.findings if finding.code == "BKL101"]
    assert len(messages) == 1 and messages[0].startswith(words), messages


# --- TS/JS fixtures through the tree-sitter engine ---------------------------------------------

@functools.cache
def ts_core_findings(project: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Findings per JS/TS file of a fixture project through the TS engine and the project pass,
    each file with its nearest configuration, as the CLI sees it (once per project)."""
    from backlint.rules.ts.engine import analyse_script

    files = script_files(project)
    results = [analyse_script(path.read_bytes(), str(path), settings_for(str(path)))
               for path in files]
    for result in results:
        assert result.error is None, f"{result.path}: {result.error}"
    per_file = [finding for result in results for finding in result.findings]
    cross = project_findings(results, settings_for(str(project)), lines_of=_lines_of)
    by_path: dict[str, list[tuple[str, int, int]]] = {str(path): [] for path in files}
    for finding in merge_findings(per_file, cross):
        by_path[finding.path].append(finding.key())
    return by_path


def engine_expectations(path: Path) -> list:
    """Expectations for the codes the TS engine checks (others are still the semgrep pack's)."""
    from backlint.rules.ts.catalog import ts_codes

    return [item for item in expectations_in(path) if item.code in ts_codes()]


TS_CASES = [(project, path) for project in script_projects() for path in script_files(project)]


@pytest.mark.parametrize(("project", "path"), TS_CASES,
                         ids=[str(path.relative_to(FIXTURES)) for _, path in TS_CASES])
def test_ts_fixture_findings_match_expectations(project, path):
    assert_as_expected(ts_core_findings(project)[str(path)], engine_expectations(path))


def _ts_rules():
    from backlint.rules.ts.catalog import ts_rules

    return ts_rules()


@pytest.mark.parametrize("rule", _ts_rules(), ids=lambda rule: rule.code)
def test_every_ts_rule_has_positive_and_negative_fixtures(rule):
    files = [path for project in script_projects() for path in script_files(project)]
    expected = [item for path in files for item in expectations_in(path) if item.code == rule.code]
    assert expected, f"no JS/TS fixture has a `// expect: {rule.code}` case"
    folder = FIXTURES / "rules" / rule.code
    near_misses = sum(path.read_text().count("near-miss") for path in script_files(folder))
    assert near_misses, f"fixtures/rules/{rule.code}/ has no marked TS near-miss section"
