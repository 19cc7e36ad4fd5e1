"""Output formats: text for people, JSON for scripts, SARIF for code-scanning services.

Each reporter is a pure function from a `Report` to a string; the CLI builds the report.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

import click

from backlint.rules import all_rules

INFORMATION_URI = "https://github.com/backlint/backlint"
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
    return "\n".join(lines) + "\n"


def format_text_errors(report: Report) -> str:
    """Files that could not be checked, one line each, for stderr."""
    return "".join(f"{path}: {_error_text(message)}\n" for path, message in report.errors)


def _error_text(message: str) -> str:
    return message if message.startswith("skipped:") else f"error: {message}"


def _text_row(row: Row, color: bool) -> str:
    where = f"{row.path}:{row.line}:{row.column + 1}:"
    code = row.code
    if color:
        where = click.style(where, bold=True)
        code = click.style(code, fg="red" if row.severity == "error" else "yellow", bold=True)
    text = f"{where} {code} {row.message} [{row.symbol}]"
    if row.source:
        text += f"\n    {row.source.rstrip()}\n    {' ' * row.column}^"
    return text


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
    document = {
        "version": report.version,
        "findings": [
            {"code": row.code, "symbol": row.symbol, "path": row.path, "line": row.line,
             "column": row.column, "end_line": row.end_line, "end_column": row.end_column,
             "message": row.message, "severity": row.severity}
            for row in report.rows
        ],
        "errors": [{"path": path, "message": message} for path, message in report.errors],
    }
    return json.dumps(document, indent=2) + "\n"


def format_sarif(report: Report) -> str:
    rules = _sarif_rules(report)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "backlint", "version": report.version,
                            "semanticVersion": report.version,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_sarif_notification(path, message)
                                           for path, message in report.errors],
        }],
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(row, index[row.code]) for row in report.rows],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


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
        "defaultConfiguration": {"level": _sarif_level(rule.severity)},
        "properties": {"tags": ["backend", "maintainability"]},
    }


def _sarif_result(row: Row, rule_index: int) -> dict:
    region = {"startLine": row.line, "startColumn": row.column + 1,
              "endLine": max(row.end_line, row.line),
              "endColumn": (row.end_column if row.end_line else row.column) + 1}
    return {
        "ruleId": row.code,
        "ruleIndex": rule_index,
        "level": _sarif_level(row.severity),
        "message": {"text": row.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(row.path)},
            "region": region,
        }}],
    }


def _sarif_notification(path: str, message: str) -> dict:
    notification: dict = {"level": "error", "message": {"text": message}}
    if path and not path.startswith("<"):
        notification["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}}}]
    return notification


def _sarif_level(severity: str) -> str:
    return _SARIF_LEVELS.get(severity, "warning")


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/:")
