"""The TS/JS engine fails closed as the Python core does: a file that is mostly not valid syntax
fails the gate (named, tolerated by --exit-zero or tolerate-file-errors), grammars that cannot be
loaded end the run with exit 2 saying what to install, oversize files and FIFOs are skipped with
a notice and never opened, and nothing hangs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import run, run_json, write

HANG_BOUND = 120  # seconds; only stops a broken build from hanging the suite

CLEAN_ROUTE = ("import express from 'express';\nconst app = express();\n"
               "app.get('/health', (req, res) => {\n  res.json({ ok: true });\n});\n")
# One bad statement: tree-sitter recovers locally and the rest of the file is analysed.
LOCAL_ERROR = "export const total = (a: number, b: number) => a + b;\nconst broken = ;\n"
ANY_TS = "export const payload: any = {};\n"
UNPARSEABLE = {
    "punctuation.ts": "<<<< )))) ]]] ### @@@ ``` %%% ^^^ {{{ \n" * 20,
    "python.ts": "import os\n\ndef f(x):\n    return {'a': x}\n\nclass A(object):\n    pass\n",
    "page.js": "<!doctype html><html><body><div class='x'>hi</div></body></html>\n",
    "merge.ts": ("<<<<<<< HEAD\nconst a = 1;\n=======\nconst a = 2;\n>>>>>>> branch\n"
                 "export function g() { return a; }\n"),
}


def _subprocess(root: Path, *args: str, env: dict[str, str] | None = None,
                ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backlint", *args], cwd=root,
                          capture_output=True, text=True, timeout=HANG_BOUND, check=False,
                          env={**os.environ, **(env or {})})


# a. syntax errors ---------------------------------------------------------------------------

def test_a_local_syntax_error_is_analysed_and_does_not_fail_the_gate(tmp_path: Path) -> None:
    write(tmp_path, {"src/clean.ts": CLEAN_ROUTE, "src/local.ts": LOCAL_ERROR})
    exit_code, document = run_json(tmp_path)
    assert (exit_code, document["findings"], document["errors"]) == (0, [], [])
    write(tmp_path, {"src/local.ts": LOCAL_ERROR + ANY_TS})
    exit_code, document = run_json(tmp_path)
    assert exit_code == 1 and document["errors"] == []
    assert [(item["path"], item["code"]) for item in document["findings"]] == [
        ("src/local.ts", "BKL401")]


@pytest.mark.parametrize("name", sorted(UNPARSEABLE))
def test_a_mostly_unparseable_file_fails_the_gate_unless_tolerated(tmp_path: Path,
                                                                   name: str) -> None:
    write(tmp_path, {"src/clean.ts": CLEAN_ROUTE, f"src/{name}": UNPARSEABLE[name]})
    exit_code, document = run_json(tmp_path)
    assert exit_code == 1 and document["findings"] == []
    assert [item["path"] for item in document["errors"]] == [f"src/{name}"]
    assert document["errors"][0]["message"].startswith("partly parsed: ")
    assert run_json(tmp_path, "--exit-zero")[0] == 0
    write(tmp_path, {"pyproject.toml": "[tool.backlint]\ntolerate-file-errors = true\n"})
    assert run_json(tmp_path) == (0, document)


def test_a_mostly_unparseable_file_is_one_line_naming_it_in_text_output(tmp_path: Path) -> None:
    write(tmp_path, {"bad.ts": UNPARSEABLE["punctuation.ts"]})
    result = run(tmp_path, "check", "--no-semgrep", "--no-cache")
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "error" in line] == [
        "bad.ts: error: partly parsed: 100% of it is not valid syntax for its grammar; "
        "findings come from the rest"]


# b. grammars that cannot be loaded ------------------------------------------------------------

BROKEN_GRAMMARS = {
    "not importable": 'raise ImportError("No module named tree_sitter_typescript")\n',
    "a broken extension": 'raise OSError("_binding.so: cannot open shared object file")\n',
    "an incompatible grammar": ("def language_typescript():\n"
                                "    raise ValueError('Incompatible Language version 99')\n"
                                "language_tsx = language_typescript\n"),
}


@pytest.fixture(name="broken_grammar")
def broken_grammar_fixture(request, tmp_path_factory) -> dict[str, str]:
    """An environment whose tree_sitter_typescript fails the way the parameter says."""
    shadow = tmp_path_factory.mktemp("shadow")
    write(shadow, {"tree_sitter_typescript/__init__.py": BROKEN_GRAMMARS[request.param]})
    return {"PYTHONPATH": str(shadow)}


@pytest.mark.parametrize("broken_grammar", sorted(BROKEN_GRAMMARS), indirect=True)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_grammars_that_cannot_load_end_the_run_with_exit_2_saying_what_to_install(
        tmp_path: Path, broken_grammar: dict[str, str], jobs: str) -> None:
    write(tmp_path, {f"src/route_{index}.ts": CLEAN_ROUTE for index in range(20)})
    completed = _subprocess(tmp_path, "check", "--no-cache", "--jobs", jobs, "src",
                            env=broken_grammar)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and "please report" not in completed.stderr
    errors = completed.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(
        "backlint: error: the JS/TS engine cannot load its tree-sitter grammars (")
    assert "JS/TS files were not checked" in errors[0]
    assert "pip install 'tree-sitter==" in errors[0] and "'tree-sitter-typescript==" in errors[0]
    assert completed.stdout == ""


@pytest.mark.parametrize("broken_grammar", ["not importable"], indirect=True)
def test_checking_python_alone_needs_no_grammar(tmp_path: Path,
                                                broken_grammar: dict[str, str]) -> None:
    write(tmp_path, {"app.py": "def total(a: int) -> int:\n    return a\n"})
    completed = _subprocess(tmp_path, "check", "--no-cache", ".", env=broken_grammar)
    assert (completed.returncode, completed.stderr) == (0, "")


@pytest.mark.parametrize("broken_grammar", ["not importable"], indirect=True)
def test_a_warm_run_loads_no_grammar(tmp_path: Path, broken_grammar: dict[str, str]) -> None:
    """Every script a cache hit: the engine is never needed, so a warm run never loads it."""
    write(tmp_path, {"src/route.ts": CLEAN_ROUTE, "src/any.ts": ANY_TS})
    cold = _subprocess(tmp_path, "check", "--format", "json", "src")
    warm = _subprocess(tmp_path, "check", "--format", "json", "src", env=broken_grammar)
    assert (warm.returncode, warm.stdout, warm.stderr) == (1, cold.stdout, "")
    write(tmp_path, {"src/route.ts": CLEAN_ROUTE + ANY_TS})  # one miss: the check is back
    changed = _subprocess(tmp_path, "check", "--format", "json", "src", env=broken_grammar)
    assert changed.returncode == 2 and "cannot load its tree-sitter grammars" in changed.stderr


# c. files over max-file-bytes ---------------------------------------------------------------

def test_an_oversize_script_is_skipped_by_name_like_a_python_file(tmp_path: Path) -> None:
    write(tmp_path, {"src/big.ts": CLEAN_ROUTE * 20, "src/clean.ts": CLEAN_ROUTE,
                     "big.py": "x = 1\n" * 100,
                     "pyproject.toml": "[tool.backlint]\nmax-file-bytes = 200\n"})
    exit_code, document = run_json(tmp_path, "--no-cache")
    assert exit_code == 0 and document["findings"] == []
    errors = {item["path"]: item["message"] for item in document["errors"]}
    assert errors == {
        "big.py": "skipped: 600 bytes is over max-file-bytes (200); raise it in "
                  "[tool.backlint] to check this file, or exclude it",
        "src/big.ts": f"skipped: {len(CLEAN_ROUTE) * 20:,} bytes is over max-file-bytes (200); "
                      "raise it in [tool.backlint] to check this file, or exclude it"}
    # Skipped, not checked: an `any` in it is not reported, and a finding elsewhere still is.
    write(tmp_path, {"src/big.ts": ANY_TS * 20, "src/types.ts": ANY_TS})
    exit_code, document = run_json(tmp_path, "--no-cache", "src/big.ts", "src/types.ts")
    assert exit_code == 1
    assert [item["path"] for item in document["findings"]] == ["src/types.ts"]
    assert [item["path"] for item in document["errors"]] == ["src/big.ts"]


# d. FIFOs -----------------------------------------------------------------------------------

def test_a_fifo_named_like_a_script_is_skipped_walked_or_named(tmp_path: Path) -> None:
    write(tmp_path, {"src/clean.ts": CLEAN_ROUTE})
    os.mkfifo(tmp_path / "src/x.ts")
    os.mkfifo(tmp_path / "src/y.js")
    notice = "skipped: a FIFO, not a regular file; never opened"
    for named in (["src"], ["src/x.ts", "src/y.js", "src/clean.ts"]):
        completed = _subprocess(tmp_path, "check", "--format", "json", "--no-cache", *named)
        assert "Traceback" not in completed.stderr
        document = json.loads(completed.stdout)
        assert completed.returncode == 0 and document["findings"] == []
        assert document["errors"] == [{"path": "src/x.ts", "message": notice},
                                      {"path": "src/y.js", "message": notice}]


def test_the_oversize_message_names_the_projects_own_configuration_file(tmp_path: Path) -> None:
    write(tmp_path, {"src/big.ts": CLEAN_ROUTE * 20, "big.py": "x = 1\n" * 100,
                     "backlint.toml": "max-file-bytes = 200\n"})
    _, document = run_json(tmp_path, "--no-cache")
    assert {item["message"].partition("; ")[2] for item in document["errors"]} == {
        "raise it in backlint.toml to check this file, or exclude it"}
