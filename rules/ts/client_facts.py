"""TS/JS client facts in the Python collector's shape (`backlint.rules.client_index`), so the
BKL201 project pass is one: the shared clients (module-level, memoised getters, lazy globals),
the constructions that run on every call of a function, the handlers, the project calls each
function makes, and the import aliases that turn a name into the function it refers to.

Every site carries `"language": "ts"`: a TS handler is never pointed at a Python singleton.
"""
from __future__ import annotations

from .base import TsCollector
from .client_table import kind_of
from .model import FUNCTION_KINDS, Node, text
from .module_paths import resolve

# Wrapping a builder in these runs it once and shares its result.
_MEMOISERS = frozenset({"remember", "singleton", "memoize", "memoizeOne", "once", "lazy",
                        "cache", "memo", "createSingleton", "getOrCreate", "useMemo"})
_GLOBAL_OBJECTS = ("globalThis", "global", "window", "self")
_PASS_THROUGH = frozenset({"parenthesized_expression", "await_expression", "as_expression",
                           "satisfies_expression", "non_null_expression", "ternary_expression"})
_DESTINATION_KEYS = frozenset({"url", "baseURL", "baseUrl", "host", "hostname", "port",
                               "database", "db", "connectionString", "uri", "endpoint",
                               "region", "apiKey", "accessKeyId", "token", "auth", "user"})


# Options that say whose credential, database or server a client uses.
_TENANT_KEYS = frozenset({"apiKey", "token", "accessToken", "auth", "key", "secret",
                          "credentials", "connectionString", "url", "uri", "password", "host",
                          "baseUrl", "baseURL", "endpoint"})


def _bound_value(binding) -> Node | None:
    """The value a local name was given, also through destructuring (`const { host } = conn`)."""
    if binding is None or binding.kind != "variable" or binding.node is None:
        return None
    return binding.value or binding.node.child_by_field_name("value")


def _key(pair: Node) -> str:
    if pair.type == "shorthand_property_identifier":
        return text(pair)
    key = pair.child_by_field_name("key")
    return text(key).strip("'\"") if key is not None else ""


class TsClientFacts(TsCollector):
    name = "clients"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.module = ctx.model.module
        self.singletons: list[dict] = []
        self.constructs: dict[str, list[dict]] = {}
        self.calls: dict[str, set[str]] = {}
        self.instances: dict[str, str] = {}
        self.made_by_calls: list[dict] = []
        self._ids: dict[int, str | None] = {}
        self._modules: dict[str, str | None] = {}

    # ----- constructions and calls -----
    def visit_new_expression(self, node: Node) -> None:
        self._call(node, node.child_by_field_name("constructor"), is_new=True)

    def visit_call_expression(self, node: Node) -> None:
        self._call(node, node.child_by_field_name("function"), is_new=False)

    def _call(self, node: Node, callee: Node | None, is_new: bool) -> None:
        if callee is None:
            return
        found = self._client_kind(callee)
        owner = self._owner(node)
        if found is not None:
            self._construction(node, found, owner)
            return
        target = self._callee(callee, is_new)
        if target is None:
            return
        if owner is not None:
            self.calls.setdefault(owner[0], set()).add(target)
        elif self._top_level_name(node):
            name = f"{self.module}.{self._top_level_name(node)}"
            self.instances[name] = target
            self.made_by_calls.append({**self._site(node, target, "", ()), "how": "module",
                                       "name": name})

    def _client_kind(self, callee: Node) -> tuple[str, str] | None:
        imported = self._import_of(callee)
        if imported is None:
            return None
        source, name = imported
        kind = kind_of(source, name, tuple(self.option("client-factories")))
        return (f"{source}.{name}", kind) if kind else None

    def _import_of(self, callee: Node) -> tuple[str, str] | None:
        """("ioredis", "default"), ("pg", "Pool"), ("mongodb", "MongoClient.connect") ..."""
        model = self.ctx.model
        if callee.type == "identifier":
            entry = model.imported(callee)
            return (entry.source, entry.name) if entry is not None else None
        if callee.type != "member_expression":
            return None
        entry = model.imported(callee)
        if entry is not None:
            return entry.source, entry.name
        base = callee.child_by_field_name("object")
        if base is not None and base.type == "identifier":
            outer = model.imported(base)
            if outer is not None:
                return outer.source, f"{outer.name}.{text(callee.child_by_field_name('property'))}"
        return None

    def _construction(self, node: Node, found: tuple[str, str], owner) -> None:
        kind = found[1]
        callee = node.child_by_field_name("constructor") or node.child_by_field_name("function")
        written = " ".join(text(callee).split())
        constructor = f"new {written}" if node.type == "new_expression" else written
        site = self._site(node, constructor, kind, _destination(node))
        shared = self._shared_name(node)
        if owner is not None and not shared and self._per_tenant(node):
            return  # `new OpenAI({ apiKey })` with the caller's key: one client per credential
        if owner is None or shared:
            if owner is None:
                shared = self._top_level_name(node)
                shared = f"{self.module}.{shared}" if shared else None
            self.singletons.append({**site, "how": "module" if owner is None else "shared",
                                    "name": shared})
            return
        self.constructs.setdefault(owner[0], []).append(
            {**site, "function": owner[1], "returned": _is_returned(node)})

    def _shared_name(self, node: Node) -> str | None:
        """The memoised getter or lazy global a construction inside a function belongs to:
        `client ??= new X()`, `if (!client) client = new X()`, `globalThis.x ?? new X()`,
        `remember("db", () => new X())`."""
        child, parent = node, node.parent
        while parent is not None and parent.type not in FUNCTION_KINDS:
            if parent.type in ("assignment_expression", "augmented_assignment_expression"):
                name = self._shared_target(parent.child_by_field_name("left"))
                if name:
                    return name
            if parent.type == "binary_expression" and text(
                    parent.child_by_field_name("operator")) in ("??", "||") \
                    and parent.child_by_field_name("right") == child:
                name = self._shared_target(parent.child_by_field_name("left"))
                if name:
                    return name
            if parent.type not in _PASS_THROUGH | {"binary_expression", "assignment_expression",
                                                   "augmented_assignment_expression"}:
                break
            child, parent = parent, parent.parent
        return self._memoised_by_wrapper(node) or self._stored_in_shared_map(node)

    def _per_tenant(self, node: Node) -> bool:
        """The credential or address comes from the function's caller (a parameter, not the
        environment): a client per user's key or per tenant's database is no singleton's job."""
        arguments = node.child_by_field_name("arguments")
        values = [child for child in arguments.named_children if child.type != "comment"] \
            if arguments is not None else []
        candidates = values[:1]
        if values and values[0].type == "object":
            candidates = [pair.child_by_field_name("value") if pair.type == "pair" else pair
                          for pair in values[0].named_children
                          if pair.type in ("pair", "shorthand_property_identifier") and _key(
                              pair) in _TENANT_KEYS]
        return any(self._from_parameter(value) for value in candidates if value is not None)

    def _from_parameter(self, value: Node, depth: int = 0) -> bool:
        """Some name in `value` is a parameter of the function, or a local derived from one
        (`const config = await getTeamStorageConfig(teamId)`); the environment is no caller's."""
        written = text(value)
        if ".env." in written or written.startswith(("env.", "process.")) or depth > 2:
            return False
        stack = [value]
        while stack:
            node = stack.pop()
            if node.type in ("identifier", "shorthand_property_identifier"):
                binding = self.ctx.model.lookup(text(node), node)
                if binding is not None and binding.kind == "parameter":
                    return True
                value = _bound_value(binding)
                if value is not None and not _is_top_level(binding.node) \
                        and self._from_parameter(value, depth + 1):
                    return True
                continue
            if node.type == "member_expression":
                stack.append(node.child_by_field_name("object"))
                continue
            stack.extend(child for child in node.named_children
                         if child.type not in ("property_identifier", "comment"))
        return False

    def _stored_in_shared_map(self, node: Node) -> str | None:
        """`const q = new Queue(name); queues.set(name, q)` with a module-level `queues`."""
        parent = node.parent
        while parent is not None and parent.type in _PASS_THROUGH:
            parent = parent.parent
        if parent is None or parent.type != "variable_declarator":
            return None
        local = text(parent.child_by_field_name("name"))
        function = self.ctx.model.enclosing_function(node)
        body = function.child_by_field_name("body") if function is not None else None
        stack = [body] if body is not None else []
        while stack:
            current = stack.pop()
            if current.type == "call_expression":
                callee = current.child_by_field_name("function")
                arguments = current.child_by_field_name("arguments")
                if callee is not None and callee.type == "member_expression" and text(
                        callee.child_by_field_name("property")) == "set" and arguments is not None \
                        and any(text(arg) == local for arg in arguments.named_children):
                    name = self._shared_target(callee.child_by_field_name("object"))
                    if name:
                        return name
            stack.extend(current.named_children)
        return None

    def _shared_target(self, target: Node | None) -> str | None:
        """The module-level or global place an assignment stores into, by name; None for a
        local. `cache[key]` stores into `cache`."""
        if target is not None and target.type == "subscript_expression":
            target = target.child_by_field_name("object")
        if target is None or target.type not in ("identifier", "member_expression"):
            return None
        written = text(target)
        root = written.split(".")[0]
        if target.type == "member_expression" and (
                root in _GLOBAL_OBJECTS or root.startswith("globalFor") or root == "this"):
            return written
        base = target
        while base is not None and base.type == "member_expression":
            base = base.child_by_field_name("object")
        if base is None or base.type != "identifier":
            return None
        binding = self.ctx.model.lookup(text(base), base)
        if binding is None or binding.node is None or not _is_top_level(binding.node):
            return None
        return f"{self.module}.{written}"

    def _memoised_by_wrapper(self, node: Node) -> str | None:
        function = self.ctx.model.enclosing_function(node)
        while function is not None:
            parent = function.parent
            call = parent.parent if parent is not None and parent.type == "arguments" else None
            if call is not None and call.type == "call_expression":
                callee = text(call.child_by_field_name("function")).rpartition(".")[2]
                if callee in _MEMOISERS:
                    name = self._top_level_name(call)
                    return f"{self.module}.{name}" if name else f"{callee}(...)"
            function = self.ctx.model.enclosing_function(function)
        return None

    # ----- who runs it -----
    def _owner(self, node: Node) -> tuple[str, str] | None:
        """(id, display name) of the innermost handler or importable function running here;
        None at module level (or in a function nothing can call by name)."""
        function = self.ctx.model.enclosing_function(node)
        while function is not None:
            function_id = self._function_id(function)
            if function_id is not None:
                return function_id, function_id.rpartition(".")[2] if "@" not in function_id \
                    else function_id.split(":")[-1].rpartition("@")[0]
            function = self.ctx.model.enclosing_function(function)
        return None

    def _function_id(self, function: Node) -> str | None:
        if function.id not in self._ids:
            self._ids[function.id] = self._compute_id(function)
        return self._ids[function.id]

    def _compute_id(self, function: Node) -> str | None:
        qualname = _qualname(function)
        if qualname:
            return f"{self.module}.{qualname}"
        handler = self.ctx.model.handler_of(function)
        if handler is not None:
            return f"{self.module}:{handler.name}@{function.start_point[0] + 1}"
        return None

    def _top_level_name(self, node: Node) -> str | None:
        parent = node.parent
        while parent is not None and parent.type in _PASS_THROUGH | {"binary_expression"}:
            parent = parent.parent
        if parent is not None and parent.type == "variable_declarator" and _is_top_level(parent):
            name = parent.child_by_field_name("name")
            return text(name) if name is not None and name.type == "identifier" else None
        return None

    # ----- calls between the project's functions -----
    def _callee(self, callee: Node, is_new: bool) -> str | None:
        model = self.ctx.model
        if callee.type == "identifier":
            binding = model.lookup(text(callee), callee)
            if binding is None:
                return None
            if binding.kind == "import":
                target = self._module_of(binding.imported.source)
                name = binding.imported.name
                found = (target if name == "*" else f"{target}.{name}") if target else None
            elif binding.node is not None and _is_top_level(binding.node):
                found = f"{self.module}.{text(callee)}"
            else:
                return None
            return f"{found}.constructor" if found and is_new else found
        if callee.type == "member_expression":
            return self._member_callee(callee)
        return None

    def _member_callee(self, callee: Node) -> str | None:
        base = callee.child_by_field_name("object")
        prop = text(callee.child_by_field_name("property"))
        if base is None:
            return None
        if base.type == "this":
            owner = _enclosing_class(callee)
            return f"{self.module}.{owner}.{prop}" if owner else None
        if base.type == "member_expression" and text(base.child_by_field_name("object")) \
                == "this":
            typed = self._injected_type(callee, text(base.child_by_field_name("property")))
            return f"{typed}.{prop}" if typed else None
        if base.type == "identifier":
            inner = self._callee(base, is_new=False)
            return f"{inner}.{prop}" if inner is not None else None
        return None

    def _injected_type(self, node: Node, field: str) -> str | None:
        """`this.orders.list()` with `constructor(private orders: OrdersService)` (NestJS)."""
        body = node.parent
        while body is not None and body.type != "class_body":
            body = body.parent
        for member in body.named_children if body is not None else ():
            name = member.child_by_field_name("name")
            if member.type != "method_definition" or name is None or text(name) != "constructor":
                continue
            for parameter in member.child_by_field_name("parameters").named_children:
                pattern = parameter.child_by_field_name("pattern")
                annotation = parameter.child_by_field_name("type")
                if pattern is not None and text(pattern) == field and annotation is not None:
                    type_name = annotation.named_children[0] if annotation.named_children \
                        else None
                    if type_name is not None and type_name.type == "type_identifier":
                        return self._callee(type_name, is_new=False) or self._type_import(
                            type_name)
        return None

    def _type_import(self, type_name: Node) -> str | None:
        entry = self.ctx.model.imports.get(text(type_name))
        if entry is None:
            return None
        target = self._module_of(entry.source)
        return f"{target}.{entry.name}" if target else None

    def _module_of(self, source: str) -> str | None:
        if source not in self._modules:
            self._modules[source] = resolve(source, self.ctx.relative_path,
                                            self.ctx.absolute_path)
        return self._modules[source]

    # ----- the file's facts -----
    def finish_file(self) -> None:
        entries = self._entries()
        facts = {"singletons": self.singletons, "entries": entries,
                 "constructs": self.constructs, "instances": self.instances,
                 "made_by_calls": self.made_by_calls, "classes": [], "client_classes": {},
                 "class_bases": {}, "maybe_constructs": {},
                 "calls": {owner: sorted(callees) for owner, callees in self.calls.items()}}
        if any(facts.values()):
            self.ctx.facts[self.name] = facts
        aliases = self._aliases()
        if aliases and "imports" not in self.ctx.facts:
            self.ctx.facts["imports"] = aliases

    def _entries(self) -> dict[str, dict]:
        entries = {}
        for function in _handler_functions(self.ctx.model):
            function_id = self._function_id(function)
            handler = self.ctx.model.handler_of(function)
            if function_id is None or handler is None:
                continue
            name = handler.name if handler.name != "<anonymous>" else _route_name(function)
            entries[function_id] = {"name": name, "line": function.start_point[0] + 1,
                                    "role": "handler", "relative": self.ctx.relative_path,
                                    "language": "ts"}
        return entries

    def _aliases(self) -> dict[str, str]:
        """Imports of project modules and re-exports: `ts:a.local` -> `ts:b.name`."""
        model = self.ctx.model
        aliases = {}
        for local, entry in model.imports.items():
            target = self._module_of(entry.source)
            if target:
                aliases[f"{self.module}.{local}"] = f"{target}.{entry.name}" \
                    if entry.name != "*" else target
        for source, name, alias in model.reexports:
            target = self._module_of(source)
            if target and name != "*":
                aliases[f"{self.module}.{alias}"] = f"{target}.{name}"
        for name, node in model.exports.items():
            local = _declared_name(node)
            if local and local != name:
                aliases[f"{self.module}.{name}"] = f"{self.module}.{local}"
        return aliases

    def _site(self, node: Node, constructor: str, kind: str, target: tuple[str, ...]) -> dict:
        (line, column), (end_line, end_column) = node.start_point, node.end_point
        return {"line": line + 1, "column": column, "end_line": end_line + 1,
                "end_column": end_column, "constructor": constructor, "kind": kind,
                "destination": list(target), "relative": self.ctx.relative_path,
                "language": "ts"}


def _route_name(function: Node) -> str:
    """`GET /users/:id` for `router.get("/users/:id", async (req, res) => ...)`."""
    parent = function.parent
    call = parent.parent if parent is not None and parent.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None else None
    if callee is None or callee.type != "member_expression":
        return "<anonymous>"
    method = text(callee.child_by_field_name("property")).upper()
    first = parent.named_children[0] if parent.named_children else None
    if first is not None and first.type == "identifier":
        return text(first)  # `app.openapi(getInvoiceRoute, async (c) => ...)`
    path = text(first).strip("'\"`") if first is not None and first.type in (
        "string", "template_string") else ""
    return f"{method} {path}".strip()


def _handler_functions(model) -> list[Node]:
    found = []
    stack = [model.root]
    while stack:
        node = stack.pop()
        if node.id in model.handlers:
            found.append(node)
        stack.extend(node.named_children)
    return found


def _qualname(function: Node) -> str | None:
    """`name`, `Class.method` or `object.method` for a function the module defines at its top
    level (also through wrappers: `export const GET = withAuth(async () => ...)`)."""
    if function.type == "method_definition":
        return _method_qualname(function)
    name = function.child_by_field_name("name")
    if name is not None and function.type in ("function_declaration",
                                              "generator_function_declaration"):
        return text(name) if _is_top_level(function) else None
    parent = function.parent
    while parent is not None and parent.type in _PASS_THROUGH | {"arguments", "call_expression"}:
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "pair":
        outer = _top_level_name_of(parent.parent)
        return f"{outer}.{text(parent.child_by_field_name('key'))}" if outer else None
    if parent.type == "variable_declarator" and _is_top_level(parent):
        declared = parent.child_by_field_name("name")
        return text(declared) if declared is not None and declared.type == "identifier" else None
    return "default" if parent.type == "export_statement" else None


def _method_qualname(method: Node) -> str | None:
    name = text(method.child_by_field_name("name"))
    body = method.parent
    owner = body.parent if body is not None else None
    if owner is None:
        return None
    if owner.type in ("class_declaration", "class", "abstract_class_declaration") \
            and _is_top_level(owner):
        return f"{text(owner.child_by_field_name('name'))}.{name}"
    outer = _top_level_name_of(owner) if owner.type == "object" else None
    return f"{outer}.{name}" if outer else None


def _top_level_name_of(obj: Node | None) -> str | None:
    parent = obj.parent if obj is not None else None
    while parent is not None and parent.type in _PASS_THROUGH:
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator" and _is_top_level(parent):
        return text(parent.child_by_field_name("name"))
    return None


def _is_top_level(node: Node) -> bool:
    """Declared by a statement of the program (also under `export`)."""
    parent = node.parent
    while parent is not None and parent.type in ("lexical_declaration", "variable_declaration",
                                                 "export_statement"):
        parent = parent.parent
    return parent is not None and parent.type == "program"


def _enclosing_class(node: Node) -> str | None:
    parent = node.parent
    while parent is not None:
        if parent.type in ("class_declaration", "abstract_class_declaration"):
            return text(parent.child_by_field_name("name"))
        parent = parent.parent
    return None


def _declared_name(node: Node) -> str | None:
    name = node.child_by_field_name("name") if node is not None else None
    return text(name) if name is not None and name.type in ("identifier",
                                                            "type_identifier") else None


def _is_returned(node: Node) -> bool:
    """`return new X()`, `() => new X()`, or `const c = new X(); ... return c`."""
    parent = node.parent
    while parent is not None and parent.type in _PASS_THROUGH:
        parent = parent.parent
    if parent is None:
        return False
    if parent.type == "return_statement" or parent.type in FUNCTION_KINDS:
        return True
    if parent.type == "variable_declarator":
        name = text(parent.child_by_field_name("name"))
        function = parent.parent
        while function is not None and function.type not in FUNCTION_KINDS:
            function = function.parent
        body = function.child_by_field_name("body") if function is not None else None
        return body is not None and f"return {name}" in text(body)
    return False


def _destination(node: Node) -> tuple[str, ...]:
    """Where a client connects, from its first argument or its options' destination keys:
    `process.env.REDIS_URL` and `env.REDIS_URL` become `REDIS_URL`."""
    arguments = node.child_by_field_name("arguments")
    values = [child for child in arguments.named_children if child.type != "comment"] \
        if arguments is not None else []
    if not values:
        return ()
    first = values[0]
    if first.type == "object":
        found = []
        for pair in first.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None and text(key) in _DESTINATION_KEYS:
                found.append(f"{text(key)}={_normalise(pair.child_by_field_name('value'))}")
        return tuple(sorted(found))
    return (_normalise(first),)


def _normalise(value: Node | None) -> str:
    written = text(value)
    for prefix in ("process.env.", "import.meta.env.", "env.", "config."):
        if written.startswith(prefix):
            return written[len(prefix):].rstrip("!")
    return written
