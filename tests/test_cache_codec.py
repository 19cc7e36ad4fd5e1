"""The cache's encoding gives back exactly what every rule stored, and refuses what it cannot."""
from __future__ import annotations

import enum
import math
from pathlib import Path
from typing import NamedTuple

import pytest

from backlint.cache_codec import NotPlainData, decode_entry, encode_entry
from backlint.discovery import SCRIPT_SUFFIXES
from backlint.rules import FileError, FileResult, Finding, Settings, analyse_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KEY = "ab" * 32


def same(left: object, right: object) -> bool:
    """Equal and of the same types all the way down (1 == 1.0 == True and (1,) != [1] matter)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return (list(left) == list(right)  # type: ignore[arg-type]
                and all(same(key, other) for key, other in zip(left, right))  # type: ignore
                and all(same(left[key], right[key]) for key in left))  # type: ignore[index]
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(  # type: ignore[arg-type]
            same(item, other) for item, other in zip(left, right))  # type: ignore[call-overload]
    if isinstance(left, (set, frozenset)):
        return left == right
    return left == right


def round_trip(result: FileResult) -> FileResult:
    key, decoded = decode_entry(encode_entry(KEY, result).rstrip(b"\n"))
    assert key == KEY
    return decoded


def test_every_fixture_round_trips_exactly() -> None:
    sources = sorted(FIXTURES.rglob("*.py"))
    assert len(sources) > 50
    settings = Settings(root=str(FIXTURES))
    with_facts = 0
    for path in sources:
        result = analyse_source(path.read_bytes(), str(path), settings)
        decoded = round_trip(result)
        assert decoded == result, path
        assert same(decoded.facts, result.facts), path
        with_facts += bool(result.facts)
    assert with_facts > 50


def test_every_ts_fixture_round_trips_exactly() -> None:
    """The TS/JS engine's results and facts (its handlers, clients, imports) too."""
    from backlint.rules.ts.engine import analyse_script

    sources = sorted(path for path in FIXTURES.rglob("*") if path.suffix in SCRIPT_SUFFIXES
                     and not path.name.endswith(".d.ts"))
    assert len(sources) > 50
    settings = Settings(root=str(FIXTURES), check_tests=True)
    with_facts = with_findings = 0
    for path in sources:
        result = analyse_script(path.read_bytes(), str(path), settings)
        assert result.error is None, path
        decoded = round_trip(result)
        assert decoded == result, path
        assert same(decoded.facts, result.facts), path
        with_facts += bool(result.facts)
        with_findings += bool(result.findings)
    assert with_facts > 5 and with_findings > 10


AWKWARD = {"tuple": (1, "a", None, (2.5, True)), "set": {1, "x", (1, 2)},
           "frozen": frozenset({"a"}), "int keys": {1: "a", 2: (3,)}, "mixed keys": {"a": 1, 2: 3},
           "tuple keys": {("a", 1): [1, {"b": ()}]}, "a tag as key": {"~t": [1]},
           "another tag": {"~d": 1, "x": 2}, "floats": [0.1, -0.0, math.inf, 1e308],
           "big": 2 ** 100, "text": "\x00\n\u2028\udcff é", "empty": [(), {}, [], set()]}


def test_awkward_plain_values_round_trip_exactly() -> None:
    result = FileResult("/p/\udcffname.py",
                        findings=[Finding("/p/\udcffname.py", 1, 0, "BKL101", "m\x1b", 1, 2),
                                  Finding("/elsewhere.py", 3, 4, "BKL202", "n", 5, 6)],
                        facts={"BKL999": AWKWARD}, error=FileError("/p/x.py", "why"))
    decoded = round_trip(result)
    assert decoded == result and same(decoded.facts, result.facts)


class _Pair(NamedTuple):
    left: int
    right: int


class _Colour(enum.IntEnum):
    RED = 1


class _Name(str):
    pass


@pytest.mark.parametrize(("fact", "where", "kind"), [
    ({"a": [1, Path("x")]}, "facts['BKL999']['a'][1]", "PosixPath"),
    ({"a": _Pair(1, 2)}, "facts['BKL999']['a']", "_Pair"),
    ({"a": {_Colour.RED: 1}}, "a key of facts['BKL999']['a']", "_Colour"),
    ({"a": (1, {"b": _Name("x")})}, "facts['BKL999']['a'][1]['b']", "_Name"),
    ({"a": {b"bytes"}}, "facts['BKL999']['a'][0]", "bytes"),
])
def test_facts_that_are_not_plain_data_are_refused_by_name(fact, where, kind) -> None:
    result = FileResult("/p/x.py", facts={"BKL999": fact})
    with pytest.raises(NotPlainData) as raised:
        encode_entry(KEY, result)
    assert where in str(raised.value) and kind in str(raised.value)


def test_facts_nested_too_deeply_are_refused() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(NotPlainData, match="nested too deeply"):
        encode_entry(KEY, FileResult("/p/x.py", facts={"BKL999": deep}))
