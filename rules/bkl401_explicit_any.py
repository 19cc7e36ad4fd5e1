"""Explicit `Any`

## What it does
Reports every use of `typing.Any` (or `typing_extensions.Any`) as a type: in parameter and return
annotations, variable annotations, type aliases (`JSON = dict[str, Any]`, `TypeAlias`, `type X =`),
`cast(Any, ...)`, `TypeVar` bounds and constraints, base classes, and string annotations. Any import
style is followed: `import typing as t; t.Any`, `from typing import Any as A`.

## Why it matters
The guide says "Type Everything: no `any`, no implicit `object`. Define request/response types
explicitly." `Any` switches the type checker off for everything the value touches, so a wrong field
name or a missing key in a request or response reaches production unnoticed.

## Example
```python
from typing import Any


def total(order: dict[str, Any]) -> Any:
    return order["amount"]
```

## Use instead
```python
from typing import TypedDict


class Order(TypedDict):
    amount: int


def total(order: Order) -> int:
    return order["amount"]
```

## Options
- `allow-star-arg-any` (default `false`): accept `*args: Any` and `**kwargs: Any`, the usual
  annotation of pass-through wrappers.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath

from .base import Option, Rule

ANY_NAMES = frozenset({"typing.Any", "typing_extensions.Any"})
_TYPE_FACTORIES = frozenset({"typing.cast", "typing_extensions.cast", "typing.TypeVar",
                             "typing_extensions.TypeVar", "typing.NewType",
                             "typing_extensions.NewType"})
_TYPE_ALIAS_NAMES = frozenset({"typing.TypeAlias", "typing_extensions.TypeAlias"})
# `Coroutine[Any, Any, T]` is how Python itself types an `async def`: only the result is a choice.
_COROUTINE_NAMES = frozenset({"typing.Coroutine", "collections.abc.Coroutine",
                              "typing_extensions.Coroutine"})
# `type X = ...` (ast.TypeAlias) exists from Python 3.12; before, the empty tuple matches nothing.
_TYPE_ALIAS_STATEMENT = getattr(ast, "TypeAlias", ())
_FIX = "use a precise type (a model, TypedDict, Protocol, union or TypeVar), or `object`"


class ExplicitAny(Rule):
    code = "BKL401"
    symbol = "explicit-any"
    pylint_id = "W9401"
    severity = "warning"
    options = (Option("allow-star-arg-any", bool, False,
                      "accept `*args: Any` and `**kwargs: Any` in pass-through wrappers"),)

    def report(self, node: ast.AST, message: str) -> None:
        # Migrations are generated history, never edited once applied.
        if "migrations" not in PurePosixPath(self.ctx.relative_path).parts[:-1]:
            super().report(node, message)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and self.ctx.model.resolve(node) in ANY_NAMES:
            self._report_any(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load) and self.ctx.model.resolve(node) in ANY_NAMES:
            self._report_any(node)

    def visit_arg(self, node: ast.arg) -> None:
        self._check_string_annotation(node.annotation)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._check_string_annotation(node.returns)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_string_annotation(node.annotation)
        if self.ctx.model.resolve(node.annotation) in _TYPE_ALIAS_NAMES:
            self._check_string_annotation(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        if self.ctx.model.resolve(node.func) not in _TYPE_FACTORIES:
            return
        strings = [*node.args, *(keyword.value for keyword in node.keywords)]
        for value in strings:
            if _is_string(value) and self._string_mentions_any(value.value):
                self.report(value, f"`Any` in a string type argument: {_FIX}")

    def _check_string_annotation(self, annotation: ast.AST | None) -> None:
        if annotation is None:
            return
        for node in ast.walk(annotation):
            if _is_string(node) and self._string_mentions_any(node.value):
                self.report(node, f"`Any` in the string annotation {node.value!r}: {_FIX}")

    def _string_mentions_any(self, text: str) -> bool:
        try:
            expression = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError):
            return False
        model = self.ctx.model
        return any(model.resolve(node) in ANY_NAMES for node in ast.walk(expression)
                   if isinstance(node, (ast.Name, ast.Attribute)))

    def _report_any(self, node: ast.AST) -> None:
        if self.option("allow-star-arg-any") and self._is_star_arg_annotation(node):
            return
        if self._is_coroutine_send_or_yield(node) or self._is_response_model_return(node):
            return
        self.report(node, f"`Any` in {self._where()}: {_FIX}")

    def _is_coroutine_send_or_yield(self, node: ast.AST) -> bool:
        """`Any` as the first or second argument of `Coroutine[...]`."""
        subscript_slice = self.ctx.model.parent(node)
        subscript = self.ctx.model.parent(subscript_slice)
        return (isinstance(subscript, ast.Subscript) and subscript.slice is subscript_slice
                and isinstance(subscript_slice, ast.Tuple) and node in subscript_slice.elts[:2]
                and self.ctx.model.resolve(subscript.value) in _COROUTINE_NAMES)

    def _is_response_model_return(self, node: ast.AST) -> bool:
        """`-> Any` of a route whose `response_model=` is the declared response type, as FastAPI
        documents for handlers returning ORM objects that the model filters."""
        function = self.ctx.model.parent(node)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if function.returns is not node or self.ctx.model.route_of(function) is None:
            return False
        return any(keyword.arg == "response_model" and not _is_none(keyword.value)
                   for decorator in function.decorator_list if isinstance(decorator, ast.Call)
                   for keyword in decorator.keywords)

    def _is_star_arg_annotation(self, node: ast.AST) -> bool:
        arg = self.ctx.model.parent(node)
        arguments = self.ctx.model.parent(arg) if isinstance(arg, ast.arg) else None
        return isinstance(arguments, ast.arguments) and arg in (arguments.vararg, arguments.kwarg)

    def _where(self) -> str:
        ancestors = self.ctx.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            description = _describe(ancestors[index], ancestors[index + 1])
            if description:
                return description
        return "a type expression"


def _describe(ancestor: ast.AST, child: ast.AST) -> str | None:
    return _describe_annotation(ancestor, child) or _describe_type_use(ancestor)


def _describe_annotation(ancestor: ast.AST, child: ast.AST) -> str | None:
    if isinstance(ancestor, ast.arg):
        return f"the annotation of parameter `{ancestor.arg}`"
    if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)) and child is ancestor.returns:
        return f"the return type of `{ancestor.name}`"
    if isinstance(ancestor, ast.AnnAssign):
        return f"the annotation of `{ast.unparse(ancestor.target)}`"
    return None


def _describe_type_use(ancestor: ast.AST) -> str | None:
    """A type alias, a base class, or a call such as `cast(...)` or `TypeVar(...)`."""
    if isinstance(ancestor, ast.Assign) and len(ancestor.targets) == 1:
        return f"the type alias `{ast.unparse(ancestor.targets[0])}`"
    if _is_type_alias_statement(ancestor):
        return f"the type alias `{ancestor.name.id}`"
    if isinstance(ancestor, ast.ClassDef):
        return f"a base class of `{ancestor.name}`"
    if isinstance(ancestor, ast.Call):
        return f"`{ast.unparse(ancestor.func)}(...)`"
    return None


def _is_type_alias_statement(node: ast.AST) -> bool:
    return isinstance(node, _TYPE_ALIAS_STATEMENT)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
