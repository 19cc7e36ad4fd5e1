"""Explicit `Any`

## What it does
Reports `typing.Any` (or `typing_extensions.Any`) where it makes the API untyped:

- in the signature (parameters and return type) of a route handler or exception handler, in
  every framework backlint knows; `response_model=` does not exempt `-> Any`, since the
  handler's own result stays unchecked;
- in the fields and bases of request and response models: pydantic models, TypedDicts,
  msgspec structs and Django Ninja schemas, and their subclasses (also of an imported project
  base such as `Schema`); dataclasses and attrs classes where the module or the name says they
  are data (`schemas.py`, `api/`, `services/`, `interface.py`, `OrderOut`, `RefundRequest`),
  not the service objects some projects write as dataclasses;
- in the signatures of public functions, and of public methods of public classes, in service,
  lib, utils and repository modules (`services/`, `*_service.py`, `lib/`, `utils/`,
  `repositories/`, `crud.py` ...; not in private packages such as `models/_utils/`), and in
  their annotated module-level names;
- in public type aliases (`JSON = dict[str, Any]`, `TypeAlias`, `type X =`) anywhere.

Any import style is followed (`import typing as t; t.Any`, `from typing import Any as A`), and
string annotations are read. Not reported by default: `Any` in function bodies (local
annotations, `cast(Any, ...)`), `TypeVar` bounds, private helpers and classes (`_name`), ORM
internals (`__table_args__` and fields of ORM model classes, `Any` as the type argument of an
ORM generic such as `Select[Any]`, `Mapped[dict[str, Any]]`, `ColumnElement[Any]`), signatures
the project does not choose (protocol dunders such as `__getitem__` and `__await__`,
`@override`, methods of classes built on a library's class such as a `TypeDecorator`), framework
hooks of views and their generic bases (`GenericAPIView[Any]`), configuration globals of other
modules (`CELERY_BEAT_SCHEDULE: dict[str, Any]` in settings), and Django migrations.
Generated code is not checked at all by default (`exclude-generated`). With
`explicit-any-scope = "everywhere"`, every use of `Any` as a type is reported, migrations
included.

## TypeScript/JavaScript
The same rule on TypeScript server code: every `any` written as a type (`: any`, `as any`,
`<any>`, `any[]`, `Array<any>`, `Record<string, any>`, `Promise<any>`, unions, a `catch (e: any)`
parameter), the message naming where (a parameter's annotation, a return type, a field, a type
alias, a cast). Not reported: `unknown`, `keyof any`, `z.any()`, `any` in strings and comments;
a line where eslint's `@typescript-eslint/no-explicit-any` is already switched off
(`eslint-disable-next-line`, `eslint-disable-line`, a `/* eslint-disable */` block); `...args:
any[]` when `allow-star-arg-any` is set; generated files; client code (components, hooks,
`"use client"` modules, front-end packages) and tooling.

## Why it matters
The guide says "Type Everything: no `any`, no implicit `object`. Define request/response types
explicitly." `Any` switches the type checker off for everything the value touches, so a wrong field
name or a missing key in a request or response reaches production unnoticed.

## Example
```python
from typing import Any

from fastapi import APIRouter

router = APIRouter()


@router.post("/orders/total")
def total(order: dict[str, Any]) -> Any:
    return {"amount": order["amount"]}
```
```ts
export async function chargeCustomer(payload: any) {
  return { success: true, data: payload.amount };
}
```

## Use instead
```python
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Order(BaseModel):
    amount: int


class Total(BaseModel):
    amount: int


@router.post("/orders/total")
def total(order: Order) -> Total:
    return Total(amount=order.amount)
```
```ts
interface ChargeRequest {
  customerId: string;
  amount: number;
}

export async function chargeCustomer(payload: ChargeRequest) {
  return { success: true, data: payload.amount };
}
```

## Options
- `allow-star-arg-any` (default `false`): accept `*args: Any` and `**kwargs: Any`, the usual
  annotation of pass-through wrappers.
- `explicit-any-scope` (default `"api"`): `"api"` reports `Any` where it makes the API untyped
  (above); `"everywhere"` reports every use as a type: bodies, casts, `TypeVar` bounds, private
  helpers, ORM internals and migrations too. Python only: on TS/JS every `any` written in
  server code is reported whatever the scope, as `@typescript-eslint/no-explicit-any` does,
  because there the guide names `any` itself ("Use any types in TypeScript") and a cast in a
  body is as untyped as one in a signature.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath

from .api_surface import ApiSurface
from .base import Option, Rule
from .names import dotted

ANY_NAMES = frozenset({"typing.Any", "typing_extensions.Any"})
_TYPE_FACTORIES = frozenset({"typing.cast", "typing_extensions.cast", "typing.TypeVar",
                             "typing_extensions.TypeVar", "typing.NewType",
                             "typing_extensions.NewType"})
_TYPE_ALIAS_NAMES = frozenset({"typing.TypeAlias", "typing_extensions.TypeAlias"})
# Every name the rule looks for lives in one of these: most modules import neither.
_TYPING_MODULES = frozenset({"typing", "typing_extensions"})
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
                      "accept `*args: Any` and `**kwargs: Any` in pass-through wrappers"),
               Option("explicit-any-scope", str, "api",
                      '"api": only where `Any` makes the API untyped; "everywhere": every use',
                      choices=("api", "everywhere")))

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._everywhere = self.option("explicit-any-scope") == "everywhere"
        self._surface = ApiSurface(ctx.model, ctx.relative_path)
        # Migrations are generated history, never edited once applied.
        self._silent = not self._everywhere and \
            "migrations" in PurePosixPath(ctx.relative_path).parts[:-1]
        self._modules_seen = -1
        self._typing = False

    def report(self, node: ast.AST, message: str) -> None:
        if not self._silent and (self._everywhere or self._surface.contains_current_node()):
            super().report(node, message)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._surface.enter_class(node)

    def _may_name_typing(self) -> bool:
        """Whether a name can resolve into typing or typing_extensions here: only once the
        module imported one of them (or is one), so elsewhere the rule has nothing to ask."""
        modules = self.ctx.model.imported_modules
        if len(modules) != self._modules_seen:  # the set only grows
            self._modules_seen = len(modules)
            self._typing = any(name.split(".")[0] in _TYPING_MODULES
                               for name in (*modules, self.ctx.model.module))
        return self._typing

    def visit_Name(self, node: ast.Name) -> None:
        if self._may_name_typing() and isinstance(node.ctx, ast.Load) \
                and self.ctx.model.resolve(node) in ANY_NAMES:
            self._report_any(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self._may_name_typing() and isinstance(node.ctx, ast.Load) \
                and self.ctx.model.resolve(node) in ANY_NAMES:
            self._report_any(node)

    def visit_arg(self, node: ast.arg) -> None:
        if self._may_name_typing():
            self._check_string_annotation(node.annotation)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self._may_name_typing():
            return
        if self._everywhere or self._surface.signature_in_scope(node):
            for string in self._any_strings(node.returns):
                super().report(string, f"`Any` in the string annotation {string.value!r}: {_FIX}")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self._may_name_typing():
            return
        self._check_string_annotation(node.annotation)
        if self.ctx.model.resolve(node.annotation) in _TYPE_ALIAS_NAMES:
            self._check_string_annotation(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        if not self._may_name_typing() or self.ctx.model.resolve(node.func) not in _TYPE_FACTORIES:
            return
        strings = [*node.args, *(keyword.value for keyword in node.keywords)]
        for value in strings:
            if _is_string(value) and self._string_mentions_any(value.value):
                self.report(value, f"`Any` in a string type argument: {_FIX}")

    def _check_string_annotation(self, annotation: ast.AST | None) -> None:
        for node in self._any_strings(annotation):
            self.report(node, f"`Any` in the string annotation {node.value!r}: {_FIX}")

    def _any_strings(self, annotation: ast.AST | None) -> list[ast.Constant]:
        if annotation is None or dotted(annotation) is not None:
            return []  # most annotations are a plain name, which holds no string
        return [node for node in ast.walk(annotation)
                if _is_string(node) and self._string_mentions_any(node.value)]

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
        if self._is_coroutine_send_or_yield(node):
            return
        self.report(node, f"`Any` in {self._where()}: {_FIX}")

    def _is_coroutine_send_or_yield(self, node: ast.AST) -> bool:
        """`Any` as the first or second argument of `Coroutine[...]`."""
        subscript_slice = self.ctx.model.parent(node)
        subscript = self.ctx.model.parent(subscript_slice)
        return (isinstance(subscript, ast.Subscript) and subscript.slice is subscript_slice
                and isinstance(subscript_slice, ast.Tuple) and node in subscript_slice.elts[:2]
                and self.ctx.model.resolve(subscript.value) in _COROUTINE_NAMES)

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


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
