"""flake8 adapter: per-file rules on the tree flake8 already parsed.

flake8 sees one file at a time, so it reports the per-file part of every rule; findings that need
the whole project (duplicate clients across modules, the project's dominant response shape) come
from `backlint check` and the pylint plugin.
"""
from __future__ import annotations

import argparse
import ast
import os
from collections.abc import Iterator

from flake8.exceptions import ExecutionError

from backlint import __version__
from backlint.rules import ConfigError, analyse_source, settings_for
from backlint.rules.catalog import named_off_codes
from backlint.rules.noqa import file_suppressed_codes
from backlint.rules.settings import with_codes
from backlint.skipped import set_aside


class BacklintFlake8:
    name = "backlint"
    version = __version__
    # Configuration errors this process reported (a nested project's: see parse_options).
    _reported: set[str] = set()
    # Off-by-default codes flake8's --select / --extend-select name (see Settings.code_enabled).
    _named_off: tuple[str, ...] = ()

    @classmethod
    def parse_options(cls, _manager: object, options: argparse.Namespace,
                      filenames: list[str]) -> None:
        """Once per run, before any file is checked: a configuration error of the named paths
        ends the run with one message (flake8 prints it and exits 1), not one per file."""
        cls._named_off = named_off_codes([*(getattr(options, "select", None) or ()),
                                          *(getattr(options, "extend_select", None) or ())])
        if not _selected(options):
            return
        for path in filenames or ["."]:
            try:
                settings_for(os.path.abspath(path))
            except ConfigError as error:
                raise ExecutionError(f"backlint configuration error: {error}") from None

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            settings = with_codes(settings_for(self.filename), extend_select=self._named_off)
        except ConfigError as error:
            # A nested project's configuration, not seen by parse_options: once per process.
            if str(error) not in self._reported:
                self._reported.add(str(error))
                yield 1, 0, f"BKL000 backlint configuration error: {error}", type(self)
            return
        if set_aside(self.filename, settings):
            return
        # flake8 applies `# noqa` itself (and honours --disable-noqa), so the core does not;
        # backlint's file-level `# backlint: noqa[: CODES]` is not flake8's, so it is applied.
        result = analyse_source("".join(self.lines), self.filename, settings, tree=self.tree,
                                apply_noqa=False)
        if result.error is not None:
            yield 1, 0, f"BKL000 backlint could not check this file: {result.error.message}", \
                type(self)
        whole_file = file_suppressed_codes(self.lines)
        for finding in result.findings:
            if whole_file is not None and (not whole_file or finding.code.startswith(whole_file)):
                continue
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)


def _selected(options: argparse.Namespace) -> bool:
    """Whether --select / --extend-select can reach a BKL code (flake8's default: every code)."""
    select = getattr(options, "select", None)
    if not select:
        return True
    chosen = [*select, *(getattr(options, "extend_select", None) or [])]
    return any(code.startswith("BKL") or "BKL".startswith(code) for code in chosen)
