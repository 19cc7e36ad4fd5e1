"""Per-file state handed to every rule: the path, the settings, the model, and where to report."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .finding import Finding
from .model import SemanticModel
from .settings import Settings


@dataclass
class FileContext:
    path: str
    relative_path: str
    settings: Settings
    model: SemanticModel
    lines: list[str]
    is_test: bool = False
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def mentions(self, node: ast.AST, words: tuple[str, ...]) -> bool:
        """Whether the source lines of `node` may hold one of the identifiers `words`: a cheap
        test before walking it for them (a non-ASCII identifier is NFKC-normalised by the
        parser, so non-ASCII text always may)."""
        text = self.text_of(node)
        return not text.isascii() or any(word in text for word in words)

    def text_of(self, node: ast.AST) -> str:
        """The source lines of `node`, from its first decorator if it has any."""
        decorators = getattr(node, "decorator_list", None)
        first = decorators[0].lineno if decorators else node.lineno
        return "\n".join(self.lines[first - 1:node.end_lineno])

    def report(self, code: str, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0)
        self.findings.append(Finding(
            path=self.path, line=line, column=column, code=code, message=message,
            end_line=getattr(node, "end_lineno", None) or line,
            end_column=getattr(node, "end_col_offset", None) or column,
        ))
