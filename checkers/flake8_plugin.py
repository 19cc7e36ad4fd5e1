"""flake8 adapter: per-file rules on the tree flake8 already parsed.

flake8 sees one file at a time, so it reports the per-file part of every rule; findings that need
the whole project (duplicate clients across modules, the project's dominant response shape) come
from `backlint check` and the pylint plugin.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator

from backlint import __version__
from backlint.rules import ConfigError, analyse_source, settings_for
from backlint.rules.noqa import file_suppressed_codes


class BacklintFlake8:
    name = "backlint"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            settings = settings_for(self.filename)
        except ConfigError as error:
            yield 1, 0, f"BKL000 backlint configuration error: {error}", type(self)
            return
        # flake8 applies `# noqa` itself (and honours --disable-noqa), so the core does not;
        # backlint's file-level `# backlint: noqa[: CODES]` is not flake8's, so it is applied.
        result = analyse_source("".join(self.lines), self.filename, settings, tree=self.tree,
                                apply_noqa=False)
        whole_file = file_suppressed_codes(self.lines)
        for finding in result.findings:
            if whole_file is not None and (not whole_file or finding.code.startswith(whole_file)):
                continue
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)
