"""BKL101 for TypeScript/JavaScript: a caught error's detail reaching an HTTP response.

The rule's identity and documentation are the Python module's (`rules/bkl101_leaked_exception.py`);
this visitor finds the sources, and `leak_flow.LeakScan` follows each one to the sinks.
"""
from __future__ import annotations

import re

from ..bkl101_leaked_exception import LeakedExceptionDetail
from ..exception_flow import WHAT
from .base import TsRule
from .classify import SERVER, file_role
from .leak_flow import (FIX, LeakScan, bound_names, callee_name, error_class_is_client_safe,
                        parameters, text)
from .leak_helpers import FACTS, HelperIndex, HelperSummaries

_ERROR_NAMES = frozenset({"err", "error", "exception", "exc", "er", "ex", "e", "error_",
                          "_err", "_error", "reason"})
# Names that hold an error only where the callback is known to receive one.
_LOOSE_NAMES = frozenset({"e", "ex", "reason", "_err", "_error", "error_"})
_ARRAY_METHODS = frozenset({"map", "forEach", "filter", "reduce", "find", "some", "every",
                            "flatMap", "sort", "findIndex", "findLast", "reduceRight"})
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function_declaration",
                        "method_definition", "generator_function_declaration"})
_RESPONSE_NAMES = frozenset({"res", "response", "resp", "reply", "rep", "ServerResponse",
                             "httpResponse", "_res"})
_RESPONSE_METHODS = frozenset({"json", "send", "end", "write", "jsonp", "sendStatus"})
_CONTEXT_NAMES = frozenset({"c", "ctx", "context"})
_CONTEXT_METHODS = frozenset({"json", "text", "html", "body"})
_RESPONSE_CLASSES = frozenset({"Response", "NextResponse"})
_RESPONSE_STATICS = frozenset({"NextResponse.json", "Response.json"})
_NEST_EXCEPTIONS = re.compile(
    r"(Http|BadRequest|Unauthorized|NotFound|Forbidden|NotAcceptable|RequestTimeout|Conflict|"
    r"Gone|HttpVersionNotSupported|PayloadTooLarge|UnsupportedMediaType|UnprocessableEntity|"
    r"InternalServerError|NotImplemented|ImATeapot|MethodNotAllowed|BadGateway|"
    r"ServiceUnavailable|GatewayTimeout|PreconditionFailed|Misdirected)Exception$")
# Exceptions whose options object carries the client-visible text in `message` only.
_MESSAGE_OPTION_ERRORS = frozenset({"HTTPException", "TRPCError"})
# Frameworks that send a handler's return value as the response body.
_BODY_RETURNING = frozenset({"nestjs", "trpc", "ts-rest"})
_VALIDATOR = re.compile(r"(validate|assert|check|verify|ensure)([A-Z_]|$)")
_GRAPHQL_ERRORS = frozenset({"GraphQLError", "ApolloError", "UserInputError"})


# The calls that hand a callback an error: tree-sitter picks them out of the thousands of calls
# of a file in C, instead of a Python callback per call.
_ERROR_CALLBACK_PATTERN = (
    "(call_expression function: (member_expression property: (property_identifier) @method)"
    ' (#any-of? @method "catch" "then" "on" "once")) @error_callback_call')


class LeakedExceptionDetailTs(TsRule):
    rule = LeakedExceptionDetail
    patterns = {"error_callback_call": _ERROR_CALLBACK_PATTERN}

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = file_role(ctx.model, ctx.absolute_path) == SERVER
        self._reported: set[tuple[int, int]] = set()
        self.helpers = HelperSummaries(ctx, self._sink_of, _body_values)

    # ----- sources -----
    def visit_catch_clause(self, node) -> None:
        if not self.wanted:
            return
        parameter = node.child_by_field_name("parameter")
        body = node.child_by_field_name("body")
        if parameter is None or body is None or self._typed_safe(node) \
                or _guards_validation(node.parent):
            return
        self._scan(_sources(parameter), body, node)

    def visit_error_callback_call(self, node) -> None:
        """`.catch(err => ...)`, `.then(ok, err => ...)`, `.on("error", err => ...)`."""
        if not self.wanted:
            return
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or arguments is None:
            return
        method = text(function.child_by_field_name("property"))
        values = arguments.named_children
        if method == "catch" and values and values[0].type in _FUNCTIONS:
            self._callback(values[0])
        elif method == "then" and len(values) > 1 and values[1].type in _FUNCTIONS:
            self._callback(values[1])
        elif method in ("on", "once") and values and text(values[0]).strip("'\"") == "error":
            callbacks = [arg for arg in values if arg.type in _FUNCTIONS]
            if callbacks:
                self._callback(callbacks[0])

    def visit_arrow_function(self, node) -> None:
        scanned = self._error_first_function(node)
        if self.wanted and self.ctx.model.handler_of(node) is None:
            self.helpers.summarise(node, skip_first=scanned)

    visit_function_expression = visit_arrow_function
    visit_function_declaration = visit_arrow_function
    visit_method_definition = visit_arrow_function

    def _error_first_function(self, node) -> bool:
        """Node-style `(err, ...)` callbacks, error middleware and error handlers: whether the
        first parameter was followed as a caught error."""
        params = parameters(node) if self.wanted else []
        if not params:
            return False
        name = _param_name(params[0])
        # `(err, req, res, next)`, `(error, request, reply)`, `(err, c)`, `(err, data)`, and a
        # callback given only `err`: a declared function of one parameter is a helper given any
        # error-like value, not a handler of a caught one.
        is_callback = node.parent is not None and node.parent.type == "arguments"
        if (len(params) < 2 and not (is_callback and name in ("err", "error"))) \
                or name not in _ERROR_NAMES or name in _LOOSE_NAMES:
            return False
        if self._is_array_callback(node) or self._is_catch_callback(node):
            return False
        if _param_type_is_safe(params[0]) or self._catches_safe_class(node):
            return True  # a client-safe error: nothing of it leaks, here or through callers
        body = node.child_by_field_name("body")
        if body is not None:
            self._scan({name: 2}, body, node)
        return True

    def _callback(self, function) -> None:
        params = parameters(function)
        body = function.child_by_field_name("body")
        if not params or body is None:
            return
        sources = _sources(params[0].child_by_field_name("pattern") or params[0])
        if sources:
            self._scan(sources, body, function)

    def _is_catch_callback(self, node) -> bool:
        parent = node.parent
        call = parent.parent if parent is not None and parent.type == "arguments" else None
        if call is None or call.type != "call_expression":
            return False
        method = callee_name(call).rpartition(".")[2]
        return method in ("catch", "then", "on", "once")

    def _is_array_callback(self, node) -> bool:
        parent = node.parent
        call = parent.parent if parent is not None and parent.type == "arguments" else None
        return call is not None and call.type == "call_expression" \
            and callee_name(call).rpartition(".")[2] in _ARRAY_METHODS

    def _typed_safe(self, catch_clause) -> bool:
        annotation = catch_clause.child_by_field_name("type")
        return annotation is not None and error_class_is_client_safe(
            text(annotation).lstrip(": ").strip()) and "unknown" not in text(annotation) \
            and "any" not in text(annotation)

    def _catches_safe_class(self, method) -> bool:
        """A NestJS `@Catch(HttpException)` filter sees only client-facing exceptions."""
        if method.type != "method_definition":
            return False
        body = method.parent
        owner = body.parent if body is not None else None
        decorators = _decorators(owner) if owner is not None else []
        for decorator in decorators:
            match = re.match(r"@Catch\((.*)\)$", text(decorator), re.DOTALL)
            if match is None:
                continue
            classes = [name.strip() for name in match.group(1).split(",") if name.strip()]
            return bool(classes) and all(error_class_is_client_safe(name) for name in classes)
        return False

    # ----- following each source -----
    def _scan(self, sources: dict[str, int], body, owner) -> None:
        returns_body = self._returns_body(owner)
        scan = LeakScan(sources, self._sink_of, self._report, _body_values)
        scan.returns_body = returns_body
        scan.on_call = self.helpers.note_call
        scan.scan(body)

    def finish_file(self) -> None:
        facts = self.helpers.facts()
        if facts is not None:
            self.ctx.facts[FACTS] = facts

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list:
        files = {path: facts[FACTS] for path, facts in facts_by_path.items() if FACTS in facts}
        return HelperIndex(files).findings(cls.code) if files else []

    def _returns_body(self, owner) -> bool:
        """Whether `return x` in the function running this code sends x to the client."""
        function = owner if owner.type in _FUNCTIONS else _enclosing_function(owner)
        handler = self.ctx.model.handler_of(function)
        if handler is None:
            return False
        return handler.framework in _BODY_RETURNING or handler.how == "server action"

    def _sink_of(self, node) -> str:
        """How `node` sends a body to the client (`res.json(...)`, `ctx.body = ...`), or ""."""
        if node.type == "assignment_expression":
            return _body_assignment(node)
        name = callee_name(node)
        if node.type == "new_expression":
            return self._exception_or_response(node, name)
        parts = name.split(".")
        sends = name in _RESPONSE_STATICS or (
            parts[0] in _RESPONSE_NAMES and parts[-1] in _RESPONSE_METHODS and len(parts) > 1
        ) or (parts[0] in _CONTEXT_NAMES and len(parts) == 2 and parts[-1] in _CONTEXT_METHODS)
        return f"{name}(...)" if sends else ""

    def _exception_or_response(self, node, name: str) -> str:
        last = name.rpartition(".")[2]
        if last in _RESPONSE_CLASSES:
            return f"new {last}(...)"
        if _NEST_EXCEPTIONS.search(last) or last in _GRAPHQL_ERRORS \
                or last in _MESSAGE_OPTION_ERRORS:
            if self._caught_again(node):
                return ""
            return f"new {last}(...)"
        return ""

    def _caught_again(self, node) -> bool:
        """A `throw` inside an enclosing `try` of the same function, whose `catch` does not
        rethrow what it caught, never reaches the framework: the outer handler answers."""
        child, parent = node, node.parent
        while parent is not None and parent.type not in _FUNCTIONS - {"arrow_function"}:
            if parent.type == "try_statement" and child == parent.child_by_field_name("body"):
                handler = parent.child_by_field_name("handler")
                if handler is not None and not _rethrows(handler):
                    return True
            child, parent = parent, parent.parent
        return False

    def _report(self, value, kind: int, sink: str) -> None:
        if value is None:
            return
        key = (value.start_point[0], value.start_point[1])
        if key in self._reported:
            return
        self._reported.add(key)
        if sink == "return":
            message = f"{WHAT[kind]} is returned to the client: {FIX}"
        else:
            message = f"{WHAT[kind]} reaches the HTTP response through `{sink}`: {FIX}"
        self.report(value, message)


def _guards_validation(try_statement) -> bool:
    """`try { validateWebhookURL(url) } catch (e) { ... e.message ... }`: a `try` around only
    the project's validators (`validate*`, `assert*`, `check*`, `verify*`, `ensure*`,
    `schema.parse`) catches messages written for the user."""
    body = try_statement.child_by_field_name("body") if try_statement is not None else None
    statements = [child for child in body.named_children if child.type != "comment"] \
        if body is not None else []
    return bool(statements) and all(_is_validation_call(statement) for statement in statements)


def _is_validation_call(statement) -> bool:
    node = statement.named_children[0] if statement.type == "expression_statement" and \
        statement.named_children else None
    if node is not None and node.type == "assignment_expression":
        node = node.child_by_field_name("right")  # `name = validateContent(req.body.name)`
    if statement.type == "lexical_declaration":
        declarator = statement.named_children[0] if statement.named_children else None
        node = declarator.child_by_field_name("value") if declarator is not None else None
    while node is not None and node.type == "await_expression" and node.named_children:
        node = node.named_children[0]
    if node is None or node.type != "call_expression":
        return False
    name = callee_name(node).rpartition(".")[2]
    return bool(_VALIDATOR.match(name)) or name in ("parse", "parseAsync", "validateSync")


def _body_assignment(node) -> str:
    """Koa's `ctx.body = ...` (also `ctx.response.body`, `this.body` in Koa 1)."""
    left = node.child_by_field_name("left")
    target = text(left) if left is not None else ""
    if target.split(".")[0] in _CONTEXT_NAMES | {"this"} and target.endswith(".body"):
        return f"{target} = ..."
    return ""


def _body_values(sink) -> list:
    """The parts of a sink the client sees: an HTTP exception's `cause` is only logged."""
    arguments = sink.child_by_field_name("arguments")
    values = arguments.named_children if arguments is not None else []
    if sink.type != "new_expression":
        return values
    name = callee_name(sink).rpartition(".")[2]
    if name in _MESSAGE_OPTION_ERRORS:
        found = [_property(value, "message") for value in values if value.type == "object"]
        return [value for value in found if value is not None]
    if _NEST_EXCEPTIONS.search(name):
        options = [_property(value, "description") for value in values[1:2]
                   if value.type == "object"]
        return values[:1] + [value for value in options if value is not None]
    return values


def _property(obj, key: str):
    for pair in obj.named_children:
        if pair.type == "pair" and text(pair.child_by_field_name("key")).strip("'\"") == key:
            return pair.child_by_field_name("value")
        if pair.type == "shorthand_property_identifier" and text(pair) == key:
            return pair
    return None


def _sources(pattern) -> dict[str, int]:
    """`catch (err)` -> {"err": object}; `catch ({ message })` -> {"message": text}."""
    if pattern.type == "identifier":
        return {text(pattern): 2}
    if pattern.type == "object_pattern":
        scan = LeakScan({}, lambda node: "", lambda *_: None)
        scan._bind(pattern, 2)  # pylint: disable=protected-access
        return {name: kind for name, kind in scan.env.items() if kind}
    return {}


def _param_name(param) -> str:
    if param.type == "identifier":
        return text(param)
    pattern = param.child_by_field_name("pattern")
    return text(pattern) if pattern is not None and pattern.type == "identifier" else ""


def _param_type_is_safe(param) -> bool:
    annotation = param.child_by_field_name("type")
    if annotation is None:
        return False
    written = text(annotation).lstrip(": ").strip()
    return bool(re.fullmatch(r"[A-Za-z_.]+", written)) and error_class_is_client_safe(written) \
        and written.endswith(("Error", "Exception")) or written in ("string", "number")


def _decorators(node) -> list:
    found = [child for child in node.children if child.type == "decorator"]
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        found += [child for child in parent.children if child.type == "decorator"]
    return found


def _enclosing_function(node):
    parent = node.parent
    while parent is not None and parent.type not in _FUNCTIONS:
        parent = parent.parent
    return parent


def _rethrows(handler) -> bool:
    parameter = handler.child_by_field_name("parameter")
    names = set(bound_names(parameter)) if parameter is not None else set()
    stack = [handler.child_by_field_name("body")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "throw_statement":
            thrown = list(node.named_children)
            if not thrown or text(thrown[0]) in names or not names:
                return True
        stack.extend(node.named_children)
    return False
