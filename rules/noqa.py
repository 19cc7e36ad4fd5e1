"""`# noqa` and `# noqa: BKL101,BKL401` comments, with flake8's meaning, for every front end."""
from __future__ import annotations

import re

from .finding import Finding

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?",
                   re.IGNORECASE)


def suppressed_codes(line: str) -> tuple[str, ...] | None:
    """None if the line has no noqa; () for a bare noqa (everything); else the listed codes."""
    if "noqa" not in line.lower():
        return None
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return tuple(re.split(r"[,\s]+", codes.strip().upper())) if codes else ()


def is_suppressed(finding: Finding, lines: list[str]) -> bool:
    if not 0 < finding.line <= len(lines):
        return False
    codes = suppressed_codes(lines[finding.line - 1])
    if codes is None:
        return False
    return not codes or any(finding.code.startswith(code) for code in codes)


def without_suppressed(findings: list[Finding], lines: list[str]) -> list[Finding]:
    return [finding for finding in findings if not is_suppressed(finding, lines)]
