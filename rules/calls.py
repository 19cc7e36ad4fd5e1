"""Small questions about call and value nodes that several rules ask."""
from __future__ import annotations

import ast


def keyword_value(call: ast.Call, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def has_double_star(call: ast.Call) -> bool:
    """`f(**options)` may carry any keyword, so the call cannot be judged on its keywords."""
    return any(keyword.arg is None for keyword in call.keywords)


def is_constant(node: ast.AST | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is type(value) \
        and node.value == value


def string_value(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
