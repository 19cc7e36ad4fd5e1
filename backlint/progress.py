"""A progress line on stderr for long runs: only on a terminal, never when piped or in CI.

A cold run over thousands of files takes a while; without a sign of life users cancel it. The
line is redrawn at most ten times a second and erased when the run ends, so the report that
follows is exactly what a run without a terminal prints.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

MIN_FILES = 300
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "TF_BUILD", "JENKINS_URL",
                 "TEAMCITY_VERSION", "CIRCLECI")
_REDRAW_SECONDS = 0.1
_BAR_WIDTH = 24


def wanted(total: int, stream: TextIO | None = None) -> bool:
    """A bar helps on a terminal, for runs long enough to wonder about."""
    stream = stream or sys.stderr
    return (total >= MIN_FILES and _is_terminal(stream)
            and not any(os.environ.get(name) for name in _CI_VARIABLES))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """`advance(n)` as files are done; `close()` erases the line. A no-op unless `shown`."""

    def __init__(self, total: int, shown: bool, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.shown = shown
        self.stream = stream or sys.stderr
        self.done = 0
        self._drawn_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total)
        if not self.shown:
            return
        now = time.monotonic()
        if now - self._drawn_at >= _REDRAW_SECONDS or self.done == self.total:
            self._drawn_at = now
            self._draw()

    def _draw(self) -> None:
        filled = _BAR_WIDTH * self.done // self.total
        gauge = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self._write(f"\rbacklint: [{gauge}] {self.done:,}/{self.total:,} files "
                    f"{100 * self.done // self.total}%")

    def close(self) -> None:
        if self.shown and self._drawn_at:
            self._write("\r\033[K")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not fail the run
            self.shown = False
