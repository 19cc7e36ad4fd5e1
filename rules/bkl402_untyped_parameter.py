"""Untyped parameter

## What it does
Reports a route handler, or a public function of a service module, with a parameter or a return
without an annotation; one finding per function, on its `def`, naming what is missing.
`self`/`cls`, `*args`/`**kwargs`, `__init__`'s return, decorators (functions returning the
wrapper they define) and the return of a FastAPI handler are exempt: FastAPI makes a handler's
return annotation its response model, a behaviour to opt into, not a gap in the types.
Service modules are those BKL401 treats as API: a service, lib, utils or repository module
(`services/`, `*_service.py`, `lib/`, `utils/`, `repositories/`, `crud.py` ...); public means a
name without a leading underscore, at module level or a method of a public module-level class.

Only projects that annotate are checked: an unannotated project (a classic Django code base) is
not flooded with findings. The project annotates when at least `typed-share` percent of its
functions (outside tests and migrations) have an annotation; the message says the share. That
is a decision over the whole project, so `backlint check` and pylint make it and flake8, which
sees one file at a time, reports nothing for this rule unless `require-annotations = true`
declares the project annotated: then every front end reports every file.

## Why it matters
The guide: "Type everything ... define request/response types explicitly." An unannotated
parameter of a handler or a service is where a wrong type enters unchecked: the type checker
skips it, and readers have to guess what a caller must pass. In a project that annotates, the
unannotated function is the odd one out.

## Example
```python
# app/services/orders.py
from app.db import session
from app.models import Order


def create_order(customer_id, items):
    order = Order(customer_id=customer_id, items=items)
    session.add(order)
    return order


def cancel_order(order_id: int) -> None:
    session.get(Order, order_id).cancel()
```

## Use instead
```python
# app/services/orders.py
from app.db import session
from app.models import Item, Order


def create_order(customer_id: int, items: list[Item]) -> Order:
    order = Order(customer_id=customer_id, items=items)
    session.add(order)
    return order
```

## Options
- `typed-share` (default `50`): the percentage of annotated functions from which a project
  counts as one that annotates.
- `require-annotations` (default `false`): check every file whatever the share, file by file
  (flake8 reports them too).
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath

from .api_surface import is_layer_module, is_public
from .base import Option, Rule
from .finding import Finding
from .names import own_nodes

_NOT_COUNTED_FOLDERS = frozenset({"migrations", "alembic"})


class UntypedParameter(Rule):
    code = "BKL402"
    symbol = "untyped-parameter"
    pylint_id = "W9402"
    severity = "warning"
    options = (
        Option("typed-share", int, 50,
               "percentage of annotated functions from which a project annotates"),
        Option("require-annotations", bool, False,
               "check every file whatever the project's share, file by file"),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        path = PurePosixPath(ctx.relative_path)
        self._counted = not _NOT_COUNTED_FOLDERS & set(path.parts[:-1])
        self._service = is_layer_module(ctx.relative_path)
        self._functions = 0
        self._annotated = 0
        self._missing: list[dict] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        slots = _slots(node, self._is_method(node))
        if self._counted:
            self._functions += 1
            self._annotated += any(annotation is not None for _, annotation in slots) \
                or node.returns is not None
        if not self._is_checked(node):
            return
        missing = [f"parameter `{name}`" for name, annotation in slots if annotation is None]
        if node.returns is None and node.name != "__init__" and not self._return_is_optional(node):
            missing.append("its return")
        if missing:
            self._missing.append({"name": node.name, "missing": missing, "site": [
                node.lineno, node.col_offset, node.lineno, node.col_offset + len(node.name) + 4]})

    visit_AsyncFunctionDef = visit_FunctionDef

    def _return_is_optional(self, node: ast.AST) -> bool:
        """FastAPI makes a handler's return annotation its response model, a behaviour to opt
        into (as `response_model=` is), not a gap in the types."""
        route = self.ctx.model.route_of(node)
        if route is None:
            return False
        if route.framework == "python":  # `@router.get(...)` on a router built elsewhere
            return any(name.split(".")[0] == "fastapi" for name in self.ctx.model.imported_modules)
        return route.framework in ("fastapi", "starlette")

    def _is_method(self, node: ast.AST) -> bool:
        is_static = any(getattr(decorator, "id", "") == "staticmethod"
                        for decorator in node.decorator_list)
        return isinstance(self.ctx.model.parent(), ast.ClassDef) and not is_static

    def _is_checked(self, node: ast.AST) -> bool:
        if _is_decorator(node):
            return False
        if self.ctx.model.route_of(node) is not None:
            return True
        return self._service and self._is_public_place(node)

    def _is_public_place(self, node: ast.AST) -> bool:
        model = self.ctx.model
        parent = model.parent()
        if parent is model.ancestors[0]:
            return is_public(node.name)
        return isinstance(parent, ast.ClassDef) and is_public(parent.name) \
            and is_public(node.name) and model.parent(parent) is model.ancestors[0]

    def finish_file(self) -> None:
        if self.option("require-annotations"):
            for item in self._missing:
                self.ctx.findings.append(_finding(self.ctx.path, item, "`require-annotations` "
                                                                       "is set"))
        elif self._functions or self._missing:
            self.ctx.facts[self.code] = {"functions": self._functions,
                                         "annotated": self._annotated, "missing": self._missing}

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        facts = {path: facts_by_path[path][cls.code] for path in sorted(facts_by_path)
                 if cls.code in facts_by_path[path]}
        functions = sum(item["functions"] for item in facts.values())
        annotated = sum(item["annotated"] for item in facts.values())
        if not functions or annotated * 100 < settings.option("typed-share") * functions:
            return []
        share = f"{annotated * 100 // functions}% of this project's functions are annotated, " \
                f"`typed-share` is {settings.option('typed-share')}%"
        return [_finding(path, item, share) for path, file_facts in facts.items()
                for item in file_facts["missing"]]


def _slots(node: ast.AST, is_method: bool) -> list[tuple[str, ast.AST | None]]:
    """(name, annotation) of the parameters a caller passes: not self/cls, not *args/**kwargs."""
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if is_method and positional:
        positional = positional[1:]
    return [(arg.arg, arg.annotation) for arg in (*positional, *arguments.kwonlyargs)]


def _is_decorator(node: ast.AST) -> bool:
    """A function that defines an inner function and returns it: a decorator's pass-through."""
    inner = {child.name for child in node.body
             if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return bool(inner) and any(isinstance(child, ast.Return) and isinstance(child.value, ast.Name)
                               and child.value.id in inner for child in own_nodes(node.body))


def _finding(path: str, item: dict, reason: str) -> Finding:
    line, column, end_line, end_column = item["site"]
    missing = item["missing"]
    listed = ", ".join(missing[:-1]) + f" and {missing[-1]}" if len(missing) > 1 else missing[0]
    them = "them" if len(missing) > 1 else "it"
    return Finding(path=path, line=line, column=column, code="BKL402", end_line=end_line,
                   end_column=end_column,
                   message=f"`{item['name']}` has no annotation for {listed}: annotate {them}, "
                           f"as this project does ({reason})")
