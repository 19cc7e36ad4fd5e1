"""Small syntax questions several rules ask: dotted names, the words of a name, a block's nodes."""
from __future__ import annotations

import ast
import re

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def dotted(expr: ast.AST | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr}" if base else None
    return None


def last_name(expr: ast.AST | None) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def words(name: str) -> set[str]:
    """`log_failure` -> {log, failure}; `reportError` -> {report, error}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return {word.lower() for word in spaced.split("_") if word}


def own_nodes(body: list[ast.stmt]):
    """Every node of a block in source order, not those inside functions or classes it defines."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
