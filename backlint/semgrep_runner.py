"""Run backlint's semgrep rule pack as a subprocess and translate its JSON output.

No rule logic lives here: the rules are the YAML files of the pack. This module finds the
semgrep executable, runs it offline over the given files only, and maps each result to
backlint's finding shape (code, symbol, path, 1-based line, 0-based columns, message,
severity). It never raises: when semgrep is missing or cannot run, `unavailable` says why; when
it ran and failed, `failed` does.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = "pip install semgrep, or pass --no-semgrep"

# Without these semgrep tries to reach semgrep.dev (version check, metrics) and can hang ~90 s.
_OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
_FLAGS = ("--json", "--metrics=off", "--disable-version-check", "--quiet", "--no-git-ignore")
# Rule ids may be prefixed with the rule file's folder when semgrep loads a directory.
_RULE_ID = re.compile(
    r"backlint\.(?P<language>typescript|javascript|python)\.(?P<symbol>[a-z0-9-]+)$")
# Keep each command line well below the smallest common ARG_MAX.
_MAX_ARGS_CHARS = 100_000


@dataclass
class SemgrepResult:
    findings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    unavailable: str | None = None  # could not run: JS/TS files not checked, a warning
    failed: str | None = None  # ran and crashed, was killed or timed out: the run fails


def find_semgrep() -> str | None:
    """The semgrep executable of this Python environment first, then the one on PATH."""
    folder = Path(sys.executable).parent
    for name in ("semgrep", "semgrep.exe"):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("semgrep")


def run_semgrep(paths: list[str], rules_dir: Path, timeout: float = 600) -> SemgrepResult:
    """Scan exactly `paths` with the rules under `rules_dir`; never raises."""
    result = SemgrepResult()
    existing = [path for path in paths if os.path.isfile(path)]
    result.errors.extend({"path": path, "message": "file not found"}
                         for path in paths if path not in existing)
    if not existing:
        return result
    # Absolute: semgrep reads a relative "r/..." or "p/..." as a registry name.
    rules = Path(rules_dir).resolve()
    if not rules.exists():
        result.unavailable = f"the semgrep rule pack is missing: {rules} does not exist"
        return result
    executable = find_semgrep()
    if executable is None:
        result.unavailable = f"semgrep is not installed: {INSTALL_HINT}"
        return result
    for chunk in _chunks(existing):
        output, problem = _invoke(executable, rules, chunk, timeout)
        if problem:
            if output is None:  # started, then crashed, was killed or timed out
                result.failed = problem
            else:  # could not be started
                result.unavailable = problem
            return result
        _collect(output, result)
    return result


def _chunks(paths: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for path in paths:
        if chunks[-1] and size + len(path) + 1 > _MAX_ARGS_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(path)
        size += len(path) + 1
    return chunks


def _invoke(executable: str, rules_dir: Path, paths: list[str],
            timeout: float) -> tuple[dict | None, str | None]:
    """semgrep's parsed JSON output, or a sentence saying why there is none (with None for
    the output when semgrep ran and failed)."""
    command = [executable, "scan", "--config", str(rules_dir), *_FLAGS, "--", *paths]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                   env={**os.environ, **_OFFLINE_ENV}, check=False)
    except subprocess.TimeoutExpired:
        return None, f"semgrep did not finish within {timeout:g} s; pass --no-semgrep to skip it"
    except OSError as error:
        return {}, f"semgrep could not be started ({error}): {INSTALL_HINT}"
    try:
        output = json.loads(completed.stdout)
    except ValueError:
        output = None
    if not isinstance(output, dict):
        return None, _failure(completed)
    return output, None


def _failure(completed: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (completed.stderr or "").splitlines() if line.strip()]
    detail = lines[-1] if lines else "no output"
    return f"semgrep failed (exit code {completed.returncode}): {detail}"


def _collect(output: dict, result: SemgrepResult) -> None:
    seen = {(item["path"], item["line"], item["column"], item["code"])
            for item in result.findings}
    for raw in output.get("results") or []:
        finding = _finding(raw)
        key = None if finding is None else (finding["path"], finding["line"],
                                            finding["column"], finding["code"])
        if finding is not None and key not in seen:
            seen.add(key)
            result.findings.append(finding)
    result.errors.extend(_error(raw) for raw in output.get("errors") or [])


def _finding(raw: dict) -> dict | None:
    """One semgrep result as a backlint finding, or None if it is not a backlint rule."""
    match = _RULE_ID.search(str(raw.get("check_id", "")))
    extra = raw.get("extra") or {}
    metadata = extra.get("metadata") or {}
    code = metadata.get("backlint-id")
    if match is None or not code:
        return None
    start, end = raw.get("start") or {}, raw.get("end") or {}
    line = int(start.get("line", 1))
    column = max(int(start.get("col", 1)) - 1, 0)
    return {
        "code": str(code),
        "symbol": match.group("symbol"),
        "path": str(raw.get("path", "")),
        "line": line,
        "column": column,
        "end_line": int(end.get("line", line)),
        "end_column": max(int(end.get("col", column + 1)) - 1, 0),
        "message": " ".join(str(extra.get("message", "")).split()),
        "severity": "error" if str(extra.get("severity", "")).upper() == "ERROR" else "warning",
    }


def _error(raw: dict) -> dict:
    spans = raw.get("spans") or [{}]
    path = raw.get("path") or spans[0].get("file") or "<semgrep>"
    message = raw.get("message") or raw.get("long_msg") or raw.get("short_msg") or raw.get("type")
    return {"path": str(path), "message": " ".join(str(message).split())}
