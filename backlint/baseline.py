"""Baselines: the findings a team has accepted for now, so a run reports only new ones.

The file is JSON with one finding per line, sorted by path, rule and scope, so a review shows
what changed. Paths are relative to the baseline file's folder: the same file works from any
working directory. Each entry keeps its fingerprint (see `fingerprint.py`) and, for people, the
scope and the line's text it was computed from. Writing a baseline records the current findings
only, so fixed ones drop out.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from backlint.fingerprint import Located, fingerprints

FORMAT_KEY = "backlint-baseline"
FORMAT_VERSION = 1
_MAX_BYTES = 64 * 1024 * 1024
_ENTRY_KEYS = ("path", "code", "scope", "fingerprint", "snippet")


class BaselineError(Exception):
    """The baseline file cannot be used; the message names it and says what to do."""


@dataclass(frozen=True)
class Entry:
    path: str
    code: str
    scope: str
    fingerprint: str
    snippet: str


def relative_to(baseline: Path, path: str) -> str:
    """`path` as the baseline records it: from the baseline file's folder, '/'-separated."""
    folder = os.path.dirname(os.path.abspath(baseline))
    try:
        return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(os.path.abspath(path)).as_posix()


def entries_for(baseline: Path, findings: Sequence[tuple[str, str, int]],
                lines_of: Callable[[str], list[str]]) -> list[Entry]:
    """Baseline entries of `(code, path, line)` findings, in the order given."""
    located = [Located(code, relative_to(baseline, path), line) for code, path, line in findings]
    by_relative = {relative_to(baseline, path): path for _, path, _ in findings}
    prints = fingerprints(located, lambda relative: lines_of(by_relative[relative]))
    return [Entry(item.path, item.code, scope, digest, text)
            for item, (digest, scope, text) in zip(located, prints)]


def write(baseline: Path, entries: Sequence[Entry]) -> None:
    ordered = sorted(set(entries), key=lambda entry: (entry.path, entry.code, entry.scope,
                                                      entry.snippet, entry.fingerprint))
    rows = [json.dumps({key: getattr(entry, key) for key in _ENTRY_KEYS}, ensure_ascii=False)
            for entry in ordered]
    body = ",\n".join(f"    {row}" for row in rows)
    text = (f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "findings": [\n'
            + (body + "\n" if body else "") + "  ]\n}\n")
    try:
        baseline.write_text(text, encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        raise BaselineError(f"cannot write the baseline {baseline}: "
                            f"{error.strerror or error}") from error


def read(baseline: Path) -> set[str]:
    """The fingerprints a baseline file accepts."""
    document = _load(baseline)
    findings = document.get("findings") if isinstance(document, dict) else None
    if (not isinstance(document, dict) or document.get(FORMAT_KEY) != FORMAT_VERSION
            or not isinstance(findings, list)):
        raise BaselineError(f"{baseline} is not a backlint baseline (version {FORMAT_VERSION}); "
                            "write one with `backlint check --write-baseline FILE`")
    accepted = set()
    for position, item in enumerate(findings, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"{baseline}: finding {position} has no fingerprint; "
                                "write the file again with --write-baseline")
        accepted.add(item["fingerprint"])
    return accepted


def _load(baseline: Path) -> object:
    try:
        if not baseline.is_file():
            raise BaselineError(f"baseline {baseline} does not exist or is not a file; create it "
                                "with `backlint check --write-baseline FILE`")
        if baseline.stat().st_size > _MAX_BYTES:
            raise BaselineError(f"baseline {baseline} is over {_MAX_BYTES:,} bytes")
        return json.loads(baseline.read_text(encoding="utf-8", errors="surrogateescape"))
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {baseline}: "
                            f"{error.strerror or error}") from error
    except ValueError as error:
        raise BaselineError(f"baseline {baseline} is not valid JSON ({error}); write it again "
                            "with --write-baseline") from error
