"""The TS/JS rules' project passes, over every file's facts (run by the core's project step
only when some checked file is a script)."""
from __future__ import annotations

from ..finding import Finding
from ..settings import Settings
from .catalog import ts_rules


def ts_project_findings(facts_by_path: dict[str, dict], settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for rule in ts_rules():
        finish = getattr(rule, "finish_project", None)
        if finish is not None and settings.code_enabled(rule.code):
            findings.extend(finish(facts_by_path, settings))
    return findings
