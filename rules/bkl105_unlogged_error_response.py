"""Unlogged error response

## What it does
Reports a request path that turns an error into a response without logging it:
- an `except` block of a route handler that catches broadly (`except Exception`,
  `except BaseException`, a bare `except:`) or answers with a 5xx status, and then returns a
  response, raises an HTTP error (`HTTPException`, `abort(...)`, `Http404`, DRF's
  `APIException`s ...) or does nothing at all (`except Exception: pass`);
- a Flask/Quart error handler for `Exception` that builds its response without logging
  (`@app.errorhandler(Exception)`): Flask logs an error before calling a 500 handler, not before
  this one. FastAPI and Starlette re-raise after any handler of `Exception`, so the server logs
  it: their handlers are not reported.

Logging is any call on a logger (`logger.exception/error/warning/...`, `logging.error`,
`current_app.logger`, `self.log`, loguru, structlog), an error tracker (`capture_exception`,
`sentry_sdk`, `rollbar`, `bugsnag`), a project function named for it (`log_error(...)`,
`report_failure(...)`), or `print`/`traceback.print_exc()`, anywhere in the block. An `except`
block that re-raises (`raise`, `raise ServiceError(...) from error`) or passes the exception to a
project function (`self.handle_exceptions(error)`) hands the error to code that can log it and is
not reported; neither are narrow catches answered with a 4xx
(`except User.DoesNotExist: raise Http404`), or broad ones around a try block that only
parses or validates input (`request.get_json()`, `json.loads(...)`, `int(...)`,
`check_email(...)`) answered with anything but a 5xx: invalid input is an expected outcome, not
an error to log. A tolerated one-statement try (`try: trim_memory() except Exception: pass`) is
a best-effort call and not reported either.

The message names the project's logger when it has one: the logger its modules use most
(`backlint check` and pylint count them across the project; flake8 counts the file's own).

## Why it matters
The guide: "Errors get logged with context". An error answered without a log line leaves
nothing to debug: the client sees a 500 or a generic message, and the team never learns that
the database timed out or the payment provider changed its API.

## Example
```python
from flask import Blueprint, jsonify

from app.services import payments

bp = Blueprint("payments", __name__)


@bp.post("/payments")
def create_payment():
    try:
        return jsonify(payments.charge())
    except Exception:
        return jsonify({"error": "payment failed"}), 500
```

## Use instead
```python
import logging

from flask import Blueprint, jsonify

from app.services import payments

logger = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)


@bp.post("/payments")
def create_payment():
    try:
        charged = payments.charge()
    except Exception:
        logger.exception("charging the payment failed")
        return jsonify({"error": "payment failed"}), 500
    return jsonify(charged)
```

## Options
- `logging-functions` (default: empty): names of the project's own functions that log or report
  an error (`log_failure`, `app.monitoring.notify`), beyond those named for it.
"""
from __future__ import annotations

import ast
from collections import Counter

from . import frameworks as fw
from . import responses
from .base import Option, Rule
from .finding import Finding
from .names import dotted, own_nodes, words

_LOG_METHODS = frozenset({"exception", "error", "warning", "warn", "critical", "fatal", "info",
                          "debug", "log", "msg", "trace", "success"})
_REPORT_WORDS = frozenset({"log", "logs", "logger", "logging", "report", "capture", "notify",
                           "alert", "sentry", "rollbar", "bugsnag", "print"})
_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_ABORT_CALLS = frozenset({"flask.abort", "quart.abort", "werkzeug.exceptions.abort"})
_DJANGO_HTTP_ERRORS = frozenset({"django.http.Http404", "django.core.exceptions.PermissionDenied",
                                 "django.core.exceptions.SuspiciousOperation",
                                 "django.core.exceptions.BadRequest"})
_PARSE_WORDS = frozenset({"parse", "load", "loads", "json", "valid", "validate", "check", "int",
                          "float", "decimal", "decode", "uuid", "strptime", "fromisoformat",
                          "literal_eval", "b64decode", "unquote"})
# Builtins a caught exception is formatted or inspected with: no one logs it there.
_NOT_HANDING_ON = frozenset({"str", "repr", "format", "type", "isinstance", "getattr", "hasattr",
                             "len", "dict", "list", "tuple", "vars", "id"})
_LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger",
                               "structlog.getLogger", "logging.get_logger"})


class UnloggedErrorResponse(Rule):
    code = "BKL105"
    symbol = "unlogged-error-response"
    pylint_id = "W9105"
    severity = "warning"
    options = (Option("logging-functions", tuple, (),
                      "the project's own functions that log or report an error"),)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._loggers: Counter[str] = Counter()
        self._sites: list[dict] = []

    # ----- where errors are answered -----
    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        function = self._handler_function()
        if function is None or self._logs(node.body) or self._reraises(node.body) \
                or self._hands_on(node):
            return
        broad = self._is_broad(node.type)
        attempt = self.ctx.model.parent()
        tried = attempt.body if isinstance(attempt, ast.Try) else []
        if broad and _only_passes(node.body):
            if len(tried) > 1:  # one tolerated statement is a best-effort call
                self._add(node, "This except block swallows the error (`pass`) without logging it")
            return
        if broad and self._parses_input(tried):
            broad = False  # invalid client input is an outcome: only a 5xx answer is reported
        answer = self._answer(node.body, broad)
        if answer:
            self._add(node, f"This except block turns the error into {answer} without logging it")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        route = self.ctx.model.route_of(node)
        if route is None or route.kind != "error_handler" or not self._is_flask(route) \
                or not self._handles_every_error(node):
            return
        if not self._logs(node.body) and any(isinstance(item, ast.Return) and item.value
                                             for item in own_nodes(node.body)):
            self._add(node, f"The exception handler `{node.name}` answers unexpected errors "
                            "without logging them")

    def _is_flask(self, route) -> bool:
        """Flask logs an error before its 500 handler runs, but not before a handler registered
        for `Exception`; Starlette re-raises after any handler, so the server logs it."""
        if route.framework in ("flask", "quart"):
            return True
        return route.framework == "python" and any(
            name.split(".")[0] in ("flask", "quart") for name in self.ctx.model.imported_modules)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        description = self._logger_of(node)
        if description:
            self._loggers[description] += 1

    def _handler_function(self) -> ast.AST | None:
        """The route handler this except block belongs to (not a function nested in it)."""
        function = self.ctx.model.current_function
        route = self.ctx.model.route_of(function)
        return function if route is not None and route.kind == "handler" else None

    def _is_broad(self, caught: ast.AST | None) -> bool:
        if caught is None:
            return True
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        return any((self.ctx.model.resolve(name) or getattr(name, "id", "")) in _BROAD
                   for name in names)

    def _handles_every_error(self, node: ast.AST) -> bool:
        return any(isinstance(decorator, ast.Call) and decorator.args
                   and self._is_broad(decorator.args[0]) for decorator in node.decorator_list)

    # ----- what the block does -----
    def _answer(self, body: list[ast.stmt], broad: bool) -> str | None:
        for node in own_nodes(body):
            if isinstance(node, ast.Return) and node.value is not None:
                status = self._status_of(node.value)
                if broad or (status is not None and status >= 500):
                    return "a response"
            if isinstance(node, ast.Raise) and node.exc is not None:
                status = self._http_error_status(node.exc)
                if status is not None and (broad or status >= 500):
                    return "an HTTP error"
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                    and self.ctx.model.resolve(node.value.func) in _ABORT_CALLS:
                status = responses.status_value(node.value.args[0]) if node.value.args else None
                if broad or (status is not None and status >= 500):
                    return "an HTTP error"
        return None

    def _status_of(self, value: ast.AST) -> int | None:
        if isinstance(value, ast.Tuple) and len(value.elts) > 1:
            return responses.status_value(value.elts[1])
        if isinstance(value, ast.Call):
            qualname = self.ctx.model.resolve(value.func)
            if fw.is_response_call(qualname):
                return responses.response_status(value, qualname)
        return None

    def _http_error_status(self, exc: ast.AST) -> int | None:
        """The status of a raised HTTP error (UNKNOWN if not literal), None if it is none."""
        call = exc if isinstance(exc, ast.Call) else None
        qualname = self.ctx.model.resolve(call.func if call else exc)
        if not (fw.is_http_error_call(qualname) or qualname in _DJANGO_HTTP_ERRORS):
            return None
        if call is None:
            return 404 if qualname.endswith("Http404") else responses.UNKNOWN
        for keyword in call.keywords:
            if keyword.arg in ("status_code", "code", "status"):
                return responses.status_value(keyword.value)
        status = responses.status_value(call.args[0]) if call.args else None
        return status if status is not None else responses.UNKNOWN

    def _parses_input(self, tried: list[ast.stmt]) -> bool:
        """`data = request.get_json()`, `int(value)`, `check_email(...)`: every call of the try
        block parses or validates input."""
        calls = [dotted(node.func) or "" for node in own_nodes(tried) if isinstance(node, ast.Call)
                 and not fw.is_response_call(self.ctx.model.resolve(node.func))]
        return bool(calls) and all(
            name.startswith(("request.", "self.request.")) or
            not _PARSE_WORDS.isdisjoint(words(name.replace(".", "_"))) for name in calls)

    def _hands_on(self, handler: ast.ExceptHandler) -> bool:
        """`self.handle_exceptions(error)`: the caught exception goes to a project function,
        which may log it (a response or an HTTP error built from it does not)."""
        if not handler.name:
            return False
        for node in own_nodes(handler.body):
            if not isinstance(node, ast.Call) or self._builds_answer(node.func):
                continue
            if any(isinstance(arg, ast.Name) and arg.id == handler.name for arg in node.args):
                return True
        return False

    def _builds_answer(self, func: ast.AST) -> bool:
        if isinstance(func, ast.Name) and func.id in _NOT_HANDING_ON:
            return True
        qualname = self.ctx.model.resolve(func)
        return fw.is_response_call(qualname) or fw.is_http_error_call(qualname)

    def _reraises(self, body: list[ast.stmt]) -> bool:
        for node in own_nodes(body):
            if isinstance(node, ast.Raise):
                if node.exc is None or self._http_error_status(node.exc) is None:
                    return True
        return False

    def _logs(self, body: list[ast.stmt]) -> bool:
        return any(isinstance(node, ast.Call) and self._is_logging_call(node)
                   for node in own_nodes(body))

    def _is_logging_call(self, call: ast.Call) -> bool:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "print" or self._logger_of(call):
            return True
        qualname = self.ctx.model.resolve(func) or name
        if qualname in self.option("logging-functions") or name in self.option("logging-functions"):
            return True
        return not _REPORT_WORDS.isdisjoint(words(name))

    def _logger_of(self, call: ast.Call) -> str | None:
        """How the logger a call logs through is made: `logging.getLogger`, `app.log.logger`."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _LOG_METHODS:
            return None
        receiver = func.value
        while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
            receiver = receiver.func.value  # `logger.opt(exception=True).error(...)`
        text = dotted(receiver)
        last = (text or "").rpartition(".")[2].lower().strip("_")
        if not (last.startswith("log") or last.endswith(("log", "logger"))
                or last in ("structlog", "loguru")):
            return None
        made_by = self.ctx.model.instance_type(receiver)
        if made_by in _LOGGER_FACTORIES:
            return made_by
        return self.ctx.model.resolve(receiver) or text

    # ----- findings -----
    def _add(self, node: ast.AST, what: str) -> None:
        self._sites.append({"what": what, "site": [node.lineno, node.col_offset,
                                                   node.end_lineno or node.lineno,
                                                   node.end_col_offset or node.col_offset]})

    def finish_file(self) -> None:
        for site in self._sites:
            self.ctx.findings.append(_finding(self.ctx.path, site, _logger_hint(self._loggers)))
        if self._sites or self._loggers:
            self.ctx.facts[self.code] = {"sites": self._sites, "loggers": dict(self._loggers)}

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        del settings
        loggers: Counter[str] = Counter()
        for facts in facts_by_path.values():
            loggers.update(facts.get(cls.code, {}).get("loggers", {}))
        hint = _logger_hint(loggers)
        return [_finding(path, site, hint) for path in sorted(facts_by_path)
                for site in facts_by_path[path].get(cls.code, {}).get("sites", ())]


def _logger_hint(loggers: Counter[str]) -> str:
    if not loggers:
        return "log it with `logger.exception(...)` (a `logging.getLogger(__name__)` logger)"
    name = min(loggers, key=lambda item: (-loggers[item], item))
    if name in _LOGGER_FACTORIES:
        return f"log it with `logger.exception(...)` on a `{name}(__name__)` logger, as the " \
               "project does"
    return f"log it with the project's logger: `{name}.exception(...)`"


def _finding(path: str, site: dict, hint: str) -> Finding:
    line, column, end_line, end_column = site["site"]
    return Finding(path=path, line=line, column=column, code="BKL105", end_line=end_line,
                   end_column=end_column,
                   message=f"{site['what']}: {hint}, with the request's context")


def _only_passes(body: list[ast.stmt]) -> bool:
    return all(isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and
               isinstance(statement.value, ast.Constant)) for statement in body)
