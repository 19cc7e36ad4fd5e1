"""pyproject.toml is read as TOML: every spelling of the table is found, an unreadable or wrongly
typed configuration is an error naming it (once per run in every front end), and `# noqa` and
code frames number lines as Python does."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backlint.rules.settings import find_pyproject

from test_cli import ANY_MODULE, LEAKY_ROUTE, run, write

BIN = Path(sys.executable).parent

SPELLINGS = {
    "header": '[tool.backlint]\nignore = ["BKL4"]\n',
    "spaced header": '[ tool . backlint ]\nignore = ["BKL4"]\n',
    "quoted header": '[tool."backlint"]\nignore = ["BKL4"]\n',
    "inline table": '[tool]\nbacklint = { ignore = ["BKL4"] }\n',
    "dotted key under [tool]": '[tool]\nbacklint.ignore = ["BKL4"]\n',
    "dotted key at the top": 'tool.backlint.ignore = ["BKL4"]\n',
    "after other tables": '[project]\nname = "x"\n\n[tool.black]\nline-length = 99\n\n'
                          '[tool.backlint]\nignore = ["BKL4"]\n',
}


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_of_the_table_configures_the_project(tmp_path: Path, text: str) -> None:
    project = write(tmp_path, {"pyproject.toml": text, "app/routes.py": LEAKY_ROUTE,
                               "app/types.py": ANY_MODULE})
    result = run(project, "check", "--format", "json", "--no-semgrep", "--no-cache", ".")
    codes = {item["code"] for item in json.loads(result.stdout)["findings"]}
    assert codes == {"BKL101"}, result.stderr


NOT_THE_TABLE = {
    "a comment": '# [tool.backlint]\n[project]\nname = "x"\n',
    "a string": '[project]\ndescription = "see [tool.backlint] in the docs"\n',
    "another tool": '[tool.backlint-extra]\nignore = ["BKL4"]\n',
    "invalid TOML of another tool": '[tool.black\nline-length = 99\n',
}


@pytest.mark.parametrize("text", NOT_THE_TABLE.values(), ids=NOT_THE_TABLE.keys())
def test_near_misses_do_not_hide_the_enclosing_configuration(tmp_path: Path, text: str) -> None:
    outer = write(tmp_path, {"pyproject.toml": '[tool.backlint]\nignore = ["BKL1"]\n',
                             "inner/pyproject.toml": text})
    assert find_pyproject(outer / "inner") == outer / "pyproject.toml"


WRONG_TYPES = {
    "array of tables": ('[[tool.backlint]]\nignore = ["BKL4"]\n', "an array of tables"),
    "string": ('[tool]\nbacklint = "x"\n', "a string ('x')"),
    "number": ("tool.backlint = 1\n", "a number"),
}


@pytest.mark.parametrize(("text", "kind"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_a_wrongly_typed_table_is_a_configuration_error(tmp_path: Path, text: str,
                                                        kind: str) -> None:
    project = write(tmp_path, {"pyproject.toml": text, "app/routes.py": LEAKY_ROUTE})
    result = run(project, "check", "--no-semgrep", "--no-cache", ".")
    assert result.exit_code == 2
    assert "`tool.backlint` must be a table" in result.stderr and kind in result.stderr
    assert str(project / "pyproject.toml") in result.stderr


def _unreadable(kind: str, config: Path) -> None:
    if kind == "dangling link":
        config.symlink_to(config.parent / "missing.toml")
    elif kind == "link loop":
        config.symlink_to(config)
    elif kind == "fifo":
        os.mkfifo(config)
    else:
        config.write_text('[tool.backlint\nignore = ["BKL4"]\n')


@pytest.mark.parametrize("kind", ["dangling link", "link loop", "fifo", "invalid TOML"])
@pytest.mark.parametrize("name", ["pyproject.toml", "backlint.toml"])
def test_an_unreadable_configuration_is_an_error_not_skipped(tmp_path: Path, kind: str,
                                                             name: str) -> None:
    project = write(tmp_path, {"app/routes.py": LEAKY_ROUTE})
    _unreadable(kind, project / name)
    result = subprocess.run([str(BIN / "backlint"), "check", "--no-semgrep", "--no-cache", "."],
                            cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert f"{project / name}: cannot read it" in result.stderr
    assert "Traceback" not in result.stderr


LEAK = '        return {"error": str(e)}, 500'
NOQA_THEN_LEAK = LEAKY_ROUTE.replace(LEAK, LEAK + "  # noqa: BKL101") + (
    '\n\n@app.get("/other")\ndef other():\n    try:\n        return {"ok": True}\n'
    '    except Exception as e:\n        return {"error": str(e)}, 500\n')
# Each of these is a line break to str.splitlines but not to Python.
BREAKS = "\f \v \x1c \x1d \x1e \x85 \u2028 \u2029"
SHIFTING_ROUTE = f'"""Orders: {BREAKS}."""\n# {BREAKS}\n' + NOQA_THEN_LEAK


def test_noqa_and_code_frames_number_lines_as_python_does(tmp_path: Path) -> None:
    project = write(tmp_path, {"app/routes.py": SHIFTING_ROUTE})
    result = run(project, "check", "--no-semgrep", "--no-cache", "--show-source", ".")
    findings = [line for line in result.stdout.splitlines() if "BKL101" in line]
    lines = SHIFTING_ROUTE.split("\n")
    expected = len(lines) - lines[::-1].index(LEAK)
    assert [line.split(":")[1] for line in findings] == [str(expected)], result.stdout
    frame = result.stdout.split(findings[0], 1)[1].splitlines()[1:3]
    assert f"{expected} | {LEAK}" in frame[1], result.stdout
