"""`# noqa` and `# noqa: BKL101,BKL401` comments (`// noqa` in TS/JS), with flake8's meaning,
for every front end; `# backlint: noqa` (or `# backlint: noqa: BKL401`) on a line of its own
covers the whole file."""
from __future__ import annotations

import re

from .finding import Finding

# `# noqa` in Python, `// noqa` (or `/* noqa */`) in TS/JS.
_NOQA = re.compile(r"(?:#|//|/\*)\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?",
                   re.IGNORECASE)


_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines_with_ends(text: str) -> list[str]:
    """The lines as Python numbers them (see columns.source_lines), each with its own line break,
    for rewriting a file; str.splitlines would also break at form feeds and U+2028."""
    return _LINE_WITH_END.findall(text)


def suppressed_codes(line: str) -> tuple[str, ...] | None:
    """None if the line has no noqa; () for a bare noqa (everything); else the listed codes."""
    if "noqa" not in line.lower():
        return None
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return tuple(re.split(r"[,\s]+", codes.strip().upper())) if codes else ()


_FILE_NOQA = re.compile(r"^\s*(?:#|//)\s*backlint:\s*noqa(?::\s*(?P<codes>[A-Z0-9,\s]+))?\s*$",
                        re.IGNORECASE)


def file_suppressed_codes(lines: list[str]) -> tuple[str, ...] | None:
    """Like `suppressed_codes`, for the file-level comment: None, () for all, or the codes."""
    listed: list[str] = []
    for line in lines:
        if "backlint" not in line:
            continue
        match = _FILE_NOQA.match(line)
        if match is None:
            continue
        if not match.group("codes") or not match.group("codes").strip():
            return ()
        listed.extend(re.split(r"[,\s]+", match.group("codes").strip().upper()))
    return tuple(listed) if listed else None


def _covers(codes: tuple[str, ...] | None, code: str) -> bool:
    if codes is None:
        return False
    return not codes or any(code.startswith(listed) for listed in codes)


def is_suppressed(finding: Finding, lines: list[str]) -> bool:
    if _covers(file_suppressed_codes(lines), finding.code):
        return True
    if not 0 < finding.line <= len(lines):
        return False
    return _covers(suppressed_codes(lines[finding.line - 1]), finding.code)


def without_suppressed(findings: list[Finding], lines: list[str]) -> list[Finding]:
    whole_file = file_suppressed_codes(lines) if findings else None
    return [finding for finding in findings if not _covers(whole_file, finding.code)
            and not (0 < finding.line <= len(lines)
                     and _covers(suppressed_codes(lines[finding.line - 1]), finding.code))]
