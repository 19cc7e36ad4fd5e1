"""The engine: one walk per file, shared collectors run once for all the rules that read them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from backlint.rules import Settings, analyse_source
from backlint.rules.client_index import ClientFacts
from backlint.rules.imports_index import ImportAliases
from backlint.rules.engine import import_path

SOURCE = """
import os

import httpx
from fastapi import APIRouter
from redis import Redis

router = APIRouter()
cache = Redis.from_url(os.environ["REDIS_URL"])


@router.get("/rates")
async def rates():
    async with httpx.AsyncClient() as client:
        return (await client.get("https://rates.example.com")).json()
"""


def _analyse(select: tuple[str, ...]):
    return analyse_source(SOURCE, "app/routes.py", replace(Settings(root="."), select=select))


def test_client_facts_are_collected_once_for_both_client_rules(monkeypatch):
    calls = []
    original = ClientFacts.finish_file
    monkeypatch.setattr(ClientFacts, "finish_file",
                        lambda self: (calls.append(self), original(self))[1])
    result = _analyse(("BKL201", "BKL202"))
    assert len(calls) == 1
    assert set(result.facts) == {ClientFacts.name, ImportAliases.name}
    assert [finding.code for finding in result.findings] == ["BKL201"]


def test_a_collector_runs_for_any_one_rule_that_reads_it():
    assert ClientFacts.name in _analyse(("BKL202",)).facts
    assert ClientFacts.name not in _analyse(("BKL401",)).facts


def _touch(path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")


def test_modules_are_named_from_the_project_root_below_the_checked_root(tmp_path):
    _touch(tmp_path / "server" / "setup.cfg")
    _touch(tmp_path / "server" / "polar" / "__init__.py")
    _touch(tmp_path / "server" / "polar" / "worker" / "__init__.py")
    module = tmp_path / "server" / "polar" / "worker" / "sqs.py"
    assert import_path(str(module)) == "polar/worker/sqs.py"


def test_namespace_packages_and_loose_files_keep_the_checked_root_naming(tmp_path):
    _touch(tmp_path / "src" / "ai" / "backend" / "manager" / "__init__.py")
    assert import_path(str(tmp_path / "src" / "ai" / "backend" / "manager" / "api.py")) is None
    assert import_path(str(tmp_path / "app" / "main.py")) is None


_NESTED_101 = "".join(" " * depth + "if x:\n" for depth in range(101)) + " " * 101 + "pass\n"


@pytest.mark.parametrize(("source", "newer"), [
    ("type Alias = int\n", True),  # PEP 695
    ("def first[T](items: list[T]) -> T: ...\n", True),
    ('label = f"{row["name"]}"\n', True),  # PEP 701
    ("try:\n    pass\nexcept KeyError, ValueError:\n    pass\n", True),  # PEP 758
    ("if x:\npass\n", False),
    ("if x:\n\tpass\n        pass\n", False),
    (_NESTED_101, False),  # too many indentation levels
    ("(" * 201 + ")" * 201 + "\n", False),
    ("x = 1\0\n", False),
    ("x = " + "1" * 5000 + "\n", False),  # the integer digit limit
    ('x = "\\N{NO SUCH NAME}"\n', False),
    ("x = 1 \u00a7 2\n", False),
    ("x = 1\u200b\n", False),
    ('x = """never closed\n', False),
])
def test_the_newer_python_hint_only_where_newer_syntax_could_explain_the_error(
        source: str, newer: bool) -> None:
    result = analyse_source(source, "app/module.py", Settings(root="."))
    if result.error is None:  # this Python accepts the newer syntax
        assert newer
        return
    assert result.error.message.startswith(("syntax error", "cannot be parsed"))
    assert ("newer syntax" in result.error.message) is newer, result.error.message
