"""Columns as character offsets, as SARIF's `unicodeCodePoints` and editors count them.

`ast` gives `col_offset` in UTF-8 bytes: in `def g(é: int, y: Any)` the `Any` is at character 16
but byte 17. Rules report what `ast` gives; the engine (per-file findings) and the project pass
(cross-file findings) convert once, so every front end reports the same column.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from .finding import Finding

# The line breaks Python's tokenizer counts (str.splitlines also breaks at \f, U+2028 ...).
_LINE_BREAK = re.compile("\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def in_characters(findings: Iterable[Finding],
                  lines_of: Callable[[str], list[str]]) -> list[Finding]:
    return [_converted(finding, lines_of(finding.path)) for finding in findings]


def _converted(finding: Finding, lines: list[str]) -> Finding:
    column = _characters(lines, finding.line, finding.column)
    end_column = _characters(lines, finding.end_line or finding.line, finding.end_column)
    if (column, end_column) == (finding.column, finding.end_column):
        return finding
    return replace(finding, column=column, end_column=end_column)


def _characters(lines: list[str], line: int, byte_offset: int) -> int:
    if not 0 < line <= len(lines) or byte_offset <= 0:
        return byte_offset
    text = lines[line - 1]
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore"))
