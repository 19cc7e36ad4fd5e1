"""Output formats: text for people, JSON for scripts, SARIF for code-scanning services.

Each reporter is a pure function from a `Report` to a string; the CLI builds the report.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import click

from backlint.outcome import is_internal
from backlint.rules import all_rules
from backlint.safe_text import data_safe, for_data, for_terminal
from backlint.skipped import skipped_summary

INFORMATION_URI = "https://github.com/backlint/backlint"
DOCS_URI = f"{INFORMATION_URI}/blob/main/docs/rules"
# Code scanning ranks security results by these (CVSS-like, 0-10) and links the CWE.
SECURITY = {"BKL101": ("CWE-209", "5.3"), "BKL102": ("CWE-489", "7.5"),
            "BKL203": ("CWE-798", "8.0")}
_SRCROOT = "%SRCROOT%"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note", "convention": "note"}


@dataclass(frozen=True, order=True)
class Row:
    """One finding as reported: path relative to the current folder, column 0-based."""

    path: str
    line: int
    column: int
    code: str
    symbol: str
    severity: str
    message: str
    end_line: int
    end_column: int
    source: str = ""
    # Names the finding without its line (see fingerprint.py); set for the formats that use it.
    fingerprint: str = field(default="", compare=False)


@dataclass(frozen=True)
class RuleInfo:
    code: str
    symbol: str
    severity: str
    title: str
    summary: str
    help: str


@dataclass
class Report:
    version: str
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    checked: int = 0
    rules: list[RuleInfo] = field(default_factory=list)
    # The repository root SARIF URIs are relative to ("" means the current folder).
    base: str = ""
    # Files left out as vendored or generated, with the reason (backlint/skipped.py).
    skipped: list[tuple[str, str]] = field(default_factory=list)


def catalog_rules() -> list[RuleInfo]:
    """The implemented rules, described from their docstrings."""
    described = []
    for rule in all_rules():
        body = "\n\n".join(f"## {name}\n{text}" for name, text in rule.doc.sections.items())
        described.append(RuleInfo(rule.code, rule.symbol, rule.severity, rule.doc.title,
                                  rule.doc.summary(), f"# {rule.doc.title}\n\n{body}"))
    return described


def format_text(report: Report, color: bool = False) -> str:
    lines = [_text_row(row, color) for row in report.rows]
    lines.append(summary(report))
    if report.skipped:
        lines.append(skipped_summary(len(report.skipped)))
    return "\n".join(lines) + "\n"


def format_skipped(skipped: list[tuple[str, str]]) -> str:
    """Files left out as vendored or generated, one line each with the reason, for stderr."""
    return "".join(f"{for_terminal(path)}: skipped ({for_terminal(reason)})\n"
                   for path, reason in skipped)


def format_text_errors(report: Report) -> str:
    """Files that could not be checked, one line each, for stderr."""
    return "".join(f"{for_terminal(path)}: {for_terminal(_error_text(message))}\n"
                   for path, message in report.errors)


def _error_text(message: str) -> str:
    return message if message.startswith("skipped:") else f"error: {message}"


def _text_row(row: Row, color: bool) -> str:
    where = f"{for_terminal(row.path)}:{row.line}:{row.column + 1}:"
    code = row.code
    if color:
        where = click.style(where, bold=True)
        code = click.style(code, fg="red" if row.severity == "error" else "yellow", bold=True)
    text = f"{where} {code} {for_terminal(row.message)} [{row.symbol}]"
    if row.source:
        text += "\n" + row.source
    return text


def code_frame(lines: list[str], row: Row) -> str:
    """The finding's line between one line of context each side, its range underlined:

        12 |     try:
        13 |         return {"error": str(error)}
           |                          ^^^^^^^^^^
        14 | ...
    """
    if not 0 < row.line <= len(lines):
        return ""
    first, last = max(row.line - 1, 1), min(row.line + 1, len(lines))
    width = len(str(last))
    frame = []
    for number in range(first, last + 1):
        frame.append(f"  {number:>{width}} | {for_terminal(lines[number - 1].rstrip())}")
        if number == row.line:
            frame.append(f"  {'':>{width}} | {_underline(lines, row)}")
    return "\n".join(frame)


def _underline(lines: list[str], row: Row) -> str:
    """Carets under the finding's range, measured on the line as printed (escapes included)."""
    text = lines[row.line - 1].rstrip()
    end = row.end_column if row.end_line == row.line and row.end_column > row.column else len(text)
    end = max(row.column + 1, min(end, len(text)))
    indent = len(for_terminal(text[:row.column]))
    return " " * indent + "^" * max(1, len(for_terminal(text[row.column:end])))


def format_statistics(report: Report) -> str:
    """Findings per rule, most frequent first, as flake8 --statistics prints them."""
    counts: dict[tuple[str, str], int] = {}
    for row in report.rows:
        counts[(row.code, row.symbol)] = counts.get((row.code, row.symbol), 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>6} {code} {symbol}\n" for (code, symbol), count in ordered)


def summary(report: Report) -> str:
    checked = f"{_count(report.checked, 'file')} checked"
    if report.errors:
        checked += f", {len(report.errors):,} could not be checked"
    if not report.rows:
        return f"No findings ({checked})."
    files = len({row.path for row in report.rows})
    return f"Found {_count(len(report.rows), 'finding')} in {_count(files, 'file')} ({checked})."


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def format_json(report: Report) -> str:
    """One object; each finding and error on a line of its own. Encoding them one at a time uses
    json's C encoder (an indented document goes through its pure-Python one, which took half a
    warm run with thousands of findings) and keeps the output readable and diff-friendly."""
    findings = [json.dumps({"code": row.code, "symbol": row.symbol, "path": for_data(row.path),
                            "line": row.line, "column": row.column, "end_line": row.end_line,
                            "end_column": row.end_column, "message": for_data(row.message),
                            "severity": row.severity}) for row in report.rows]
    errors = [json.dumps({"path": for_data(path), "message": for_data(message)})
              for path, message in report.errors]
    skipped = [json.dumps({"path": for_data(path), "reason": for_data(reason)})
               for path, reason in report.skipped]
    # "skipped" is present only when files were skipped: readers of older reports need not change.
    extra = f',\n  "skipped": {_json_list(skipped)}' if skipped else ""
    return (f'{{\n  "version": {json.dumps(report.version)},\n'
            f'  "findings": {_json_list(findings)},\n  "errors": {_json_list(errors)}{extra}\n}}\n')


def _json_list(items: list[str]) -> str:
    return "[\n" + ",\n".join(f"    {item}" for item in items) + "\n  ]" if items else "[]"


def format_sarif(report: Report) -> str:
    rules = _sarif_rules(report)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "backlint", "version": report.version,
                            "semanticVersion": report.version,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "invocations": [{
            "executionSuccessful": not any(is_internal(message) for _, message in report.errors),
            "toolExecutionNotifications": [_sarif_notification(path, message, report.base)
                                           for path, message in report.errors],
        }],
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {_SRCROOT: {"uri": _folder_uri(report.base)}},
        "results": [_sarif_result(row, index[row.code], report.base) for row in report.rows],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(data_safe(document), indent=2) + "\n"


def _sarif_rules(report: Report) -> list[dict]:
    described = {rule.code: rule for rule in report.rules}
    for row in report.rows:
        if row.code not in described:
            described[row.code] = RuleInfo(row.code, row.symbol, row.severity, row.symbol, "", "")
    return [_sarif_rule(described[code]) for code in sorted(described)]


def _sarif_rule(rule: RuleInfo) -> dict:
    return {
        "id": rule.code,
        "name": rule.symbol,
        "shortDescription": {"text": rule.title or rule.symbol},
        "fullDescription": {"text": rule.summary or rule.title or rule.symbol},
        "help": {"text": rule.help or rule.summary or rule.symbol,
                 "markdown": rule.help or rule.summary or rule.symbol},
        "helpUri": f"{DOCS_URI}/{rule.code}.md",
        "defaultConfiguration": {"level": _sarif_level(rule.severity)},
        "properties": _sarif_properties(rule.code),
    }


def _sarif_properties(code: str) -> dict:
    if code not in SECURITY:
        return {"tags": ["backend", "maintainability"]}
    cwe, severity = SECURITY[code]
    return {"tags": ["backend", "security", f"external/cwe/{cwe.lower()}"],
            "security-severity": severity}


def _sarif_result(row: Row, rule_index: int, base: str) -> dict:
    region = {"startLine": row.line, "startColumn": row.column + 1,
              "endLine": max(row.end_line, row.line),
              "endColumn": (row.end_column if row.end_line else row.column) + 1}
    result = {
        "ruleId": row.code,
        "ruleIndex": rule_index,
        "level": _sarif_level(row.severity),
        "message": {"text": row.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(row.path, base),
            "region": region,
        }}],
    }
    if row.fingerprint:
        result["partialFingerprints"] = {"backlint/v1": row.fingerprint}
    return result


def _sarif_notification(path: str, message: str, base: str) -> dict:
    notification: dict = {"level": "error", "message": {"text": message}}
    if path and not path.startswith("<"):
        notification["locations"] = [
            {"physicalLocation": {"artifactLocation": _artifact(path, base)}}]
    return notification


def _artifact(path: str, base: str) -> dict:
    """A URI relative to the repository root (code scanning maps those to its files), or an
    absolute file URI for a file outside it."""
    absolute = os.path.abspath(path)
    root = os.path.abspath(base or ".")
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = os.pardir
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": _folder_uri(absolute).rstrip("/")}
    return {"uri": _uri(Path(relative).as_posix()), "uriBaseId": _SRCROOT}


def _folder_uri(folder: str) -> str:
    posix = Path(os.path.abspath(folder or ".")).as_posix()
    return ("file://" + ("" if posix.startswith("/") else "/") + _uri(posix, safe="/:").rstrip("/")
            + "/")


def _sarif_level(severity: str) -> str:
    return _SARIF_LEVELS.get(severity, "warning")


def _uri(path: str, safe: str = "/") -> str:
    """Percent-encoded from the file name's bytes (an undecodable name keeps its bytes); a
    backslash is part of a POSIX file name, and a colon would read as a URI scheme."""
    return quote(os.fsencode(path), safe=safe)
