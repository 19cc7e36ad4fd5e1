"""Leaked exception detail

## What it does
Reports an exception's message, the exception object itself, or a stack trace reaching what a
client gets: any value a route handler or exception handler returns (a dict, a pydantic model or
dataclass whatever its name, a list ...), a framework response or the project's subclass of one
(`JSONResponse`, `jsonify`, `make_response`, `HttpResponse`, `JsonResponse`, DRF `Response`,
`web.json_response` ...), `abort(...)`, an HTTP error such as `HTTPException(detail=...)`, or a
template rendered with it (`render_template`, Django `render` and `TemplateResponse`,
`templates.TemplateResponse`, `aiohttp_jinja2.render_template`). An object built from the
detail (`ErrorOut(message=str(e))`) carries it wherever it goes, so a class named
`...Response` that only records an outbound call's reply and never reaches a client is no
leak. The exception is followed through variables, dicts, lists,
f-strings, `%` and `.format`, `str()`/`repr()`, `e.args`, `traceback.format_exc()`,
`traceback.format_exception(...)` and `sys.exc_info()`. The message says which it found: a stack
trace and the raw exception object are worse than the message text.

It follows the exception through the project's own functions too. Each function is summarised:
which parameters' detail reaches its return value (and how: message, object, stack trace), which
reach a response inside it, and what detail it returns that it caught itself. So
`return error_response(e)` (a helper that builds the response) is reported at the call,
`jsonify(error_body(e))` (a helper that builds the body) at the helper's value, and
`result = OrderTable().create(data)` (a service returning `{"error": str(error)}` from its own
`except`) where its result reaches a response; the message names the helper and where it is
defined. Helpers are found in the same file (functions defined later too, and methods through
`self.`/`cls.` or an instance), and across files through imports and package re-exports,
classmethods and staticmethods (`ErrorBody.from_exc(e)`) and methods of module-level instances
of another module (`replies.failure(str(e), traceback.format_exc())`) included. A
parameter counts only where the caller passes an exception or a value derived from one:
`error_response(ValueError("bad input"))` is no leak, and neither are helpers that only log the
parameter or return `type(exc).__name__` or `exc.status_code`. Each leaking call is reported once.

The flake8 plugin sees one file at a time: it reports helpers defined in the same file. Helpers
imported from other modules need the whole project: `backlint check` and the pylint plugin
report those.

It stays silent where the exception only reaches a logger, where a generic message is returned,
on exceptions meant for clients (validation errors, HTTP exceptions, the project's own exception
classes), and in tests.

## TypeScript/JavaScript
The same rule on TS/JS server code (handlers, their helpers, error middleware; never components,
hooks, `"use client"` modules or tooling). Sources: a `catch (err)` parameter, the parameter of
`.catch(err => ...)`, the second callback of `.then(ok, err => ...)`, `.on("error", err => ...)`,
a Node-style `(err, ...)` callback, and the first parameter of an error handler (Express
`(err, req, res, next)`, Fastify `setErrorHandler`, Hono `onError`, a NestJS `@Catch()` filter's
`catch(exception, host)`). The error is followed through variables, destructuring
(`const { message } = err`), object and array literals, spreads, template strings, `+`,
`String(err)`, `err.toString()`, `JSON.stringify(err)`, `util.inspect`, string methods, `??`/`||`
and ternaries. Sinks: `res.json/send/end/write` (also `res.status(500).json(...)`),
`reply.send` (Fastify), `NextResponse.json`, `Response.json`, `new Response(...)`, Hono
`c.json/text/html/body`, Koa `ctx.body = ...`, the value NestJS controllers, tRPC procedures,
ts-rest handlers and server actions return, and HTTP exceptions built with the text: NestJS
`HttpException`/`InternalServerErrorException(...)` (message and `description`), Hono
`HTTPException(status, { message })`, tRPC `TRPCError({ message })`, `GraphQLError`. An
exception's `cause` is only logged, so it is no leak; a `throw` inside a `try` whose `catch`
answers without rethrowing never reaches the framework, so it is no leak either.

Client-safe, never reported: `err.code`, `err.name`, `err.status`, `err.issues`; the branch of
`if (err instanceof AppError)` (any class but the built-in `Error` family and libraries'
internals: Prisma, Mongo, Axios, SQL drivers ...), also after `if (!(err instanceof AppError))
throw err;`, of `isHttpError(err)`-style guards, of `if (err.statusCode < 500)` / `err.expose` /
`err.isOperational`, and of a check of the message itself (`err.message.includes("duplicate")`);
detail shown only when `NODE_ENV` is development; values passed to a function of a package or
to a project function that keeps the detail out (`publicMessage(err)`); a `@Catch(HttpException)`
filter; a helper of one parameter given any error-like value (`function toBody(error)`), which is
no caught error by itself.

The project's helpers are followed across modules (imports, `@/` and tsconfig `paths`, `index`
re-exports, `Class.method`, helpers built on helpers): `return handleApiError(e)` where
`handleApiError` sends `err.message`, `sendError(res, 500, err.message)`, and
`res.json({ error: errorMessage(err) })` where `errorMessage` returns the text are reported at
the call, naming the helper and where it is defined.

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
```ts
import { Router } from "express";
import { orders } from "../services/orders";

export const router = Router();

router.get("/orders/:id", async (req, res) => {
  try {
    res.json({ success: true, data: await orders.get(req.params.id) });
  } catch (err) {
    res.status(500).json({ success: false, error: err.message });
  }
});
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
```ts
import { Router } from "express";
import { logger } from "../lib/logger";
import { orders } from "../services/orders";

export const router = Router();

router.get("/orders/:id", async (req, res) => {
  try {
    res.json({ success: true, data: await orders.get(req.params.id) });
  } catch (err) {
    logger.error({ err, orderId: req.params.id }, "reading an order failed");
    res.status(500).json({ success: false, error: "Internal error" });
  }
});
```

## Options
- `client-safe-exceptions` (default: names ending in `ValidationError`, `HTTPException`,
  `APIException`, `ValidationException`, `DoesNotExist`): exception class names (or name
  suffixes) whose messages are written for clients, so returning them is not a leak.
"""
from __future__ import annotations

import ast
import builtins
import sys

from . import frameworks as fw
from .base import Option, Rule
from .clients import function_qualname
from .exception_flow import (CAUGHT, FIX, MESSAGE, NO_TAINT, OBJECT, STACK, WHAT, FlowIndex,
                             Taint, as_text, call_label, has_calls, merge, param_label)
from .finding import Finding
from .imports_index import ImportAliases, project_aliases

_STACK_CALLS = frozenset({
    "traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
    "traceback.format_stack", "traceback.extract_tb", "traceback.extract_stack",
    "traceback.format_exception_only", "sys.exc_info", "sys.exception",
})
_PASS_THROUGH_CALLS = frozenset({
    "json.dumps", "fastapi.encoders.jsonable_encoder", "flask.json.dumps", "orjson.dumps",
    "dataclasses.asdict", "django.template.loader.render_to_string",
})
# Methods that turn a model into its data: what the model held, the result holds.
_DUMP_METHODS = frozenset({"model_dump", "model_dump_json", "dict", "json", "to_dict", "to_json",
                           "asdict", "serialize"})
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
_BUILTIN_NAMES = frozenset(dir(builtins))
# Calls into these run no function of the project, so they have no summary to look up.
_NOT_PROJECT_TOPS = frozenset({*sys.stdlib_module_names, "builtins", "typing_extensions"})
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
_NO_SOURCE: tuple[Taint, None] = (NO_TAINT, None)


class LeakedExceptionDetail(Rule):
    code = "BKL101"
    symbol = "leaked-exception-detail"
    pylint_id = "E9101"
    severity = "error"
    options = (Option("client-safe-exceptions", tuple, _DEFAULT_SAFE,
                      "exception class names (or suffixes) whose messages are meant for clients"),)
    collectors = (ImportAliases,)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._scopes: list[dict[str, Taint]] = [{}]
        self._owners: list[str | None] = [None]  # qualname of the function being summarised
        self._functions: dict[str, dict] = {}
        self._calls: list[dict] = []
        self._call_labels: dict[ast.Call, Taint] = {}
        self._sinks: list[dict] = []
        self._returns: list[dict] = []
        self._response_classes: set[str] = set()  # this module's subclasses of responses
        self._instances: dict[str, str] = {}  # module-level `replies = Replies()`
        self._debug_only: dict[ast.AST, bool] = {}
        self._production_exits: dict[int, int] = {}  # id of a block -> its first such `if`
        self._polarities: dict[ast.AST, bool | None] = {}
        self._debug_ifs = False  # some `if` visited so far tests debug or the environment

    # ----- where exceptions come from -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scope: dict[str, Taint] = {}
        qualname = function_qualname(self.ctx.model, node)
        if qualname:
            self._start_summary(node, qualname, scope)
        param = self._exception_parameter(node)
        if param:
            scope[param] = {CAUGHT: OBJECT}
        self._scopes.append(scope)
        self._owners.append(qualname)

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, _node: ast.AST) -> None:
        self._scopes.pop()
        self._owners.pop()

    leave_AsyncFunctionDef = leave_FunctionDef

    def _start_summary(self, node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str,
                       scope: dict[str, Taint]) -> None:
        """Each parameter carries its own label, so the summary says which of them reach the
        return value or a response, should a caller pass an exception there."""
        arguments = node.args
        params = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args)]
        if params and params[0] in ("self", "cls") and qualname.count(".") > \
                self.ctx.model.module.count(".") + 1:
            params = params[1:]
        kwonly = [arg.arg for arg in arguments.kwonlyargs]
        for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if arg.arg in params + kwonly and _may_hold_exception_detail(arg.annotation):
                scope[arg.arg] = {param_label(arg.arg): OBJECT}
        self._functions[qualname] = {
            "name": qualname[len(self.ctx.model.module) + 1:], "line": node.lineno,
            "params": params, "kwonly": kwonly, "returns": {}}

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        """`class ApiResponse(JSONResponse)`: a response class of the project, a sink."""
        for base in node.bases:
            name = base.id if isinstance(base, ast.Name) else None
            if fw.is_response_call(self.ctx.model.resolve(base)) or name in self._response_classes:
                self._response_classes.add(node.name)

    def _note_instance(self, node: ast.Assign) -> None:
        """`replies = Replies()` at module level: `replies.failure(...)` elsewhere runs
        `Replies.failure`, so its summary is found through this name."""
        model = self.ctx.model
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) \
                or model.parent() is not model.ancestors[0] or not isinstance(node.value, ast.Call):
            return
        made_by = model.resolve(node.value.func)
        if made_by and made_by.split(".")[0] == model.module.split(".")[0]:
            self._instances[f"{model.module}.{node.targets[0].id}"] = made_by

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name and self._leaks_internals(node.type):
            self._scopes[-1][node.name] = {CAUGHT: OBJECT}

    def leave_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:  # Python unbinds the name at the end of the except block
            self._scopes[-1].pop(node.name, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._note_instance(node)
        if self._unpacks_exc_info(node):
            return
        taint = NO_TAINT if self._in_debug_only_branch() else self._taint(node.value)[0]
        for target in node.targets:
            self._assign(target, taint)

    def _unpacks_exc_info(self, node: ast.Assign) -> bool:
        """`kind, error, tb = sys.exc_info()` (or `sys.exc_info()[:2]`): the type says nothing,
        the value is the exception object and only the traceback is a stack trace."""
        target, value = node.targets[0], node.value
        if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice) \
                and value.slice.step is None and value.slice.lower is None:
            value = value.value
        if not (len(node.targets) == 1 and isinstance(target, ast.Tuple)
                and isinstance(value, ast.Call)
                and self.ctx.model.resolve(value.func) == "sys.exc_info"):
            return False
        for element, kind in zip(target.elts, (None, OBJECT, STACK)):
            self._assign(element, {CAUGHT: kind} if kind and not self._in_debug_only_branch()
                         else NO_TAINT)
        return True

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and not self._in_debug_only_branch():
            self._assign(node.target, self._taint(node.value)[0])

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self._in_debug_only_branch():
            return
        taint = merge((self._taint(node.value)[0], self._taint(node.target)[0]))
        self._assign(node.target, as_text(taint))

    def visit_If(self, node: ast.If) -> None:
        # Debug-only code sits under, or after, an `if` on a debug switch, entered before it.
        self._debug_ifs = self._debug_ifs or self._polarity(node.test) is not None

    def leave_If(self, node: ast.If) -> None:
        """After `if "error" in result: return ...`, the helper's result checked in the test is
        the success value: what its error path returned has left."""
        if node.orelse or not isinstance(node.body[-1], (ast.Return, ast.Raise)):
            return
        scope = self._scopes[-1]
        for name in {child.id for child in ast.walk(node.test) if isinstance(child, ast.Name)}:
            taint = scope.get(name)
            if taint and has_calls(taint):
                scope[name] = {label: kind for label, kind in taint.items()
                               if not label.startswith("c:")}

    def visit_Assert(self, node: ast.Assert) -> None:
        """`assert isinstance(exc, AppError)`: from here on it is the project's own error."""
        for name in self._narrowed_names(node.test):
            self._scopes[-1].pop(name, None)

    def _narrowed_names(self, test: ast.AST) -> list[str]:
        """Names that `test` proves to be client-safe or project exceptions when true."""
        checks = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) \
            else [test]
        names = []
        for check in checks:
            if not (isinstance(check, ast.Call) and self._is_builtin(check.func, {"isinstance"})
                    and len(check.args) == 2 and isinstance(check.args[0], ast.Name)):
                continue
            types = check.args[1].elts if isinstance(check.args[1], ast.Tuple) else [check.args[1]]
            if not any(self._type_leaks(each) for each in types):
                names.append(check.args[0].id)
        return names

    def _narrowed_here(self, name: str) -> bool:
        """Inside the body of `if isinstance(name, AppError):` the name holds no internals."""
        ancestors = self.ctx.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            ancestor = ancestors[index]
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            if isinstance(ancestor, ast.If) and ancestors[index + 1] in ancestor.body \
                    and name in self._narrowed_names(ancestor.test):
                return True
        return False

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._assign(node.target, NO_TAINT)

    visit_AsyncFor = visit_For

    # ----- where they must not go -----
    def visit_Call(self, node: ast.Call) -> None:
        if not self._is_sink(node):
            self._project_call_taint(node, used=False)  # a helper may put them in a response
            return
        if self._in_debug_only_branch():
            return
        values = [*node.args, *(kw.value for kw in node.keywords if kw.arg not in _SAFE_KEYWORDS)]
        taint, origin = _strongest(self._taint(value) for value in values)
        name = _last_name(node.func) or "response"
        if taint.get(CAUGHT):
            self.report(origin, f"{WHAT[taint[CAUGHT]]} reaches the HTTP response through "
                                f"`{name}(...)`: {FIX}")
        elif taint:
            self._sinks.append({"site": _site(origin), "taint": taint, "sink": name,
                                "owner": self._owners[-1]})

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is None or self._in_debug_only_branch():
            return
        taint, origin = self._taint(node.value)
        if not taint:
            return
        owner = self._owners[-1]
        if owner:
            summary = self._functions[owner]
            summary["returns"] = merge((summary["returns"], taint))
        if self.ctx.model.route_of(self.ctx.model.current_function) is None:
            return
        if taint.get(CAUGHT):
            self.report(origin, f"{WHAT[taint[CAUGHT]]} is returned to the client: {FIX}")
        elif has_calls(taint):
            self._returns.append({"site": _site(origin), "taint": taint})

    # ----- the project's functions, summarised -----
    def finish_file(self) -> None:
        facts = self._facts()
        if facts is None:
            return
        self.ctx.facts[self.code] = facts
        aliases = {**self.ctx.facts.get(ImportAliases.name, {}), **self._instances}
        self.ctx.findings.extend(FlowIndex({self.ctx.path: facts}, aliases).findings(self.code))

    def _facts(self) -> dict | None:
        calls, relabel = self._calls_that_matter()
        sinks = [{**sink, "taint": relabel(sink["taint"])} for sink in self._sinks]
        returns = [{**item, "taint": relabel(item["taint"])} for item in self._returns]
        active = {record["owner"] for record in (*calls, *sinks)}
        functions = {qualname: {**summary, "returns": relabel(summary["returns"])}
                     for qualname, summary in self._functions.items()
                     if summary["returns"] or qualname in active}
        if not (functions or calls or self._instances):
            return None
        return {"relative": self.ctx.relative_path, "functions": functions, "calls": calls,
                "sinks": sinks, "returns": returns, "instances": self._instances}

    def _calls_that_matter(self):
        """The recorded calls something depends on (a return, a sink, an argument holding
        caught detail or a parameter),
        renumbered, and the function that renumbers a taint's labels: most recorded calls
        are plain `x = service.get()` whose value goes nowhere, and facts should stay small."""
        wanted = [index for index, call in enumerate(self._calls)
                  if any(not label.startswith("c:")
                         for taint in (*call["args"], *call["kwargs"].values()) for label in taint)]
        for taint in (*(item["taint"] for item in (*self._sinks, *self._returns)),
                      *(summary["returns"] for summary in self._functions.values())):
            wanted.extend(_call_indexes(taint))
        kept: dict[int, int] = {}
        while wanted:
            index = wanted.pop()
            if index not in kept:
                kept[index] = -1
                call = self._calls[index]
                for taint in (*call["args"], *call["kwargs"].values()):
                    wanted.extend(_call_indexes(taint))
        kept = {old: new for new, old in enumerate(sorted(kept))}

        def relabel(taint: Taint) -> Taint:
            return {call_label(kept[int(label[2:])]) if label.startswith("c:") else label: kind
                    for label, kind in taint.items()}

        calls = [{**self._calls[old], "args": [relabel(arg) for arg in self._calls[old]["args"]],
                  "kwargs": {name: relabel(taint)
                             for name, taint in self._calls[old]["kwargs"].items()}}
                 for old in sorted(kept)]
        return calls, relabel

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        facts = {path: file_facts[cls.code] for path, file_facts in facts_by_path.items()
                 if cls.code in file_facts}
        if not facts:
            return []
        aliases = project_aliases(facts_by_path)
        for path in sorted(facts):
            for name, made_by in facts[path].get("instances", {}).items():
                aliases.setdefault(name, made_by)
        return FlowIndex(facts, aliases).findings(cls.code)

    def _project_call_taint(self, node: ast.Call, used: bool) -> Taint:
        """A call of a project function, as a label its summary resolves later. Recorded when
        an argument is tainted, or when the value is `used` (assigned, returned, sent): the
        callee may return detail it caught itself."""
        if node in self._call_labels:
            return self._call_labels[node]
        callee = self._callee(node.func)
        if callee is None:
            return NO_TAINT
        args, kwargs = self._argument_taints(node)
        if not (used or any(args) or kwargs):
            return NO_TAINT
        self._calls.append({"callee": callee, "args": args, "kwargs": kwargs,
                            "site": _site(node), "owner": self._owners[-1]})
        label = self._call_labels[node] = {call_label(len(self._calls) - 1): OBJECT}
        return label

    def _argument_taints(self, node: ast.Call) -> tuple[list[Taint], dict[str, Taint]]:
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                break  # later positions are unknown
            args.append(self._taint(arg)[0])
        kwargs = {kw.arg: self._taint(kw.value)[0] for kw in node.keywords if kw.arg}
        return args, {name: taint for name, taint in kwargs.items() if taint}

    def _callee(self, func: ast.AST) -> str | None:
        """Qualified name of the project function a call runs, if it can be one."""
        model = self.ctx.model
        qualname = model.resolve(func)
        if qualname is None and isinstance(func, ast.Name):
            if model.lookup(func.id) is None and func.id not in _BUILTIN_NAMES:
                qualname = f"{model.module}.{func.id}"  # defined further down the file
        elif qualname is None and isinstance(func, ast.Attribute):
            qualname = self._method_callee(func)
        if qualname is None or qualname.split(".")[0] in _NOT_PROJECT_TOPS:
            return None
        return qualname

    def _method_callee(self, func: ast.Attribute) -> str | None:
        model = self.ctx.model
        if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            owner = next((name for name in reversed(self._owners) if name), None)
            if owner and owner.count(".") > model.module.count(".") + 1:
                return f"{owner.rpartition('.')[0]}.{func.attr}"
            return None
        instance = model.instance_type(func.value)
        return f"{instance}.{func.attr}" if instance else None

    def _is_sink(self, node: ast.Call) -> bool:
        """A framework response (or the project's subclass of one), an HTTP error, or a
        template rendered with the values: what the framework sends to the client."""
        qualname = self.ctx.model.resolve(node.func)
        if fw.is_response_call(qualname) or fw.is_http_error_call(qualname) \
                or fw.is_template_call(qualname):
            return True
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == fw.TEMPLATE_RESPONSE_METHOD:
            return True
        return isinstance(func, ast.Name) and func.id in self._response_classes \
            and self.ctx.model.lookup(func.id) is not None \
            and self.ctx.model.lookup(func.id).kind == "class"

    def _is_value_class(self, func: ast.AST) -> bool:
        """A class whose instance carries what it was built with: a pydantic model, dataclass or
        any other class (`ErrorOut(message=str(e))`, `cls(...)` in a classmethod), whatever
        its name; exceptions excepted, whose text is followed where they are caught."""
        model = self.ctx.model
        if isinstance(func, ast.Name):
            binding = model.lookup(func.id)
            if func.id == "cls" and binding is not None and binding.kind == "local":
                return True
            if binding is not None and binding.kind == "class":
                return not _is_exception_name(func.id)
        qualname = model.resolve(func)
        if not qualname or qualname.split(".")[0] in _NOT_PROJECT_TOPS:
            return False
        name = qualname.rpartition(".")[2]
        return name[:1].isupper() and not name.isupper() and not _is_exception_name(name) \
            and qualname.split(".")[0] not in _THIRD_PARTY_TOPS

    # ----- following values -----
    def _assign(self, target: ast.AST, taint: Taint) -> None:
        scope = self._scopes[-1]
        if isinstance(target, ast.Name):
            if taint:
                scope[target.id] = taint
            elif not self._in_conditional():  # a clean value on one branch leaves the other's
                scope.pop(target.id, None)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and taint:
            scope[target.value.id] = merge((scope.get(target.value.id, NO_TAINT), taint))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assign(element, taint)

    def _taint(self, expr: ast.AST | None) -> tuple[Taint, ast.AST | None]:
        """Where the exception detail in `expr` comes from and how bad it is (empty: none),
        and the node that carries it."""
        handler = self._TAINT_BY_TYPE.get(type(expr))
        return handler(self, expr) if handler else _NO_SOURCE

    def _taint_name(self, node: ast.Name) -> tuple[Taint, ast.AST | None]:
        taint = self._scopes[-1].get(node.id, NO_TAINT)
        if taint and self._narrowed_here(node.id):
            return _NO_SOURCE
        return (taint, node) if taint else _NO_SOURCE

    def _taint_call(self, node: ast.Call) -> tuple[Taint, ast.AST | None]:
        model = self.ctx.model
        qualname = model.resolve(node.func)
        if qualname in _STACK_CALLS:
            return {CAUGHT: STACK}, node
        arguments = [*node.args, *(kw.value for kw in node.keywords)]
        if qualname in _PASS_THROUGH_CALLS or self._is_builtin(node.func, _PASS_THROUGH_BUILTINS) \
                or (self._is_value_class(node.func) and not self._is_sink(node)):
            return _strongest(self._taint(arg) for arg in arguments)  # what it holds, it carries
        if self._is_builtin(node.func, _TO_TEXT_BUILTINS):
            return _text_of(_strongest(self._taint(arg) for arg in node.args[:1]), node)
        if isinstance(node.func, ast.Attribute):
            found = self._taint_method_call(node, node.func, arguments)
            if found[0]:
                return found
        if self._is_sink(node):
            return _NO_SOURCE  # reported at the call itself
        label = self._project_call_taint(node, used=True)
        return (label, node) if label else _NO_SOURCE

    def _taint_method_call(self, node: ast.Call, func: ast.Attribute,
                           arguments: list[ast.AST]) -> tuple[Taint, ast.AST | None]:
        if func.attr in ("format", "join") and _is_string_constant(func.value):
            return _text_of(_strongest(self._taint(arg) for arg in arguments), node)
        if func.attr in _STRING_METHODS:
            return _text_of(self._taint(func.value), node)
        if func.attr in _DUMP_METHODS:
            return self._taint(func.value)
        return _NO_SOURCE

    def _taint_attribute(self, node: ast.Attribute) -> tuple[Taint, ast.AST | None]:
        taint, _ = self._taint(node.value)
        objects = [label for label, kind in taint.items() if kind == OBJECT]
        if not objects:
            return _NO_SOURCE
        if node.attr == "__traceback__":
            kind = STACK
        elif node.attr in _OBJECT_ATTRS:
            kind = OBJECT
        else:
            kind = MESSAGE if node.attr in _MESSAGE_ATTRS else 0
        return ({label: kind for label in objects}, node) if kind else _NO_SOURCE

    def _taint_subscript(self, node: ast.Subscript) -> tuple[Taint, ast.AST | None]:
        taint, _ = self._taint(node.value)
        return (taint, node) if taint else _NO_SOURCE

    def _taint_joined_str(self, node: ast.JoinedStr) -> tuple[Taint, ast.AST | None]:
        parts = (self._taint(value.value) for value in node.values
                 if isinstance(value, ast.FormattedValue))
        return _text_of(_strongest(parts), node)

    def _taint_binop(self, node: ast.BinOp) -> tuple[Taint, ast.AST | None]:
        if not isinstance(node.op, (ast.Add, ast.Mod)):
            return _NO_SOURCE
        return _text_of(_strongest((self._taint(node.left), self._taint(node.right))), node)

    def _taint_container(self, node: ast.AST) -> tuple[Taint, ast.AST | None]:
        if isinstance(node, ast.Dict):
            return _strongest(self._taint(value) for value in node.values)
        return _strongest(self._taint(element) for element in node.elts)

    def _taint_wrapped(self, node: ast.AST) -> tuple[Taint, ast.AST | None]:
        return self._taint(node.value)

    def _taint_choice(self, node: ast.AST) -> tuple[Taint, ast.AST | None]:
        if isinstance(node, ast.IfExp):
            debug = self._polarity(node.test)
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
        if not self._debug_ifs:
            return False  # no `if` so far tests a debug switch
        ancestors = self.ctx.model.ancestors
        return self._debug_only_at(ancestors, len(ancestors) - 1)

    def _debug_only_at(self, ancestors: list[ast.AST], index: int) -> bool:
        """Whether `ancestors[index]` runs only in debug, as far as its function shows; kept
        per node, since the rule asks it for most statements and calls of a file."""
        pending = []  # nodes from `index` upwards not known yet, innermost first
        found = False
        while index > 0 and ancestors[index] not in self._debug_only:
            ancestor, child = ancestors[index - 1], ancestors[index]
            pending.append(child)
            if self._debug_only_step(ancestor, child):
                found = True
                break
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                break
            index -= 1
        else:
            found = index > 0 and self._debug_only[ancestors[index]]
        # Below a debug-only node everything is debug-only; the rest inherit `found` too.
        for node in pending:
            self._debug_only[node] = found
        return found

    def _debug_only_step(self, ancestor: ast.AST, child: ast.AST) -> bool:
        if isinstance(ancestor, ast.If):
            debug = self._polarity(ancestor.test)
            if debug is not None and (child in ancestor.body) == debug:
                return True
        block = getattr(ancestor, "body", None)
        return isinstance(block, list) and self._after_production_exit(block, child)

    def _after_production_exit(self, block: list[ast.AST], statement: ast.AST) -> bool:
        """`statement` follows `if not app.debug: return ...` in the same block."""
        first = self._production_exits.get(id(block))
        if first is None:
            first = self._production_exits[id(block)] = next(
                (index for index, earlier in enumerate(block)
                 if isinstance(earlier, ast.If) and not earlier.orelse
                 and isinstance(earlier.body[-1], (ast.Return, ast.Raise))
                 and self._polarity(earlier.test) is False), len(block))
        return first < len(block) and statement in block[first + 1:]

    def _polarity(self, test: ast.AST) -> bool | None:
        if test not in self._polarities:
            self._polarities[test] = _debug_polarity(test)
        return self._polarities[test]

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


_CONDITIONALS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match)
_DEV_VALUES = frozenset({"dev", "development", "local", "debug"})
_PROD_VALUES = frozenset({"prod", "production"})
_DEBUG_HINTS = ("debug",)
_ENVIRONMENT_HINTS = ("debug", "env", "stage", "mode")


def _is_exception_name(name: str) -> bool:
    return name.endswith(("Error", "Exception", "Exc")) or name in _BUILTIN_EXCEPTIONS


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


def _strongest(taints) -> tuple[Taint, ast.AST | None]:
    """All sources merged, and the node of the worst: caught detail first, then the rest."""
    merged: Taint = {}
    origin, best = None, (0, 0)
    for taint, node in taints:
        if not taint:
            continue
        rank = (taint.get(CAUGHT, 0), max(taint.values()))
        if rank > best:
            origin, best = node, rank
        merged = merge((merged, taint))
    return (merged, origin) if merged else _NO_SOURCE


def _text_of(taint: tuple[Taint, ast.AST | None], node: ast.AST) -> tuple[Taint, ast.AST | None]:
    return (as_text(taint[0]), node) if taint[0] else _NO_SOURCE


_DETAIL_TYPES = frozenset({"str", "Any", "object", "BaseException", "Exception"})


def _may_hold_exception_detail(annotation: ast.AST | None) -> bool:
    """False for a parameter typed as something no exception or message fits in (`int`,
    `AsyncSession`, a request model): a caller passing an exception there is not type-correct."""
    if annotation is None or isinstance(annotation, ast.Constant):
        return True
    if isinstance(annotation, ast.BinOp):
        return _may_hold_exception_detail(annotation.left) or \
            _may_hold_exception_detail(annotation.right)
    if isinstance(annotation, ast.Subscript):  # Optional[...], Union[...], X | None
        inner = annotation.slice
        elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return any(_may_hold_exception_detail(element) for element in elements)
    name = _last_name(annotation) or ""
    return name in _DETAIL_TYPES or name.endswith(("Error", "Exception"))


def _call_indexes(taint: Taint) -> list[int]:
    return [int(label[2:]) for label in taint if label.startswith("c:")]


def _site(node: ast.AST) -> tuple[int, int, int, int]:
    line, column = node.lineno, node.col_offset
    return (line, column, node.end_lineno or line, node.end_col_offset or column)


def _is_string_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
