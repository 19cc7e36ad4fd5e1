"""Runs the core over many files: cache look-ups, parallel analysis, then the cross-file rules.

The main process reads and hashes each file once; cache hits are used as they are, misses go to a
process pool in chunks (fewer, larger messages) or, for `jobs=1` or a handful of files, are
analysed in-process. Results are ordered by path, so the output does not depend on `jobs`.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from backlint.cache import Cache, CacheUnavailable
from backlint.discovery import kind_of
from backlint.rules import FileError, FileResult, Finding, Settings, rule_by_code
from backlint.rules.codes import pack_folder
from backlint.rules.columns import source_lines
from backlint.rules.noqa import is_suppressed
from backlint.rules.project import merge_findings, project_findings
from backlint.outcome import is_internal
from backlint.parallel import Batches
from backlint.safe_files import Unreadable, read_bounded, read_source
from backlint.supervision import sigterm_raises

Pending = tuple[str, bytes, "str | None"]
# Lines read for `# noqa` and --show-source when the caller does not say how many bytes.
_LINES_LIMIT = 64 * 1024 * 1024


@dataclass
class Analysis:
    """Per-file results (sorted by path), the cross-file findings, and one-line warnings."""

    results: list[FileResult] = field(default_factory=list)
    project: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cache_hits: int = 0
    # Rule code -> (symbol, severity) from the cache, for reporting without importing the rules.
    catalog: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, other: Analysis) -> None:
        """Fold in another project's analysis (a nested project of the same run)."""
        self.results = sorted(self.results + other.results, key=lambda result: result.path)
        self.project += other.project
        self.warnings += [warning for warning in other.warnings if warning not in self.warnings]
        self.cache_hits += other.cache_hits
        self.catalog = self.catalog or other.catalog

    @property
    def findings(self) -> list[Finding]:
        every = [finding for result in self.results for finding in result.findings]
        return merge_findings(every, self.project)

    @property
    def errors(self) -> list[FileError]:
        return [result.error for result in self.results if result.error is not None]


def analyse_files(paths: Sequence[str], settings: Settings, jobs: int = 1,
                  cache: Cache | None = None,
                  progress: Callable[[int], None] | None = None,
                  before_scripts: Callable[[], None] | None = None) -> Analysis:
    """Check Python and JS/TS files (absolute paths) with the core, through the cache if one is
    given; `progress(n)` is told as files are done. `before_scripts()` is called once before
    the first JS/TS file that is not a cache hit is analysed (a warm run never loads the TS
    engine)."""
    analysis = Analysis()
    done: dict[str, FileResult] = {}
    keys: dict[str, str] = {}
    batches = Batches(settings, jobs, progress,
                      scripts=tuple(path for path in paths if kind_of(path) == "script"))
    try:
        with sigterm_raises():
            for path, source, key in _sources(paths, settings, cache, done, analysis, keys):
                if before_scripts is not None and kind_of(path) == "script":
                    before_scripts()
                    before_scripts = None
                batches.add((path, source, key))
            if progress is not None:
                progress(len(done))  # cache hits and unreadable files
            fresh = batches.finish()
    except BaseException:  # interrupted, terminated: no worker outlives the run
        batches.abort()
        raise
    batches.close()
    analysis.warnings += batches.warnings
    for result, key in fresh:
        done[result.path] = result
        if cache is not None and key is not None and not _is_internal_error(result):
            cache.put(key, result)
    analysis.results = [done[path] for path in sorted(done)]
    analysis.project = _project_findings(analysis.results, settings, cache, keys)
    if cache is not None:
        analysis.catalog = cache.rule_catalog()
    _save(cache, analysis)
    return analysis


_PROJECT_ENTRY = "<cross-file findings>"


def _project_findings(results: list[FileResult], settings: Settings, cache: Cache | None,
                      keys: dict[str, str]) -> list[Finding]:
    """The cross-file findings; from the cache when no file changed since they were computed
    (they depend only on every file's content and place, and the settings, all in the keys)."""
    key = _project_key(keys, results) if cache is not None else None
    hit = cache.get(key, _PROJECT_ENTRY) if cache is not None and key else None
    if hit is not None:
        return hit.findings
    lines = _LineReader(settings.max_file_bytes)
    findings = project_findings(results, settings, lines_of=lines)
    if cache is not None and key:
        cache.put(key, FileResult(_PROJECT_ENTRY, findings=findings))
    return findings


def _project_key(keys: dict[str, str], results: list[FileResult]) -> str | None:
    if len(keys) != len(results):  # an unreadable file has no key: nothing to vouch for
        return None
    digest = hashlib.sha256(b"cross-file")
    for path in sorted(keys):
        digest.update(f"{path}\0{keys[path]}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _sources(paths: Sequence[str], settings: Settings, cache: Cache | None,
             done: dict[str, FileResult], analysis: Analysis,
             keys: dict[str, str]) -> Iterator[Pending]:
    """Files still to analyse; read failures and cache hits go straight into `done`, and
    every cache key into `keys`."""
    for path in paths:
        source = read_source(path, settings)
        if isinstance(source, FileError):
            done[path] = FileResult(path, error=source)
            continue
        key = cache.key(source, path) if cache is not None else None
        if key is not None:
            keys[path] = key
        hit = cache.get(key, path) if cache is not None and key is not None else None
        if hit is not None:
            done[path] = hit
            analysis.cache_hits += 1
        else:
            yield path, source, key


def _save(cache: Cache | None, analysis: Analysis) -> None:
    if cache is None:
        return
    try:
        cache.save()
    except CacheUnavailable as error:
        analysis.warnings.append(f"{error}; results were not cached")


def _is_internal_error(result: FileResult) -> bool:
    return result.error is not None and is_internal(result.error.message)


class _LineReader:
    """Lines of a file, read on first request, for `# noqa` on cross-file findings."""

    def __init__(self, limit: int = _LINES_LIMIT) -> None:
        self._lines: dict[str, list[str]] = {}
        self._limit = limit

    def __call__(self, path: str) -> list[str]:
        if path not in self._lines:
            self._lines[path] = read_lines(path, self._limit)
        return self._lines[path]


def read_lines(path: str, limit: int = _LINES_LIMIT) -> list[str]:
    try:
        return source_lines(read_bounded(path, limit).decode("utf-8", "replace"))
    except Unreadable:
        return []


def default_jobs() -> int:
    return os.cpu_count() or 1


@dataclass
class ScriptAnalysis:
    """What semgrep found in JS/TS files, filtered by the same settings as the Python rules."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # Symbol and severity of codes the Python catalog may not have (semgrep-only rules).
    described: dict[str, tuple[str, str]] = field(default_factory=dict)
    unavailable: str | None = None
    # The engine ran and failed (crashed, killed, timed out): the run fails closed (exit 2).
    failed: str | None = None
    checked: int = 0


_SLASH_NOQA = re.compile(r"//\s*noqa", re.IGNORECASE)


def analyse_scripts(paths: Sequence[str], settings: Settings, timeout: float = 600.0,
                    engine_codes: frozenset[str] = frozenset()) -> ScriptAnalysis:
    """Run the semgrep pack over JS/TS files for the codes the TS/JS engine does not check yet
    (`engine_codes` are left to the engine); `unavailable` says why it could not run."""
    try:
        run_semgrep = importlib.import_module("backlint.semgrep_runner").run_semgrep
    except (ImportError, AttributeError) as error:
        return ScriptAnalysis(unavailable=f"semgrep support is not installed ({error}); "
                                          f"{_not_checked(paths)}")
    rules_dir = semgrep_rules_dir()
    if rules_dir is None:
        return ScriptAnalysis(unavailable="the semgrep rule pack is missing from this backlint "
                                          f"install; {_not_checked(paths)}")
    with sigterm_raises():  # so that semgrep is killed with the run, not left behind
        outcome = run_semgrep(list(paths), rules_dir, timeout=timeout)
    failed = getattr(outcome, "failed", None)
    if failed or outcome.unavailable:
        # A failure is also an error of the report, so JSON and SARIF readers see it.
        errors = [FileError("<semgrep>", f"internal error: {failed}; {_not_checked(paths)}")
                  ] if failed else []
        return ScriptAnalysis(unavailable=outcome.unavailable, failed=failed, errors=errors)
    analysis = ScriptAnalysis(errors=[_semgrep_error(raw) for raw in outcome.errors])
    failed = {error.path for error in analysis.errors}
    analysis.checked = sum(1 for path in paths if path not in failed)
    lines = _LineReader(settings.max_file_bytes)
    for raw in outcome.findings:
        finding = _semgrep_finding(raw)
        analysis.described[finding.code] = (str(raw.get("symbol", "")),
                                            str(raw.get("severity", "warning")))
        if finding.code not in engine_codes and _script_finding_wanted(finding, settings, lines):
            analysis.findings.append(finding)
    analysis.findings.sort()
    return analysis


def _not_checked(paths: Sequence[str]) -> str:
    return f"{len(paths)} JS/TS file{'' if len(paths) == 1 else 's'} not checked"


def semgrep_rules_dir() -> Path | None:
    """The folder of the shipped semgrep pack, or None if it is missing or empty (the seam
    tests replace with a pack of their own)."""
    return pack_folder()


def _semgrep_finding(raw: dict) -> Finding:
    line = int(raw.get("line", 1))
    column = int(raw.get("column", 0))
    return Finding(path=os.path.abspath(str(raw["path"])), line=line, column=column,
                   code=str(raw["code"]), message=str(raw.get("message", "")),
                   end_line=int(raw.get("end_line") or line),
                   end_column=int(raw.get("end_column") or column))


def _semgrep_error(raw: dict) -> FileError:
    path = raw.get("path")
    return FileError(os.path.abspath(str(path)) if path else "<semgrep>",
                     str(raw.get("message", raw)))


def _script_finding_wanted(finding: Finding, settings: Settings, lines: _LineReader) -> bool:
    """The filters the engine applies to Python findings: codes, per-file ignores, tests, noqa."""
    if not settings.code_enabled(finding.code):
        return False
    relative = settings.relative(finding.path)
    if any(finding.code.startswith(code) for code in settings.ignored_in_file(relative)):
        return False
    rule = rule_by_code(finding.code)
    applies_to_tests = rule is not None and rule.applies_to_tests
    if settings.is_test_path(relative) and not applies_to_tests:
        return False
    text = lines(finding.path)
    if not 0 < finding.line <= len(text):
        return True
    # JS/TS comments start with //; the core's noqa reader expects #.
    line = _SLASH_NOQA.sub("# noqa", text[finding.line - 1])
    return not is_suppressed(replace(finding, line=1), [line])
