"""Path patterns in the gitignore style users already write for flake8 and ruff."""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    regex = ""
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            regex += "(?:.*/)?"
            index += 3
        elif body.startswith("**", index):
            regex += ".*"
            index += 2
        elif body[index] == "*":
            regex += "[^/]*"
            index += 1
        elif body[index] == "?":
            regex += "[^/]"
            index += 1
        else:
            regex += re.escape(body[index])
            index += 1
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern naming a folder also matches everything below it.
    return re.compile(f"^{prefix}{regex}(?:/.*)?$")


def matches(relative_path: str, pattern: str) -> bool:
    """True if a '/'-separated path relative to the project root matches the pattern."""
    return bool(_compile(pattern).match(relative_path))


def matches_any(relative_path: str, patterns: tuple[str, ...]) -> bool:
    return any(matches(relative_path, pattern) for pattern in patterns)
