"""One file's result never depends on what ran before it or on the caller's stack depth, and
the host process (flake8, pylint, the CLI) keeps its own recursion limit."""
from __future__ import annotations

import sys

from backlint.checkers.flake8_plugin import BacklintFlake8
from backlint.rules import Settings, analyse_source

ANY_MODULE = "from typing import Any\n\n\nJson = dict[str, Any]\n"
# Deep enough that the walk needs far more frames than Python's default limit of 1,000.
DEEP_SUM = ANY_MODULE + "TOTAL = " + "order + " * 3_000 + "order\n"
TOO_DEEP_SUM = "TOTAL = " + "order + " * 20_000 + "order\n"


def _result(source: str, path: str = "app/deep.py"):
    result = analyse_source(source, path, Settings(root="."))
    return result.findings, result.error


def _at_depth(frames: int, source: str):
    if frames == 0:
        return _result(source)
    return _at_depth(frames - 1, source)


def test_the_recursion_limit_is_restored_after_each_file() -> None:
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1_234)
    try:
        findings, error = _result(DEEP_SUM)
        assert error is None and [finding.code for finding in findings] == ["BKL401"]
        assert sys.getrecursionlimit() == 1_234
        _, error = _result(TOO_DEEP_SUM)
        assert error is not None and error.message == "nested too deeply to analyse; skipped"
        assert sys.getrecursionlimit() == 1_234
    finally:
        sys.setrecursionlimit(before)


def test_a_deep_file_gives_the_same_result_first_last_and_deep_in_the_stack() -> None:
    first = [_result(DEEP_SUM), _result(TOO_DEEP_SUM), _result(ANY_MODULE)]
    last = [_result(DEEP_SUM), _result(TOO_DEEP_SUM), _result(ANY_MODULE)]
    nested = [_at_depth(600, DEEP_SUM), _at_depth(600, TOO_DEEP_SUM), _at_depth(600, ANY_MODULE)]
    assert first == last == nested


def test_flake8_host_keeps_its_recursion_limit() -> None:
    import ast
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)  # flake8 or pylint may have raised their own
    try:
        tree = ast.parse(DEEP_SUM)
        lines = DEEP_SUM.splitlines(keepends=True)
        found = list(BacklintFlake8(tree, "app/deep.py", lines).run())
        assert [text.split()[0] for _, _, text, _ in found] == ["BKL401"]
        assert sys.getrecursionlimit() == 1_000_000
    finally:
        sys.setrecursionlimit(before)
