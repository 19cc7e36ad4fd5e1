"""Per-file state handed to every TS rule: the path, settings, source, model and findings."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..finding import Finding
from ..settings import Settings

if TYPE_CHECKING:
    import tree_sitter

    from .model import TsModel


@dataclass
class TsContext:
    path: str
    relative_path: str
    settings: Settings
    source: bytes
    lines: list[str]
    model: TsModel
    is_test: bool = False
    absolute_path: str = ""
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def report(self, code: str, node: tree_sitter.Node, message: str) -> None:
        """Lines are 1-based, columns 0-based UTF-8 byte offsets, as `ast` gives them."""
        (line, column), (end_line, end_column) = node.start_point, node.end_point
        self.report_at(code, (line + 1, column), (end_line + 1, end_column), message)

    def report_at(self, code: str, start: tuple[int, int], end: tuple[int, int],
                  message: str) -> None:
        """A finding spanning (line, column) to (line, column), lines 1-based."""
        self.findings.append(Finding(path=self.path, line=start[0], column=start[1], code=code,
                                     message=message, end_line=end[0], end_column=end[1]))
