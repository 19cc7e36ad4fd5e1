"""Rules that are off by default, through every front end: they run only where a selection names
their exact code, in the CLI, flake8 and pylint alike; `rules`, `explain` and docs/rules say so.
(tests/test_default_off.py has the selection semantics.)

BKL103, the rule off by default today, needs the whole project to report anything without its
options (and an option turns it on), so these tests switch BKL101 off for their own duration."""
from __future__ import annotations

import json
from textwrap import dedent

import pytest
from click.testing import CliRunner

from backlint.cli import cli
from backlint.docgen import index_page, rule_page
from backlint.rules import all_rules, rule_by_code
from backlint.rules import settings as settings_module

LEAK = dedent('''\
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/items")
    def items():
        try:
            return {"items": load()}
        except Exception as error:
            return {"error": str(error)}
    ''')


@pytest.fixture
def off_rule(monkeypatch):
    rule = rule_by_code("BKL101")
    monkeypatch.setattr(rule, "default_enabled", False)
    settings_module._default_off_codes.cache_clear()
    yield rule
    monkeypatch.undo()
    settings_module._default_off_codes.cache_clear()


def _project(tmp_path, table: str = "") -> str:
    tmp_path.mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[tool.backlint]\n{table}\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(LEAK, encoding="utf-8")
    return str(tmp_path)


def _cli_codes(root: str, *extra: str) -> list[str]:
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", "--no-semgrep",
                                      *extra, root], catch_exceptions=False)
    return [item["code"] for item in json.loads(result.output)["findings"]]


def test_cli_runs_an_off_rule_only_when_selected(off_rule, tmp_path):
    assert "BKL101" not in _cli_codes(_project(tmp_path / "plain"))
    assert "BKL101" in _cli_codes(_project(tmp_path / "flag"), "--extend-select", "BKL101")
    assert "BKL101" in _cli_codes(_project(tmp_path / "file", 'extend-select = ["BKL101"]'))
    assert "BKL101" not in _cli_codes(_project(tmp_path / "prefix", 'select = ["BKL1"]'))


def test_flake8_runs_an_off_rule_only_when_selected(off_rule, tmp_path, capsys):
    from flake8.main.application import Application

    def codes(root: str, *extra: str) -> list[str]:
        Application().run(["--isolated", "--jobs=1", "--select=BKL", *extra,
                           "--format=%(code)s", f"{root}/app.py"])
        return capsys.readouterr().out.split()

    assert "BKL101" not in codes(_project(tmp_path / "plain"))
    assert "BKL101" in codes(_project(tmp_path / "flag"), "--extend-select=BKL101")
    assert "BKL101" in codes(_project(tmp_path / "file", 'extend-select = ["BKL101"]'))


def test_pylint_runs_an_off_rule_only_when_selected(off_rule, tmp_path, capsys):
    from pylint.lint import Run

    def symbols(root: str, enable: str) -> list[str]:
        Run(["--load-plugins=backlint.checkers", "--disable=all", f"--enable={enable}",
             "--score=n", "--persistent=n", "--msg-template={symbol}", f"{root}/app.py"],
            exit=False)
        return capsys.readouterr().out.split()

    symbol = off_rule.pylint_name()
    assert symbol not in symbols(_project(tmp_path / "plain"), "backlint-1xx")
    # pylint's --enable narrows what [tool.backlint] selects; it does not select.
    assert symbol not in symbols(_project(tmp_path / "named"), symbol)
    assert symbol in symbols(_project(tmp_path / "file", 'extend-select = ["BKL101"]'),
                             "backlint-1xx")


def test_rules_and_explain_say_off_by_default():
    listed = json.loads(CliRunner().invoke(cli, ["rules", "--format", "json"]).output)
    flags = {entry["code"]: entry["default_enabled"] for entry in listed}
    assert flags["BKL103"] is False and flags["BKL101"] is True
    text = CliRunner().invoke(cli, ["rules"]).output
    assert [line[:6] for line in text.splitlines() if "(off by default)" in line] == ["BKL103"]
    explained = CliRunner().invoke(cli, ["explain", "BKL103"]).output
    assert 'off by default; to run it, select its code: `extend-select = ["BKL103"]`' in explained
    assert "off by default" not in CliRunner().invoke(cli, ["explain", "BKL101"]).output


def test_rule_pages_say_off_by_default_and_how_to_turn_it_on():
    page = rule_page(rule_by_code("BKL103"))
    assert "**Off by default.**" in page and "`--extend-select BKL103` (backlint check" in page
    assert "Off by default" not in rule_page(rule_by_code("BKL101"))
    rows = [line for line in index_page(all_rules()).splitlines() if "(off by default)" in line]
    assert [row.split("]")[0] for row in rows] == ["| [BKL103"]
