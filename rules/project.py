"""Cross-file rules: per-file facts, collected in the single pass, combined once per project.

Facts are plain values (what they may hold: backlint/cache_codec.py) stored under the rule's code
in `FileResult.facts`, so the same reduce step serves pylint's `-j N`, the CLI's `--jobs N` and
the cache.
"""
from __future__ import annotations

from collections.abc import Iterable

from .catalog import all_rules
from .columns import in_characters
from .finding import FileResult, Finding
from .noqa import is_suppressed
from .settings import Settings


def merge_findings(per_file: Iterable[Finding], project: Iterable[Finding]) -> list[Finding]:
    """Per-file and cross-file findings as one list. A rule may report a place both ways (its
    per-file part, which flake8 shows too, and again with what only the project knows, such as the
    singleton to use instead): the cross-file finding then replaces the per-file one."""
    merged = {_place(finding): finding for finding in per_file}
    merged.update((_place(finding), finding) for finding in project)
    return sorted(merged.values())


def _place(finding: Finding) -> tuple[str, str, int, int]:
    return (finding.path, finding.code, finding.line, finding.column)


_SCRIPT_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


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
    if any(path.endswith(_SCRIPT_SUFFIXES) for path in facts_by_path):
        # The TS/JS project passes, imported only when scripts were checked.
        from .ts.project import ts_project_findings
        findings.extend(ts_project_findings(facts_by_path, settings))
    if lines_of is not None:
        findings = [finding for finding in in_characters(findings, lines_of)
                    if not is_suppressed(finding, lines_of(finding.path))]
    return sorted(findings)
