"""The exit-code contract of `backlint check` (written out in the README).

0  nothing at or above the failing level, and every file asked for was checked
1  findings, or a file that could not be read or parsed (each named; tolerated with --exit-zero
   or `tolerate-file-errors = true`)
2  usage, configuration or internal error: an unknown rule code, a worker that died twice, a
   file whose analysis crashed or ran out of time, a JS/TS engine that failed
130  interrupted (Ctrl-C);  141  the reader of the output went away (`| head`), quietly;
143  terminated (SIGTERM)
A run that could not check what it was asked to is never 0. Notices ("skipped: ..." for files
that are no regular file, too large, symlinks not followed) are reported and do not fail a run.
"""
from __future__ import annotations

from collections.abc import Iterable

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
# 128 + SIGPIPE: what a shell reports for a Unix tool whose reader went away (`| head`).
EXIT_BROKEN_PIPE = 141


def is_notice(message: str) -> bool:
    return message.startswith("skipped:")


def is_internal(message: str) -> bool:
    return message.startswith("internal error")


def exit_code(findings_fail: bool, error_messages: Iterable[str], engine_failed: bool,
              tolerate_file_errors: bool) -> int:
    messages = list(error_messages)
    if engine_failed or any(is_internal(message) for message in messages):
        return EXIT_ERROR
    file_errors = any(not is_notice(message) for message in messages)
    if findings_fail or (file_errors and not tolerate_file_errors):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def internal_failures(errors: Iterable[tuple[str, str]]) -> list[str]:
    """The files whose analysis failed inside backlint, for the run's closing error line
    (an engine's own failure, "<semgrep>", has a line of its own)."""
    return sorted({path for path, message in errors
                   if is_internal(message) and not path.startswith("<")})
