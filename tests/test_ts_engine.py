"""The TS/JS engine: one query pass per file, error recovery, noqa, decoding, configuration by
backlint.toml, the CLI without semgrep, the cache, and a Python path that never imports it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backlint.rules import Settings
from backlint.rules.settings import find_pyproject, settings_for
from backlint.rules.ts import parsing
from backlint.rules.ts.base import TsRule
from backlint.rules.ts.catalog import ts_codes, ts_rules
from backlint.rules.ts.engine import analyse_script

from test_cli import run, write

ROUTE = "import express from 'express';\nconst app = express();\n"


def findings(source: str, path: str = "src/routes.ts", settings: Settings | None = None):
    result = analyse_script(source.encode(), path, settings or Settings(root="."))
    return [(finding.code, finding.line, finding.column) for finding in result.findings], result


@pytest.mark.parametrize("rule", ts_rules(), ids=lambda rule: rule.code)
def test_every_visit_method_names_a_node_type(rule):
    # A rule may decide from its collectors' facts alone (BKL201 reads the client facts).
    visitors = (rule, *rule.collectors)
    assert any(visitor.wanted_kinds() for visitor in visitors)
    assert not any(visitor.unknown_kinds() for visitor in visitors)


def test_a_misspelt_visit_method_is_caught():
    class Misspelt(TsRule):
        def visit_call_expresion(self, node):  # the typo the check exists for
            pass

    assert Misspelt.unknown_kinds() == ("call_expresion",)


def test_ts_rules_reuse_the_catalog_identity():
    from backlint.rules.catalog import rule_by_code

    for rule in ts_rules():
        entry = rule_by_code(rule.code)
        assert entry is rule.rule and rule.symbol == entry.symbol
    assert "BKL401" in ts_codes()


def test_ts_codes_told_from_module_names_are_the_rules_codes():
    """ts_codes() reads module names (a warm run need not import the engine): each module's
    rule has its name's code."""
    for rule in ts_rules():
        assert rule.__module__.rsplit(".", 1)[-1].startswith(f"{rule.code.lower()}_")
    assert ts_codes() == {rule.code for rule in ts_rules()}


def test_the_grammar_follows_the_suffix():
    assert [parsing.grammar_for(name) for name in ("a.ts", "b.tsx", "c.mjs", "d.jsx", "e.cts")] \
        == ["typescript", "tsx", "javascript", "javascript", "typescript"]


def test_a_local_syntax_error_costs_only_its_statement():
    found, result = findings(ROUTE + "function broken( {\n  return 1;\n}\n"
                             "export const x: any = 1;\n")
    assert result.error is None and found == [("BKL401", 6, 16)]


def test_a_file_that_is_mostly_errors_is_reported_partly_parsed_and_still_checked():
    garbage = "<<<< )))) ]]] ### @@@ ``` %%% ^^^ {{{ \n" * 20
    found, result = findings("export const x: any = 1;\n" + garbage)
    assert result.error is not None and result.error.message.startswith("partly parsed")
    assert found == [("BKL401", 1, 16)]


@pytest.mark.parametrize("comment", ["// noqa: BKL401", "// noqa", "/* noqa: BKL4 */",
                                     "// NOQA:BKL401,BKL101"])
def test_slash_noqa_suppresses(comment):
    found, _ = findings(f"export const x: any = 1; {comment}\n")
    assert found == []


def test_noqa_for_another_code_does_not_suppress():
    found, _ = findings("export const x: any = 1; // noqa: BKL101\n")
    assert found == [("BKL401", 1, 16)]


def test_columns_are_byte_offsets_and_a_bom_keeps_them():
    found, _ = findings("\ufeffexport const é: any = 1;\n")
    assert found == [("BKL401", 1, 20)]  # 3 bytes of BOM, 2 of é


def test_invalid_utf8_is_a_file_error():
    result = analyse_script(b"export const x: any = '\xff';\n", "a.ts", Settings(root="."))
    assert result.error is not None and "not valid UTF-8" in result.error.message


def test_files_over_max_file_bytes_are_skipped_with_a_reason():
    result = analyse_script(b"export const x: any = 1;\n", "a.ts",
                            Settings(root=".", max_file_bytes=10))
    assert result.error is not None and "max-file-bytes" in result.error.message


def test_disabled_codes_and_tests_are_not_run():
    source = b"export const x: any = 1;\n"
    assert not analyse_script(source, "a.ts", Settings(root=".", ignore=("BKL4",))).findings
    assert not analyse_script(source, "src/a.test.ts", Settings(root=".")).findings


def test_checking_python_never_imports_the_ts_front_end(tmp_path):
    script = ("import sys\nfrom backlint.rules import analyse_source, Settings\n"
              "analyse_source('from typing import Any\\nx: Any = 1\\n', 'a.py', Settings())\n"
              "from backlint.runner import analyse_files\n"
              "print(sorted(name for name in sys.modules if name.startswith(('tree_sitter', "
              "'backlint.rules.ts'))))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True, cwd=tmp_path)
    assert completed.stdout.strip() == "[]"


# --- configuration without pyproject.toml ----------------------------------------------------

def test_backlint_toml_configures_a_repository_without_pyproject(tmp_path):
    write(tmp_path, {"backlint.toml": 'ignore = ["BKL4"]\n',
                     "src/api.ts": "export const x: any = 1;\n",
                     "src/sub/.backlint.toml": "check-tests = true\n"})
    assert find_pyproject(tmp_path / "src") == tmp_path / "backlint.toml"
    assert find_pyproject(tmp_path / "src" / "sub") == tmp_path / "src" / "sub" / ".backlint.toml"
    settings_for.cache_clear()
    assert settings_for(str(tmp_path)).ignore == ("BKL4",)
    assert run(tmp_path, "check", "--no-semgrep", "--no-cache").exit_code == 0


def test_backlint_toml_is_preferred_to_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.backlint]\nignore = ['BKL1']\n",
                     "backlint.toml": "ignore = ['BKL2']\n"})
    assert find_pyproject(tmp_path) == tmp_path / "backlint.toml"


def test_a_wrong_key_in_backlint_toml_names_the_file(tmp_path):
    write(tmp_path, {"backlint.toml": "selekt = ['BKL']\n", "a.ts": "const a = 1;\n"})
    result = run(tmp_path, "check", "--no-semgrep")
    assert result.exit_code == 2
    assert "backlint.toml: unknown key `selekt`" in result.stderr and "select" in result.stderr


# --- the CLI -----------------------------------------------------------------------------------

def test_ts_findings_need_no_semgrep(tmp_path, monkeypatch):
    from backlint import semgrep_runner

    monkeypatch.setattr(semgrep_runner, "find_semgrep", lambda: None)
    write(tmp_path, {"package.json": '{"dependencies": {"express": "4"}}',
                     "src/app.ts": ROUTE + "export const x: any = 1;\n"})
    result = run(tmp_path, "check", "--format", "json", "--no-cache")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(item["path"], item["code"], item["line"]) for item in report["findings"]] == [
        ("src/app.ts", "BKL401", 3)]
    # the engine carries every pack code, so check neither starts nor misses semgrep
    assert "semgrep" not in result.stderr


def test_ts_results_are_cached_and_parallel_runs_agree(tmp_path, monkeypatch):
    files = {f"src/m{index}.ts": f"export const x{index}: any = {index};\n"
             for index in range(30)}
    write(tmp_path, files)
    one = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "--jobs", "1")
    two = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--jobs", "2")
    assert one.stdout == two.stdout and len(json.loads(one.stdout)["findings"]) == 30
    from backlint.rules.ts import engine

    def fail(*_args, **_kwargs):
        raise AssertionError("a warm run analysed a file")
    monkeypatch.setattr(engine, "analyse_script", fail)
    warm = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--jobs", "1")
    assert warm.stdout == one.stdout


def test_ts_fixture_backends_are_clean_of_internal_errors():
    root = Path(__file__).resolve().parent.parent / "fixtures"
    result = run(root, "check", "--format", "json", "--no-semgrep", "--no-cache",
                 "express-backend", "nextjs-backend")
    assert json.loads(result.stdout)["errors"] == []


def test_a_default_off_ts_side_runs_only_when_selected():
    from backlint.rules.ts.engine import analyse_script

    source = b'export const stripe = "sk_live_51Hx9QbLk2mP8vR4tYwZ6aNc3";\n'
    default = analyse_script(source, "src/config.ts", Settings(root="."))
    selected = analyse_script(source, "src/config.ts",
                              Settings(root=".", extend_select=("BKL203",)))
    assert [finding.code for finding in default.findings] == []
    assert [finding.code for finding in selected.findings] == ["BKL203"]


HELPERS = Path(__file__).parent.parent / "fixtures" / "rules" / "BKL101" / "ts"


def test_a_sending_helper_is_reported_where_it_sends_naming_its_callers():
    from test_cli import run_json

    _, report = run_json(HELPERS, ".", "--no-cache")
    messages = {(item["path"], item["line"]): item["message"] for item in report["findings"]}
    send_error = messages[("src/lib/api/errors.ts", 25)]
    assert "in `sendError()`" in send_error and "through `sendServerError()`" in send_error
    assert "2 calls, the first at src/express/helper-users.ts:" in send_error
    returned = messages[("src/express/helper-users.ts", 21)]
    assert "`errorMessage()` (src/lib/api/errors.ts:15) returns it into this body" in returned
