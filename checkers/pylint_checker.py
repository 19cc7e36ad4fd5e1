"""pylint adapter: runs the core once per module on its source and reports through pylint.

pylint requires all message ids of a checker to share their two middle digits, so each family of
codes (BKL1nn -> 91nn, BKL2nn -> 92nn ...) is its own checker; the analysis is shared between them
through a one-entry cache so every file is still parsed and walked once.
"""
from __future__ import annotations

import multiprocessing
import os
from functools import lru_cache
from dataclasses import replace

from pylint.checkers import BaseRawFileChecker

from backlint.rules import (ConfigError, FileError, FileResult, all_rules, analyse_source,
                            settings_for)
from backlint.rules.project import project_findings
from backlint.rules.settings import find_pyproject
from backlint.runner import read_lines
from backlint.safe_files import read_source
from backlint.skipped import set_aside

_last_analysis: dict[str, object] = {"key": None, "result": None}
# Configuration errors already reported by this (main) process: one message per run, not one
# per module and family. Worker processes (-j N) send theirs to the main process instead.
_reported_config_errors: set[str] = set()
FILE_ERROR = "backlint-file-error"


def register_checkers(linter) -> None:
    linter.register_checker(_FileErrorChecker(linter))
    for family in sorted({rule.code[3] for rule in all_rules()}):
        linter.register_checker(_checker_class(family)(linter))


def _checker_class(family: str) -> type:
    rules = [rule for rule in all_rules() if rule.code[3] == family]
    attributes = {
        "name": f"backlint-{family}xx",
        "msgs": {rule.pylint_id: ("%s", rule.pylint_name(), rule.doc.summary()) for rule in rules},
        "_codes": tuple(rule.code for rule in rules),
        # Facts are stored under a rule's code or the name of a collector the rules share.
        "_fact_keys": frozenset(rule.code for rule in rules)
        | {collector.name for rule in rules for collector in rule.collectors},
    }
    return type(f"BacklintChecker{family}", (_FamilyChecker,), attributes)


class _FamilyChecker(BaseRawFileChecker):
    _codes: tuple[str, ...] = ()
    _fact_keys: frozenset[str] = frozenset()

    def __init__(self, linter) -> None:
        super().__init__(linter)
        self._facts: list[FileResult] = []
        self._pending_facts: list[FileResult] = []
        self._pending_config_errors: dict[str, str] = {}
        self._reported_project = False

    def process_module(self, node) -> None:
        path = node.file
        result = self._analyse(path, node)
        if result is None:
            return
        for finding in result.findings:
            if finding.code in self._codes:
                self._add(finding)
        facts = {key: value for key, value in result.facts.items() if key in self._fact_keys}
        if facts:
            # The per-file findings travel along so the project pass does not repeat them.
            reported = [finding for finding in result.findings if finding.code in self._codes]
            self._pending_facts.append(FileResult(path, findings=reported, facts=facts))

    def _analyse(self, path: str, _node) -> FileResult | None:
        enabled = tuple(rule.code for rule in all_rules()
                        if self.linter.is_message_enabled(rule.pylint_name()))
        key = (path, os.path.getmtime(path) if os.path.exists(path) else 0, enabled)
        if _last_analysis["key"] == key:
            return _last_analysis["result"]
        try:
            settings = settings_for(path)
        except ConfigError as error:
            self._config_error(path, str(error))
            return None
        disabled = tuple(rule.code for rule in all_rules() if rule.code not in enabled)
        settings = replace(settings, ignore=settings.ignore + disabled)
        # Left out where the CLI leaves it out (vendored, generated, hidden, excluded).
        skipped = set_aside(path, settings)
        result = FileResult(path) if skipped else _read_and_analyse(path, settings)
        _last_analysis.update(key=key, result=result)
        return result

    def _config_error(self, path: str, message: str) -> None:
        if _in_worker():
            self._pending_config_errors.setdefault(message, path)
        elif message not in _reported_config_errors:
            _reported_config_errors.add(message)
            self.linter.add_message("config-parse-error", line=1, args=message)

    def _add(self, finding) -> None:
        rule = next(rule for rule in all_rules() if rule.code == finding.code)
        self.add_message(rule.pylint_name(), line=finding.line, col_offset=finding.column,
                         end_lineno=finding.end_line, end_col_offset=finding.end_column,
                         args=(finding.message,))

    # ----- cross-file rules: facts travel through pylint's map/reduce in -j N -----
    def get_map_data(self) -> tuple[list[FileResult], dict[str, str]]:
        pending, self._pending_facts = self._pending_facts, []
        self._facts.extend(pending)
        errors, self._pending_config_errors = self._pending_config_errors, {}
        return pending, errors

    def reduce_map_data(self, linter, data: list[tuple[list[FileResult], dict[str, str]]]) -> None:
        self._facts = [result for facts, _ in data for result in facts]
        for _, errors in data:
            for message, path in sorted(errors.items()):
                if message not in _reported_config_errors:
                    self.linter.set_current_module(_module_name(path), path)
                    self._config_error(path, message)
        self._report_project()

    def close(self) -> None:
        # pylint also calls close() inside -j N workers after each file; they only collect.
        if not _in_worker():
            self._facts.extend(self._pending_facts)
            self._pending_facts = []
            self._report_project()

    def _report_project(self) -> None:
        if self._reported_project or not self._facts:
            return
        self._reported_project = True
        already = {finding.key() + (finding.path,)
                   for result in self._facts for finding in result.findings}
        for settings, results in _by_project(self._facts).items():
            for finding in project_findings(results, settings, lines_of=_lines_of):
                if finding.code in self._codes and finding.key() + (finding.path,) not in already:
                    self.linter.set_current_module(_module_name(finding.path), finding.path)
                    self._add(finding)


def _read_and_analyse(path: str, settings) -> FileResult:
    """Read as the CLI reads: a regular file only, bounded by max-file-bytes."""
    source = read_source(path, settings)
    if isinstance(source, FileError):
        return FileResult(path, error=source)
    return analyse_source(source, path, settings)


class _FileErrorChecker(_FamilyChecker):
    """Reports the files backlint could not check (too large, nested too deeply, undecodable),
    as the CLI lists them: a skipped file is never silent."""

    name = "backlint-files"
    msgs = {"E9000": ("backlint could not check this file: %s", FILE_ERROR,
                      "backlint skipped this file (the message says why and how to fix it).")}

    def process_module(self, node) -> None:
        result = self._analyse(node.file, node)
        if result is not None and result.error is not None:
            self.add_message(FILE_ERROR, line=1, args=(result.error.message,))


def _in_worker() -> bool:
    # pylint also calls close() inside -j N workers after each file; they only collect.
    return multiprocessing.current_process().name != "MainProcess"


def _by_project(results: list[FileResult]) -> dict:
    """Each project (the nearest [tool.backlint]) is its own universe for the cross-file rules,
    as in the CLI: one pylint run over a monorepo compares files within each project only."""
    groups: dict = {}
    for result in results:
        groups.setdefault(find_pyproject(result.path), []).append(result)
    return {settings_for(members[0].path): members for members in groups.values()}


@lru_cache(maxsize=256)
def _lines_of(path: str) -> list[str]:
    """A file's lines, so `# noqa` applies to findings reported at the end of the run."""
    return read_lines(path)


def _module_name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
