"""Text from the checked tree (file names, quoted source) made safe for where it is written.

A file name or a dict key quoted in a message can hold terminal control sequences
(`"\\x1b[2J"` clears the screen), line breaks that forge report lines, or bidirectional
overrides that reorder what is shown; undecodable file names arrive as lone surrogates
(surrogateescape), which neither UTF-8 output nor strict JSON parsers accept. For terminals and
logs every such character is written as a visible escape (`\\x1b`, `\\u202e`; an undecodable
byte as `\\xe9`); for JSON only the surrogates are (JSON escapes control characters itself).
"""
from __future__ import annotations

import re

# C0 controls but tab, DEL and C1 controls, bidi marks and overrides, line and paragraph
# separators, and surrogates.
_FOR_TERMINAL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def for_terminal(text: str) -> str:
    return _FOR_TERMINAL.sub(_escape, text)


def for_data(text: str) -> str:
    return _SURROGATE.sub(_escape, text)


def data_safe(value: object) -> object:
    """A JSON document (dicts, lists, strings ...) with every string made `for_data`."""
    if isinstance(value, str):
        return for_data(value)
    if isinstance(value, dict):
        return {data_safe(key): data_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [data_safe(item) for item in value]
    return value


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
