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


# The fields that can hold nodes, per node type: `ctx` holds only Load/Store markers, and the
# grammar gives these names, numbers and flags (a Name or Constant then has no field to read).
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_PLAIN_FIELDS = {
    ast.Name: ("id",), ast.Constant: ("value", "kind"), ast.Attribute: ("attr",),
    ast.keyword: ("arg",), ast.arg: ("arg", "type_comment"), ast.alias: ("name", "asname"),
    ast.FunctionDef: ("name", "type_comment"), ast.AsyncFunctionDef: ("name", "type_comment"),
    ast.ClassDef: ("name",), ast.ImportFrom: ("module", "level"), ast.Global: ("names",),
    ast.Nonlocal: ("names",), ast.FormattedValue: ("conversion",),
    ast.comprehension: ("is_async",), ast.AnnAssign: ("simple",),
}


def child_fields(node_type: type) -> tuple[str, ...]:
    fields = CHILD_FIELDS.get(node_type)
    if fields is None:
        plain = ("ctx", "type_ignores", *_PLAIN_FIELDS.get(node_type, ()))
        fields = CHILD_FIELDS[node_type] = tuple(
            name for name in node_type._fields if name not in plain)
    return fields


def own_nodes_and_parents(function: ast.AST) -> tuple[list[ast.AST], dict[ast.AST, ast.AST]]:
    """`own_nodes(function.body)` as a list (without the Load/Store markers), and the parent
    of each (the body's statements have `function`): one pass for rules that ask both."""
    nodes: list[ast.AST] = []
    parents: dict[ast.AST, ast.AST] = {}
    stack = [(child, function) for child in reversed(function.body)]
    while stack:
        node, parent = stack.pop()
        nodes.append(node)
        parents[node] = parent
        if isinstance(node, _SCOPES):
            continue
        children = []
        for name in child_fields(type(node)):
            value = getattr(node, name, None)
            if isinstance(value, list):
                children.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                children.append(value)
        stack.extend((child, node) for child in reversed(children))
    return nodes, parents


def own_nodes(body: list[ast.stmt]):
    """Every node of a block in source order, not those inside functions or classes it defines."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
