"""Leaked exception detail

## What it does
Reports an exception's message, the exception object itself, or a stack trace reaching an HTTP
response: returned from a route handler or exception handler, passed to a response
(`JSONResponse`, `jsonify`, `make_response`, `HttpResponse`, `JsonResponse`, DRF `Response`,
`web.json_response` ...), to `abort(...)`, or to an HTTP error such as
`HTTPException(detail=...)`. The exception is followed through variables, dicts, lists,
f-strings, `%` and `.format`, `str()`/`repr()`, `e.args`, `traceback.format_exc()`,
`traceback.format_exception(...)` and `sys.exc_info()`. The message says which it found: a stack
trace and the raw exception object are worse than the message text.

It stays silent where the exception only reaches a logger, where a generic message is returned,
on exceptions meant for clients (validation errors, HTTP exceptions, the project's own exception
classes), and in tests.

## Why it matters
The guide: "Don't return raw exceptions or stack traces to the client." Exception text carries
SQL, file paths, hostnames, library versions and sometimes secrets (CWE-209); it helps attackers
and confuses API users, who need a stable error shape instead.

## Example
```python
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.services import orders

router = APIRouter()


@router.get("/orders/{order_id}")
async def read_order(order_id: str):
    try:
        return await orders.get(order_id)
    except Exception as error:
        return JSONResponse({"success": False, "error": str(error)}, status_code=500)
```

## Use instead
```python
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.services import orders

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/orders/{order_id}")
async def read_order(order_id: str):
    try:
        return await orders.get(order_id)
    except Exception:
        logger.exception("reading order %s failed", order_id)
        return JSONResponse({"success": False, "error": "Internal error"}, status_code=500)
```

## Options
- `client-safe-exceptions` (default: names ending in `ValidationError`, `HTTPException`,
  `APIException`, `ValidationException`, `DoesNotExist`): exception class names (or name
  suffixes) whose messages are written for clients, so returning them is not a leak.
"""
from __future__ import annotations

import ast
import builtins

from . import frameworks as fw
from .base import Option, Rule

MESSAGE, OBJECT, STACK = 1, 2, 3
_WHAT = {MESSAGE: "The exception message", OBJECT: "The exception object", STACK: "A stack trace"}
_STACK_CALLS = frozenset({
    "traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
    "traceback.format_stack", "traceback.extract_tb", "traceback.extract_stack",
    "traceback.format_exception_only", "sys.exc_info", "sys.exception",
})
_PASS_THROUGH_CALLS = frozenset({
    "json.dumps", "fastapi.encoders.jsonable_encoder", "flask.json.dumps", "orjson.dumps",
})
_PASS_THROUGH_BUILTINS = frozenset({"dict", "list", "tuple", "set", "sorted"})
_TO_TEXT_BUILTINS = frozenset({"str", "repr", "format", "ascii"})
_STRING_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "title", "split",
                             "splitlines", "replace", "encode", "capitalize", "casefold"})
_MESSAGE_ATTRS = frozenset({"args", "message", "msg", "strerror", "detail", "description",
                            "reason", "text", "body", "errors", "pgerror", "diag"})
_OBJECT_ATTRS = frozenset({"orig", "__cause__", "__context__"})
_SAFE_KEYWORDS = frozenset({"status", "status_code", "headers", "media_type", "content_type",
                            "mimetype", "background", "code"})
_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException))
# Libraries whose exception text describes internals (queries, hosts, files), never the client.
_THIRD_PARTY_TOPS = frozenset({
    "sqlalchemy", "psycopg", "psycopg2", "asyncpg", "pymysql", "MySQLdb", "sqlite3", "pymongo",
    "motor", "redis", "requests", "httpx", "aiohttp", "urllib3", "botocore", "boto3", "openai",
    "anthropic", "stripe", "jwt", "elasticsearch", "kafka", "pika", "celery", "grpc",
    "google", "azure", "sendgrid", "twilio", "slack_sdk", "peewee", "tortoise", "django",
})
_DEFAULT_SAFE = ("ValidationError", "HTTPException", "APIException", "ValidationException",
                 "DoesNotExist", "WebSocketException")
_EXCEPTION_PARAM_NAMES = ("exc", "e", "error", "err", "exception", "ex")


class LeakedExceptionDetail(Rule):
    code = "BKL101"
    symbol = "leaked-exception-detail"
    pylint_id = "E9101"
    severity = "error"
    options = (Option("client-safe-exceptions", tuple, _DEFAULT_SAFE,
                      "exception class names (or suffixes) whose messages are meant for clients"),)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._scopes: list[dict[str, int]] = [{}]

    # ----- where exceptions come from -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._scopes.append({})
        param = self._exception_parameter(node)
        if param:
            self._scopes[-1][param] = OBJECT

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, _node: ast.AST) -> None:
        self._scopes.pop()

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name and self._leaks_internals(node.type):
            self._scopes[-1][node.name] = OBJECT

    def leave_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:  # Python unbinds the name at the end of the except block
            self._scopes[-1].pop(node.name, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        kind = 0 if self._in_debug_only_branch() else self._taint(node.value)[0]
        for target in node.targets:
            self._assign(target, kind)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and not self._in_debug_only_branch():
            self._assign(node.target, self._taint(node.value)[0])

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self._in_debug_only_branch():
            return
        kind = max(self._taint(node.value)[0], self._taint(node.target)[0])
        self._assign(node.target, _as_text(kind))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._assign(node.target, 0)

    visit_AsyncFor = visit_For

    # ----- where they must not go -----
    def visit_Call(self, node: ast.Call) -> None:
        qualname = self.ctx.model.resolve(node.func)
        if not (fw.is_response_call(qualname) or fw.is_http_error_call(qualname)
                or _is_project_response(qualname)) or self._in_debug_only_branch():
            return
        values = [*node.args, *(kw.value for kw in node.keywords if kw.arg not in _SAFE_KEYWORDS)]
        kind, origin = _strongest(self._taint(value) for value in values)
        if kind:
            name = qualname.rpartition(".")[2]
            self.report(origin, f"{_WHAT[kind]} reaches the HTTP response through `{name}(...)`: "
                                f"{_FIX}")

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is None or self.ctx.model.route_of(self.ctx.model.current_function) is None:
            return
        if self._in_debug_only_branch():
            return
        kind, origin = self._taint(node.value)
        if kind:
            self.report(origin, f"{_WHAT[kind]} is returned to the client: {_FIX}")

    # ----- following values -----
    def _assign(self, target: ast.AST, kind: int) -> None:
        scope = self._scopes[-1]
        if isinstance(target, ast.Name):
            if kind:
                scope[target.id] = kind
            elif not self._in_conditional():  # a clean value on one branch leaves the other's
                scope.pop(target.id, None)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and kind:
            scope[target.value.id] = max(scope.get(target.value.id, 0), kind)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assign(element, kind)

    def _taint(self, expr: ast.AST | None) -> tuple[int, ast.AST | None]:
        """How bad the exception detail in `expr` is (0: none), and the node that carries it."""
        handler = self._TAINT_BY_TYPE.get(type(expr))
        return handler(self, expr) if handler else (0, None)

    def _taint_name(self, node: ast.Name) -> tuple[int, ast.AST | None]:
        kind = self._scopes[-1].get(node.id, 0)
        return kind, node if kind else None

    def _taint_call(self, node: ast.Call) -> tuple[int, ast.AST | None]:
        model = self.ctx.model
        qualname = model.resolve(node.func)
        if qualname in _STACK_CALLS:
            return STACK, node
        arguments = [*node.args, *(kw.value for kw in node.keywords)]
        if qualname in _PASS_THROUGH_CALLS or self._is_builtin(node.func, _PASS_THROUGH_BUILTINS):
            return _strongest(self._taint(arg) for arg in arguments)
        if self._is_builtin(node.func, _TO_TEXT_BUILTINS):
            return _text_of(_strongest(self._taint(arg) for arg in node.args[:1]), node)
        if isinstance(node.func, ast.Attribute):
            return self._taint_method_call(node, node.func, arguments)
        return 0, None

    def _taint_method_call(self, node: ast.Call, func: ast.Attribute,
                           arguments: list[ast.AST]) -> tuple[int, ast.AST | None]:
        if func.attr in ("format", "join") and _is_string_constant(func.value):
            return _text_of(_strongest(self._taint(arg) for arg in arguments), node)
        if func.attr in _STRING_METHODS:
            return _text_of(self._taint(func.value), node)
        return 0, None

    def _taint_attribute(self, node: ast.Attribute) -> tuple[int, ast.AST | None]:
        kind, _ = self._taint(node.value)
        if kind != OBJECT:
            return 0, None
        if node.attr == "__traceback__":
            return STACK, node
        if node.attr in _OBJECT_ATTRS:
            return OBJECT, node
        return (MESSAGE, node) if node.attr in _MESSAGE_ATTRS else (0, None)

    def _taint_subscript(self, node: ast.Subscript) -> tuple[int, ast.AST | None]:
        kind, _ = self._taint(node.value)
        return (kind, node) if kind else (0, None)

    def _taint_joined_str(self, node: ast.JoinedStr) -> tuple[int, ast.AST | None]:
        parts = (self._taint(value.value) for value in node.values
                 if isinstance(value, ast.FormattedValue))
        return _text_of(_strongest(parts), node)

    def _taint_binop(self, node: ast.BinOp) -> tuple[int, ast.AST | None]:
        if not isinstance(node.op, (ast.Add, ast.Mod)):
            return 0, None
        return _text_of(_strongest((self._taint(node.left), self._taint(node.right))), node)

    def _taint_container(self, node: ast.AST) -> tuple[int, ast.AST | None]:
        if isinstance(node, ast.Dict):
            return _strongest(self._taint(value) for value in node.values)
        return _strongest(self._taint(element) for element in node.elts)

    def _taint_wrapped(self, node: ast.AST) -> tuple[int, ast.AST | None]:
        return self._taint(node.value)

    def _taint_choice(self, node: ast.AST) -> tuple[int, ast.AST | None]:
        if isinstance(node, ast.IfExp):
            debug = _debug_polarity(node.test)
            branches = [branch for branch, in_debug in ((node.body, True), (node.orelse, False))
                        if debug is None or in_debug != debug]
            return _strongest(self._taint(branch) for branch in branches)
        return _strongest(self._taint(value) for value in node.values)

    # Built in the class body, so the table holds the plain functions of the private methods.
    _TAINT_BY_TYPE = {
        ast.Name: _taint_name,
        ast.Call: _taint_call,
        ast.Attribute: _taint_attribute,
        ast.Subscript: _taint_subscript,
        ast.JoinedStr: _taint_joined_str,
        ast.BinOp: _taint_binop,
        ast.Dict: _taint_container,
        ast.List: _taint_container,
        ast.Tuple: _taint_container,
        ast.Set: _taint_container,
        ast.Starred: _taint_wrapped,
        ast.Await: _taint_wrapped,
        ast.NamedExpr: _taint_wrapped,
        ast.IfExp: _taint_choice,
        ast.BoolOp: _taint_choice,
    }

    # ----- what counts as an exception that leaks -----
    def _is_builtin(self, func: ast.AST, names: frozenset[str]) -> bool:
        return (isinstance(func, ast.Name) and func.id in names
                and self.ctx.model.lookup(func.id) is None)

    # ----- where the code runs -----
    def _branches_of_function(self):
        """(parent, child) pairs from the visited node up to its function, innermost first."""
        ancestors = self.ctx.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            ancestor = ancestors[index]
            yield ancestor, ancestors[index + 1]
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return

    def _in_conditional(self) -> bool:
        return any(isinstance(ancestor, _CONDITIONALS)
                   for ancestor, _ in self._branches_of_function())

    def _in_debug_only_branch(self) -> bool:
        """Inside `if settings.DEBUG:` (or the `else` of `if not app.debug:`): a development
        server showing detail on purpose; debug mode reaching production is BKL102's concern."""
        for ancestor, child in self._branches_of_function():
            if isinstance(ancestor, ast.If):
                debug = _debug_polarity(ancestor.test)
                if debug is not None and (child in ancestor.body) == debug:
                    return True
            if _after_production_exit(getattr(ancestor, "body", None), child):
                return True
        return False

    def _leaks_internals(self, caught: ast.AST | None) -> bool:
        """True unless every caught type is meant for clients or is the project's own."""
        if caught is None:
            return True
        types = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        return any(self._type_leaks(exception_type) for exception_type in types)

    def _type_leaks(self, exception_type: ast.AST) -> bool:
        name = _last_name(exception_type)
        if name is None or self._is_client_safe(name):
            return name is None
        if isinstance(exception_type, ast.Name) and self.ctx.model.lookup(name) is None:
            return name in _BUILTIN_EXCEPTIONS
        qualname = self.ctx.model.resolve(exception_type) or ""
        return qualname.split(".")[0] in _THIRD_PARTY_TOPS or qualname.startswith("builtins.")

    def _is_client_safe(self, name: str) -> bool:
        return any(name.endswith(suffix) for suffix in self.option("client-safe-exceptions"))

    def _exception_parameter(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """The parameter an exception handler (or Django's process_exception) receives."""
        params = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)
                  if arg.arg not in ("self", "cls")]
        route = self.ctx.model.route_of(node)
        if node.name == "process_exception" and "exception" in params:
            return "exception"
        if route is None or route.kind != "error_handler" or not params:
            return None
        handled = route.handled_exceptions
        if handled and not any(self._type_name_leaks(name) for name in handled):
            return None
        named = [param for param in params if param in _EXCEPTION_PARAM_NAMES]
        return named[0] if named else params[-1] if len(params) > 1 else params[0]

    def _type_name_leaks(self, qualname: str) -> bool:
        name = qualname.rpartition(".")[2]
        if self._is_client_safe(name):
            return False
        return qualname in _BUILTIN_EXCEPTIONS or qualname.split(".")[0] in _THIRD_PARTY_TOPS


_FIX = "log it (logger.exception) and send a generic error message instead"


_CONDITIONALS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match)
_DEV_VALUES = frozenset({"dev", "development", "local", "debug"})
_PROD_VALUES = frozenset({"prod", "production"})
_DEBUG_HINTS = ("debug",)
_ENVIRONMENT_HINTS = ("debug", "env", "stage", "mode")


def _is_project_response(qualname: str | None) -> bool:
    """The project's own response class (`class MsgSpecJSONResponse(JSONResponse)`); the
    Response classes of HTTP client libraries are what the server received, not what it sends."""
    if not qualname or not qualname.endswith("Response"):
        return False
    return qualname.split(".")[0] not in _THIRD_PARTY_TOPS


def _debug_polarity(test: ast.AST) -> bool | None:
    """True if `test` holds only in debug/development, False if only outside it, else None.
    A flag the client controls (`request.args.get("debug")`) is no debug switch."""
    if any(isinstance(node, ast.Name) and node.id in ("request", "req") for node in ast.walk(test)):
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _debug_polarity(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        polarities = [_debug_polarity(value) for value in test.values]
        wanted = True if isinstance(test.op, ast.And) else None
        return wanted if wanted in polarities else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compare_polarity(test.left, test.ops[0], test.comparators[0])
    return True if _mentions(test, _DEBUG_HINTS) else None


def _compare_polarity(left: ast.AST, op: ast.cmpop, right: ast.AST) -> bool | None:
    """`settings.ENVIRONMENT == "dev"`, `app.debug is True`, `ENV != "production"` ..."""
    negated = isinstance(op, (ast.NotEq, ast.IsNot))
    if not isinstance(op, (ast.Eq, ast.Is, ast.NotEq, ast.IsNot)):
        return None
    for side, other in ((left, right), (right, left)):
        if not isinstance(other, ast.Constant):
            continue
        value = other.value.lower() if isinstance(other.value, str) else other.value
        if isinstance(value, bool):
            if _mentions(side, _DEBUG_HINTS):
                return value != negated
        elif value in _DEV_VALUES | _PROD_VALUES and _mentions(side, _ENVIRONMENT_HINTS):
            return (value in _DEV_VALUES) != negated
    return None


def _after_production_exit(block: object, statement: ast.AST) -> bool:
    """`statement` follows `if not app.debug: return ...` in the same block."""
    if not isinstance(block, list) or statement not in block:
        return False
    for earlier in block[:block.index(statement)]:
        if (isinstance(earlier, ast.If) and not earlier.orelse
                and isinstance(earlier.body[-1], (ast.Return, ast.Raise))
                and _debug_polarity(earlier.test) is False):
            return True
    return False


def _mentions(expr: ast.AST, hints: tuple[str, ...]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            word = node.id
        elif isinstance(node, ast.Attribute):
            word = node.attr
        elif _is_string_constant(node):
            word = node.value
        else:
            continue
        if any(hint in word.lower() for hint in hints):
            return True
    return False


def _strongest(taints) -> tuple[int, ast.AST | None]:
    return max(taints, key=lambda taint: taint[0], default=(0, None))


def _as_text(kind: int) -> int:
    """Formatting an exception object gives its message; a formatted stack trace stays one."""
    return MESSAGE if kind == OBJECT else kind


def _text_of(taint: tuple[int, ast.AST | None], node: ast.AST) -> tuple[int, ast.AST | None]:
    kind = _as_text(taint[0])
    return (kind, node) if kind else (0, None)


def _is_string_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
