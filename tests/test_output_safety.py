"""Text from the checked tree never reaches a terminal raw, every format survives undecodable
file names, and columns count characters (as SARIF's unicodeCodePoints says)."""
from __future__ import annotations

import ast
import json
import os
import re
import sys
import xml.dom.minidom
from pathlib import Path

import pytest

from backlint.checkers.flake8_plugin import BacklintFlake8
from backlint.reporters import Report, Row, format_text
from test_cli import codes, run

# What may not appear raw in terminal output: C0 (but tab and the line breaks between report
# lines), DEL, C1, bidi controls, line separators, lone surrogates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                         "\ud800-\udfff]")
FORGED = "forged.py:1:1: BKL101 fake"
ROUTE = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/')\n"
    "def index():\n"
    "    return {'\x1b[2J\u202eclear': 1, 'ok\\n" + FORGED + "': 2}\n"
)
ENVELOPE = '[tool.backlint]\nresponse-envelope = ["data"]\nexplicit-any-scope = "everywhere"\n'
ODD_NAME = os.fsdecode(b"caf\xe9 \x1b[2J\\x.py")  # undecodable byte, escape, backslash


@pytest.fixture(name="hostile")
def hostile_fixture(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(ENVELOPE, encoding="utf-8")
    (tmp_path / "app.py").write_text(ROUTE, encoding="utf-8")
    (tmp_path / ODD_NAME).write_bytes(b"from typing import Any\n\n\ndef f(x: Any) -> int:\n"
                                      b"    return 1\n")
    return tmp_path


def test_text_output_escapes_control_characters(hostile: Path) -> None:
    result = run(hostile, "check", "--no-semgrep", "--no-cache", "--show-source")
    assert result.exit_code == 1
    assert not RAW_CONTROL.search(result.stdout + result.stderr)
    assert "\\x1b[2J\\u202eclear" in result.stdout
    assert "caf\\xe9 \\x1b[2J\\x.py:4:10: BKL401" in result.stdout
    assert not any(line.startswith("forged.py") for line in result.stdout.splitlines())
    frame = next(line for line in result.stdout.splitlines() if line.startswith("  8 |"))
    carets = result.stdout.splitlines()[result.stdout.splitlines().index(frame) + 1]
    assert frame.index("{") == carets.index("^")  # the underline still starts at the dict


def test_text_reporter_escapes_messages_and_paths() -> None:
    row = Row(path="a\x1b]0;title\x07.py", line=1, column=0, code="BKL103",
              symbol="inconsistent-response-shape", severity="warning",
              message="keys {\u2066x\u2069, \x9bq}", end_line=1, end_column=1)
    text = format_text(Report(version="0", rows=[row], checked=1))
    assert text.startswith("a\\x1b]0;title\\x07.py:1:1: BKL103 keys {\\u2066x\\u2069, \\x9bq}")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab", "junit", "github"])
def test_every_format_survives_undecodable_and_hostile_names(
        hostile: Path, output_format: str) -> None:
    result = run(hostile, "check", "--no-semgrep", "--no-cache", "--format", output_format)
    assert result.exit_code == 1
    result.stdout.encode("utf-8")  # no lone surrogate left: strict UTF-8 and JSON parsers cope
    if output_format == "junit":
        xml.dom.minidom.parseString(result.stdout.encode("utf-8"))
    elif output_format == "github":
        assert not RAW_CONTROL.search(result.stdout)
    else:
        json.loads(result.stdout)


def test_json_paths_and_sarif_uris_keep_the_file_name(hostile: Path) -> None:
    document = json.loads(run(hostile, "check", "--no-semgrep", "--no-cache", "--format",
                              "json").stdout)
    assert ("caf\\xe9 \x1b[2J\\x.py", "BKL401", 4) in codes(document)
    sarif = json.loads(run(hostile, "check", "--no-semgrep", "--no-cache", "--format",
                           "sarif").stdout)
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in sarif["runs"][0]["results"]}
    # The file name's own bytes, percent-encoded; the backslash is part of the name.
    assert uris == {"app.py", "caf%E9%20%1B%5B2J%5Cx.py"}


NON_ASCII = ("from typing import Any\n\n\n"
             "def greet(prénom: str, 名前: str, extra: Any) -> str:  # é\n"
             "    return prénom\n")


def test_columns_are_character_offsets_in_every_front_end(tmp_path: Path) -> None:
    (tmp_path / "names.py").write_text(NON_ASCII, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.backlint]\nexplicit-any-scope = "everywhere"\n',
                                             encoding="utf-8")
    line = NON_ASCII.splitlines()[3]
    column = line.index("Any")  # 39 characters; ast says 44 (UTF-8 bytes)
    assert ast.parse(NON_ASCII).body[1].args.args[2].annotation.col_offset == column + 5
    document = json.loads(run(tmp_path, "check", "--no-semgrep", "--no-cache", "--format",
                              "json").stdout)
    assert [(item["column"], item["end_column"]) for item in document["findings"]] == [
        (column, column + 3)]
    sarif = json.loads(run(tmp_path, "check", "--no-semgrep", "--no-cache", "--format",
                           "sarif").stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (column + 1, column + 4)
    flake8 = BacklintFlake8(ast.parse(NON_ASCII), str(tmp_path / "names.py"),
                            NON_ASCII.splitlines(keepends=True))
    assert [col for _, col, _, _ in flake8.run()] == [column]


def test_cross_file_columns_are_character_offsets(tmp_path: Path) -> None:
    for name, variable in (("a", "clïent_é"), ("b", "clïent_ü")):
        (tmp_path / f"{name}.py").write_text(
            f'import httpx\n\n{variable} = httpx.Client(base_url="https://api.example.com")\n',
            encoding="utf-8")
    document = json.loads(run(tmp_path, "check", "--no-semgrep", "--no-cache", "--format",
                              "json").stdout)
    assert [(item["code"], item["column"]) for item in document["findings"]] == [
        ("BKL202", len("clïent_ü = "))]
