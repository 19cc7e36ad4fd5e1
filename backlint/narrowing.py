"""What a run reports when a team adopts backlint gradually: findings not in the baseline, on
lines changed since a git ref. The whole project is still analysed (cross-file rules need it);
only the report is narrowed, after every rule has run."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from backlint import baseline
from backlint.fingerprint import Located, fingerprints
from backlint.gitdiff import changed_lines, is_changed
from backlint.reporters import Report, Row

LinesOf = Callable[[str], list[str]]


def with_fingerprints(report: Report, lines_of: LinesOf) -> Report:
    """Each row with its fingerprint (paths from the repository root, so SARIF and GitLab keep
    recognising a finding whatever folder the run started in)."""
    root = Path(report.base or ".").resolve()
    located = [Located(row.code, _from_root(row.path, root), row.line) for row in report.rows]
    by_root = {item.path: row.path for item, row in zip(located, report.rows)}
    prints = fingerprints(located, lambda path: lines_of(by_root[path]))
    rows = [replace(row, fingerprint=digest) for row, (digest, _, _) in zip(report.rows, prints)]
    return replace(report, rows=rows)


def _from_root(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def baseline_entries(report: Report, baseline_file: Path, lines_of: LinesOf
                     ) -> list[baseline.Entry]:
    return baseline.entries_for(baseline_file, [(row.code, row.path, row.line)
                                                for row in report.rows], lines_of)


def without_baselined(report: Report, baseline_file: Path, lines_of: LinesOf
                      ) -> tuple[Report, int]:
    """The report without findings the baseline accepts, and how many were left out."""
    accepted = baseline.read(baseline_file)
    entries = baseline_entries(report, baseline_file, lines_of)
    kept = [row for row, entry in zip(report.rows, entries) if entry.fingerprint not in accepted]
    return replace(report, rows=kept), len(report.rows) - len(kept)


def only_changed(report: Report, ref: str, start: str) -> tuple[Report, int]:
    """The report with findings on lines changed since `ref` only, and how many were left out."""
    changed = changed_lines(ref, {row.path for row in report.rows}, start)
    kept = [row for row in report.rows if is_changed(changed, row.path, row.line)]
    return replace(report, rows=kept), len(report.rows) - len(kept)


def fails(rows: list[Row], fail_on: str) -> bool:
    """--fail-on warning: any finding fails; --fail-on error: only error-severity findings."""
    if fail_on == "error":
        return any(row.severity == "error" for row in rows)
    return bool(rows)
