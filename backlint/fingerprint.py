"""Fingerprints that name a finding without its line number, for baselines and SARIF.

A finding is identified by its rule, its file, the function or class around it and its line's
text with spacing collapsed: moving code up or down, or editing other functions, keeps the
fingerprint; editing the offending line itself makes it a new finding, as it should. Identical
lines in the same scope are told apart by their order.

The enclosing scope is read from the text (indentation and `def`/`class`/`function` headers), so
one method serves Python and TypeScript/JavaScript without parsing a file again.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_SCOPE_HEADERS = (
    re.compile(r"(?:async\s+)?def\s+(?P<name>\w+)"),
    re.compile(r"(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+(?P<name>\w+)"),
    re.compile(r"(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(?P<name>\w+)"),
    re.compile(r"(?:export\s+)?(?:const|let|var)\s+(?P<name>\w+)\s*(?::[^=]+)?=\s*"
               r"(?:async\s+)?(?:function\b|\(|\w+\s*=>)"),
    re.compile(r"(?:(?:public|private|protected|static|async|get|set)\s+)*"
               r"(?P<name>[A-Za-z_]\w*)\s*\([^;]*\)\s*(?::[^{]+)?\{\s*$"),
)
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "with", "return", "function"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Located:
    """What a fingerprint is computed from: one finding, its path as the baseline writes it."""

    code: str
    path: str
    line: int


def enclosing_scope(lines: list[str], line: int) -> str:
    """Dotted names of the functions and classes around 1-based `line` (`Users.get`), or ''."""
    if not 0 < line <= len(lines):
        return ""
    limit = _indent(lines[line - 1])
    # A finding on a `def`/`class` line (a signature, a base class) belongs to that scope.
    own = _scope_name(lines[line - 1].strip())
    names: list[str] = [own] if own else []
    for text in reversed(lines[:line - 1]):
        if limit == 0:
            break
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", "//", "*", "/*", "@")):
            continue
        indent = _indent(text)
        if indent >= limit:
            continue
        limit = indent
        name = _scope_name(stripped)
        if name:
            names.append(name)
    return ".".join(reversed(names))


def _scope_name(stripped: str) -> str:
    for header in _SCOPE_HEADERS:
        match = header.match(stripped)
        if match and match.group("name") not in _NOT_METHODS:
            return match.group("name")
    return ""


def _indent(text: str) -> int:
    expanded = text.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def snippet(lines: list[str], line: int) -> str:
    """The finding's line with its spacing collapsed, so re-indenting keeps the fingerprint."""
    if not 0 < line <= len(lines):
        return ""
    return _SPACES.sub(" ", lines[line - 1]).strip()


def fingerprints(findings: Iterable[Located],
                 lines_of: Callable[[str], list[str]]) -> list[tuple[str, str, str]]:
    """`(fingerprint, scope, snippet)` of each finding, in the order given; the n-th identical
    (code, path, scope, snippet) gets n in its hash, so repeated lines stay distinct."""
    ordered = sorted(enumerate(findings), key=lambda item: (item[1].path, item[1].line))
    seen: dict[tuple[str, str, str, str], int] = {}
    found: dict[int, tuple[str, str, str]] = {}
    for position, finding in ordered:
        lines = lines_of(finding.path)
        scope, text = enclosing_scope(lines, finding.line), snippet(lines, finding.line)
        identity = (finding.code, finding.path, scope, text)
        occurrence = seen.get(identity, 0)
        seen[identity] = occurrence + 1
        digest = hashlib.sha256("\0".join((*identity, str(occurrence))).encode(
            "utf-8", "surrogateescape")).hexdigest()[:20]
        found[position] = (digest, scope, text)
    return [found[position] for position in range(len(found))]
