"""Inconsistent response shape

## What it does
Compares the top-level keys of every JSON body a route handler returns with the project's
envelope, and reports the bodies of another shape with the expected one in the message.

A body is a dict literal (or `dict(...)`) returned by a handler (`return {...}`,
`return {...}, 201`), or given to a JSON response: `JSONResponse`/`ORJSONResponse`,
`jsonify({...})`/`jsonify(k=v)`, `make_response`, Django `JsonResponse`, DRF `Response`,
aiohttp `web.json_response`, Sanic `json`. Returns through the project's helpers
(`return ok(data)`, `JSONResponse(content=envelope(...))`) are followed across modules to the
dict the helper builds; so are methods reached through a module-level instance
(`response_base = ResponseBase()` in this or another module, then
`return response_base.success(data=...)`, and `self._build(...)` inside the class), with the
method's return shape recorded like a helper's. Typed bodies (`response_model=`, a return
annotation, returning a pydantic model) are compared by the model's fields, inherited ones
included. Lists, strings, templates, redirects, plain `Response` objects, bodies with `**`
spreads and FastAPI's `{"detail": ...}` error bodies are not compared.

The envelope is `response-envelope` when configured: a body's keys must all be among them and
include the `response-envelope-required` ones. Otherwise it is inferred per sub-application (a
folder with its own app, Django `urls` or router root: `Flask(...)`, `FastAPI()`,
`web.Application()`, a router or blueprint built in a package's `__init__.py`; a module whose
router or blueprint is mounted at an API root, `url_prefix="/api/v1"`, is one of its own; the
rest belongs to the project's root), from the dominant envelope of its success bodies and of its
error bodies (a status of 400 or more, `success: False`, returned in an `except` block or an
exception handler). Only envelope words are envelope keys (`success`, `ok`, `status`, `code`,
`data`, `result`, `error`, `message`, `msg`, `meta` ...): payload names such as `users` or
`count` never are. The shape needs evidence: at least `response-shape-min-bodies` bodies from
`response-shape-min-modules` modules, twice the next shape and a third of all bodies (handlers
typed with a model whose fields backlint cannot read, such as one built on a library's base
class, count as bodies of another shape). The message says it: `the handlers under api/ return
{success, data} (14 of 17 bodies in 6 modules)`.

A body conforms when it has every key of the success or of the error shape, or when it is a subset
of the envelope that keeps its discriminating key (`success`, `ok`, `status`, `code`, or the
keys both shapes share): `{"success": True}` after a delete and `{"success": False}, 409` conform
to `{success, data}`, and an error body may carry `error`, `message` or `code` beside it. While no
error shape dominates, an error body conforms when it shares a key with the success shape. An
envelope without a data key (`{status, msg}` acknowledgements only) says nothing about bodies
that carry data (`{token, name}`, `{status, domain, keys}`, `{draw, recordsTotal, data}`); a
handler that answers text or a number (`return f"{rank}:{score}"`) follows its own protocol, its
error bodies included; and webhook receivers (a handler whose name, path or docstring says
webhook) answer the calling service, not the project's clients: none of these is compared.
Without a convention nothing is reported: the project has none to follow yet.

The inferred check needs the whole project: `backlint check` and pylint (`-j N` included) report
it, flake8 cannot. With a configured envelope, dict-literal bodies are checked file by file and
flake8 reports them too; bodies built by helpers or models still need the project.

Off by default: on real repositories the inferred envelope has not reached the precision every
default rule needs (docs/real-repos.md). Configuring `response-envelope` (or another option
below) turns it on, and so does `extend-select = ["BKL103"]` (or `--extend-select BKL103`, or a
`select` that names `BKL103`; a prefix such as `BKL1` does not).

## Why it matters
The guide: "HTTP responses always include a consistent shape (e.g., `{ success, data, error }`)"
and "match existing conventions ... response shape". Clients parse one envelope; a handler that
answers `{message, result}` where every other one answers `{success, data}` breaks them.

## Example
```python
# app/routes/users.py
from fastapi import APIRouter

from app.services import users

router = APIRouter()


@router.get("/users")
async def list_users():
    return {"success": True, "data": await users.all()}


@router.get("/users/{user_id}")
async def read_user(user_id: str):
    return {"success": True, "data": await users.get(user_id)}

# app/routes/orders.py
from fastapi import APIRouter

from app.services import orders

router = APIRouter()


@router.get("/orders")
async def list_orders():
    return {"success": True, "data": await orders.all()}

# app/routes/items.py
from fastapi import APIRouter

from app.services import items

router = APIRouter()


@router.get("/items")
async def list_items():
    return {"success": True, "data": await items.all()}


@router.post("/items")
async def create_item():
    return {"success": True, "data": await items.create()}


@router.delete("/items/{item_id}")
async def delete_item(item_id: str):
    await items.delete(item_id)
    return {"message": "deleted", "result": item_id}
```

## Use instead
```python
# app/routes/users.py
from fastapi import APIRouter

from app.services import users

router = APIRouter()


@router.get("/users")
async def list_users():
    return {"success": True, "data": await users.all()}


@router.get("/users/{user_id}")
async def read_user(user_id: str):
    return {"success": True, "data": await users.get(user_id)}

# app/routes/orders.py
from fastapi import APIRouter

from app.services import orders

router = APIRouter()


@router.get("/orders")
async def list_orders():
    return {"success": True, "data": await orders.all()}

# app/routes/items.py
from fastapi import APIRouter

from app.services import items

router = APIRouter()


@router.get("/items")
async def list_items():
    return {"success": True, "data": await items.all()}


@router.post("/items")
async def create_item():
    return {"success": True, "data": await items.create()}


@router.delete("/items/{item_id}")
async def delete_item(item_id: str):
    await items.delete(item_id)
    return {"success": True}
```

## Options
- `response-envelope` (default: empty, inferred): the top-level keys a response body may have,
  for example `["success", "data", "error"]`.
- `response-envelope-required` (default: empty): keys every body must have, for example
  `["success"]`; used with `response-envelope`.
- `response-shape-min-bodies` (default `5`): how many bodies must share a shape before it is
  taken as a sub-application's convention.
- `response-shape-min-modules` (default `3`): how many modules those bodies must come from.
"""
from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from . import frameworks as fw
from . import response_envelope as envelopes
from .base import Option, Rule
from .finding import Finding
from .names import last_name as _name
from .response_envelope import Envelope, braces
_MODEL_ROOTS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel",
                          "ninja.Schema", "pydantic.generics.GenericModel"})
_MODEL_CONSTRUCTORS = frozenset({"model_validate", "from_orm", "parse_obj", "model_construct",
                                 "construct", "validate"})
_CONTAINER_TYPES = frozenset({"list", "List", "Sequence", "Iterable", "tuple", "Tuple", "set",
                              "Optional", "Union", "Page", "dict", "Dict"})
_CONTENT_KEYWORDS = ("content", "data", "body", "obj", "response")
_STATUS_KEYWORDS = ("status_code", "status", "code")
_ERROR_STATUS_WORDS = frozenset({"error", "fail", "failed", "failure"})
_JSON_RESPONSE_NAMES = frozenset({"jsonify", "JsonResponse", "json_response", "make_response"})
_TYPING_MODULES = ("typing.", "typing_extensions.")
_MAX_HELPER_DEPTH = 5


@dataclass
class _Frame:
    """A function whose returns are collected: a handler, or a possible response helper."""

    node: ast.AST
    kind: str | None  # "handler", "error_handler", "helper" or None (not collected)
    helper_shapes: list | None = None
    name: str | None = None  # a helper's qualified name: `module.func`, `module.Class.method`
    answers_text: bool = False  # a handler returning text or a number: not a JSON envelope API


class InconsistentResponseShape(Rule):
    code = "BKL103"
    symbol = "inconsistent-response-shape"
    pylint_id = "W9103"
    severity = "warning"
    default_enabled = False  # below 0.9 precision on real repositories: docs/real-repos.md
    options = (
        Option("response-envelope", tuple, (),
               "top-level keys a response body may have; empty: inferred from the project"),
        Option("response-envelope-required", tuple, (),
               "keys every response body must have (with response-envelope)"),
        Option("response-shape-min-bodies", int, 5,
               "bodies that must share a shape before it is the project's convention"),
        Option("response-shape-min-modules", int, 3,
               "modules those bodies must come from before the shape is a convention"),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._frames: list[_Frame] = []
        self._seen_calls: set[int] = set()
        self._bodies: list[tuple] = []
        self._helpers: dict[str, tuple] = {}
        self._models: dict[str, tuple] = {}
        self._typed: set[int] = set()
        self._instances: dict[str, str] = {}
        self._builds = {"app": False, "router": False, "api_prefix": False}

    # ----- functions -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        route = self.ctx.model.route_of(node)
        if route is not None and _is_webhook(node):
            self._frames.append(_Frame(node, None))  # it answers the sender, not a client
        elif route is not None:
            frame = _Frame(node, route.kind)
            self._frames.append(frame)
            self._record_typed_body(node)
        else:
            name = self._helper_name(node)
            self._frames.append(_Frame(node, "helper", helper_shapes=[], name=name) if name
                                else _Frame(node, None))

    visit_AsyncFunctionDef = visit_FunctionDef

    def _helper_name(self, node: ast.AST) -> str | None:
        """A module-level function, or a method of a module-level class (`response_base =
        ResponseBase()` elsewhere, then `response_base.success(...)`), may build bodies."""
        module_node = self.ctx.model.ancestors[0]
        parent = self.ctx.model.parent()
        if parent is module_node:
            return f"{self.ctx.model.module}.{node.name}"
        if isinstance(parent, ast.ClassDef) and self.ctx.model.parent(parent) is module_node:
            return f"{self.ctx.model.module}.{parent.name}.{node.name}"
        return None

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        frame = self._frames.pop()
        if frame.answers_text:
            # `return f"{rank}:{score}"` beside `return {"error": ...}, 400`: its own protocol.
            self._bodies = [body for body in self._bodies if body["handler"] != node.lineno]
        if frame.kind == "helper" and frame.helper_shapes:
            shapes = {(keys and frozenset(keys), ref) for keys, ref, _ in frame.helper_shapes}
            if len(shapes) == 1:
                self._helpers[frame.name] = frame.helper_shapes[0]

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.ctx.model.parent() is not self.ctx.model.ancestors[0]:
            return
        bases = tuple(self.ctx.model.resolve(_unsubscripted(base)) or "?" for base in node.bases)
        if not bases or "?" in bases:
            return
        fields = _field_names(node)
        project = self.ctx.model.module.split(".")[0]
        # Kept small: models, and classes that may inherit from one (the project's own).
        if fields or any(base in _MODEL_ROOTS or base.startswith(project + ".") for base in bases):
            self._models[f"{self.ctx.model.module}.{node.name}"] = (fields, bases)

    def visit_Assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        """`response_base = ResponseBase()` at module level: its methods may be helpers."""
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        model = self.ctx.model
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) \
                or model.parent() is not model.ancestors[0] or not isinstance(node.value, ast.Call):
            return
        made_by = model.resolve(node.value.func)
        if made_by and made_by.split(".")[0] == model.module.split(".")[0]:
            self._instances[f"{model.module}.{targets[0].id}"] = made_by

    visit_AnnAssign = visit_Assign

    # ----- bodies -----
    def visit_Return(self, node: ast.Return) -> None:
        frame = self._frame()
        if frame is None or node.value is None:
            return
        if frame.kind == "handler" and _is_text(node.value):
            frame.answers_text = True
            return
        body = self._describe(node.value)
        if body is None:
            return
        keys, ref, status, origin = body
        if frame.kind == "helper":
            frame.helper_shapes.append((keys, ref, self._is_error(status, origin)))
        else:
            # A plain return goes through `response_model` (if the handler has one); a
            # response object does not.
            self._add_body(keys, ref, status, origin, plain=not self._is_response(node.value))

    def visit_Call(self, node: ast.Call) -> None:
        self._note_application(node)
        frame = self._frame()
        if frame is None or frame.kind == "helper" or id(node) in self._seen_calls:
            return
        if self._is_json_response(node):
            body = self._describe(node)
            if body is not None:
                self._add_body(*body)

    def finish_file(self) -> None:
        if self._envelope_configured():
            envelope = Envelope.configured(self.ctx.settings)
            for body in self._bodies:
                if body["keys"] is None or (body["plain"] and body["handler"] in self._typed):
                    continue  # needs the project: a helper, a model, or a response_model
                if not envelope.accepts(frozenset(body["keys"]), body["error"]):
                    self.ctx.findings.append(_finding(self.ctx.path, body, body["keys"], envelope))
                    body["reported"] = True
        root = envelopes.root_folder(self.ctx.relative_path, self._builds["app"],
                                     self._builds["router"], self._builds["api_prefix"])
        if self._bodies or self._helpers or self._models or self._instances or root is not None:
            self.ctx.facts[self.code] = {"bodies": self._bodies, "helpers": self._helpers,
                                         "models": self._models, "instances": self._instances,
                                         "relative": self.ctx.relative_path, "root": root}

    def _note_application(self, call: ast.Call) -> None:
        """An app (or a router) built here makes this folder a sub-application."""
        qualname = self.ctx.model.resolve(call.func)
        if qualname in envelopes.APP_CONSTRUCTORS:
            self._builds["app"] = True
        elif qualname in fw.APP_TYPES:
            self._builds["router"] = True
            self._builds["api_prefix"] |= any(
                keyword.arg in ("url_prefix", "prefix") and isinstance(keyword.value, ast.Constant)
                and envelopes.is_api_root(str(keyword.value.value)) for keyword in call.keywords)

    # ----- describing one returned value -----
    def _describe(self, expr: ast.AST, status: int | None = None):
        """(keys, helper-or-model ref, status, node) of a body, or None if it is no JSON dict."""
        if isinstance(expr, ast.Await):
            return self._describe(expr.value, status)
        if isinstance(expr, ast.Tuple) and expr.elts:
            return self._describe(expr.elts[0], _status_of(expr.elts[1:2]) or status)
        if isinstance(expr, ast.Dict):
            return _keyed_body(_literal_keys(expr), status, expr)
        if isinstance(expr, ast.Call):
            return self._describe_call(expr, status)
        return None

    def _describe_call(self, call: ast.Call, status: int | None):
        self._seen_calls.add(id(call))
        if self._is_builtin_dict(call):
            return _keyed_body(_keyword_keys(call), status, call)
        if self._is_response(call):
            return self._describe_response(call, status)
        ref = self._model_or_helper_ref(call)
        return (None, ref, status, call) if ref else None

    def _describe_response(self, call: ast.Call, status: int | None):
        status = _status_of([kw.value for kw in call.keywords if kw.arg in _STATUS_KEYWORDS]
                            or call.args[1:2]) or status
        if not self._is_json_response(call):
            return None
        if self.ctx.model.resolve(call.func).endswith(".jsonify") and not call.args:
            # jsonify(success=True, data=...)
            return _keyed_body(_keyword_keys(call), status, call)
        content = call.args[:1] or [kw.value for kw in call.keywords if kw.arg in _CONTENT_KEYWORDS]
        return self._describe(content[0], status) if content else None

    def _model_or_helper_ref(self, call: ast.Call) -> str | None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _MODEL_CONSTRUCTORS:
            func = func.value
        ref = self.ctx.model.resolve(_unsubscripted(func))  # `Envelope[User](...)` too
        return ref or (self._method_ref(func) if isinstance(func, ast.Attribute) else None)

    def _method_ref(self, func: ast.Attribute) -> str | None:
        """`Class.method` for `instance.method` (an instance of this module) and `self.method`."""
        instance = self.ctx.model.instance_type(func.value)
        if instance:
            return f"{instance}.{func.attr}"
        frame = self._frames[-1] if self._frames else None
        is_self = isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
        if is_self and frame is not None and frame.name and frame.name.count(".") > \
                self.ctx.model.module.count(".") + 1:
            return f"{frame.name.rpartition('.')[0]}.{func.attr}"
        return None

    def _record_typed_body(self, node: ast.AST) -> None:
        """`response_model=UserOut` or `-> UserOut`: the body is the model's fields."""
        annotation = _response_model(node) or node.returns
        if annotation is None:
            return
        ref = self._typed_ref(annotation)
        if ref:
            self._typed.add(node.lineno)
            self._add_body(None, ref, None, annotation, typed=True)

    def _typed_ref(self, annotation: ast.AST) -> str | None:
        if isinstance(annotation, ast.Subscript):
            if _name(annotation.value) in _CONTAINER_TYPES:
                return None
            annotation = annotation.value
        ref = self.ctx.model.resolve(annotation)
        return ref if ref and not fw.is_response_call(ref) else None

    # ----- small questions -----
    def _frame(self) -> _Frame | None:
        frame = self._frames[-1] if self._frames else None
        return frame if frame is not None and frame.kind is not None else None

    def _add_body(self, keys, ref, status, origin, plain: bool = False,
                  typed: bool = False) -> None:
        handler = self._frames[-1].node.lineno
        self._bodies.append({
            "at": (origin.lineno, origin.col_offset, origin.end_lineno, origin.end_col_offset),
            "keys": keys, "ref": ref, "error": self._is_error(status, origin),
            "handler": handler, "plain": plain, "typed": typed, "reported": False,
        })

    def _is_error(self, status: int | None, origin: ast.AST) -> bool:
        if status is not None and status >= 400:
            return True
        if isinstance(origin, ast.Dict) and _says_failure(origin):
            return True
        frame = self._frames[-1]
        if frame.kind == "error_handler":
            return True
        ancestors = self.ctx.model.ancestors
        start = next((index for index, node in enumerate(ancestors) if node is frame.node), 0)
        return any(isinstance(node, ast.ExceptHandler) for node in ancestors[start:])

    def _is_response(self, expr: ast.AST) -> bool:
        return isinstance(expr, ast.Call) and fw.is_response_call(self.ctx.model.resolve(expr.func))

    def _is_json_response(self, call: ast.Call) -> bool:
        qualname = self.ctx.model.resolve(call.func)
        if not fw.is_response_call(qualname):
            return False
        name = qualname.rpartition(".")[2]
        return (name.endswith("JSONResponse") or name in _JSON_RESPONSE_NAMES
                or qualname.startswith("rest_framework.response.")
                or (qualname.startswith("sanic") and name == "json"))

    def _is_builtin_dict(self, call: ast.Call) -> bool:
        return isinstance(call.func, ast.Name) and call.func.id == "dict" \
            and self.ctx.model.lookup("dict") is None and not call.args

    def _envelope_configured(self) -> bool:
        return bool(self.option("response-envelope"))

    # ----- the project -----
    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        index = _ProjectIndex(facts_by_path, cls.code)
        bodies = index.resolved_bodies()
        if settings.option("response-envelope"):
            return _unreported(bodies, Envelope.configured(settings))
        evidence = (settings.option("response-shape-min-bodies"),
                    settings.option("response-shape-min-modules"))
        findings = []
        for scope, group in index.by_sub_application(bodies).items():
            envelope = Envelope.inferred(group, evidence, index.unresolved_typed_bodies(scope),
                                         scope)
            if envelope is not None:
                envelope = envelope.with_helpers(*index.helpers_building(envelope, group))
                findings.extend(_unreported(group, envelope))
        return sorted(findings)


def _unreported(bodies, envelope: Envelope) -> list[Finding]:
    return [_finding(path, body, keys, envelope) for path, body, keys in bodies
            if not body["reported"] and not envelope.accepts(frozenset(keys), body["error"])]


class _ProjectIndex:
    """Helpers and models of every file, to resolve bodies built elsewhere."""

    def __init__(self, facts_by_path: dict[str, dict], code: str) -> None:
        self.files = [(path, facts_by_path[path][code]) for path in sorted(facts_by_path)
                      if code in facts_by_path[path]]
        self.helpers = {name: shape for _, facts in self.files
                        for name, shape in facts["helpers"].items()}
        self.models = {name: model for _, facts in self.files
                       for name, model in facts["models"].items()}
        self.instances = {name: made_by for _, facts in self.files
                          for name, made_by in facts["instances"].items()}
        self.relative = {path: facts.get("relative", path) for path, facts in self.files}
        self.roots = [facts["root"] for _, facts in self.files if facts.get("root") is not None]

    def scope_of(self, path: str) -> str:
        return envelopes.sub_application(self.relative[path], self.roots)

    def by_sub_application(self, bodies) -> dict[str, list]:
        groups: dict[str, list] = {}
        for body in bodies:
            groups.setdefault(self.scope_of(body[0]), []).append(body)
        return groups

    def resolved_bodies(self) -> list[tuple[str, dict, tuple[str, ...]]]:
        """(path, body, keys) of every body whose keys are known, `{detail}` left out."""
        found = []
        for path, facts in self.files:
            resolved = [(body, *self.keys_of(body["keys"], body["ref"], body["error"]))
                        for body in facts["bodies"]]
            modelled = {body["handler"] for body, keys, _ in resolved if body["typed"] and keys}
            for body, keys, is_error in resolved:
                if body["plain"] and body["handler"] in modelled:
                    continue  # response_model decides this body's shape
                if keys and tuple(keys) != ("detail",):
                    found.append((path, {**body, "error": is_error}, tuple(keys)))
        return found

    def unresolved_typed_bodies(self, scope: str) -> int:
        """Handlers typed with a model whose fields are unknown (a base from a library): four
        `{status}` health checks beside 400 such handlers are no envelope convention."""
        return sum(1 for path, facts in self.files if self.scope_of(path) == scope
                   for body in facts["bodies"]
                   if body["typed"] and not body["ref"].startswith(_TYPING_MODULES)
                   and self.keys_of(None, body["ref"], False)[0] is None)

    def keys_of(self, keys, ref, is_error, depth: int = 0):
        if keys is not None or ref is None or depth > _MAX_HELPER_DEPTH:
            return keys, is_error
        if ref in self.helpers:
            helper_keys, helper_ref, helper_error = self.helpers[ref]
            return self.keys_of(helper_keys, helper_ref, is_error or helper_error, depth + 1)
        method = self.method_of_instance(ref)
        if method is not None:
            return self.keys_of(None, method, is_error, depth + 1)
        return self.model_fields(ref), is_error

    def is_helper(self, ref: str | None) -> bool:
        return ref is not None and (ref in self.helpers
                                    or self.method_of_instance(ref) in self.helpers)

    def method_of_instance(self, ref: str) -> str | None:
        """`app.responses.response_base.success` -> `app.responses.ResponseBase.success`."""
        instance, _, method = ref.rpartition(".")
        made_by = self.instances.get(instance)
        return f"{made_by}.{method}" if made_by else None

    def model_fields(self, name: str, depth: int = 0) -> tuple[str, ...] | None:
        if name not in self.models or depth > _MAX_HELPER_DEPTH:
            return None
        fields, bases = self.models[name]
        inherited: list[str] = []
        for base in bases:
            if base in _MODEL_ROOTS or base.startswith(_TYPING_MODULES):
                continue  # `Generic[T]` and `Protocol` add no fields
            base_fields = self.model_fields(base, depth + 1)
            if base_fields is None:
                return None
            inherited.extend(base_fields)
        combined = tuple(dict.fromkeys((*inherited, *fields)))
        return combined or None

    def helpers_building(self, envelope: Envelope, bodies) -> tuple[str | None, str | None]:
        """The helpers handlers use most to build the success and the error shape."""
        error = self.helper_building(frozenset(envelope.error), bodies) if envelope.error else None
        return self.helper_building(frozenset(envelope.success), bodies), error

    def helper_building(self, keys: frozenset[str], bodies) -> str | None:
        """The helper handlers use most to build this shape: the message names it."""
        used = Counter(body["ref"] for _, body, _ in bodies if self.is_helper(body["ref"]))
        names = [name for name in used if frozenset(envelopes.envelope_keys(
            self.keys_of(None, name, False)[0] or ())) == keys]
        return min(names, key=lambda name: (-used[name], name), default=None)


def _finding(path: str, body: dict, keys: tuple[str, ...], envelope: Envelope) -> Finding:
    line, column, end_line, end_column = body["at"]
    helper = envelope.error_helper if body["error"] and envelope.error_helper else envelope.helper
    fix = f"build it with {helper}(...)" if helper else "wrap it the same way"
    return Finding(path=path, line=line, column=column, code="BKL103",
                   message=f"response body has keys {braces(keys)}; {envelope.describe()}: {fix}",
                   end_line=end_line, end_column=end_column)


# ----- syntax helpers -----
def _keyed_body(keys: tuple[str, ...] | None, status: int | None, node: ast.AST):
    """The description of a body whose keys are known, or None if they are not."""
    return (keys, None, status, node) if keys else None


def _literal_keys(node: ast.Dict) -> tuple[str, ...] | None:
    keys = []
    for key in node.keys:
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None  # `**spread` or a computed key: the shape is unknown
        keys.append(key.value)
    return tuple(dict.fromkeys(keys)) or None


def _keyword_keys(call: ast.Call, skip: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    keys = tuple(keyword.arg for keyword in call.keywords if keyword.arg not in skip)
    return keys or None


def _says_failure(node: ast.Dict) -> bool:
    """`{"success": False, ...}` or `{"status": "error", ...}`."""
    for key, value in zip(node.keys, node.values):
        if not (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)):
            continue
        if key.value in ("success", "ok") and value.value is False:
            return True
        if key.value == "status" and str(value.value).lower() in _ERROR_STATUS_WORDS:
            return True
    return False


def _status_of(values: list[ast.AST]) -> int | None:
    """`404`, `status.HTTP_404_NOT_FOUND`, `HTTPStatus.NOT_FOUND` is unknown (None)."""
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, int):
            return value.value
        name = _name(value) or ""
        digits = name.split("_")[1] if name.startswith("HTTP_") and name.count("_") > 1 else ""
        if digits.isdigit():
            return int(digits)
    return None


def _response_model(node: ast.AST) -> ast.AST | None:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "response_model" and not _is_none(keyword.value):
                    return keyword.value
    return None


def _is_text(expr: ast.AST) -> bool:
    """`"ok"`, `f"{a}:{b}"`, `1`, `int(found)`: a plain-text or number answer."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, int)) and not isinstance(expr.value, bool)
    if isinstance(expr, ast.JoinedStr):
        return True
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) \
        and expr.func.id in ("str", "int", "float") and len(expr.args) == 1


def _is_webhook(node: ast.AST) -> bool:
    """A receiver of another service's events: its name, path or docstring says webhook."""
    paths = [decorator.args[0].value for decorator in node.decorator_list
             if isinstance(decorator, ast.Call) and decorator.args
             and isinstance(decorator.args[0], ast.Constant)
             and isinstance(decorator.args[0].value, str)]
    docstring = (ast.get_docstring(node) or "").partition("\n")[0]
    return any("webhook" in text.lower() for text in (node.name, docstring, *paths))


def _field_names(node: ast.ClassDef) -> tuple[str, ...]:
    fields = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if not name.startswith("_") and name != "model_config" \
                    and _name(_unsubscripted(statement.annotation)) != "ClassVar":
                fields.append(name)
    return tuple(fields)


def _unsubscripted(expr: ast.AST) -> ast.AST:
    return expr.value if isinstance(expr, ast.Subscript) else expr


def _is_none(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
