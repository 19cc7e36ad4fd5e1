"""Error with a success status

## What it does
Reports an error body sent with a 2xx status, the framework's default status included. An error
body is a dict (or `jsonify(...)` keywords) with `"success": False`, `"ok": False`,
`"status": False`/`"error"`/`"fail"`, or an `error` key (see `error-body-keys`) holding a
message, in a dict made only of envelope keys (`error`, `message`, `detail`, `code` ...).

It is reported where a route handler or exception handler returns it:
- as a plain dict from a Flask/Quart view, a FastAPI or Litestar handler or a django-ninja
  operation, with no status (`return {"error": "not found"}`) or a 2xx one
  (`return {"error": ...}, 200`); a FastAPI decorator's `status_code=` counts, and a handler that
  sets `response.status_code` itself is left alone;
- in a JSON response without a status or with a 2xx one: `jsonify(...)`, `JSONResponse(...)`,
  Django `JsonResponse(...)`, DRF `Response(...)`, aiohttp `web.json_response(...)`, Sanic
  `json(...)`, `make_response(...)`;
- in a JSON response a method of a class-based view returns (`return self._scan(request)`,
  where `_scan` answers `Response({"status": False})`);
- through the project's own `fail(...)`-style helper: a function whose every return is an error
  body without a status (`def fail(msg): return {"success": False, "error": msg}`), returned
  as is or wrapped in a response without a status. Helpers in the same file are followed file by
  file (flake8 too); helpers imported from other modules need `backlint check` or pylint.

An explicit 2xx status is a choice where the same handler answers other errors with an explicit
4xx/5xx (a sync or callback protocol whose client retries on errors): its explicit 2xx error
bodies are not reported then. A status computed at run time is not judged, and neither are
webhook receivers (a handler named or documented as a webhook, or calling a `Webhook` API): they
acknowledge the events they ignore with a 2xx, or the sender retries them. Batch results that
carry an `errors` list (`{"results": [...], "errors": [...]}`) and resources with an `error`
field or a failed `status` (`{"id": job.id, "status": job.status, "error": job.error}`,
`{"paid": False, "status": "failed"}`) are no error bodies.

## TypeScript/JavaScript
The same rule on TS/JS server code, with each framework's way of sending a body:
`res.json/send(...)` and Fastify's `reply.send(...)` with no status in the chain
(`res.status(404).json(...)` has one) and none set by an earlier statement of the function
(`res.status(404);`, `res.statusCode = 404`), or a 2xx one; `NextResponse.json(body, init)`,
`Response.json(body, init)` and `new Response(JSON.stringify(body), init)` with no `status` in
`init` or a 2xx one; Hono `c.json(body, status)`; Koa `ctx.body = body` with no `ctx.status`
set before it; the body a NestJS controller method returns (200, 201 for `@Post`) unless
`@HttpCode(4xx)` says otherwise or it writes the response itself (`@Res()`); what a Fastify
handler returns with no `reply.code(...)` before it; ts-rest's `{ status: 200, body }`. An error
body is an object literal (or a `const` holding one) with `success: false`, `ok: false`,
`status: "error"`, or an `error` key holding a message (see `error-body-keys`) in an object made
only of envelope keys; `error: null`, `{ id, status, error: job.error }` and `{ results, errors
}` are no error bodies. A status computed at run time (`{ status }`, `res.status(code)`) is not
judged. Not reported: webhook and queue receivers (a `webhook` path or name, QStash, Svix,
Inngest handlers: they acknowledge what they ignore with a 2xx); tRPC procedures and server
actions (they return values, not HTTP statuses).

## Why it matters
The guide: "Use proper status codes: 2xx success, 4xx client error, 5xx server error." A failure
sent as 200 is cached, retried never, counted as success by monitoring and load balancers, and
every client has to parse the body to find out that the call failed.

## Example
```python
from flask import Blueprint, jsonify

from app.services import users

bp = Blueprint("users", __name__)


@bp.get("/users/<int:user_id>")
def read_user(user_id):
    user = users.find(user_id)
    if user is None:
        return jsonify({"success": False, "error": "user not found"})
    return jsonify({"success": True, "data": user.to_dict()})
```
```ts
import { Router } from "express";
import { users } from "../services/users";

export const router = Router();

router.get("/users/:id", async (req, res) => {
  const user = await users.find(req.params.id);
  if (!user) {
    return res.json({ success: false, error: "user not found" });
  }
  res.json({ success: true, data: user });
});
```

## Use instead
```python
from http import HTTPStatus

from flask import Blueprint, jsonify

from app.services import users

bp = Blueprint("users", __name__)


@bp.get("/users/<int:user_id>")
def read_user(user_id):
    if (user := users.find(user_id)) is None:
        return jsonify({"success": False, "error": "user not found"}), HTTPStatus.NOT_FOUND
    return jsonify({"success": True, "data": user.to_dict()})
```
```ts
import { Router } from "express";
import { users } from "../services/users";

export const router = Router();

router.get("/users/:id", async (req, res) => {
  const user = await users.find(req.params.id);
  if (!user) {
    return res.status(404).json({ success: false, error: "user not found" });
  }
  res.json({ success: true, data: user });
});
```

## Options
- `error-body-keys` (default `["error", "error_message"]`): keys whose message marks a body made
  of envelope keys as an error body.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from . import responses
from .base import Option, Rule
from .clients import function_qualname
from .finding import Finding
from .imports_index import ImportAliases, project_aliases

# Frameworks that serialise a dict a handler returns, with a success status.
_PLAIN_DICT_FRAMEWORKS = frozenset({"flask", "quart", "fastapi", "litestar", "python"})
_SUCCESS = range(200, 300)


@dataclass
class _Frame:
    node: ast.AST
    kind: str | None  # "handler", "error_handler", "view_helper", "helper" or None
    framework: str = ""
    qualname: str | None = None
    returns: list = field(default_factory=list)  # a helper's: "body", "response" or None
    explicit: list = field(default_factory=list)  # error bodies sent with an explicit 2xx
    sends_errors: bool = False  # some answer has an explicit 4xx/5xx status
    sets_status: bool | None = None  # `response.status_code = ...` in it, found on first ask


class ErrorWithSuccessStatus(Rule):
    code = "BKL104"
    symbol = "error-with-success-status"
    pylint_id = "W9104"
    severity = "warning"
    options = (Option("error-body-keys", tuple, ("error", "error_message"),
                      "keys whose message marks an envelope-shaped body as an error body"),)
    collectors = (ImportAliases,)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._frames: list[_Frame] = []
        self._helpers: dict[str, str] = {}
        self._uses: list[dict] = []

    # ----- functions -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        route = self.ctx.model.route_of(node)
        if route is not None:
            framework = route.framework
            if framework == "django" and "ninja" in {name.split(".")[0] for name in
                                                     self.ctx.model.imported_modules}:
                framework = "python"  # django-ninja serialises returned dicts
            kind = None if responses.is_webhook_receiver(node, self.ctx.text_of(node)) \
                else route.kind
            self._frames.append(_Frame(node, kind, framework))
            return
        view = self._enclosing_view()
        if view is not None:  # `_scan(self, request)` of a class-based view answers requests
            self._frames.append(_Frame(node, "view_helper", view))
            return
        qualname = function_qualname(self.ctx.model, node)
        self._frames.append(_Frame(node, "helper" if qualname else None, qualname=qualname))

    def _enclosing_view(self) -> str | None:
        parent = self.ctx.model.parent()
        if isinstance(parent, ast.ClassDef) and self.ctx.model.parent(parent) is \
                self.ctx.model.ancestors[0]:
            return self.ctx.model.view_classes.get(parent.name)
        return None

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, _node: ast.AST) -> None:
        frame = self._frames.pop()
        if not frame.sends_errors:  # else its 2xx error bodies are chosen (a caller that retries)
            for node, message in frame.explicit:
                self.report(node, message)
        if frame.kind == "helper" and frame.returns and None not in frame.returns:
            self._helpers[frame.qualname] = "response" if "response" in frame.returns else "body"

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        frame = self._frames[-1] if self._frames else None
        if frame is None or frame.kind is None or node.value is None:
            return
        if frame.kind == "helper":
            frame.returns.append(self._helper_return(node.value))
        else:
            self._check_return(frame, node.value)

    # ----- a handler's return -----
    def _check_return(self, frame: _Frame, value: ast.AST) -> None:
        body, status = _split_tuple(value)
        if status == responses.UNKNOWN or (status is not None and status not in _SUCCESS):
            frame.sends_errors |= status is not None and status >= 400
            return
        if isinstance(body, ast.Await):
            body = body.value
        if isinstance(body, ast.Call):
            qualname = self.ctx.model.resolve(body.func)
            if responses.is_json_response(qualname):
                self._check_response(frame, body, qualname, status)
                return
        if frame.kind == "view_helper":
            return  # its plain values are for the handler that calls it
        if isinstance(body, ast.Call):
            self._record_use(body, status, wrapped=False, plain_ok=self._plain_dict_ok(frame))
            return
        if self._plain_dict_ok(frame) and status is None:
            status = self._decorator_status(frame)
            if status is not None and status not in _SUCCESS:
                return
        elif not (self._plain_dict_ok(frame) and status in _SUCCESS):
            return
        marker = self._marker(body)
        if marker:
            where = f"status {status}" if status else "the default status (200)"
            self._report(frame, body, _message(f"An error body ({marker})", where), status)

    def _check_response(self, frame: _Frame, call: ast.Call, qualname: str,
                        outer: int | None) -> None:
        status = responses.response_status(call, qualname)
        if status == responses.UNKNOWN or (status is not None and status not in _SUCCESS):
            frame.sends_errors |= status is not None and status >= 400
            return
        status = status if status is not None else outer
        body = responses.response_body(call, qualname)
        if body is None:
            return
        if isinstance(body, ast.Call) and body is not call and \
                not responses.is_json_response(self.ctx.model.resolve(body.func)):
            self._record_use(body, status, wrapped=True, plain_ok=True)
            return
        marker = self._marker(body)
        if marker:
            name = qualname.rpartition(".")[2]
            where = f"status {status}" if status else f"the default status of `{name}` (200)"
            self._report(frame, call, _message(f"An error body ({marker})", where), status)

    def _report(self, frame: _Frame, node: ast.AST, message: str, status: int | None) -> None:
        if status is None:
            self.report(node, message)
        else:
            frame.explicit.append((node, message))

    def _plain_dict_ok(self, frame: _Frame) -> bool:
        return frame.framework in _PLAIN_DICT_FRAMEWORKS

    def _decorator_status(self, frame: _Frame) -> int | None:
        """`@router.get(..., status_code=404)`, or UNKNOWN when the handler sets the status on
        a response object itself (`response.status_code = 404`)."""
        if frame.sets_status is None:
            frame.sets_status = self.ctx.mentions(frame.node, ("status",)) and any(
                isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                and node.attr in ("status_code", "status") for node in ast.walk(frame.node))
        if frame.sets_status:
            return responses.UNKNOWN
        for decorator in frame.node.decorator_list:
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "status_code":
                        return responses.status_value(keyword.value)
        return None

    def _marker(self, body: ast.AST) -> str | None:
        return responses.error_marker(body, self.option("error-body-keys"), self._in_except())

    def _in_except(self) -> bool:
        return any(isinstance(node, ast.ExceptHandler) for node in self.ctx.model.ancestors)

    # ----- the project's fail(...) helpers -----
    def _helper_return(self, value: ast.AST) -> str | None:
        body, status = _split_tuple(value)
        if status is not None:
            return None
        if isinstance(body, ast.Call):
            qualname = self.ctx.model.resolve(body.func)
            if not responses.is_json_response(qualname) or \
                    responses.response_status(body, qualname) is not None:
                return None
            inner = responses.response_body(body, qualname)
            return "response" if inner is not None and self._marker(inner) else None
        return "body" if self._marker(body) else None

    def _record_use(self, call: ast.Call, status: int | None, wrapped: bool,
                    plain_ok: bool) -> None:
        callee = self.ctx.model.resolve(call.func)
        if callee is None:
            return
        self._uses.append({"callee": callee, "status": status, "wrapped": wrapped,
                           "plain_ok": plain_ok,
                           "site": [call.lineno, call.col_offset, call.end_lineno,
                                    call.end_col_offset]})

    def finish_file(self) -> None:
        for use in self._uses:
            kind = self._helpers.get(use["callee"])
            if kind is not None and _counts(use, kind):
                self.ctx.findings.append(_use_finding(self.ctx.path, use, self.code))
        if self._uses or self._helpers:
            self.ctx.facts[self.code] = {"helpers": self._helpers, "uses": self._uses}

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        del settings
        aliases = project_aliases(facts_by_path)
        helpers = {name: kind for facts in facts_by_path.values()
                   for name, kind in facts.get(cls.code, {}).get("helpers", {}).items()}
        found = []
        for path in sorted(facts_by_path):
            for use in facts_by_path[path].get(cls.code, {}).get("uses", ()):
                kind = helpers.get(_unaliased(use["callee"], aliases, helpers))
                if kind is not None and _counts(use, kind):
                    found.append(_use_finding(path, use, cls.code))
        return found


def _counts(use: dict, kind: str) -> bool:
    """A helper's error body is sent with a success status at this use: a bare body only where
    the framework serialises returned dicts or a response wraps it; a response always."""
    if kind == "response":
        return not use["wrapped"]
    return use["wrapped"] or use["plain_ok"]


def _unaliased(name: str, aliases: dict[str, str], helpers: dict[str, str]) -> str:
    for _ in range(4):  # re-export chains are short; this also stops alias cycles
        if name in helpers or name not in aliases:
            return name
        name = aliases[name]
    return name


def _use_finding(path: str, use: dict, code: str) -> Finding:
    line, column, end_line, end_column = use["site"]
    helper = use["callee"].rpartition(".")[2]
    where = f"status {use['status']}" if use["status"] else "the default status (200)"
    return Finding(path=path, line=line, column=column, code=code, end_line=end_line,
                   end_column=end_column,
                   message=_message(f"The error body `{helper}(...)` builds", where))


def _split_tuple(value: ast.AST) -> tuple[ast.AST, int | None]:
    """`body, 404` -> (body, 404); `body, {"X-Header": ...}` -> (body, None)."""
    if isinstance(value, ast.Tuple) and value.elts:
        second = value.elts[1] if len(value.elts) > 1 else None
        if isinstance(second, ast.Dict):
            return value.elts[0], None
        return value.elts[0], responses.status_value(second)
    return value, None


def _message(subject: str, where: str) -> str:
    return (f"{subject} is sent with {where}: clients, caches and monitoring "
            "treat the failure as a success; send it with the matching 4xx/5xx status")
