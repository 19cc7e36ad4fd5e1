"""Which functions of a file a framework calls per request.

Recognised: Express, Koa, Fastify and Hono route registrations (inline callbacks, named functions,
wrapped ones such as `asyncHandler(fn)`, `router.route("/x").get(fn)` chains, Fastify's
`route({handler})`), Next.js App Router `route.ts` exports (also wrapped:
`export const GET = withWorkspace(async (req) => ...)`) and pages/api default exports, NestJS
controller and resolver methods, tRPC procedures, ts-rest router implementations and server
actions (`"use server"`). A registration whose handler lives in another module
(`router.get("/", users.list)`, `router.post("/", makeCreate(deps))`) is recorded in
`model.registered` so the project pass can mark that function.
"""
from __future__ import annotations

import posixpath

from . import frameworks as fw
from .model import FUNCTION_KINDS, Handler, Node, TsModel, module_id, string_value, text

# The query patterns whose captures the engine hands to `detect` (one pass with the rules').
REGISTRATION_QUERY = (
    "(call_expression function: (member_expression property: (property_identifier) @method)"
    " (#any-of? @method " + " ".join(f'"{name}"' for name in sorted(
        fw.ROUTE_METHODS | fw.PROCEDURE_METHODS | {"router"})) + ")) @registration"
)


def detect(model: TsModel, registrations: list[Node]) -> None:
    _next_route_exports(model)
    _pages_api_default(model)
    _server_actions(model)
    _nest_classes(model)
    for call in registrations:
        _registration(model, call)
    _request_response_functions(model)


# ----- qualified names, for handlers registered in another module -----
def qualified_name(model: TsModel, function: Node) -> str | None:
    """`ts:src/users.list` for a top-level function, `ts:src/users.UsersController.list` for a
    method, `ts:src/users.controller.list` for a property of a top-level object, and the outer
    function's name for a function a top-level factory returns (`makeList(deps)`)."""
    names: list[str] = []
    node: Node | None = function
    parent = node.parent
    while parent is not None:
        name = _member_name(node, parent)
        if name:
            names.append(name)
        if parent.type in ("program", "export_statement") or (
                parent.parent is not None and parent.parent.type == "program"
                and parent.type in ("lexical_declaration", "variable_declaration")):
            break
        node, parent = parent, parent.parent
    if not names:
        return None
    if parent is not None and parent.type == "export_statement" and any(
            child.type == "default" for child in parent.children):
        names[-1] = "default"  # imported by the default name, whatever it is called here
    return f"{model.module}.{'.'.join(reversed(names[-2:]))}"


def _member_name(node: Node, parent: Node) -> str:
    kind = node.type
    if kind in ("function_declaration", "generator_function_declaration", "class_declaration",
                "abstract_class_declaration", "method_definition"):
        return text(node.child_by_field_name("name"))
    if kind == "variable_declarator":
        return text(node.child_by_field_name("name"))
    if kind == "pair" and parent.type == "object":
        return text(node.child_by_field_name("key"))
    if kind == "public_field_definition":
        return text(node.child_by_field_name("name"))
    return ""


# ----- signature: (req, res) -----
def _request_response_functions(model: TsModel) -> None:
    """Exported functions and methods taking `(req, res)` (no `next`): Express-style handlers
    in controller modules, whichever module registers them."""
    for node in model.exports.values():
        function = _exported_function(model, node)
        if function is not None and _takes_request_and_response(function):
            _mark(model, function, "express-style", "(req, res) signature")
        if node.type in ("class_declaration", "abstract_class_declaration"):
            body = node.child_by_field_name("body")
            for member in body.named_children if body is not None else ():
                if member.type == "method_definition" and _takes_request_and_response(member):
                    _mark(model, member, "express-style", "(req, res) signature")


def _takes_request_and_response(function: Node) -> bool:
    parameters = function.child_by_field_name("parameters")
    if parameters is None or parameters.named_child_count != 2:
        return False
    names = [_parameter_name(parameter) for parameter in parameters.named_children
             if parameter.type != "comment"] if parameters is not None else []
    return (len(names) == 2 and names[0] in fw.REQUEST_PARAMETERS
            and names[1] in fw.RESPONSE_PARAMETERS)


def _parameter_name(parameter: Node) -> str:
    pattern = parameter.child_by_field_name("pattern") if parameter.type in (
        "required_parameter", "optional_parameter") else parameter
    return text(pattern) if pattern is not None and pattern.type == "identifier" else ""


def _mark(model: TsModel, function: Node | None, framework: str, how: str) -> None:
    if function is not None and function.id not in model.handlers:
        model.handlers[function.id] = Handler(framework, how, function_name(function))
        model.handler_nodes[function.id] = function


def function_name(function: Node) -> str:
    name = function.child_by_field_name("name")
    if name is not None:
        return text(name)
    parent = function.parent
    while parent is not None and parent.type in ("arguments", "call_expression",
                                                 "parenthesized_expression", "as_expression"):
        parent = parent.parent
    if parent is not None and parent.type in ("variable_declarator", "pair",
                                              "public_field_definition"):
        key = parent.child_by_field_name("name") or parent.child_by_field_name("key")
        return text(key)
    return "<anonymous>"


# ----- file-convention handlers (Next.js, server actions) -----
def _next_route_exports(model: TsModel) -> None:
    *folders, name = model.relative_path.split("/")
    if name.rsplit(".", 1)[0] != "route" or "app" not in folders:
        return
    for name, node in model.exports.items():
        if name in fw.NEXT_ROUTE_EXPORTS:
            _mark(model, _exported_function(model, node), "nextjs", "app-router export")


def _pages_api_default(model: TsModel) -> None:
    parts = model.relative_path.split("/")
    in_pages_api = any(parts[index] == "pages" and parts[index + 1] == "api"
                       for index in range(len(parts) - 2))
    if in_pages_api and "default" in model.exports:
        _mark(model, _exported_function(model, model.exports["default"]), "nextjs",
              "pages/api default export")


def _exported_function(model: TsModel, node: Node) -> Node | None:
    if node.type == "variable_declarator":
        return model.function_value(node.child_by_field_name("value"))
    return model.function_value(node)


def _server_actions(model: TsModel) -> None:
    if "use server" not in model.directives:
        return
    for node in model.exports.values():
        function = _exported_function(model, node)
        if function is not None and _is_async(function):
            _mark(model, function, "nextjs", "server action")


def _is_async(function: Node) -> bool:
    return any(child.type == "async" for child in function.children)


# ----- NestJS -----
def _nest_classes(model: TsModel) -> None:
    for statement in model.root.named_children:
        declaration = statement.child_by_field_name("declaration") \
            if statement.type == "export_statement" else statement
        if declaration is None or declaration.type not in ("class_declaration",
                                                           "abstract_class_declaration"):
            continue
        decorators = _decorator_names(model, statement) | _decorator_names(model, declaration)
        if decorators & fw.NEST_CONTROLLER_DECORATORS:
            _nest_methods(model, declaration, fw.NEST_ROUTE_DECORATORS, "nestjs controller")
        elif decorators & fw.NEST_RESOLVER_DECORATORS:
            _nest_methods(model, declaration, fw.NEST_RESOLVER_METHOD_DECORATORS,
                          "nestjs resolver")
        else:
            _nest_methods(model, declaration, fw.NEST_MESSAGE_DECORATORS, "nestjs gateway")


def _nest_methods(model: TsModel, declaration: Node, wanted: frozenset[str], how: str) -> None:
    body = declaration.child_by_field_name("body")
    pending: set[str] = set()
    for member in body.named_children if body is not None else ():
        if member.type == "decorator":
            pending |= {_decorator_name(model, member)}
        elif member.type == "method_definition":
            if (pending | _decorator_names(model, member)) & wanted:
                _mark(model, member, "nestjs", how)
            pending = set()


def _decorator_names(model: TsModel, node: Node) -> set[str]:
    return {_decorator_name(model, child) for child in node.children if child.type == "decorator"}


def _decorator_name(model: TsModel, decorator: Node) -> str:
    """`@Get(":id")` -> "Get", when Get is Nest's (or cannot be resolved at all)."""
    expression = decorator.named_children[0] if decorator.named_children else None
    if expression is not None and expression.type == "call_expression":
        expression = expression.child_by_field_name("function")
    if expression is None or expression.type != "identifier":
        return ""
    imported = model.imported(expression)
    if imported is not None and not imported.source.startswith(fw.NEST_MODULES):
        return ""
    return imported.name if imported is not None else text(expression)


# ----- registrations by call -----
def _registration(model: TsModel, call: Node) -> None:
    function = call.child_by_field_name("function")
    method = text(function.child_by_field_name("property"))
    receiver = function.child_by_field_name("object")
    arguments = call.child_by_field_name("arguments")
    if arguments is None or receiver is None:
        return
    values = [child for child in arguments.named_children if child.type != "comment"]
    if method in fw.PROCEDURE_METHODS:
        if _is_procedure_chain(receiver):
            _register_last(model, call, values, "trpc", "procedure")
        return
    if method == "router":
        _ts_rest_router(model, values)
        return
    framework = _router_framework(model, receiver, values)
    if framework is None:
        return
    if method == "route" and len(values) == 1 and values[0].type == "object":
        _register_value(model, call, _property(values[0], "handler"), framework, "route options")
    else:
        _register_last(model, call, values, framework, f"{method}() registration")


def _register_last(model: TsModel, call: Node, values: list[Node], framework: str,
                   how: str) -> None:
    if values and values[-1].type == "object":
        _register_value(model, call, _property(values[-1], "handler"), framework, how)
    elif values:
        _register_value(model, call, values[-1], framework, how)


def _register_value(model: TsModel, call: Node, value: Node | None, framework: str,
                    how: str) -> None:
    if value is None:
        return
    function = model.function_value(value)
    if function is not None:
        _mark(model, function, framework, how)
        return
    target = _imported_target(model, value)
    if target is not None:
        source, name, factory = target
        module = resolve_relative(model.relative_path, source)
        if module is not None:
            model.registered.append({"target": f"{module}.{name}", "factory": factory,
                                     "framework": framework, "line": call.start_point[0] + 1})


def _imported_target(model: TsModel, value: Node) -> tuple[str, str, bool] | None:
    """(import source, exported name or "Name.member", is a factory call) of a handler defined
    in another module: `users.list`, `listUsers`, `new UsersController().list`, `make(deps)`."""
    factory = False
    if value.type == "call_expression":
        value = value.child_by_field_name("function")
        factory = True
    if value is None:
        return None
    imported = model.imported(value)
    if imported is not None:
        return imported.source, imported.name, factory
    if value.type == "member_expression":
        return _member_of_instance(model, value, factory)
    return None


def _member_of_instance(model: TsModel, value: Node, factory: bool) -> tuple[str, str, bool] | None:
    """`controller.list` where `const controller = new UsersController()` (imported class)."""
    base = value.child_by_field_name("object")
    prop = text(value.child_by_field_name("property"))
    if base is not None and base.type == "identifier":
        binding = model.lookup(text(base), base)
        constructed = binding.value if binding is not None else None
        if constructed is not None and constructed.type == "new_expression":
            constructor = constructed.child_by_field_name("constructor")
            imported = model.imported(constructor) if constructor is not None else None
            if imported is not None:
                return imported.source, f"{imported.name}.{prop}", factory
    return None


def _property(obj: Node, key: str) -> Node | None:
    for pair in obj.named_children:
        if pair.type == "pair" and text(pair.child_by_field_name("key")) == key:
            return pair.child_by_field_name("value")
        if pair.type in ("method_definition",) and text(pair.child_by_field_name("name")) == key:
            return pair
        if pair.type == "shorthand_property_identifier" and text(pair) == key:
            return pair
    return None


def _is_procedure_chain(receiver: Node) -> bool:
    """`publicProcedure.input(schema)`, `t.procedure`, `protectedProcedure.use(mw)` ..."""
    node = receiver
    while node is not None:
        if node.type == "identifier":
            return text(node).lower().endswith("procedure")
        if node.type == "member_expression":
            if text(node.child_by_field_name("property")).lower().endswith("procedure"):
                return True
            node = node.child_by_field_name("object")
        elif node.type == "call_expression":
            node = node.child_by_field_name("function")
        else:
            return False
    return False


def _ts_rest_router(model: TsModel, values: list[Node]) -> None:
    """`s.router(contract, { getPost: async ({ params }) => ... })` of @ts-rest."""
    if len(values) != 2 or values[1].type != "object":
        return
    if not any(source.startswith("@ts-rest/") for source in model.import_sources()):
        return
    for entry in values[1].named_children:
        value = entry if entry.type == "method_definition" else entry.child_by_field_name("value")
        if entry.type == "pair" and value is not None and value.type == "object":
            _ts_rest_router(model, [values[0], value])
            continue
        _mark(model, model.function_value(value) if value is not None else None, "ts-rest",
              "router implementation")


def _router_framework(model: TsModel, receiver: Node, values: list[Node]) -> str | None:
    """The framework of the app or router a method is called on, if it is one."""
    framework = _constructed_framework(model, receiver, 0)
    if framework is not None:
        return framework
    name = text(receiver.child_by_field_name("property")) if receiver.type == "member_expression" \
        else text(receiver)
    lowered = name.lower()
    hinted = lowered in fw.ROUTER_NAME_HINTS or lowered.endswith(("router", "routes", "app"))
    return "express-style" if hinted and _has_route_path(values) else None


def _constructed_framework(model: TsModel, node: Node | None, depth: int) -> str | None:
    if node is None or depth > 6:
        return None
    if node.type == "identifier":
        binding = model.lookup(text(node), node)
        if binding is not None and binding.kind == "parameter":
            return _parameter_framework(binding.node)
        return _constructed_framework(model, binding.value, depth + 1) if binding else None
    if node.type not in ("call_expression", "new_expression"):
        return None
    callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    if callee is not None and callee.type == "member_expression" and text(
            callee.child_by_field_name("property")) in fw.ROUTE_METHODS:
        # `app.route("/x").get(...)`, `new Hono().basePath("/api")`: the chain's own app.
        return _constructed_framework(model, callee.child_by_field_name("object"), depth + 1)
    imported = model.imported(callee) if callee is not None else None
    return fw.APP_FACTORIES.get((imported.source, imported.name)) if imported else None


def _parameter_framework(parameter: Node | None) -> str | None:
    """`(app: Hono)`, `(fastify: FastifyInstance)`: a typed app parameter of a plugin."""
    annotation = parameter.child_by_field_name("type") if parameter is not None else None
    name = text(annotation).lstrip(": ").split("<")[0] if annotation is not None else ""
    if name in ("FastifyInstance", "FastifyPluginAsync"):
        return "fastify"
    if name in ("Hono", "OpenAPIHono"):
        return "hono"
    if name in ("Router", "Express", "Application"):
        return "express-style"
    return None


def _has_route_path(values: list[Node]) -> bool:
    for value in values[:2]:
        path = string_value(value)
        if path is not None and (path.startswith("/") or path in ("*", "")):
            return True
    return False


def is_function(node: Node | None) -> bool:
    return node is not None and node.type in FUNCTION_KINDS


def resolve_relative(relative_path: str, source: str) -> str | None:
    """The module id of a relative import (`./users`, `../controllers/users.controller.js`);
    None for packages, whose handlers are no project code."""
    if not source.startswith("."):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(relative_path), source))
    return None if joined.startswith("..") else module_id(joined)
