"""Output formats CI services read: GitHub workflow commands, JUnit XML, GitLab Code Quality.

Each is a pure function from a `Report` to a string, like the formats in `reporters.py`. Paths are
the rows' paths (relative to the repository root when the CLI knows it), which is what the three
services resolve annotations against.
"""
from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from backlint.reporters import Report, Row, summary
from backlint.safe_text import data_safe, for_terminal

_GITHUB_LEVELS = {"error": "error", "warning": "warning"}
_GITLAB_SEVERITIES = {"error": "critical", "warning": "major"}


def format_github(report: Report) -> str:
    """`::error file=...,line=...::message` lines: annotations on the pull request's diff."""
    lines = [_github_row(row) for row in report.rows]
    lines += [f"::error file={_github_property(path)},title=backlint::"
              f"{_github_data(message)}" for path, message in report.errors]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _github_row(row: Row) -> str:
    level = _GITHUB_LEVELS.get(row.severity, "notice")
    where = {"file": row.path, "line": row.line, "col": row.column + 1,
             "endLine": max(row.end_line, row.line), "title": f"{row.code} {row.symbol}"}
    if row.end_line == row.line and row.end_column > row.column:
        where["endColumn"] = row.end_column + 1
    properties = ",".join(f"{key}={_github_property(str(value))}" for key, value in where.items())
    return f"::{level} {properties}::{_github_data(row.message)}"


def _github_data(text: str) -> str:
    # The log is shown as a terminal: no control sequence may reach it (line breaks escaped).
    return for_terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_junit(report: Report) -> str:
    """One test case per finding (a failure) and per file that could not be checked (an error);
    a clean run is one passing case, so CI shows that backlint ran."""
    cases = [_junit_finding(row) for row in report.rows]
    cases += [f'    <testcase classname={_attr(path)} name="could not be checked" '
              f'file={_attr(path)}>\n      <error message={_attr(message)}/>\n'
              "    </testcase>" for path, message in report.errors]
    if not cases:
        cases.append('    <testcase classname="backlint" name="no findings"/>')
    counts = (f'tests="{len(cases)}" failures="{len(report.rows)}" '
              f'errors="{len(report.errors)}"')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="backlint" {counts}>\n'
            f'  <testsuite name="backlint" {counts}>\n' + "\n".join(cases) + "\n"
            "  </testsuite>\n</testsuites>\n")


def _junit_finding(row: Row) -> str:
    name = _attr(f"{row.code} {row.symbol} at line {row.line}")
    text = _xml_text(f"{row.path}:{row.line}:{row.column + 1}: {row.code} {row.message}")
    return (f"    <testcase classname={_attr(row.path)} name={name} "
            f'file={_attr(row.path)} line="{row.line}">\n'
            f"      <failure type={_attr(row.code)} message={_attr(row.message)}>"
            f"{text}</failure>\n    </testcase>")


def _xml_text(text: str) -> str:
    return _xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return quoteattr(_xml_safe(text))


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters or lone surrogates (from undecodable file
    names), even escaped: they are written as `\\xNN` / `\\uNNNN`."""
    return "".join(_xml_char(char) for char in text)


def _xml_char(char: str) -> str:
    code = ord(char)
    if code < 0x20 and char not in "\t\n\r":
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return f"\\u{code:04x}"
    return char


def format_gitlab(report: Report) -> str:
    """GitLab's Code Quality report: a JSON list of issues with stable fingerprints."""
    issues = [{
        "type": "issue",
        "check_name": row.code,
        "description": f"{row.code} {row.message}",
        "categories": ["Style"] if row.code.startswith("BKL4") else ["Bug Risk"],
        "fingerprint": row.fingerprint,
        "severity": _GITLAB_SEVERITIES.get(row.severity, "minor"),
        "location": {"path": row.path, "lines": {"begin": row.line,
                                                 "end": max(row.end_line, row.line)}},
    } for row in report.rows]
    return json.dumps(data_safe(issues), indent=2, ensure_ascii=False) + "\n"
