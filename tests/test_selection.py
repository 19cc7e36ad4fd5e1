"""Selecting what no rule checks is a usage error: it would check nothing and pass.

Which codes are implemented is read from the catalog at the time (rules are being added), never
from a list in this file.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from backlint.rules import codes
from test_cli import ANY_MODULE, codes as finding_codes, run, run_json, write

UNIMPLEMENTED = sorted(set(codes.RESERVED_CODES) - codes.implemented_codes())
IMPLEMENTED = sorted(codes.implemented_codes())


def _without(monkeypatch: pytest.MonkeyPatch, *dropped: str) -> None:
    """A release in which the rules of `dropped` are not written yet."""
    remaining = frozenset(codes.implemented_codes()) - set(dropped)
    monkeypatch.setattr(codes, "implemented_codes", lambda: remaining)


def _usage_error(root: Path, *args: str) -> str:
    result = run(root, "check", "--no-semgrep", *args)
    assert result.exit_code == 2, result.output
    return result.stderr


@pytest.mark.parametrize(("args", "config"), [
    (("--select", "BKL401,{code}"), ""),
    (("--extend-select", "{code}"), ""),
    ((), 'select = ["{code}"]\n'),
    ((), 'extend-select = ["BKL1", "{code}"]\n'),
])
def test_selecting_a_reserved_code_no_rule_implements_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
        config: str) -> None:
    code = UNIMPLEMENTED[0] if UNIMPLEMENTED else IMPLEMENTED[-1]
    _without(monkeypatch, code)  # a no-op while the code is still unimplemented
    write(tmp_path, {"types.py": ANY_MODULE})
    if config:
        write(tmp_path, {"pyproject.toml": "[tool.backlint]\n" + config.format(code=code)})
    stderr = _usage_error(tmp_path, *(arg.format(code=code) for arg in args))
    assert f"`{code}` is not implemented yet" in stderr
    assert code not in stderr.split("implemented codes:")[1]
    assert IMPLEMENTED[0] in stderr  # what can be selected is listed


@pytest.mark.skipif(not UNIMPLEMENTED, reason="every reserved code is implemented")
def test_the_real_catalog_rejects_every_unimplemented_reserved_code(tmp_path: Path) -> None:
    write(tmp_path, {"types.py": ANY_MODULE})
    for code in UNIMPLEMENTED:
        assert f"`{code}` is not implemented yet" in _usage_error(tmp_path, "--select", code)


def test_a_prefix_matching_only_unimplemented_codes_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"types.py": ANY_MODULE})
    _without(monkeypatch, *(code for code in IMPLEMENTED if code.startswith("BKL4")))
    stderr = _usage_error(tmp_path, "--select", "BKL4")
    assert "`BKL4` is not implemented yet: no rule of this release checks this prefix" in stderr
    assert _usage_error(tmp_path, "--select", "BKL40").count("not implemented yet") == 1


def test_ignoring_an_unimplemented_code_is_fine(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "BKL402")
    write(tmp_path, {"types.py": ANY_MODULE,
                     "pyproject.toml": '[tool.backlint]\nignore = ["BKL402"]\n'
                                       '[tool.backlint.per-file-ignores]\n"x/*" = ["BKL402"]\n'})
    exit_code, document = run_json(tmp_path, "--ignore", "BKL402", "--select", "BKL4")
    assert exit_code == 1 and finding_codes(document) == [("types.py", "BKL401", 4)]


def test_an_empty_selection_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"types.py": ANY_MODULE, "pyproject.toml": "[tool.backlint]\nselect = []\n"})
    assert "`select = []` selects no rule" in _usage_error(tmp_path)


def test_codes_the_semgrep_pack_checks_are_implemented() -> None:
    # The pack's codes count: JS/TS files are checked for them.
    assert codes.pack_codes() and codes.pack_codes() <= codes.implemented_codes()
    assert {rule.code for rule in codes.all_rules()} <= codes.implemented_codes()
