"""BKL104 for TypeScript/JavaScript: an error body sent with a 2xx or the default status.

Documented with the Python rule (`rules/bkl104_error_with_success_status.py`). Each framework's
way of sending a body is read here: `res.json/send` and `reply.send` with the status set in the
same chain (`res.status(404).json(...)`) or earlier in the function, `NextResponse.json` /
`Response.json` / `new Response(JSON.stringify(...))` with their init object, Hono `c.json(body,
status)`, Koa `ctx.body = ...`, and the bodies NestJS controllers, Fastify handlers and ts-rest
handlers return.
"""
from __future__ import annotations

import re

from ..bkl104_error_with_success_status import ErrorWithSuccessStatus
from . import responses
from .base import TsRule
from .classify import SERVER, file_role
from .model import FUNCTION_KINDS, Node, text

_RESPONSE_NAMES = frozenset({"res", "response", "resp", "reply", "rep"})
_CONTEXT_NAMES = frozenset({"c", "ctx", "context"})
_SEND_METHODS = frozenset({"json", "send", "jsonp"})
_STATUS_METHODS = frozenset({"status", "code"})
_STATIC_JSON = frozenset({"NextResponse.json", "Response.json"})
_RESPONSE_CLASSES = frozenset({"Response", "NextResponse"})
_STATUS_TEXT = re.compile(rb"\.\s*(?:status|code)")


# Every send checked ends in `.json(`, `.send(` or `.jsonp(` (the callee possibly wrapped:
# `(res as any).json(...)`): tree-sitter picks those calls out in C, so Python sees a few per
# file instead of every call. The wrappers TypeScript alone has are in a pattern of their own,
# which the JavaScript grammar skips (it does not compile there).
_SEND_PATTERNS = {
    "send_call": "(call_expression function: (member_expression property: (property_identifier)"
                 ' @method) (#any-of? @method "json" "send" "jsonp")) @send_call',
    "wrapped_call": "(call_expression function: [(parenthesized_expression) (await_expression)])"
                    " @wrapped_call",
    "ts_wrapped_call": "(call_expression function: [(as_expression) (satisfies_expression)"
                       " (non_null_expression)]) @ts_wrapped_call",
}


class ErrorWithSuccessStatusTs(TsRule):
    rule = ErrorWithSuccessStatus
    patterns = _SEND_PATTERNS

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = file_role(ctx.model, ctx.absolute_path) == SERVER

    def visit_send_call(self, node: Node) -> None:
        if not self.wanted or not _may_send(node):
            return
        name = _callee(node)
        parts = name.split(".")
        args = _arguments(node)
        if not args:
            return
        if name in _STATIC_JSON:
            self._check(node, args[0], _init_status(args[1] if len(args) > 1 else None),
                        name)
        elif parts[0] in _RESPONSE_NAMES and len(parts) > 1 and parts[-1] in _SEND_METHODS:
            status = _chain_status(node)
            if status is None and self._status_set_before(node, parts[0], (".status(",
                                                                           ".code(",
                                                                           ".statusCode =",
                                                                           ".status =")):
                return
            self._check(node, args[0], status, name)
        elif parts[0] in _CONTEXT_NAMES and len(parts) == 2 and parts[1] == "json":
            status = responses.status_value(args[1]) if len(args) > 1 else None
            if status is None and self._status_set_before(node, parts[0], (".status(",)):
                return
            self._check(node, args[0], status, name)

    visit_wrapped_call = visit_ts_wrapped_call = visit_send_call

    def visit_new_expression(self, node: Node) -> None:
        if not self.wanted:
            return
        constructor = node.child_by_field_name("constructor")
        args = _arguments(node)
        if constructor is None or text(constructor) not in _RESPONSE_CLASSES or not args:
            return
        body = _stringified(args[0])
        if body is not None:
            self._check(node, body, _init_status(args[1] if len(args) > 1 else None),
                        f"new {text(constructor)}")

    def visit_assignment_expression(self, node: Node) -> None:
        """Koa: `ctx.body = { error: ... }` with no `ctx.status` set before it."""
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if not self.wanted or left is None or right is None:
            return
        target = text(left)
        root = target.split(".")[0]
        if root not in _CONTEXT_NAMES or target not in (f"{root}.body", f"{root}.response.body"):
            return
        if self._status_set_before(node, root, (".status =", ".response.status =")):
            return
        self._check(node, right, None, target)

    def visit_return_statement(self, node: Node) -> None:
        """What NestJS controllers, Fastify handlers and ts-rest handlers return is sent."""
        values = [child for child in node.named_children if child.type != "comment"]
        if not self.wanted or not values:
            return
        function = self.ctx.model.enclosing_function(node)
        handler = self.ctx.model.handler_of(function)
        if handler is None:
            return
        if handler.framework == "ts-rest":
            self._ts_rest_return(function, values[0])
        elif handler.how == "nestjs controller":
            status = _nest_status(function)
            if status != responses.UNKNOWN:
                self._check(values[0], values[0], status, "", function)
        elif handler.framework == "fastify":
            if not self._status_set_before(node, _reply_name(function), (".code(", ".status(")):
                self._check(values[0], values[0], None, "", function)

    def _ts_rest_return(self, function: Node, value: Node) -> None:
        entries = responses.pairs(value)
        if entries is None:
            return
        found = dict(entries)
        if "status" in found and "body" in found:
            self._check(value, found["body"], responses.status_value(found["status"]),
                        "", function)

    # ----- judging one sent body -----
    def _check(self, where: Node, body: Node, status: int | None, sender: str,
               function: Node | None = None) -> None:
        if status == responses.UNKNOWN or (status is not None and status not in responses.SUCCESS):
            return
        function = function or self.ctx.model.enclosing_function(where)
        if function is not None and responses.is_webhook_receiver(
                function, self.ctx.relative_path, self.ctx.model.import_sources()):
            return
        body = self._object_of(body)
        if body is None:
            return
        marker = responses.error_marker(body, self.option("error-body-keys"), _in_catch(where))
        if marker is None:
            return
        if status:
            said = f"status {status}"
        elif sender:
            said = f"the default status of `{sender}(...)` (200)" if "=" not in sender \
                and not sender.endswith("body") else "the default status (200)"
        else:
            said = "the default status (200)"
        self.report(where, f"An error body ({marker}) is sent with {said}: clients, caches and "
                           "monitoring treat the failure as a success; send it with the "
                           "matching 4xx/5xx status")

    def _object_of(self, body: Node) -> Node | None:
        """The object literal a body is, or the one a `const` it names was given."""
        body = responses.unwrap(body)
        if body is None:
            return None
        if body.type == "object":
            return body
        if body.type == "identifier":
            binding = self.ctx.model.lookup(text(body), body)
            value = binding.value if binding is not None and binding.kind == "variable" else None
            value = responses.unwrap(value)
            return value if value is not None and value.type == "object" else None
        return None

    def _status_set_before(self, node: Node, root: str, forms: tuple[str, ...]) -> bool:
        """The function sets a status on the same response earlier, in any branch, by a
        statement of its own (`res.status(404);`, `ctx.status = 422`), not as part of another
        response's chain (`res.status(201).json(...)`)."""
        function = self.ctx.model.enclosing_function(node)
        scope = function if function is not None else self.ctx.model.root
        if not _STATUS_TEXT.search(self.ctx.source, scope.start_byte, node.start_byte):
            return False  # most sends have no status statement before them: skip the walk
        stack = [scope]
        while stack:
            current = stack.pop()
            if current.start_byte >= node.start_byte:
                continue
            if _sets_status(current, root, forms):
                return True
            stack.extend(current.named_children)
        return False


def _may_send(call: Node) -> bool:
    """Every form checked ends in `.json(`, `.send(` or `.jsonp(`: a cheap test on the callee's
    last property spares the path building for the thousands of other calls in a file."""
    function = responses.unwrap(call.child_by_field_name("function"))
    if function is None or function.type != "member_expression":
        return False
    prop = function.child_by_field_name("property")
    return prop is not None and text(prop) in _SEND_METHODS


def _sets_status(node: Node, root: str, forms: tuple[str, ...]) -> bool:
    if node.type == "assignment_expression":
        left = text(node.child_by_field_name("left"))
        return any(form.endswith("=") and left == root + form[:-1].rstrip()
                   for form in forms)
    if node.type != "call_expression" or node.parent is None \
            or node.parent.type == "member_expression":
        return False
    name = _callee(node)
    return any(form.endswith("(") and name == root + form[:-1] for form in forms)


def _callee(call: Node) -> str:
    function = call.child_by_field_name("function")
    return _path(function) if function is not None else ""


def _path(node: Node) -> str:
    node = responses.unwrap(node)
    if node is None:
        return "?"
    if node.type in ("identifier", "property_identifier", "this"):
        return text(node)
    if node.type == "member_expression":
        return f"{_path(node.child_by_field_name('object'))}." \
               f"{text(node.child_by_field_name('property'))}"
    if node.type == "call_expression":
        return f"{_callee(node)}(...)"
    return "?"


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def _chain_status(call: Node) -> int | None:
    """`res.status(404).json(...)` -> 404, `reply.code(200).send(...)` -> 200, none -> None."""
    function = call.child_by_field_name("function")
    node = function.child_by_field_name("object") if function is not None else None
    while node is not None and node.type == "call_expression":
        inner = node.child_by_field_name("function")
        if inner is None or inner.type != "member_expression":
            return None
        if text(inner.child_by_field_name("property")) in _STATUS_METHODS:
            args = _arguments(node)
            return responses.status_value(args[0]) if args else responses.UNKNOWN
        node = inner.child_by_field_name("object")
    return None


def _init_status(init: Node | None) -> int | None:
    """The status of a `ResponseInit` (`{ status: 404, headers }`); UNKNOWN if not literal."""
    init = responses.unwrap(init)
    if init is None:
        return None
    entries = responses.pairs(init)
    if entries is None:
        return responses.UNKNOWN
    for key, value in entries:
        if key == "status":
            return responses.status_value(value) if value.type != \
                "shorthand_property_identifier" else responses.UNKNOWN
    return None


def _stringified(node: Node) -> Node | None:
    node = responses.unwrap(node)
    if node is not None and node.type == "call_expression" and _callee(node) == "JSON.stringify":
        args = _arguments(node)
        return args[0] if args else None
    return None


def _in_catch(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type not in FUNCTION_KINDS:
        if parent.type == "catch_clause":
            return True
        parent = parent.parent
    return False


def _nest_status(method: Node) -> int | None:
    """`@HttpCode(404)` on the method; UNKNOWN when it writes the response itself (`@Res()`)."""
    decorators = []
    sibling = method.prev_named_sibling
    while sibling is not None and sibling.type == "decorator":
        decorators.append(text(sibling))
        sibling = sibling.prev_named_sibling
    decorators += [text(child) for child in method.children if child.type == "decorator"]
    parameters = method.child_by_field_name("parameters")
    if parameters is not None and re.search(r"@(Res|Response)\(", text(parameters)):
        return responses.UNKNOWN
    for decorator in decorators:
        match = re.match(r"@HttpCode\((.*)\)", decorator, re.DOTALL)
        if match:
            value = match.group(1).strip()
            return int(value) if value.isdigit() else responses.UNKNOWN
    return None


def _reply_name(function: Node) -> str:
    parameters = function.child_by_field_name("parameters")
    names = [text(child.child_by_field_name("pattern") or child)
             for child in (parameters.named_children if parameters is not None else ())]
    return names[1] if len(names) > 1 else "reply"
