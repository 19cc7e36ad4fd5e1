"""Every file's module-level imports, shared by the cross-file rules.

The rules that follow a name into another module (BKL101 through helpers, BKL201 through the
functions a handler calls, BKL202 naming the client a project imports) read one alias map,
gathered once per file by this collector, instead of each recording its own.
"""
from __future__ import annotations

import ast

from .base import Collector

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class ImportAliases(Collector):
    """`{"module.local_name": "imported.qualified.name"}` for this file's module-level imports."""

    name = "imports"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.aliases: dict[str, str] = {}

    def visit_Import(self, node: ast.Import) -> None:
        if self._at_module_level():
            for alias in node.names:
                if alias.asname:
                    self.aliases[f"{self.ctx.model.module}.{alias.asname}"] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self._at_module_level():
            return
        source = self.ctx.model.absolute_module(node)
        for alias in node.names:
            if alias.name != "*":
                local = alias.asname or alias.name
                self.aliases[f"{self.ctx.model.module}.{local}"] = f"{source}.{alias.name}"

    def finish_file(self) -> None:
        if self.aliases:
            self.ctx.facts[self.name] = self.aliases

    def _at_module_level(self) -> bool:
        return not any(isinstance(ancestor, _SCOPES) for ancestor in self.ctx.model.ancestors[:-1])


def project_aliases(facts_by_path: dict[str, dict]) -> dict[str, str]:
    """All files' aliases, merged in path order so every front end resolves names alike."""
    merged: dict[str, str] = {}
    for path in sorted(facts_by_path):
        for name, target in facts_by_path[path].get(ImportAliases.name, {}).items():
            merged.setdefault(name, target)
    return merged
