"""`backlint check`, `rules` and `explain` as a user runs them: exit codes, formats, bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from backlint import __version__
from backlint.cli import cli
from backlint.rules.catalog import all_rules

LEAKY_ROUTE = '''import logging

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    try:
        return {"ok": True}
    except Exception as e:
        logging.exception("index failed")
        return {"error": str(e)}, 500
'''
# A public type alias: BKL401 reports it in any module (its default scope is the API).
ANY_MODULE = '''from typing import Any


Json = dict[str, Any]
'''
CLEAN_MODULE = '''def total(order: int) -> int:
    return order
'''
FINDING_FIELDS = {"code", "symbol", "path", "line", "column", "end_line", "end_column", "message",
                  "severity"}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(root: Path, *args: str):
    """Run the CLI from `root` (paths in the output are relative to it)."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def run_json(root: Path, *args: str) -> tuple[int, dict]:
    result = run(root, "check", "--format", "json", "--no-semgrep", *args)
    return result.exit_code, json.loads(result.stdout)


def codes(document: dict) -> list[tuple[str, str, int]]:
    return [(item["path"], item["code"], item["line"]) for item in document["findings"]]


@pytest.fixture(name="project")
def project_fixture(tmp_path: Path) -> Path:
    return write(tmp_path, {"app/routes.py": LEAKY_ROUTE, "app/types.py": ANY_MODULE,
                            "app/clean.py": CLEAN_MODULE})


# Exit codes -----------------------------------------------------------------------------------

def test_findings_exit_1_and_text_lines_are_flake8_style(project: Path) -> None:
    result = run(project, "check", "--no-semgrep")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("app/routes.py:14:26: BKL101 " + lines[0].split(" BKL101 ")[1])
    assert lines[0].endswith("[leaked-exception-detail]")
    assert lines[1].startswith("app/types.py:4:18: BKL401 ")
    assert lines[-1] == "Found 2 findings in 2 files (3 files checked)."


def test_clean_tree_exits_0(tmp_path: Path) -> None:
    result = run(write(tmp_path, {"app/clean.py": CLEAN_MODULE}), "check", "--no-semgrep")
    assert result.exit_code == 0
    assert result.stdout == "No findings (1 file checked).\n"


def test_exit_zero_keeps_findings_but_exits_0(project: Path) -> None:
    result = run(project, "check", "--no-semgrep", "--exit-zero")
    assert result.exit_code == 0
    assert "BKL101" in result.stdout


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path, "check", "missing-folder").exit_code == 2
    assert run(tmp_path, "check", "--format", "xml").exit_code == 2


# JSON and SARIF -------------------------------------------------------------------------------

def test_json_schema(project: Path) -> None:
    exit_code, document = run_json(project)
    assert exit_code == 1
    assert document["version"] == __version__
    assert document["errors"] == []
    leak = document["findings"][0]
    assert set(leak) == FINDING_FIELDS
    assert leak == {**leak, "code": "BKL101", "symbol": "leaked-exception-detail",
                    "path": "app/routes.py", "line": 14, "column": 25, "severity": "error"}
    assert leak["end_line"] == 14 and leak["end_column"] > leak["column"]


def test_json_paths_are_relative_to_the_current_folder(project: Path) -> None:
    (project / "docs").mkdir()
    result = run(project / "docs", "check", "--format", "json", "--no-semgrep", "../app")
    paths = {item["path"] for item in json.loads(result.stdout)["findings"]}
    assert paths == {"../app/routes.py", "../app/types.py"}


def test_sarif_structure(project: Path) -> None:
    result = run(project, "check", "--format", "sarif", "--no-semgrep")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0" and "sarif" in document["$schema"]
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "backlint" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert rules["BKL101"]["name"] == "leaked-exception-detail"
    assert rules["BKL101"]["defaultConfiguration"]["level"] == "error"
    assert rules["BKL401"]["shortDescription"]["text"]
    assert "## Why it matters" in rules["BKL401"]["help"]["markdown"]
    results = document["runs"][0]["results"]
    leak = next(item for item in results if item["ruleId"] == "BKL101")
    assert driver["rules"][leak["ruleIndex"]]["id"] == "BKL101"
    assert leak["level"] == "error" and leak["message"]["text"]
    location = leak["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/routes.py"
    assert location["region"]["startLine"] == 14
    assert location["region"]["startColumn"] == 26  # 1-based in SARIF
    assert location["region"]["endColumn"] > 26


def test_sarif_lists_unreadable_files_as_notifications(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def f(:\n"})
    document = json.loads(run(tmp_path, "check", "--format", "sarif", "--no-semgrep").stdout)
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["level"] == "error" and "syntax error" in notes[0]["message"]["text"]
    uri = notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "broken.py"


# Selection and configuration ------------------------------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    (("--select", "BKL1"), {"BKL101"}),
    (("--select", "bkl401"), {"BKL401"}),
    (("--ignore", "BKL101"), {"BKL401"}),
    (("--select", "BKL1,BKL4", "--ignore", "BKL401"), {"BKL101"}),
    # As in flake8, the more specific of --select and --ignore wins.
    (("--select", "BKL101,BKL401", "--ignore", "BKL4"), {"BKL101", "BKL401"}),
    (("--select", "BKL1", "--select", "BKL4"), {"BKL101", "BKL401"}),
])
def test_select_and_ignore(project: Path, args: tuple[str, ...], expected: set[str]) -> None:
    _, document = run_json(project, *args)
    assert {item["code"] for item in document["findings"]} == expected


def test_unknown_code_on_the_command_line_exits_2(project: Path) -> None:
    result = run(project, "check", "--select", "E501")
    assert result.exit_code == 2
    assert result.stderr.startswith("backlint: error:") and "E501" in result.stderr


def test_pyproject_settings_are_applied(project: Path) -> None:
    write(project, {"pyproject.toml": ('[tool.backlint]\nignore = ["BKL401"]\n'
                                       '[tool.backlint.per-file-ignores]\n'
                                       '"app/routes.py" = ["BKL1"]\n')})
    exit_code, document = run_json(project)
    assert (exit_code, document["findings"]) == (0, [])


def test_unknown_config_key_names_it_and_suggests_the_right_one(project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.backlint]\nselectt = ["BKL1"]\n'})
    result = run(project, "check", "--no-semgrep")
    assert result.exit_code == 2
    assert "selectt" in result.stderr and "`select`" in result.stderr
    assert result.stderr.startswith("backlint: error:") and result.stdout == ""


def test_bad_config_value_type_exits_2(project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.backlint]\nselect = "BKL1"\n'})
    result = run(project, "check")
    assert result.exit_code == 2
    assert "`select` takes a list of strings" in result.stderr


def test_broken_toml_exits_2(project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.backlint\nselect = \n'})
    result = run(project, "check")
    assert result.exit_code == 2 and "TOML" in result.stderr


def test_config_option_uses_that_file(project: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("config") / "pyproject.toml"
    elsewhere.write_text('[tool.backlint]\nselect = ["BKL4"]\n', encoding="utf-8")
    _, document = run_json(project, "--config", str(elsewhere))
    assert {item["code"] for item in document["findings"]} == {"BKL401"}


def test_noqa_comments(tmp_path: Path) -> None:
    write(tmp_path, {
        "bare.py": "from typing import Any\nX = list[Any]  # noqa\n",
        "listed.py": "from typing import Any\nX = list[Any]  # noqa: BKL401\n",
        "other.py": "from typing import Any\nX = list[Any]  # noqa: BKL101\n",
    })
    _, document = run_json(tmp_path)
    assert codes(document) == [("other.py", "BKL401", 2)]


# Discovery through the CLI --------------------------------------------------------------------

def test_excluded_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"app/types.py": ANY_MODULE, ".venv/lib/x.py": ANY_MODULE,
                     "node_modules/pkg/x.py": ANY_MODULE, "build/lib/x.py": ANY_MODULE})
    _, document = run_json(tmp_path)
    assert codes(document) == [("app/types.py", "BKL401", 4)]


def test_explicitly_named_file_is_checked_even_if_excluded(tmp_path: Path) -> None:
    write(tmp_path, {"build/gen.py": ANY_MODULE})
    _, document = run_json(tmp_path, "build/gen.py")
    assert codes(document) == [("build/gen.py", "BKL401", 4)]


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True,
                                   check=False).returncode != 0, reason="git not installed")
def test_gitignored_folder_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"app/types.py": ANY_MODULE, "generated/x.py": ANY_MODULE,
                     ".gitignore": "generated/\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _, document = run_json(tmp_path)
    assert codes(document) == [("app/types.py", "BKL401", 4)]


# Bad input ------------------------------------------------------------------------------------

def test_bad_files_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    generated = "".join(f"def function_{index}(value: int) -> int:\n    return value + {index}\n"
                        for index in range(10_000))
    write(tmp_path, {"syntax.py": "def broken(:\n", "latin1.py": b"name = '\xe9t\xe9'\n",
                     "empty.py": "", "generated.py": generated + ANY_MODULE,
                     "types.py": ANY_MODULE})
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "again").symlink_to(tmp_path, target_is_directory=True)
    exit_code, document = run_json(tmp_path)
    assert exit_code == 1
    assert codes(document) == [("generated.py", "BKL401", 20_004), ("types.py", "BKL401", 4)]
    errors = {item["path"]: item["message"] for item in document["errors"]}
    assert set(errors) == {"syntax.py", "latin1.py", "loop/again"}
    assert "syntax error at line 1" in errors["syntax.py"]
    assert "UTF-8" in errors["latin1.py"]
    assert errors["loop/again"] == f"skipped: symlink loop back to {tmp_path.resolve()}"


def test_bad_files_in_text_mode_go_to_stderr_and_fail_the_run(tmp_path: Path) -> None:
    write(tmp_path, {"syntax.py": "def broken(:\n", "clean.py": CLEAN_MODULE})
    result = run(tmp_path, "check", "--no-semgrep")
    assert result.exit_code == 1
    assert result.stderr.startswith("syntax.py: error: syntax error at line 1")
    assert result.stdout == "No findings (1 file checked, 1 could not be checked).\n"


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"secret.py": ANY_MODULE, "types.py": ANY_MODULE})
    deny_open(monkeypatch, "secret.py")
    exit_code, document = run_json(tmp_path, "--jobs", "1")
    assert exit_code == 1
    assert codes(document) == [("types.py", "BKL401", 4)]
    assert document["errors"] == [{"path": "secret.py",
                                   "message": "cannot read this file: Permission denied"}]


def deny_open(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Opening files named `name` fails as without permission (root may read anything)."""
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith(name):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr("os.open", deny)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_chmod_000_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"secret.py": ANY_MODULE})
    (tmp_path / "secret.py").chmod(0)
    _, document = run_json(tmp_path)
    assert document["errors"][0]["path"] == "secret.py"


def test_a_crashing_rule_costs_one_file_not_the_run(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"crash.py": CLEAN_MODULE, "types.py": ANY_MODULE})
    from backlint import parallel
    real = parallel.analyse_source

    def flaky(source, path, settings):
        if path.endswith("crash.py"):
            raise ValueError("boom")
        return real(source, path, settings)
    monkeypatch.setattr(parallel, "analyse_source", flaky)
    result = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--jobs", "1",
                 "--no-cache", "--exit-zero")
    assert result.exit_code == 2  # fails closed, whatever --exit-zero says
    assert codes(json.loads(result.stdout)) == [("types.py", "BKL401", 4)]
    assert json.loads(result.stdout)["errors"] == [{"path": "crash.py", "message": (
        "internal error in backlint while checking this file: ValueError: boom; "
        "please report it")}]
    assert result.stderr == ("backlint: error: 1 file could not be checked because of an "
                             "internal error: crash.py\n")


def test_an_unexpected_crash_is_one_line_and_exit_2(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"clean.py": CLEAN_MODULE})

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr("backlint.cli.discover", explode)
    result = run(tmp_path, "check")
    assert result.exit_code == 2
    assert result.stderr.startswith("backlint: error: internal error: RuntimeError: disk on fire")
    assert len(result.stderr.splitlines()) == 1


# Parallel runs --------------------------------------------------------------------------------

def test_jobs_1_and_jobs_2_give_identical_output(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    kinds = (ANY_MODULE, LEAKY_ROUTE, CLEAN_MODULE)
    for index in range(60):
        files[f"pkg{index % 4}/module_{index}.py"] = kinds[index % 3]
    files["pkg0/broken.py"] = "def broken(:\n"
    write(tmp_path, files)
    one = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "--jobs", "1")
    two = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "--jobs", "2")
    assert one.stdout == two.stdout
    assert len(json.loads(one.stdout)["findings"]) == 40


# rules, explain, help, version ----------------------------------------------------------------

def test_rules_lists_every_rule(tmp_path: Path) -> None:
    result = run(tmp_path, "rules")
    assert result.exit_code == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("BKL101"))
    assert "leaked-exception-detail" in line and "E9101" in line and "error" in line
    listed = json.loads(run(tmp_path, "rules", "--format", "json").stdout)
    assert {"BKL101", "BKL401"} <= {entry["code"] for entry in listed}


@pytest.mark.parametrize("name", ["BKL401", "bkl401", "explicit-any"])
def test_explain_prints_the_documentation(tmp_path: Path, name: str) -> None:
    result = run(tmp_path, "explain", name)
    assert result.exit_code == 0
    for section in ("What it does", "Why it matters", "Example", "Use instead", "Options"):
        assert f"## {section}" in result.stdout
    assert "allow-star-arg-any = false" in result.stdout


def test_explain_unknown_rule_lists_known_ones(tmp_path: Path) -> None:
    result = run(tmp_path, "explain", "BKL999")
    assert result.exit_code == 2
    assert "BKL999" in result.stderr and "BKL101 (leaked-exception-detail)" in result.stderr


def test_help_explains_exit_codes_config_and_examples(tmp_path: Path) -> None:
    text = run(tmp_path, "check", "--help").stdout
    assert "Exit codes:" in text and "[tool.backlint]" in text and "Examples:" in text
    assert "--no-cache" in text and "--jobs" in text


def test_version(tmp_path: Path) -> None:
    assert __version__ in run(tmp_path, "--version").stdout


def test_python_dash_m_runs_the_cli(project: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "backlint", "check", "--no-semgrep",
                                "--no-cache", "app/types.py"], cwd=project, capture_output=True,
                               text=True, check=False, env={**os.environ, "NO_COLOR": "1"})
    assert completed.returncode == 1
    assert completed.stdout.startswith("app/types.py:4:18: BKL401 ")


# semgrep findings in JS/TS files --------------------------------------------------------------

class _FakeSemgrep:
    """Stands in for backlint.semgrep_runner: reports BKL105 and BKL102 (codes the in-process
    engine does not check) on every line containing `leak`."""

    calls: list[list[str]] = []

    @staticmethod
    def run_semgrep(paths, rules_dir, timeout=600):
        _FakeSemgrep.calls.append(list(paths))
        assert Path(rules_dir).is_dir() and timeout > 0
        findings = []
        for path in paths:
            for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
                if "leak" in line:
                    findings.append({"code": "BKL105", "symbol": "unlogged-error-response",
                                     "path": path, "line": number, "column": 2,
                                     "end_line": number, "end_column": 9,
                                     "message": "leaked", "severity": "error"})
                if "token" in line:
                    findings.append({"code": "BKL102", "symbol": "debug-mode-enabled",
                                     "path": path, "line": number, "column": 0,
                                     "end_line": number, "end_column": 5,
                                     "message": "credential", "severity": "error"})
        return type("SemgrepResult", (), {"findings": findings, "errors": [],
                                          "unavailable": None})()


@pytest.fixture(name="fake_semgrep")
def fake_semgrep_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path_factory):
    from backlint import runner
    pack = tmp_path_factory.mktemp("pack")
    # Codes the TS/JS engine does not check: only for those does `check` start semgrep.
    (pack / "rule.yaml").write_text("rules: []\n# backlint-id: BKL105\n# backlint-id: BKL102\n",
                                    encoding="utf-8")
    monkeypatch.setitem(sys.modules, "backlint.semgrep_runner", _FakeSemgrep)
    monkeypatch.setattr(runner, "semgrep_rules_dir", lambda: pack)
    _FakeSemgrep.calls = []
    return _FakeSemgrep


def test_semgrep_findings_are_merged_and_filtered(tmp_path: Path, fake_semgrep) -> None:
    write(tmp_path, {
        "app/types.py": ANY_MODULE,
        "web/api.ts": "one\n  leak(e)\n  leak(e) // noqa: BKL105\n  leak(e) // noqa\n"
                      "  leak(e) // noqa: BKL102\n  token\n",
        "web/api.test.ts": "  leak(e)\n  token\n",
        "web/legacy.js": "  leak(e)\n",
        "web/types.d.ts": "  leak(e)\n",
        "pyproject.toml": '[tool.backlint.per-file-ignores]\n"web/legacy.js" = ["BKL1"]\n',
    })
    result = run(tmp_path, "check", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    # Not reported: noqa'd lines, the per-file ignore, the .d.ts file and the test file (BKL105
    # skips tests like its Python twin; codes without one skip tests too).
    assert codes(document) == [("app/types.py", "BKL401", 4), ("web/api.ts", "BKL105", 2),
                               ("web/api.ts", "BKL105", 5), ("web/api.ts", "BKL102", 6)]
    symbols = {item["code"]: item["symbol"] for item in document["findings"]}
    assert symbols["BKL102"] == "debug-mode-enabled"
    assert [Path(path).name for path in fake_semgrep.calls[0]] == [
        "api.test.ts", "api.ts", "legacy.js"]
    selected = json.loads(run(tmp_path, "check", "--format", "json", "--select", "BKL4").stdout)
    assert codes(selected) == [("app/types.py", "BKL401", 4)]


def test_no_semgrep_option_and_setting(tmp_path: Path, fake_semgrep) -> None:
    write(tmp_path, {"web/api.ts": "leak\n"})
    result = run(tmp_path, "check", "--no-semgrep")
    assert result.exit_code == 0 and fake_semgrep.calls == []
    write(tmp_path, {"pyproject.toml": "[tool.backlint]\nsemgrep = false\n"})
    assert run(tmp_path, "check").exit_code == 0 and fake_semgrep.calls == []


def test_semgrep_unavailable_is_one_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            fake_semgrep) -> None:
    monkeypatch.setattr(fake_semgrep, "run_semgrep", lambda *_args, **_kwargs: type(
        "SemgrepResult", (), {"findings": [], "errors": [],
                              "unavailable": "semgrep is not installed; pip install semgrep"})())
    write(tmp_path, {"app/types.py": ANY_MODULE, "web/api.ts": "leak\n"})
    result = run(tmp_path, "check")
    assert result.exit_code == 1
    assert result.stderr == "backlint: warning: semgrep is not installed; pip install semgrep\n"
    # The TS file is still checked, by the in-process engine, for the codes it covers.
    assert result.stdout.endswith("Found 1 finding in 1 file (2 files checked).\n")


def test_colors_only_when_asked() -> None:
    from backlint.reporters import Report, Row, format_text
    row = Row(path="a.py", line=1, column=0, code="BKL101", symbol="leaked-exception-detail",
              severity="error", message="m", end_line=1, end_column=3)
    report = Report(version=__version__, rows=[row], checked=1)
    assert "\x1b[" not in format_text(report)
    assert "\x1b[31m" in format_text(report, color=True)


def test_no_color_in_a_pipe(project: Path) -> None:
    assert "\x1b[" not in run(project, "check", "--no-semgrep").stdout


def test_explain_documents_a_semgrep_only_code():
    from backlint.runner import semgrep_rules_dir

    if semgrep_rules_dir() is None:
        pytest.skip("the semgrep pack is not installed")
    from backlint.cli import _semgrep_only_codes

    pack_only = _semgrep_only_codes({rule.code for rule in all_rules()})
    if not pack_only:
        pytest.skip("every code of the pack is in the core")
    code, symbol = pack_only[0]
    result = CliRunner().invoke(cli, ["explain", code])
    assert result.exit_code == 0, result.output
    assert f"backlint.typescript.{symbol}" in result.output
    assert "semgrep pack" in result.output


def test_explain_documents_a_core_rule_the_pack_also_has():
    result = CliRunner().invoke(cli, ["explain", "BKL204"])
    assert result.exit_code == 0, result.output
    assert "## What it does" in result.output and "requests.Session" in result.output
    assert "backlint-missing-timeout" in result.output


def test_semgrep_is_not_started_when_the_engine_covers_the_pack(
        tmp_path: Path, fake_semgrep) -> None:
    from backlint import runner
    (runner.semgrep_rules_dir() / "rule.yaml").write_text("# backlint-id: BKL101\n")
    write(tmp_path, {"web/api.ts": "export const x = 1;\n"})
    assert run(tmp_path, "check").exit_code == 0 and fake_semgrep.calls == []
