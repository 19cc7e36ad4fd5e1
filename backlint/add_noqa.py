"""`--add-noqa`: write `# noqa: CODE` on the line of every current finding, as ruff does.

Codes already listed on a line are kept and new ones added to the same comment; a line with a
bare `# noqa` already suppresses everything. A Python line that ends inside a multi-line string
cannot take a comment: such findings are counted as skipped rather than corrupting the string.
"""
from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

from backlint.rules.noqa import source_lines_with_ends, suppressed_codes

_NOQA_CODES = re.compile(
    r"(?:#|//)\s*noqa:\s?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*)", re.IGNORECASE)
_PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass
class NoqaEdits:
    files: int = 0
    lines: int = 0
    skipped: list[tuple[str, int]] = field(default_factory=list)


def add_noqa(findings: Iterable[tuple[str, int, str]]) -> NoqaEdits:
    """Edit each file once; `findings` are `(path, line, code)`."""
    wanted: dict[str, dict[int, set[str]]] = {}
    for path, line, code in findings:
        wanted.setdefault(path, {}).setdefault(line, set()).add(code)
    edits = NoqaEdits()
    for path in sorted(wanted):
        changed = _edit_file(path, wanted[path], edits)
        edits.files += bool(changed)
        edits.lines += changed
    return edits


def _edit_file(path: str, codes_by_line: dict[int, set[str]], edits: NoqaEdits) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    text = data.decode("utf-8", "surrogateescape")
    lines = source_lines_with_ends(text)
    inside_strings = _lines_inside_strings(text) if path.endswith(_PYTHON_SUFFIXES) else set()
    marker = "#" if path.endswith(_PYTHON_SUFFIXES) else "//"
    changed = 0
    for line, codes in sorted(codes_by_line.items()):
        if not 0 < line <= len(lines) or line in inside_strings:
            edits.skipped.append((path, line))
            continue
        edited = _with_codes(lines[line - 1], sorted(codes), marker)
        changed += edited != lines[line - 1]
        lines[line - 1] = edited
    if changed:
        with open(path, "wb") as handle:
            handle.write("".join(lines).encode("utf-8", "surrogateescape"))
    return changed


def _with_codes(line: str, codes: list[str], marker: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    present = suppressed_codes(body)
    if present == ():
        return line  # a bare noqa already suppresses every code
    missing = [code for code in codes if not present or not any(
        code.startswith(listed) for listed in present)]
    if not missing:
        return line
    match = _NOQA_CODES.search(body)
    if match:
        merged = ", ".join([*match.group("codes").replace(",", " ").split(), *missing])
        body = body[:match.start("codes")] + merged + body[match.end("codes"):]
    else:
        body = f"{body.rstrip()}  {marker} noqa: {', '.join(missing)}"
    return body + ending


def _lines_inside_strings(text: str) -> set[int]:
    """Lines a multi-line string token spans other than its last (a comment there is text)."""
    inside: set[int] = set()
    # Python 3.12+ splits f-strings into FSTRING_START ... FSTRING_END tokens.
    fstring_start, fstring_end = (getattr(tokenize, "FSTRING_START", -1),
                                  getattr(tokenize, "FSTRING_END", -1))
    open_fstrings: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == fstring_start:
                open_fstrings.append(token.start[0])
            elif token.type == fstring_end and open_fstrings:
                inside.update(range(open_fstrings.pop(), token.end[0]))
            elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside
