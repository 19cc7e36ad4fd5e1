"""Cross-file rules: per-file facts, collected in the single pass, combined once per project.

Facts are plain picklable values stored under the rule's code in `FileResult.facts`, so the same
reduce step serves pylint's `-j N`, the CLI's `--jobs N` and the cache.
"""
from __future__ import annotations

from collections.abc import Iterable

from .catalog import all_rules
from .finding import FileResult, Finding
from .noqa import is_suppressed
from .settings import Settings


def project_findings(results: Iterable[FileResult], settings: Settings,
                     lines_of=None) -> list[Finding]:
    """Findings of the enabled cross-file rules over all files' facts.

    `lines_of(path)` returns a file's lines so `# noqa` applies to cross-file findings too.
    """
    facts_by_path = {result.path: result.facts for result in results if result.facts}
    findings: list[Finding] = []
    for rule in all_rules():
        finish = getattr(rule, "finish_project", None)
        if finish is None or not settings.code_enabled(rule.code):
            continue
        findings.extend(finish(facts_by_path, settings))
    if lines_of is not None:
        findings = [finding for finding in findings
                    if not is_suppressed(finding, lines_of(finding.path))]
    return sorted(findings)
