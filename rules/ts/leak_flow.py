"""How a caught error's detail flows through TS/JS expressions to an HTTP response (BKL101).

A source is a name bound to a caught error (a `catch (err)` parameter, the parameter of a
`.catch(err => ...)` callback, a Node-style `(err, ...)` callback, an error handler's first
parameter). `LeakScan` walks the code that can see the name, in source order, keeps what each
local variable holds (nothing, the message text, the error object, a stack trace) and reports
every response sink whose body carries it. Kinds are exception_flow's MESSAGE/OBJECT/STACK.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..exception_flow import MESSAGE, OBJECT, STACK

FIX = "log it and send a generic error message instead"
Node = object  # a tree_sitter.Node; rules/ stays importable without the binding
Kind = int

# Properties of an error whose value is its text (or other detail written for developers).
_MESSAGE_PROPS = frozenset({"message", "msg", "detail", "details", "description", "reason",
                            "sqlMessage", "sql", "meta", "response", "data", "body", "text",
                            "stderr", "stdout", "query", "parameters"})
_OBJECT_PROPS = frozenset({"cause", "originalError", "original", "error", "inner", "err"})
_STACK_PROPS = frozenset({"stack", "stackTrace", "trace"})
# Reading these from a string or from upstream detail gives no text.
_SCALAR_PROPS = frozenset({"length", "status", "statusCode", "code", "name", "errno", "ok",
                           "statusText", "type", "kind", "digest", "expose", "isOperational"})
_TEXT_CALLS = frozenset({"String", "inspect", "util.inspect", "format", "util.format"})
_KEEP_CALLS = frozenset({"JSON.stringify", "serializeError", "Object.assign", "structuredClone",
                         "JSON.parse", "toJSON"})
_STRING_METHODS = frozenset({"toString", "slice", "substring", "substr", "trim", "trimStart",
                             "trimEnd", "replace", "replaceAll", "split", "toLowerCase",
                             "toUpperCase", "concat", "padEnd", "padStart", "join", "at",
                             "toLocaleString", "valueOf", "normalize"})
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "non_null_expression",
                       "satisfies_expression", "type_assertion", "await_expression"})
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function_declaration",
                        "method_definition", "generator_function_declaration",
                        "generator_function"})
_LOGIC = frozenset({"||", "??", "&&"})
PLAIN_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})
# Built-in error classes say nothing about whose message it is; other classes are the
# project's own errors (or a framework's client errors) unless a library's internals.
_BUILTIN_ERRORS = frozenset({"Error", "TypeError", "RangeError", "SyntaxError",
                             "ReferenceError", "EvalError", "URIError", "AggregateError",
                             "DOMException", "Object"})
_INTERNAL_ERROR = re.compile(
    r"Prisma|Mongo|Sequelize|QueryFailed|Postgres|Database|Sql|SQL|Axios|Fetch|Redis|Drizzle|"
    r"Knex|Typeorm|TypeORM|Mysql|MySQL|Pg[A-Z]|Kysely|System|Aws|AWS|S3|Dynamo|Firebase|Openai|"
    r"OpenAI|Anthropic|Grpc|GRPC|Network|Timeout|Connection|Socket")
# Conditions that hold only where the detail is meant for a developer or is client-safe.
_DEV_ONLY = re.compile(r"NODE_ENV\W*(===?|!==?)\W*['\"](development|dev|test|production)|"
                       r"\b(isDev|isDevelopment|IS_DEV|__DEV__|isLocal|DEBUG|debugMode|"
                       r"isDebug|env\.DEV|dev)\b")
_PRODUCTION = re.compile(r"NODE_ENV\W*===?\W*['\"]production|NODE_ENV\W*!==?\W*['\"]"
                         r"(development|dev|test)|\b(isProd|isProduction|IS_PROD)\b")
_SAFE_CHECK_PROPS = frozenset({"statusCode", "status", "expose", "isOperational", "errorCode",
                               "isPublic", "userMessage", "publicMessage", "isClientError"})


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def _child(node: Node, field: str) -> Node | None:
    return node.child_by_field_name(field)


def _named(node: Node) -> list[Node]:
    return [child for child in node.children if child.is_named and child.type != "comment"]


def _unwrap(node: Node) -> Node:
    while node is not None and node.type in _WRAPPERS:
        inner = _named(node)
        if not inner:
            break
        node = inner[0]
    return node


def callee_name(call: Node) -> str:
    """`res.status(500).json` -> "json"'s full path text without calls: `res.status().json`."""
    function = _child(call, "function") or _child(call, "constructor")
    return "" if function is None else _dotted(function)


def _dotted(node: Node) -> str:
    node = _unwrap(node)
    if node.type in ("identifier", "property_identifier", "this", "type_identifier"):
        return text(node)
    if node.type == "member_expression":
        base = _child(node, "object")
        prop = _child(node, "property")
        return f"{_dotted(base)}.{text(prop) if prop is not None else ''}"
    if node.type == "call_expression":
        return f"{callee_name(node)}(...)"
    return "?"


def error_class_is_client_safe(name: str) -> bool:
    """`AppError`, `ZodError`, `HttpException`: messages written for clients."""
    last = name.rpartition(".")[2]
    return bool(last) and last not in _BUILTIN_ERRORS and not _INTERNAL_ERROR.search(name)


class LeakScan:
    """Walks the code that sees `sources` (name -> kind) and calls `on_sink(value, kind, sink)`
    for every response body holding their detail; `is_sink(call)` names a call's sink or ""."""

    def __init__(self, sources: dict[str, Kind], is_sink: Callable[[Node], str],
                 on_sink: Callable[[Node, Kind, str], None],
                 body_values: Callable[[Node], list[Node]] | None = None) -> None:
        self.env: dict[str, Kind] = dict(sources)
        self.is_sink = is_sink
        self.on_sink = on_sink
        self.body_values = body_values or _arguments
        self.path: list[Node] = []
        self._cleared_after: dict[int, list[str]] = {}
        # Set when the scanned code's own function sends its return value to the client.
        self.returns_body = False
        # `on_call(call, {argument index: kind}, context)` hears of every call given the detail,
        # for the project's helpers (leak_helpers.py); context is the sink (or "return") whose
        # body the call's value is part of, else "".
        self.on_call: Callable[[Node, dict[int, Kind], str], None] | None = None
        self._context = ""
        # Names holding what such a call returned (`const msg = errorMessage(err)`): where they
        # reach a body, `on_call` hears of the call again, with that context.
        self.pending: dict[str, tuple[Node, dict[int, Kind]]] = {}

    # ----- the walk -----
    def scan(self, node: Node) -> None:
        self.path.append(node)
        try:
            self._visit(node)
        finally:
            self.path.pop()
        for name in self._cleared_after.pop(node.id, ()):
            self.env[name] = 0

    def _visit(self, node: Node) -> None:
        kind = node.type
        if kind in _FUNCTIONS and self._shadows(node):
            return
        if kind == "variable_declarator":
            self._declare(node)
        elif kind == "assignment_expression":
            self._assign(node)
        elif kind in ("call_expression", "new_expression"):
            self._call(node)
        elif kind == "if_statement" and self._narrowing_if(node):
            return
        elif kind == "return_statement" and self.returns_body:
            self._return(node)
        for child in node.children:
            if child.is_named:
                self.scan(child)

    def _shadows(self, function: Node) -> bool:
        params = _child(function, "parameters") or _child(function, "parameter")
        names = set(bound_names(params)) if params is not None else set()
        return bool(names & {name for name, value in self.env.items() if value})

    def _declare(self, node: Node) -> None:
        value = _child(node, "value")
        name = _child(node, "name")
        if name is None:
            return
        if value is None:
            for bound in bound_names(name):
                self.env.pop(bound, None)
            return
        self._bind(name, self.taint(value)[0])
        if self.on_call is not None:
            self._bind_pending(name, value)

    def _bind(self, pattern: Node, kind: Kind) -> None:
        if pattern.type == "identifier":
            self.env[text(pattern)] = kind
            return
        if pattern.type == "object_pattern":
            for part in _named(pattern):
                key, target = pattern_part(part)
                if target is not None:
                    self._bind(target, self._property_kind(kind, key) if kind else 0)
            return
        for bound in bound_names(pattern):
            self.env[bound] = kind

    def _assign(self, node: Node) -> None:
        left = _child(node, "left")
        right = _child(node, "right")
        if left is None or right is None:
            return
        kind = self.taint(right)[0]
        left = _unwrap(left)
        if left.type == "identifier":
            self.env[text(left)] = kind
            if self.on_call is not None:
                self._bind_pending(left, right)
        elif left.type in ("member_expression", "subscript_expression") and kind:
            base = _root_identifier(left)
            if base is not None:
                self.env[base] = max(self.env.get(base, 0), kind)
        sink = self.is_sink(node)
        if sink and kind and not self._guarded():
            self.on_sink(self.taint(right)[1], kind, sink)

    def _call(self, node: Node) -> None:
        sink = self.is_sink(node)
        if not sink or self._guarded():
            self._mutation(node)
            if self.on_call is not None and not sink:
                self._note_call(node, "")
            return
        best = (0, None)
        self._context = sink
        for value in self.body_values(node):
            found = self.taint(value)
            if found[0] > best[0]:
                best = found
        self._context = ""
        if best[0]:
            self.on_sink(best[1], best[0], sink)

    def _note_call(self, node: Node, context: str) -> None:
        if node.type != "call_expression" or self._guarded():
            return
        kinds = self._argument_kinds(node)
        if kinds:
            self.on_call(node, kinds, context)

    def _argument_kinds(self, call: Node) -> dict[int, Kind]:
        outer, self._context = self._context, ""  # the arguments are no part of the body
        kinds = {index: kind for index, value in enumerate(_arguments(call))
                 if (kind := self.taint(value)[0])}
        self._context = outer
        return kinds

    def _bind_pending(self, pattern: Node, value: Node) -> None:
        """`const msg = errorMessage(err)`, `const { error } = toBody(err)`: the names that
        hold what a call given the detail returned (a scalar such as `status` holds none)."""
        call = _unwrap(value)
        kinds = self._argument_kinds(call) if call.type == "call_expression" else {}
        if pattern.type == "object_pattern":
            names = [text(target) for part in _named(pattern)
                     for key, target in [pattern_part(part)]
                     if target is not None and target.type in PLAIN_NAMES
                     and self._property_kind(OBJECT, key)]
        else:
            names = [text(pattern)] if pattern.type == "identifier" else []
        for name in names:
            if kinds:
                self.pending[name] = (call, kinds)
            else:
                self.pending.pop(name, None)

    def _note_pending(self, name: str) -> None:
        held = self.pending.get(name)
        if held is not None and self._context and not self._guarded():
            self.on_call(held[0], held[1], self._context)

    def _return(self, node: Node) -> None:
        if any(part.type in _FUNCTIONS for part in self.path[1:]) or self._guarded():
            return
        values = _named(node)
        if values:
            self._context = "return"
            kind, origin = self.taint(values[0])
            self._context = ""
            if kind:
                self.on_sink(origin, kind, "return")

    def _mutation(self, node: Node) -> None:
        """`payload.push(err.message)`, `Object.assign(body, { error: err })`."""
        function = _child(node, "function")
        arguments = _child(node, "arguments")
        if function is None or arguments is None or function.type != "member_expression":
            return
        values = _named(arguments)
        name = callee_name(node)
        if name == "Object.assign" and values:
            target = _root_identifier(values[0])
            kind = max((self.taint(value)[0] for value in values[1:]), default=0)
            if target and kind:
                self.env[target] = max(self.env.get(target, 0), kind)
            return
        prop = _child(function, "property")
        if prop is not None and text(prop) in ("push", "unshift", "set", "append", "add"):
            target = _root_identifier(_child(function, "object"))
            kind = max((self.taint(value)[0] for value in values), default=0)
            if target and kind:
                self.env[target] = max(self.env.get(target, 0), kind)

    # ----- guards: code that runs only when the detail is safe to show -----
    def _narrowing_if(self, node: Node) -> bool:
        """`if (!(err instanceof AppError)) throw err;` narrows what follows; handled by
        scanning the consequence with the source cleared, then the rest as usual."""
        condition = _child(node, "condition")
        consequence = _child(node, "consequence")
        if condition is None or consequence is None:
            return False
        cleared = self._cleared_by(condition)
        if not cleared:
            self._narrow_after(condition, consequence)
            return False
        saved = dict(self.env)
        for name in cleared:
            self.env[name] = 0
        self.scan(consequence)
        self.env = saved
        alternative = _child(node, "alternative")
        if alternative is not None:
            self.scan(alternative)
        return True

    def _narrow_after(self, condition: Node, consequence: Node) -> None:
        """`if (!(err instanceof AppError)) throw err;`: below it, `err` is an AppError."""
        condition = _unwrap(condition)
        if condition.type != "unary_expression" or not text(condition).startswith("!"):
            return
        argument = _child(condition, "argument")
        if argument is None or not _exits(consequence):
            return
        if_node = self.path[-1]
        self._cleared_after[if_node.id] = self._cleared_by(argument)

    def _cleared_by(self, condition: Node) -> list[str]:
        """Names whose detail the condition proves client-safe when it holds."""
        condition = _unwrap(condition)
        if condition.type == "binary_expression":
            return self._cleared_by_binary(condition)
        if condition.type == "member_expression":
            return self._checked_props(condition)
        if condition.type == "call_expression":
            return self._guard_call(condition) or self._message_checked(condition)
        return []

    def _cleared_by_binary(self, condition: Node) -> list[str]:
        operator = _operator(condition)
        sides = [side for side in (_child(condition, "left"), _child(condition, "right"))
                 if side is not None]
        if operator == "&&":
            return [name for side in sides for name in self._cleared_by(side)]
        if operator == "||":
            cleared = [set(self._cleared_by(side)) for side in sides]
            return sorted(set.intersection(*cleared)) if cleared else []
        if operator in ("===", "==") and self._message_checked(condition):
            return self._message_checked(condition)
        if operator == "instanceof":
            left = _unwrap(_child(condition, "left"))
            right = _child(condition, "right")
            narrowed = left is not None and left.type == "identifier" and right is not None \
                and error_class_is_client_safe(text(right)) and self.env.get(text(left))
            return [text(left)] if narrowed else []
        return self._checked_props(condition)

    def _message_checked(self, condition: Node) -> list[str]:
        """`err.message.includes("validation failed")`, `e.message === "Not found"`: code that
        knows which message it has chose to show that one."""
        found = []
        for part in _walk(condition):
            if part.type != "member_expression":
                continue
            base, prop = _unwrap(_child(part, "object")), _child(part, "property")
            if base is None or prop is None or text(prop) != "message" \
                    or base.type != "identifier" or not self.env.get(text(base)):
                continue
            parent = part.parent
            compared = parent is not None and parent.type == "binary_expression" \
                and _operator(parent) in ("===", "==") and any(
                    child.type == "string" for child in _named(parent))
            method = parent is not None and parent.type == "member_expression" and text(
                _child(parent, "property")) in ("includes", "startsWith", "endsWith", "match")
            allowed = parent is not None and parent.type == "arguments" and \
                callee_name(parent.parent).rpartition(".")[2] in ("has", "includes")
            if compared or method or allowed:
                found.append(text(base))
        return found

    def _checked_props(self, node: Node) -> list[str]:
        """`if (err.statusCode)`, `if (err.expose && ...)`, `if (err.status < 500)`."""
        found = []
        for part in _walk(node):
            if part.type != "member_expression":
                continue
            base, prop = _unwrap(_child(part, "object")), _child(part, "property")
            if base is not None and base.type == "identifier" and prop is not None \
                    and text(prop) in _SAFE_CHECK_PROPS and self.env.get(text(base)):
                found.append(text(base))
        return found

    def _guard_call(self, call: Node) -> list[str]:
        """`isHttpError(err)`, `isAppError(e)`: a type guard for a client-safe class."""
        name = callee_name(call).rpartition(".")[2]
        match = re.fullmatch(r"is([A-Z]\w*(Error|Exception))", name)
        arguments = _child(call, "arguments")
        if match is None or arguments is None or not error_class_is_client_safe(match.group(1)):
            return []
        return [text(arg) for arg in _named(arguments)
                if arg.type == "identifier" and self.env.get(text(arg))]

    def _guarded(self) -> bool:
        """Inside a branch that runs only in development."""
        for parent, child in zip(self.path, self.path[1:]):
            if parent.type in ("if_statement", "ternary_expression"):
                condition = _child(parent, "condition")
                if condition is None or child == condition:
                    continue
                in_then = child == _child(parent, "consequence")
                if in_then and _DEV_ONLY.search(text(condition)) \
                        and not _PRODUCTION.search(text(condition)):
                    return True
                if not in_then and _PRODUCTION.search(text(condition)):
                    return True
        return False

    # ----- what an expression carries -----
    def taint(self, node: Node) -> tuple[Kind, Node | None]:
        node = _unwrap(node)
        if node is None:
            return 0, None
        method = _TAINT_BY_TYPE.get(node.type)
        kind = getattr(self, method)(node) if method is not None else 0
        return kind, node

    def _identifier(self, node: Node) -> Kind:
        name = text(node)
        if self.pending:
            self._note_pending(name)
        return self.env.get(name, 0)

    def _member(self, node: Node) -> Kind:
        base = _child(node, "object")
        prop = _child(node, "property")
        if base is None or prop is None:
            return 0
        return self._property_kind(self.taint(base)[0], text(prop))

    @staticmethod
    def _property_kind(kind: Kind, prop: str) -> Kind:
        if not kind:
            return 0
        if kind == OBJECT:
            if prop in _STACK_PROPS:
                return STACK
            if prop in _MESSAGE_PROPS:
                return MESSAGE
            return OBJECT if prop in _OBJECT_PROPS else 0
        return 0 if prop in _SCALAR_PROPS else kind

    def _subscript(self, node: Node) -> Kind:
        base = _child(node, "object")
        index = _child(node, "index")
        kind = self.taint(base)[0] if base is not None else 0
        if index is not None and index.type == "string":
            return self._property_kind(kind, text(index).strip("'\"`"))
        return kind if kind != OBJECT else 0

    def _call_kind(self, node: Node) -> Kind:
        function = _child(node, "function")
        arguments = _child(node, "arguments")
        args = _named(arguments) if arguments is not None else []
        name = callee_name(node)
        if name in _TEXT_CALLS:
            return _as_text(max((self.taint(arg)[0] for arg in args[:1]), default=0))
        if name in _KEEP_CALLS or name.rpartition(".")[2] in ("serializeError", "inspect"):
            return max((self.taint(arg)[0] for arg in args), default=0)
        if function is not None and function.type == "member_expression":
            prop = _child(function, "property")
            method = text(prop) if prop is not None else ""
            if method in _STRING_METHODS:
                base = self.taint(_child(function, "object"))[0]
                return _as_text(base) if base else 0
            if method in ("map", "filter", "concat", "flat") \
                    and self.taint(_child(function, "object"))[0]:
                return self.taint(_child(function, "object"))[0]
        if self.on_call is not None and self._context:
            self._note_call(node, self._context)
        return 0

    def _template(self, node: Node) -> Kind:
        kinds = [self.taint(_named(part)[0])[0] for part in _named(node)
                 if part.type == "template_substitution" and _named(part)]
        return _as_text(max(kinds, default=0))

    def _binary(self, node: Node) -> Kind:
        operator = _operator(node)
        left = self.taint(_child(node, "left"))[0]
        right = self.taint(_child(node, "right"))[0]
        if operator == "+":
            return _as_text(max(left, right))
        if operator in ("||", "??"):
            return max(left, right)
        if operator == "&&":
            condition = text(_child(node, "left"))
            return 0 if _DEV_ONLY.search(condition) else right
        return 0

    def _ternary(self, node: Node) -> Kind:
        condition = text(_child(node, "condition"))
        consequence = self.taint(_child(node, "consequence"))[0]
        alternative = self.taint(_child(node, "alternative"))[0]
        if _DEV_ONLY.search(condition) and not _PRODUCTION.search(condition):
            return alternative
        if _PRODUCTION.search(condition):
            return consequence
        cleared = self._cleared_by(_child(node, "condition"))
        if cleared:
            saved = dict(self.env)
            for name in cleared:
                self.env[name] = 0
            consequence = self.taint(_child(node, "consequence"))[0]
            self.env = saved
        return max(consequence, alternative)

    def _object(self, node: Node) -> Kind:
        best = 0
        for part in _named(node):
            if part.type == "pair":
                best = max(best, self.taint(_child(part, "value"))[0])
            elif part.type == "shorthand_property_identifier":
                best = max(best, self._identifier(part))
            elif part.type == "spread_element" and _named(part):
                best = max(best, self.taint(_named(part)[0])[0])
        return best

    def _array(self, node: Node) -> Kind:
        return max((self.taint(item)[0] for item in _named(node)), default=0)

    def _spread(self, node: Node) -> Kind:
        inner = _named(node)
        return self.taint(inner[0])[0] if inner else 0


# Node type -> the LeakScan method that says what an expression of that type carries.
_TAINT_BY_TYPE = {
    "identifier": "_identifier", "shorthand_property_identifier": "_identifier",
    "member_expression": "_member", "subscript_expression": "_subscript",
    "call_expression": "_call_kind", "template_string": "_template",
    "binary_expression": "_binary", "ternary_expression": "_ternary", "object": "_object",
    "array": "_array", "spread_element": "_spread",
}


def _exits(node: Node) -> bool:
    """The branch ends in `return`/`throw` (a block's last statement, or the statement)."""
    if node.type == "statement_block":
        statements = _named(node)
        return bool(statements) and _exits(statements[-1])
    return node.type in ("return_statement", "throw_statement")


def _arguments(call: Node) -> list[Node]:
    arguments = _child(call, "arguments")
    return _named(arguments) if arguments is not None else []


def _as_text(kind: Kind) -> Kind:
    return MESSAGE if kind == OBJECT else kind


def _operator(node: Node) -> str:
    operator = _child(node, "operator")
    return text(operator) if operator is not None else ""


def _root_identifier(node: Node | None) -> str | None:
    while node is not None:
        node = _unwrap(node)
        if node.type == "identifier":
            return text(node)
        if node.type not in ("member_expression", "subscript_expression"):
            return None
        node = _child(node, "object")
    return None


def pattern_part(part: Node) -> tuple[str, Node | None]:
    """(property read, pattern bound) of one `{ ... }` destructuring element."""
    if part.type == "shorthand_property_identifier_pattern":
        return text(part), part
    if part.type == "pair_pattern":
        key = _child(part, "key")
        return (text(key) if key is not None else ""), _child(part, "value")
    if part.type == "object_assignment_pattern":
        left = _child(part, "left")
        return (text(left) if left is not None else ""), left
    return "", None


def parameters(function: Node) -> list[Node]:
    """A function's parameters (an arrow function's single bare one included)."""
    params = _child(function, "parameters")
    if params is None:
        single = _child(function, "parameter")
        return [single] if single is not None else []
    return [child for child in _named(params)
            if child.type in ("required_parameter", "optional_parameter", "identifier")]


def bound_names(pattern: Node | None) -> Iterator[str]:
    """Every name a parameter list or binding pattern introduces."""
    if pattern is None:
        return
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        yield text(pattern)
        return
    for child in _named(pattern):
        if child.type in ("type_annotation", "decorator"):
            continue
        if child.type in ("required_parameter", "optional_parameter"):
            yield from bound_names(_child(child, "pattern"))
        elif child.type == "pair_pattern":
            yield from bound_names(_child(child, "value"))
        elif child.type == "object_assignment_pattern":
            yield from bound_names(_child(child, "left"))
        elif child.type == "assignment_pattern":
            yield from bound_names(_child(child, "left"))
        else:
            yield from bound_names(child)


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed([child for child in current.children if child.is_named]))
