"""What a handler sends: the status of a response and whether its body says "error".

Shared by BKL104 (an error body with a success status) and BKL105 (an error turned into a
response without logging). Statuses are read from literals, `status.HTTP_404_NOT_FOUND` style
names and `HTTPStatus.NOT_FOUND`; anything else is unknown, and unknown is never judged.
"""
from __future__ import annotations

import ast
from http import HTTPStatus

from . import frameworks as fw

UNKNOWN = -1  # a status computed at run time
# Keyword and positional places of the status, per response callable's last name.
_STATUS_KEYWORDS = ("status_code", "status")
_POSITIONAL_STATUS = frozenset({"JSONResponse", "ORJSONResponse", "UJSONResponse", "Response",
                                "make_response", "json", "PlainTextResponse", "HTMLResponse"})
_FAILURE_WORDS = frozenset({"error", "fail", "failed", "failure"})
# Keys an error envelope is made of; a dict with any other key is a resource, not an error body.
ENVELOPE_KEYS = frozenset({
    "error", "errors", "message", "msg", "detail", "details", "code", "status", "success", "ok",
    "error_code", "error_message", "error_description", "description", "title", "type", "hint",
    "status_code", "request_id", "field", "fields", "reason",
})
JSON_RESPONSE_NAMES = frozenset({"jsonify", "JsonResponse", "json_response", "make_response",
                                 "JSONResponse", "ORJSONResponse", "UJSONResponse"})


def status_value(expr: ast.AST | None) -> int | None:
    """`404`, `status.HTTP_404_NOT_FOUND`, `HTTPStatus.NOT_FOUND` -> 404; None when absent;
    UNKNOWN when it is computed."""
    if expr is None:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) \
            and not isinstance(expr.value, bool):
        return expr.value
    name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", "")
    parts = name.split("_")
    if name.startswith("HTTP_") and len(parts) > 2 and parts[1].isdigit():
        return int(parts[1])
    if isinstance(expr, ast.Attribute) and getattr(expr.value, "id", "") in ("HTTPStatus", "http"):
        member = HTTPStatus.__members__.get(expr.attr)
        if member is not None:
            return member.value
    return UNKNOWN


def response_status(call: ast.Call, qualname: str) -> int | None:
    """The status a response call sets: None if none (the framework's default), UNKNOWN if it is
    computed or passed through `**kwargs`."""
    if any(keyword.arg is None for keyword in call.keywords):
        return UNKNOWN
    for keyword in call.keywords:
        if keyword.arg in _STATUS_KEYWORDS:
            return status_value(keyword.value)
    name = qualname.rpartition(".")[2]
    positional = name in _POSITIONAL_STATUS or qualname.startswith("rest_framework.")
    if positional and not qualname.startswith("django.") and len(call.args) > 1:
        return status_value(call.args[1])
    return None


def is_json_response(qualname: str | None) -> bool:
    if not fw.is_response_call(qualname):
        return False
    name = qualname.rpartition(".")[2]
    return name in JSON_RESPONSE_NAMES or qualname.startswith("rest_framework.response.") \
        or (qualname.startswith("sanic") and name == "json")


def response_body(call: ast.Call, qualname: str) -> ast.AST | None:
    """The body expression of a JSON response call (`jsonify(error=...)` is the call itself)."""
    if qualname.endswith(".jsonify") and not call.args:
        return call
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("content", "data", "body", "obj", "response"):
            return keyword.value
    return None


def error_marker(body: ast.AST, error_keys: tuple[str, ...], in_except: bool) -> str | None:
    """What makes `body` an error body (`"success": False`, `"error": ...`), or None.

    Batch results carrying an `errors` list and resources with an `error` field (a job's
    status) are no error bodies: a failed `status` or an `error` key counts only in a dict made
    of envelope keys, with a value that is not empty and not a resource's attribute."""
    pairs = _pairs(body)
    if pairs is None:
        return None
    for key, value in pairs:
        if key in ("success", "ok") and _is_constant(value, False):
            return f'"{key}": False'
    keys = {key for key, _ in pairs}
    if not keys <= ENVELOPE_KEYS | set(error_keys):
        return None  # `{"paid": False, "status": "failed"}` is a payment's state
    for key, value in pairs:
        if key == "status" and _is_failed_status(value):
            return f'"status": {value.value!r}'.replace("'", '"')
    for key, value in pairs:
        if key in error_keys and _carries_error(value, in_except):
            return f'"{key}": ...'
    return None


def _is_failed_status(value: ast.AST) -> bool:
    """`"status": False`, `"status": "error"` / `"fail"` ..."""
    if _is_constant(value, False):
        return True
    return isinstance(value, ast.Constant) and isinstance(value.value, str) \
        and value.value.lower() in _FAILURE_WORDS


def _pairs(body: ast.AST) -> list[tuple[str, ast.AST]] | None:
    if isinstance(body, ast.Dict):
        if not all(isinstance(key, ast.Constant) and isinstance(key.value, str)
                   for key in body.keys):
            return None  # `**spread` or computed keys: the body is not known
        return [(key.value, value) for key, value in zip(body.keys, body.values)]
    if isinstance(body, ast.Call) and not body.args \
            and all(keyword.arg for keyword in body.keywords):
        return [(keyword.arg, keyword.value) for keyword in body.keywords]
    return None


def _carries_error(value: ast.AST, in_except: bool) -> bool:
    if isinstance(value, ast.Constant):
        return bool(value.value) and not isinstance(value.value, bool)
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return bool(value.elts)
    if isinstance(value, ast.Attribute):
        return in_except  # `job.error` is a field; `error.message` in an except block is not
    return not isinstance(value, (ast.IfExp, ast.BoolOp))


def _is_constant(value: ast.AST, wanted: object) -> bool:
    return isinstance(value, ast.Constant) and value.value is wanted


def is_webhook_receiver(function: ast.AST, source: str) -> bool:
    """A handler another service calls with events (Stripe, GitHub ...): it answers 2xx to
    acknowledge an event it ignores, since a 4xx/5xx would make the sender retry it.
    `source`: the function's text with its decorators (`FileContext.text_of`)."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and any(
                isinstance(arg, ast.Constant) and "webhook" in str(arg.value).lower()
                for arg in decorator.args):
            return True
    if source.isascii() and "webhook" not in source.lower():
        return False  # nor in its name, docstring or attributes
    words = f"{function.name} {ast.get_docstring(function) or ''}".lower()
    return "webhook" in words or any(isinstance(node, ast.Attribute) and
                                     "webhook" in node.attr.lower() for node in ast.walk(function))
