"""Unvalidated request body

## What it does
Reports a route handler that reads the raw request body instead of a typed, validated model:
- `await request.json()` (FastAPI/Starlette, aiohttp, Litestar), `request.get_json()` and
  `request.json` (Flask/Quart, Sanic), `json.loads(request.body)` or of `request.data`;
- Django's `request.POST`, DRF's `request.data` and Flask's `request.form` used as a dict
  (`request.POST["name"]`, `request.data.get("email")`, `dict(request.form)`);
- a FastAPI body parameter typed `dict`, `Dict[...]`, `Mapping` or `Any`.

The body is validated, and nothing is reported, when the value read is handed to a validator:
a class (`UserIn(**payload)`, `UserSerializer(data=request.data)`, `ContactForm(request.POST)`)
or a call named for it (`schema.load(payload)`, `User.model_validate(payload)`,
`validate(payload, SCHEMA)`), directly or through the variable it was assigned to, or when
the handler calls a validator at all (`schema.load({"key": key})` for each item); writing a
field into it (`request.data["owner"] = pk` before `super().create(...)`) is no read. One
finding per handler, on its first raw read.

## Why it matters
The guide: "Validate input at the boundary ... parse and validate with a typed model (Zod,
Pydantic)". A raw dict lets a missing field, a string where a number belongs or an unexpected
extra key travel into the service layer and the database, and the handler's signature says
nothing about what clients must send.

## Example
```python
from flask import Blueprint, jsonify, request

from app.services import users

bp = Blueprint("users", __name__)


@bp.post("/users")
def create_user():
    payload = request.get_json()
    user = users.create(payload["email"], payload["name"])
    return jsonify({"success": True, "data": user.to_dict()}), 201
```

## Use instead
```python
from flask import Blueprint, jsonify, request
from pydantic import BaseModel, EmailStr

from app.services import users

bp = Blueprint("users", __name__)


class NewUser(BaseModel):
    email: EmailStr
    name: str


@bp.post("/users")
def create_user():
    new_user = NewUser.model_validate(request.get_json())
    user = users.create(new_user.email, new_user.name)
    return jsonify({"success": True, "data": user.to_dict()}), 201
```

## Options
- `validator-names` (default: empty): names of the project's own validating functions
  (`check_payload`, `app.validation.parse`) beyond those named for it.
"""
from __future__ import annotations

import ast
import re

from .base import Option, Rule
from .names import dotted, last_name, own_nodes_and_parents, words

_JSON_METHODS = frozenset({"json", "get_json"})
# Every raw read is one of these attributes, or `json.loads(...)`: a handler whose text has no
# such spelling is not walked (between a dot and a name the tokenizer allows only blanks,
# backslash continuations and, inside brackets, comments).
_GAP = r"(?:\s|\\|#[^\n]*\n)*"  # a comment item ends at its newline: no backtracking
_READ_SPELLINGS = re.compile(rf"\.{_GAP}(?:json|get_json|data|POST|form)\b"
                             rf"|\bjson{_GAP}\.{_GAP}loads\b")
# Attributes holding the parsed body as a mapping, per framework family.
_MAPPING_ATTRS = {"django": ("POST", "data"), "flask": ("form",), "quart": ("form",)}
_JSON_ATTR_FRAMEWORKS = frozenset({"flask", "quart", "sanic", "python"})
_FLASK_REQUESTS = frozenset({"flask.request", "quart.request"})
_VALIDATOR_WORDS = frozenset({"valid", "validate", "validated", "validator", "schema",
                              "serializer", "serialize", "deserialize", "form", "parse", "load",
                              "structure", "model", "clean", "from_dict", "from_json"})
_DICT_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "typing.Dict",
                         "typing.Mapping", "typing.Any", "typing_extensions.Any", "Any",
                         "collections.abc.Mapping", "typing.MutableMapping"})
_NOT_BODY_DEFAULTS = frozenset({"Query", "Path", "Header", "Cookie", "Depends", "Security",
                                "Form", "File"})


class UnvalidatedRequestBody(Rule):
    code = "BKL403"
    symbol = "unvalidated-request-body"
    pylint_id = "W9403"
    severity = "warning"
    options = (Option("validator-names", tuple, (),
                      "the project's own validating functions, beyond those named for it"),)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        route = self.ctx.model.route_of(node)
        if route is None or route.kind != "handler":
            return
        if route.framework == "fastapi":
            param = self._untyped_body_parameter(node)
            if param is not None:
                self.report(param, f"The body parameter `{param.arg}` is typed "
                                   f"`{ast.unparse(param.annotation)}`: {_FIX}")
                return
        finding = self._first_raw_read(node, route.framework)
        if finding is not None:
            read, text = finding
            self.report(read, f"`{text}` reads the raw request body, unvalidated: {_FIX}")

    visit_AsyncFunctionDef = visit_FunctionDef

    # ----- FastAPI parameters -----
    def _untyped_body_parameter(self, node: ast.AST) -> ast.arg | None:
        arguments = node.args
        params = [*arguments.posonlyargs, *arguments.args]
        defaults = [None] * (len(params) - len(arguments.defaults)) + list(arguments.defaults)
        pairs = [*zip(params, defaults), *zip(arguments.kwonlyargs, arguments.kw_defaults)]
        for param, default in pairs:
            if param.annotation is None or not self._is_dict_type(param.annotation):
                continue
            if default is not None and _call_name(default) in _NOT_BODY_DEFAULTS:
                continue
            return param
        return None

    def _is_dict_type(self, annotation: ast.AST) -> bool:
        if isinstance(annotation, ast.Subscript):
            if last_name(annotation.value) == "Annotated":
                elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) \
                    else [annotation.slice]
                extras = {_call_name(extra) for extra in elements[1:]}
                return not extras & _NOT_BODY_DEFAULTS and self._is_dict_type(elements[0])
            annotation = annotation.value
        qualname = self.ctx.model.resolve(annotation)
        name = qualname or (annotation.id if isinstance(annotation, ast.Name) else "")
        return name in _DICT_TYPES

    # ----- raw reads in the body -----
    def _first_raw_read(self, node: ast.AST, framework: str) -> tuple[ast.AST, str] | None:
        text = self.ctx.text_of(node)
        if text.isascii() and not _READ_SPELLINGS.search(text):
            return None
        nodes, parents = own_nodes_and_parents(node)
        validates: list[bool] = []  # whether the handler calls a validator, found once
        for child in nodes:
            read = self._raw_read(child, parents, framework)
            if read is not None and not self._validated(read, parents, nodes, validates):
                return read, ast.unparse(read)
        return None

    def _raw_read(self, node: ast.AST, parents: dict, framework: str) -> ast.AST | None:
        """The expression that is the raw body, if `node` reads one."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _JSON_METHODS and self._is_request(node.func.value):
            return _awaited(node, parents)
        if isinstance(node, ast.Call) and dotted(node.func) == "json.loads" and node.args \
                and self._is_body_bytes(node.args[0]):
            return node
        if not isinstance(node, ast.Attribute) or not self._is_request(node.value):
            return None
        if node.attr == "json" and framework in _JSON_ATTR_FRAMEWORKS and \
                not _is_called(node, parents):
            return node
        family = "flask" if framework in ("python", "quart") else framework
        if node.attr in _MAPPING_ATTRS.get(family, ()) and _used_as_mapping(node, parents):
            return node
        return None

    def _is_body_bytes(self, expr: ast.AST) -> bool:
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            expr = expr.func
        return isinstance(expr, ast.Attribute) and expr.attr in ("body", "data") \
            and self._is_request(expr.value)

    def _is_request(self, expr: ast.AST) -> bool:
        if self.ctx.model.resolve(expr) in _FLASK_REQUESTS:
            return True
        if isinstance(expr, ast.Attribute):
            return expr.attr == "request" and getattr(expr.value, "id", "") == "self"
        return isinstance(expr, ast.Name) and expr.id in ("request", "req")

    # ----- validation -----
    def _validated(self, read: ast.AST, parents: dict, nodes: list[ast.AST],
                   validates: list[bool]) -> bool:
        read = _whole_value(read, parents)
        if self._reaches_validator(read, parents):
            return True
        if not validates:
            validates.append(self._validates_something(nodes))
        if validates[0]:
            return True
        target = _assigned_name(read, parents)
        if target is None:
            return False
        for node in nodes:
            if isinstance(node, ast.Name) and node.id == target and \
                    isinstance(node.ctx, ast.Load) and self._reaches_validator(node, parents):
                return True
        return False

    def _validates_something(self, nodes: list[ast.AST]) -> bool:
        """A handler that calls a validator at all (`schema.load({"key": key})` per item of the
        body) validates what it reads, as far as one file shows."""
        return any(isinstance(node, ast.Call) and (node.args or node.keywords)
                   and self._is_named_validator(node.func) for node in nodes)

    def _reaches_validator(self, expr: ast.AST, parents: dict) -> bool:
        """`Model(**expr)`, `Serializer(data=expr)`, `schema.load(expr)` ..."""
        parent = parents.get(expr)
        if isinstance(parent, (ast.keyword, ast.Starred)):
            parent = parents.get(parent)
        if not isinstance(parent, ast.Call) or parent.func is expr:
            return False
        return self._is_validator(parent.func)

    def _is_validator(self, func: ast.AST) -> bool:
        name = last_name(func) or ""
        if (name[:1].isupper() and not name.endswith("Response")) \
                or name in self.option("validator-names"):
            return True
        return self._is_named_validator(func)

    def _is_named_validator(self, func: ast.AST) -> bool:
        name = last_name(func) or ""
        qualname = self.ctx.model.resolve(func)
        if name in self.option("validator-names") or qualname in self.option("validator-names"):
            return True
        return name.lower() in _VALIDATOR_WORDS or not _VALIDATOR_WORDS.isdisjoint(words(name))


_FIX = ("parse it into a typed, validated model (a pydantic model, a marshmallow schema, a DRF "
        "serializer, a Django form) and use its fields")


def _whole_value(read: ast.AST, parents: dict) -> ast.AST:
    """The body as a whole: `request.data.copy()`, `dict(request.POST)` are still all of it."""
    while True:
        parent = parents.get(read)
        grand = parents.get(parent)
        if isinstance(parent, ast.Attribute) and parent.attr in ("copy", "dict", "to_dict") \
                and isinstance(grand, ast.Call) and grand.func is parent:
            read = grand
        elif isinstance(parent, ast.Call) and dotted(parent.func) == "dict" \
                and parent.args[:1] == [read]:
            read = parent
        elif isinstance(parent, (ast.BoolOp, ast.IfExp, ast.Await)):
            read = parent  # `request.form or request.get_json()`
        else:
            return read


def _awaited(call: ast.AST, parents: dict) -> ast.AST:
    parent = parents.get(call)
    return parent if isinstance(parent, ast.Await) else call


def _is_called(node: ast.AST, parents: dict) -> bool:
    parent = parents.get(node)
    return isinstance(parent, ast.Call) and parent.func is node


def _used_as_mapping(node: ast.AST, parents: dict) -> bool:
    """`request.POST["x"]`, `request.data.get("x")`, `dict(request.form)`, `for k in ...`."""
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        # `request.data["owner"] = pk` fills in a field for the serializer that validates it
        return not isinstance(parent.ctx, ast.Store)
    if isinstance(parent, ast.Attribute) and parent.attr in ("get", "getlist", "items", "keys",
                                                             "values", "copy", "dict", "pop"):
        return True
    if isinstance(parent, ast.Call) and dotted(parent.func) == "dict":
        return True
    return isinstance(parent, ast.For) and parent.iter is node


def _assigned_name(read: ast.AST, parents: dict) -> str | None:
    parent = parents.get(read)
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return None


def _call_name(expr: ast.AST | None) -> str | None:
    return last_name(expr.func) if isinstance(expr, ast.Call) else None
