"""The semantic model rules share: imports and aliases, scopes, and which functions are routes.

It is filled in during the engine's single traversal, in source order, so a rule asking about a
name sees the bindings made before that point, as Python would at run time.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from . import frameworks as fw

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Binding:
    """What a name refers to: an import (`qualname` is the imported thing), an instance built
    by calling `qualname`, a def of this module, or an unknown local value (`qualname` None)."""

    kind: str
    qualname: str | None = None
    node: ast.AST | None = None


@dataclass(frozen=True)
class Route:
    """A function the framework calls per request (`handler`) or on an error (`error_handler`)."""

    framework: str
    kind: str = "handler"
    handled_exceptions: tuple[str, ...] = ()


@dataclass
class Scope:
    node: ast.AST
    is_class: bool = False
    bindings: dict[str, Binding] = field(default_factory=dict)


def module_name_for(relative_path: str) -> str:
    """`app/api/users.py` -> `app.api.users`; `src/pkg/__init__.py` -> `pkg`."""
    parts = list(PurePosixPath(relative_path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src":
        parts.pop(0)
    return ".".join(part for part in parts if part not in ("", ".", ".."))


class SemanticModel:
    def __init__(self, relative_path: str, import_path: str | None = None) -> None:
        """`import_path`: the path Python imports the file by, when it differs from the path
        relative to the checked root (`server/polar/app.py` imported as `polar.app`)."""
        self.relative_path = relative_path
        self.module = module_name_for(import_path or relative_path)
        is_package = relative_path.endswith("__init__.py")
        self.package = self.module if is_package else self.module.rpartition(".")[0]
        path = PurePosixPath(relative_path)
        self.is_views_module = path.stem == "views" or "views" in path.parts[:-1]
        self.is_handlers_module = path.stem in ("handlers", "handler")
        self.scopes: list[Scope] = []
        self.ancestors: list[ast.AST] = []
        self.functions: list[FunctionNode] = []
        self.routes: dict[ast.AST, Route] = {}
        self.imported_modules: set[str] = set()
        self.view_classes: dict[str, str] = {}
        self.registered_calls: dict[str, Route] = {}
        self.called_names: frozenset[str] | None = None
        self._type_checking_depth = 0
        # `resolve` answers kept per node while no binding or scope changed (several rules ask
        # about the same call); `_version` counts those changes.
        self._version = 0
        self._resolved: dict[ast.AST, tuple[int, str | None]] = {}

    # ----- traversal hooks (called by the engine) -----
    def prepare(self, tree: ast.Module, text: str = "") -> None:
        """Start the module scope; find handlers registered by call, if the text names a
        registration call at all (most modules do not, and the scan is the costly part)."""
        self.scopes.append(Scope(tree))
        if not text or _REGISTRATION_HINT.search(text):
            self.registered_calls = _registered_functions(tree)

    def enter(self, node: ast.AST) -> None:
        handler = _ENTER.get(type(node))
        if handler:
            handler(self, node)
            self._version += 1
        self.ancestors.append(node)

    def leave(self, node: ast.AST) -> None:
        self.ancestors.pop()
        handler = _LEAVE.get(type(node))
        if handler:
            handler(self, node)
            self._version += 1

    # ----- questions rules ask -----
    def parent(self, node: ast.AST | None = None) -> ast.AST | None:
        """The parent of the node being visited (or of `node`, if it is on the path)."""
        if node is None:
            return self.ancestors[-2] if len(self.ancestors) > 1 else None
        for index in range(len(self.ancestors) - 1, 0, -1):
            if self.ancestors[index] is node:
                return self.ancestors[index - 1]
        return None

    def lookup(self, name: str) -> Binding | None:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.is_class and scope is not innermost:
                continue  # class bodies are not visible from their methods
            binding = scope.bindings.get(name)
            if binding is not None:
                return binding
        return None

    def resolve(self, expr: ast.AST | None) -> str | None:
        """Qualified name of an imported (or module-level) thing an expression refers to."""
        known = self._resolved.get(expr)
        if known is not None and known[0] == self._version:
            return known[1]
        qualname = self._resolve(expr)
        self._resolved[expr] = (self._version, qualname)
        return qualname

    def _resolve(self, expr: ast.AST | None) -> str | None:
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is None or binding.kind in ("local", "instance"):
                return None
            return binding.qualname
        if isinstance(expr, ast.Attribute):
            base = self.resolve(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def instance_type(self, expr: ast.AST | None) -> str | None:
        """The constructor a value was built with: `app = FastAPI()` -> fastapi.FastAPI."""
        if isinstance(expr, ast.Call):
            return self.resolve(expr.func)
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is not None and binding.kind == "instance":
                return binding.qualname
        return None

    @property
    def current_function(self) -> FunctionNode | None:
        return self.functions[-1] if self.functions else None

    def route_of(self, function: ast.AST | None) -> Route | None:
        return self.routes.get(function) if function is not None else None

    def enclosing_route(self, kind: str | None = None) -> tuple[FunctionNode, Route] | None:
        """The innermost enclosing function that is a route (of `kind`, if given)."""
        for function in reversed(self.functions):
            route = self.routes.get(function)
            if route is not None and (kind is None or route.kind == kind):
                return function, route
        return None

    @property
    def in_type_checking(self) -> bool:
        return self._type_checking_depth > 0

    def bind(self, name: str, binding: Binding) -> None:
        self.scopes[-1].bindings[name] = binding
        self._version += 1

    def absolute_module(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.package.split(".") if self.package else []
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        return ".".join([*base, *([node.module] if node.module else [])])


# ----- enter handlers -----
def _enter_import(model: SemanticModel, node: ast.Import) -> None:
    for alias in node.names:
        model.imported_modules.add(alias.name)
        if alias.asname:
            model.bind(alias.asname, Binding("import", alias.name, node))
        else:
            top = alias.name.split(".")[0]
            model.bind(top, Binding("import", top, node))


def _enter_import_from(model: SemanticModel, node: ast.ImportFrom) -> None:
    module = model.absolute_module(node)
    model.imported_modules.add(module)
    for alias in node.names:
        if alias.name == "*":
            continue
        model.bind(alias.asname or alias.name, Binding("import", f"{module}.{alias.name}", node))


def _enter_function(model: SemanticModel, node: FunctionNode) -> None:
    route = _route_for_function(model, node)
    if route is not None:
        model.routes[node] = route
    qualname = f"{model.module}.{node.name}" if len(model.scopes) == 1 else None
    model.bind(node.name, Binding("function" if qualname else "local", qualname, node))
    model.functions.append(node)
    model.scopes.append(Scope(node))
    arguments = node.args
    for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                arguments.vararg, arguments.kwarg):
        if arg is not None:
            model.bind(arg.arg, Binding("local", None, arg))


def _enter_lambda(model: SemanticModel, node: ast.Lambda) -> None:
    model.scopes.append(Scope(node))
    for arg in node.args.args:
        model.bind(arg.arg, Binding("local", None, arg))


def _enter_class(model: SemanticModel, node: ast.ClassDef) -> None:
    framework = _view_framework(model, node)
    if framework:
        model.view_classes[node.name] = framework
    qualname = f"{model.module}.{node.name}" if len(model.scopes) == 1 else None
    model.bind(node.name, Binding("class" if qualname else "local", qualname, node))
    model.scopes.append(Scope(node, is_class=True))


def _enter_assign(model: SemanticModel, node: ast.Assign | ast.AnnAssign) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    value = node.value
    for target in targets:
        if isinstance(target, ast.Name):
            model.bind(target.id, _binding_for_value(model, value, node))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Name):
                    model.bind(element.id, Binding("local", None, node))


def _enter_with(model: SemanticModel, node: ast.With | ast.AsyncWith) -> None:
    for item in node.items:
        if isinstance(item.optional_vars, ast.Name):
            model.bind(item.optional_vars.id, _binding_for_value(model, item.context_expr, node))


def _enter_for(model: SemanticModel, node: ast.For | ast.AsyncFor) -> None:
    for target in ast.walk(node.target):
        if isinstance(target, ast.Name):
            model.bind(target.id, Binding("local", None, node))


def _enter_except(model: SemanticModel, node: ast.ExceptHandler) -> None:
    if node.name:
        model.bind(node.name, Binding("local", None, node))


def _enter_if(model: SemanticModel, node: ast.If) -> None:
    if _is_type_checking_test(node.test, model):
        model._type_checking_depth += 1


def _binding_for_value(model: SemanticModel, value: ast.AST | None, node: ast.AST) -> Binding:
    if isinstance(value, ast.Call):
        return Binding("instance", model.instance_type(value), node)
    if isinstance(value, (ast.Name, ast.Attribute)):
        qualname = model.resolve(value)
        if qualname:
            return Binding("alias", qualname, node)
        if isinstance(value, ast.Name):
            aliased = model.lookup(value.id)
            if aliased is not None:
                return aliased
    return Binding("local", None, node)


def _is_type_checking_test(test: ast.AST, model: SemanticModel) -> bool:
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return True
    return model.resolve(test) in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING")


def _leave_function(model: SemanticModel, _node: ast.AST) -> None:
    model.scopes.pop()
    model.functions.pop()


def _leave_scope(model: SemanticModel, _node: ast.AST) -> None:
    model.scopes.pop()


def _leave_if(model: SemanticModel, node: ast.If) -> None:
    if _is_type_checking_test(node.test, model):
        model._type_checking_depth -= 1


_LEAVE = {
    ast.FunctionDef: _leave_function, ast.AsyncFunctionDef: _leave_function,
    ast.ClassDef: _leave_scope, ast.Lambda: _leave_scope, ast.If: _leave_if,
}

_ENTER = {
    ast.Import: _enter_import, ast.ImportFrom: _enter_import_from,
    ast.FunctionDef: _enter_function, ast.AsyncFunctionDef: _enter_function,
    ast.Lambda: _enter_lambda, ast.ClassDef: _enter_class,
    ast.Assign: _enter_assign, ast.AnnAssign: _enter_assign,
    ast.With: _enter_with, ast.AsyncWith: _enter_with,
    ast.For: _enter_for, ast.AsyncFor: _enter_for,
    ast.ExceptHandler: _enter_except, ast.If: _enter_if,
}


# ----- route detection -----
def _route_for_function(model: SemanticModel, node: FunctionNode) -> Route | None:
    for decorator in node.decorator_list:
        route = _route_from_decorator(model, decorator)
        if route is not None:
            return route
    if node.name in model.registered_calls and len(model.scopes) == 1:
        return model.registered_calls[node.name]
    return (_route_from_enclosing_view(model, node) or _django_function_view(model, node)
            or _handler_class_method(model, node))


def _route_from_decorator(model: SemanticModel, decorator: ast.AST) -> Route | None:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    qualname = model.resolve(target)
    if qualname in fw.ROUTE_FUNCTION_DECORATORS:
        return Route(fw.ROUTE_FUNCTION_DECORATORS[qualname])
    if isinstance(target, ast.Attribute) and call is not None:
        return _route_from_method_decorator(model, target, call)
    return None


def _route_from_method_decorator(model: SemanticModel, target: ast.Attribute,
                                 call: ast.Call) -> Route | None:
    """`@router.get("/x")`, `@app.errorhandler(Exception)` and the like."""
    framework = _receiver_framework(model, target.value)
    if framework is None:
        return None
    if target.attr in fw.ERROR_HANDLER_METHODS:
        handled = tuple(filter(None, (_type_name(model, arg) for arg in call.args[:1])))
        return Route(_known_or_python(framework), "error_handler", handled)
    if target.attr not in fw.ROUTE_DECORATOR_METHODS:
        return None
    if framework != "unresolved":
        return Route(framework)
    return Route("python") if _has_route_path(call) else None


def _known_or_python(framework: str) -> str:
    return "python" if framework == "unresolved" else framework


def _receiver_framework(model: SemanticModel, receiver: ast.AST) -> str | None:
    """Framework of the app/router object a decorator is called on, or "unresolved"."""
    instance = model.instance_type(receiver)
    if instance in fw.APP_TYPES:
        return fw.APP_TYPES[instance]
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    lowered = name.lower()
    if any(lowered.endswith(hint) for hint in fw.ROUTER_NAME_HINTS):
        return "unresolved"
    return None


def _has_route_path(call: ast.Call) -> bool:
    candidates = [*call.args[:1], *(kw.value for kw in call.keywords if kw.arg in ("path", "rule"))]
    return any(isinstance(value, ast.Constant) and isinstance(value.value, str)
               and (value.value.startswith("/") or value.value == "") for value in candidates)


def _type_name(model: SemanticModel, expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Constant):
        return "werkzeug.exceptions.HTTPException"  # `errorhandler(404)`: an HTTP status error
    if isinstance(expr, ast.Name):
        return model.resolve(expr) or expr.id
    if isinstance(expr, ast.Attribute):
        return model.resolve(expr) or expr.attr
    return None


def _route_from_enclosing_view(model: SemanticModel, node: FunctionNode) -> Route | None:
    scope = model.scopes[-1]
    if not scope.is_class or not isinstance(scope.node, ast.ClassDef):
        return None
    framework = model.view_classes.get(scope.node.name)
    if framework is None:
        return None
    if node.name in fw.VIEW_HANDLER_METHODS:
        return Route(framework)
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if model.resolve(target) in fw.VIEW_ACTION_DECORATORS:
            return Route(framework)
    return None


def _django_function_view(model: SemanticModel, node: FunctionNode) -> Route | None:
    """`def detail(request, pk)` in a views module: Django's (or aiohttp's, Sanic's) view.
    Private helpers (`_get_object_for_user(request)`) are called by views, not routed.
    Elsewhere (`pages.py`, `api.py`), a `def f(request, ...)` returning a Django response that
    its module never calls is a view too: the URLconf routes it."""
    if len(model.scopes) != 1 or node.name.startswith("_"):
        return None
    params = [*node.args.posonlyargs, *node.args.args]
    if not params or params[0].arg not in ("request", "req"):
        return None
    if model.is_views_module:
        return Route(_function_view_framework(model))
    if not _is_helper_module(model) and _returns_django_response(model, node) \
            and node.name not in _called_names(model):
        return Route("django")
    return None


# Modules of helpers that views call (`render_readouts(request, ...)` in `dashboards/utils.py`).
_HELPER_MODULE_WORDS = frozenset({"utils", "util", "helpers", "helper", "shortcuts", "common",
                                  "responses", "response", "render", "rendering", "decorators",
                                  "mixins", "base", "lib"})


def _is_helper_module(model: SemanticModel) -> bool:
    stem = PurePosixPath(model.relative_path).stem
    return any(word in _HELPER_MODULE_WORDS for word in stem.split("_"))


_DJANGO_RESPONSES = ("django.http.", "django.template.response.", "django.shortcuts.render",
                     "django.shortcuts.redirect")


def _returns_django_response(model: SemanticModel, node: FunctionNode) -> bool:
    return any(isinstance(child, ast.Return) and isinstance(child.value, ast.Call)
               and (model.resolve(child.value.func) or "").startswith(_DJANGO_RESPONSES)
               for child in ast.walk(node))


def _called_names(model: SemanticModel) -> frozenset[str]:
    """Names the module calls (`render_error(request, ...)`): a helper of its views. Walked
    once per module, and only for a module with a candidate view."""
    if model.called_names is None:
        model.called_names = frozenset(
            child.func.id for child in ast.walk(model.scopes[0].node)
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name))
    return model.called_names


def _function_view_framework(model: SemanticModel) -> str:
    for module, framework in (("aiohttp", "aiohttp"), ("sanic", "sanic")):
        if any(name.split(".")[0] == module for name in model.imported_modules):
            return framework
    return "django"


def _handler_class_method(model: SemanticModel, node: FunctionNode) -> Route | None:
    """`async def index(self, request)` of a plain handler class in an aiohttp views or
    handlers module, registered elsewhere as `router.add_get("/", handler.index)`."""
    scope = model.scopes[-1]
    if len(model.scopes) != 2 or not scope.is_class or node.name.startswith("_"):
        return None
    if not (model.is_views_module or model.is_handlers_module):
        return None
    if _function_view_framework(model) != "aiohttp":
        return None
    params = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
    return Route("aiohttp") if params[:2] == ["self", "request"] else None


def _view_framework(model: SemanticModel, node: ast.ClassDef) -> str | None:
    """A view class: a framework view base, a view class of this module, or (a generic
    `ModelViewSet[Tag]` unwrapped) an imported project base where the names say "view"."""
    for base in map(_unsubscripted, node.bases):
        framework = fw.framework_of_view_base(model.resolve(base))
        if framework:
            return framework
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
        if name in model.view_classes:
            return model.view_classes[name]
    return _imported_view_base_framework(model, node)


def _unsubscripted(expr: ast.AST) -> ast.AST:
    return expr.value if isinstance(expr, ast.Subscript) else expr


_VIEW_NAME_SUFFIXES = ("View", "ViewSet", "Viewset", "APIView", "Resource")


def _imported_view_base_framework(model: SemanticModel, node: ast.ClassDef) -> str | None:
    """`class TagViewSet(OwnedMixin[Tag])` with `OwnedMixin` from another module of the project:
    its view base is not visible here, so in a module importing a view framework, a class or
    base name ending in View/ViewSet/Resource, or a verb method taking `request`, decides."""
    framework = _imported_view_framework(model)
    if framework is None:
        return None
    for base in map(_unsubscripted, node.bases):
        binding = model.lookup(base.id) if isinstance(base, ast.Name) else None
        qualname = model.resolve(base)
        if qualname is None or (binding is not None and binding.kind != "import"):
            continue
        if qualname.split(".")[0] in fw.FRAMEWORK_MODULES or qualname.startswith("typing"):
            continue
        base_name = qualname.rpartition(".")[2]
        if any(name.endswith(_VIEW_NAME_SUFFIXES) for name in (node.name, base_name)) \
                or _has_request_method(node):
            return framework
    return None


def _has_request_method(node: ast.ClassDef) -> bool:
    """A method named after an HTTP verb or DRF action taking `(self, request, ...)`."""
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and statement.name in fw.VIEW_HANDLER_METHODS:
            params = [arg.arg for arg in (*statement.args.posonlyargs, *statement.args.args)]
            if params[:2] in (["self", "request"], ["self", "req"]):
                return True
    return False


def _imported_view_framework(model: SemanticModel) -> str | None:
    tops = {name.split(".")[0] for name in model.imported_modules}
    for top, framework in _VIEW_FRAMEWORK_TOPS:
        if top in tops:
            return framework
    return None


_VIEW_FRAMEWORK_TOPS = (("rest_framework", "django"), ("django", "django"),
                        ("flask_restful", "flask"), ("flask_restx", "flask"),
                        ("flask", "flask"), ("aiohttp", "aiohttp"), ("sanic", "sanic"))


_REGISTRATION_HINT = re.compile(
    "|".join(re.escape(name) for name in (*fw.REGISTRATION_CALLS, *fw.ERROR_REGISTRATION_CALLS,
                                          "Route(", "APIRoute(")))


def _registered_functions(tree: ast.Module) -> dict[str, Route]:
    """Functions registered by call (`app.add_url_rule("/", view_func=index)`), found by a
    shallow scan of module-level code and of the top level of module-level functions."""
    registered: dict[str, Route] = {}
    for call in _shallow_calls(tree):
        name, kind = _registered_name(call)
        if name:
            registered[name] = Route("python", kind)
    return registered


def _shallow_calls(tree: ast.Module):
    for statement in tree.body:
        bodies = statement.body if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) \
            else [statement]
        for inner in bodies:
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for node in ast.walk(inner):
                if isinstance(node, ast.Call):
                    yield node


def _registered_name(call: ast.Call) -> tuple[str | None, str]:
    func = call.func
    method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if method in fw.ERROR_REGISTRATION_CALLS and len(call.args) >= 2:
        return _name_of(call.args[1]), "error_handler"
    for keyword in call.keywords:
        if keyword.arg in fw.REGISTRATION_KEYWORDS and method in (*fw.REGISTRATION_CALLS,
                                                                  "Route", "APIRoute"):
            return _name_of(keyword.value), "handler"
    if method in fw.REGISTRATION_CALLS and call.args:
        index = fw.REGISTRATION_CALLS[method]
        if -len(call.args) <= index < len(call.args):
            return _name_of(call.args[index]), "handler"
    if method in ("Route", "APIRoute") and len(call.args) >= 2:
        return _name_of(call.args[1]), "handler"
    return None, "handler"


def _name_of(expr: ast.AST) -> str | None:
    return expr.id if isinstance(expr, ast.Name) else None
