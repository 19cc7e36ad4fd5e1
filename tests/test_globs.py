"""Path patterns: gitignore-style semantics, matched in time linear in the path."""
from __future__ import annotations

import random
import re

import pytest

from backlint.rules.globs import matches, matches_any


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("migrations", "app/migrations/0001_initial.py", True),
    ("migrations", "app/migrationsx/a.py", False),
    ("*.egg-info", "src/backlint.egg-info/PKG-INFO", True),
    ("app/*.py", "app/routes.py", True),
    ("app/*.py", "app/sub/routes.py", False),
    ("app/**/*.py", "app/sub/deeper/routes.py", True),
    ("app/**/*.py", "app/routes.py", True),
    ("/build/", "build/lib/x.py", True),
    ("/build/", "src/build/x.py", False),
    ("test_?.py", "tests/test_a.py", True),
    ("test_?.py", "tests/test_ab.py", False),
    ("src/**", "src/a/b.py", True),
    ("", "", True),
])
def test_pattern_semantics(pattern: str, path: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def _reference(pattern: str) -> re.Pattern[str]:
    """The backtracking translation the matcher replaced; fine on short inputs."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    pieces = re.findall(r"\*\*/|\*\*|\*|\?|[^*?]", body)
    wild = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    regex = "".join(wild.get(piece, re.escape(piece)) for piece in pieces)
    return re.compile(f"^{'' if anchored else '(?:.*/)?'}{regex}(?:/.*)?$")


def test_same_language_as_the_regex_translation_on_random_short_inputs() -> None:
    rng = random.Random(12)
    for _ in range(2_000):
        pattern = "".join(rng.choice("ab/*?.") for _ in range(rng.randint(1, 8)))
        path = "".join(rng.choice("ab/.") for _ in range(rng.randint(0, 10)))
        assert matches(path, pattern) is bool(_reference(pattern).match(path)), (pattern, path)


def test_a_pattern_that_backtracks_exponentially_in_a_regex_is_matched_at_once() -> None:
    # A backtracking matcher needs about C(60, 10) (~7.5e10) steps for the first path.
    pattern = "*a" * 10 + "*b"
    assert not matches("a" * 60, pattern)
    assert matches("a" * 60 + "b", pattern)
    assert matches_any("x/" + "a" * 5_000, ("node_modules", pattern, "*a")) is True
    assert matches_any("a" * 5_000, ()) is False
