"""The project index of clients, shared by BKL201 and BKL202.

Per file, during the engine's single walk, `ClientRule` records plain picklable facts: the shared
clients (module-level, cached, lazy), the constructions that run on every call of a function,
the handlers and per-request hooks, the project calls each function makes, and the module-level
imports and instances that turn a name into the function it refers to. `ProjectIndex` merges the
facts of every file, in path order, so pylint `-j 1`, `-j 2` and the CLI combine them alike.
Each client rule collects for itself, so either works when the other is disabled.
"""
from __future__ import annotations

import ast
import builtins
import sys
from collections import Counter, deque

from . import clients
from .base import Collector
from .imports_index import project_aliases

_HOOK_DECORATORS = frozenset({"before_request", "before_app_request", "middleware"})
_HOOK_FUNCTIONS = frozenset({"aiohttp.web.middleware"})
# Middleware classes: the methods the framework calls on every request.
_MIDDLEWARE_METHODS = {
    "starlette.middleware.base.BaseHTTPMiddleware": ("dispatch",),
    "starlette.authentication.AuthenticationBackend": ("authenticate",),
    "django.utils.deprecation.MiddlewareMixin": ("process_request", "process_view",
                                                 "process_response", "__call__"),
}
_SKIPPED_TOPS = frozenset({*sys.stdlib_module_names, "builtins", "typing_extensions"})
_BUILTINS = frozenset(dir(builtins))
_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


class ClientFacts(Collector):
    """This file's client facts for BKL201 and BKL202, gathered once for both."""

    name = "clients"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.singletons: list[dict] = []
        self.entries: dict[str, dict] = {}
        self.constructs: dict[str, list[dict]] = {}
        self.calls: dict[str, set[str]] = {}
        self.instances: dict[str, str] = {}
        self.made_by_calls: list[dict] = []
        self.classes: list[str] = []
        self.client_classes: dict[str, dict] = {}
        self.class_bases: dict[str, list[str]] = {}
        self.maybe_constructs: dict[str, list[dict]] = {}
        self._runtime: dict[ast.AST, tuple[ast.AST, ...]] = {}  # see runtime_functions
        self._function_names: dict[ast.AST, tuple[str, str | None, str]] = {}
        self.script = False
        self.runs_at_import = False

    def finish_file(self) -> None:
        # A script's or a dot-folder's client is no instance for the application to import.
        importable = not self.script and clients.is_importable(self.ctx.relative_path)
        for site in (*self.singletons, *self.made_by_calls):
            site.update(importable=importable, module=self.ctx.model.module,
                        runs_at_import=self.runs_at_import)
        facts = {"singletons": self.singletons, "entries": self.entries,
                 "constructs": self.constructs,
                 "instances": self.instances, "made_by_calls": self.made_by_calls,
                 "classes": self.classes, "client_classes": self.client_classes,
                 "class_bases": self.class_bases, "maybe_constructs": self.maybe_constructs,
                 "calls": {owner: sorted(callees) for owner, callees in self.calls.items()}}
        if any(facts.values()):
            self.ctx.facts[self.name] = facts

    # ----- constructions -----
    def visit_Call(self, node: ast.Call) -> None:
        functions = clients.runtime_functions(self.ctx.model.ancestors, self._runtime)
        found = self._constructor_kind(node)
        if found is not None:
            self._record_construction(node, functions, found)
        elif clients.is_super_init(node):
            self._record_class_destination(node)
        owner = self._owner(functions)  # None outside functions
        if owner is None:
            return
        callee = self._callee(node, functions)
        if callee:
            self.calls.setdefault(owner[0], set()).add(callee)
            if found is None and self._may_be_project_class(callee):
                self._record_maybe_construction(node, functions, owner, callee)

    def _constructor_kind(self, node: ast.Call) -> tuple[str, str] | None:
        return clients.constructor_kind(self.ctx.model, node, self.option("client-factories"),
                                        self.client_classes)

    def _record_construction(self, node: ast.Call, functions: list[ast.AST],
                             found: tuple[str, str]) -> None:
        model = self.ctx.model
        if clients.under_main_guard(model.ancestors):
            return
        qualname, kind = found
        site = self._site(node, qualname, kind, self._destination(node, qualname))
        if not functions:
            name = clients.module_level_name(model, clients.assignment_of(model, node))
            self.singletons.append({**site, "how": "module", "name": name})
            return
        shared_name = self._shared_name(node, functions)
        if shared_name:
            self.singletons.append({**site, "how": "shared", "name": shared_name})
            return
        owner = self._owner(functions)
        if owner is not None:
            position = clients.returned_position(model, node, functions[-1])
            target = clients.assignment_of(model, node)
            sites = self.constructs.setdefault(owner[0], [])
            sites.append({**site, "function": owner[1], "returned": position == -1,
                          "returned_at": position,
                          "assigned": ast.unparse(target)
                          if isinstance(target, (ast.Name, ast.Attribute)) else None,
                          "bound_to": self._bound_to(node, kind, sites),
                          "with_factory": self._inside_session_factory(node)})

    def _bound_to(self, node: ast.Call, kind: str, sites: list[dict]) -> str | None:
        """`sessionmaker(bind=engine)` with `engine` built just before in the same function, or
        `sessionmaker(bind=create_engine(...))`: one client with its session factory, not two.
        The engine's site is marked so its message says so."""
        bound = clients.bound_client(node) if kind in clients.SESSION_FACTORY_KINDS else None
        if isinstance(bound, ast.Call) and self._constructor_kind(bound) is not None:
            return ast.unparse(bound.func)
        if not isinstance(bound, (ast.Name, ast.Attribute)):
            return None
        name = ast.unparse(bound)  # `engine`, `self.engine`
        engine = next((site for site in reversed(sites) if site["assigned"] == name), None)
        if engine is None:
            return None
        engine["with_factory"] = True
        return name

    def _inside_session_factory(self, node: ast.Call) -> bool:
        """`sessionmaker(bind=create_engine(url))`: the engine of an inline session factory."""
        parent = self.ctx.model.parent(node)
        if isinstance(parent, ast.keyword) and parent.arg == "bind":
            parent = self.ctx.model.parent(parent)
        elif not (isinstance(parent, ast.Call) and parent.args[:1] == [node]):
            return False
        found = self._constructor_kind(parent) if isinstance(parent, ast.Call) else None
        return found is not None and found[1] in clients.SESSION_FACTORY_KINDS

    def _destination(self, node: ast.Call, qualname: str) -> tuple[str, ...]:
        """The call's own destination, else the one its client class gives its parent."""
        said = clients.destination(self.ctx.model, node, qualname)
        client_class = self.client_classes.get(qualname)
        if said or client_class is None:
            return said
        return tuple(client_class["destination"])

    def _record_class_destination(self, node: ast.Call) -> None:
        """`super().__init__(host=...)` in a client class: where its instances connect."""
        classes = [ancestor for ancestor in self.ctx.model.ancestors
                   if isinstance(ancestor, ast.ClassDef)]
        name = f"{self.ctx.model.module}.{classes[0].name}" if classes else ""
        client_class = self.client_classes.get(name)
        if client_class is not None and not client_class["destination"]:
            client_class["destination"] = list(
                clients.destination(self.ctx.model, node, client_class["constructor"]))

    def _may_be_project_class(self, callee: str) -> bool:
        """`RedisCli()` imported from the project: a client if its class subclasses one."""
        if callee in self.classes and callee not in self.class_bases:
            return False  # a class of this file, and no client: known already
        last = callee.rpartition(".")[2]
        return last[:1].isupper() and callee.split(".")[0] == self._project_top()

    def _record_maybe_construction(self, node: ast.Call, functions: list[ast.AST],
                                   owner: tuple[str, str], callee: str) -> None:
        if clients.under_main_guard(self.ctx.model.ancestors):
            return
        returned = clients.is_returned(self.ctx.model, node, functions[-1])
        self.maybe_constructs.setdefault(owner[0], []).append(
            {**self._site(node, callee, "", clients.destination(self.ctx.model, node, callee)),
             "function": owner[1], "returned": returned})

    def _project_top(self) -> str:
        return self.ctx.model.module.split(".")[0]

    def _site(self, node: ast.AST, qualname: str, kind: str, target: tuple[str, ...]) -> dict:
        return {"line": node.lineno, "column": node.col_offset, "end_line": node.end_lineno,
                "end_column": node.end_col_offset, "constructor": qualname, "kind": kind,
                "destination": list(target), "relative": self.ctx.relative_path}

    def _shared_name(self, node: ast.Call, functions: list[ast.AST]) -> str | None:
        """The name of the cached factory or lazy singleton this construction belongs to."""
        model = self.ctx.model
        for function in reversed(functions):
            if clients.is_cached(model, function):
                qualname = clients.function_qualname(model, function)
                return f"{qualname}()" if qualname else f"{function.name}()"
        target = clients.assignment_of(model, node)
        innermost = functions[-1]
        if not clients.is_lazy_singleton(target, innermost, model.ancestors):
            return None
        qualname = clients.function_qualname(model, innermost)
        if isinstance(target, ast.Name) and not (target.id.startswith("_") and qualname):
            return f"{model.module}.{target.id}"  # a private global: name its getter instead
        return f"{qualname}()" if qualname else ast.unparse(target)

    # ----- what runs per request -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        model = self.ctx.model
        if model.route_of(node) is not None:
            role = "handler"
        elif self._is_request_hook(node) or self._is_middleware_method(node):
            role = "request hook"
        else:
            return
        function_id, _, display = self._names_of(node)
        self.entries[function_id] = {
            "name": display, "line": node.lineno, "role": role,
            "relative": self.ctx.relative_path}

    visit_AsyncFunctionDef = visit_FunctionDef

    def _is_middleware_method(self, node: ast.AST) -> bool:
        owner = self.ctx.model.parent(node)
        if not isinstance(owner, ast.ClassDef):
            return False
        return any(node.name in _MIDDLEWARE_METHODS.get(self.ctx.model.resolve(base), ())
                   for base in owner.bases)

    def _is_request_hook(self, node: ast.AST) -> bool:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in _HOOK_DECORATORS:
                return True
            if self.ctx.model.resolve(target) in _HOOK_FUNCTIONS:
                return True
        return False

    def _owner(self, functions: list[ast.AST]) -> tuple[str, str] | None:
        """(id, display name) of the innermost handler or importable function running here."""
        for function in reversed(functions):
            if not isinstance(function, _FUNCTION_NODES):
                continue
            function_id, qualname, display = self._names_of(function)
            if function_id in self.entries or qualname:
                return function_id, display
        return None

    def _names_of(self, function: ast.AST) -> tuple[str, str | None, str]:
        """(id, qualified name or None, display name) of a def on the path; kept per def, as
        every call in its body asks."""
        names = self._function_names.get(function)
        if names is None:
            model = self.ctx.model
            qualname = clients.function_qualname(model, function)
            display = qualname[len(model.module) + 1:] if qualname else function.name
            names = (qualname or clients.function_id(model, function), qualname, display)
            self._function_names[function] = names
        return names

    # ----- calls between the project's functions -----
    def _callee(self, node: ast.Call, functions: list[ast.AST]) -> str | None:
        model = self.ctx.model
        func = node.func
        qualname = model.resolve(func)
        if qualname is None and isinstance(func, ast.Attribute):
            qualname = self._method_of(func, functions)
        elif qualname is None and isinstance(func, ast.Name) and model.lookup(func.id) is None \
                and func.id not in _BUILTINS:
            qualname = f"{model.module}.{func.id}"  # defined further down: bound when it runs
        if qualname is None or qualname.split(".")[0] in _SKIPPED_TOPS:
            return None
        return qualname

    def _method_of(self, func: ast.Attribute, functions: list[ast.AST]) -> str | None:
        model = self.ctx.model
        if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            for function in reversed(functions):
                qualname = self._names_of(function)[1] \
                    if isinstance(function, _FUNCTION_NODES) else None
                if qualname and qualname.count(".") > model.module.count(".") + 1:
                    return f"{qualname.rpartition('.')[0]}.{func.attr}"
            return None
        instance = model.instance_type(func.value)
        return f"{instance}.{func.attr}" if instance else None

    # ----- module-level names: instances, classes (imports: the ImportAliases collector) -----
    def visit_Assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Tuple):
            self._record_unpacked(node, targets[0])
            return
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return
        if not (self._at_module_level() and isinstance(node.value, ast.Call)):
            return
        made_by = self.ctx.model.resolve(node.value.func)
        if not made_by or made_by.split(".")[0] in _SKIPPED_TOPS:
            return
        name = f"{self.ctx.model.module}.{targets[0].id}"
        self.instances[name] = made_by
        if self._constructor_kind(node.value) is None \
                and not clients.under_main_guard(self.ctx.model.ancestors):
            # `engine = make_engine()`: a singleton if the project's `make_engine` builds one.
            self.made_by_calls.append({**self._site(node.value, made_by, "", ()),
                                       "how": "module", "name": name})

    visit_AnnAssign = visit_Assign

    def _record_unpacked(self, node: ast.Assign, target: ast.Tuple) -> None:
        """`SessionLocal, engine = init_db(url)`: each name may be a client the factory returns."""
        if not (self._at_module_level() and isinstance(node.value, ast.Call)) \
                or not all(isinstance(element, ast.Name) for element in target.elts) \
                or clients.under_main_guard(self.ctx.model.ancestors):
            return
        made_by = self.ctx.model.resolve(node.value.func)
        if made_by and made_by.split(".")[0] not in _SKIPPED_TOPS:
            names = [f"{self.ctx.model.module}.{element.id}" for element in target.elts]
            self.made_by_calls.append({**self._site(node.value, made_by, "", ()),
                                       "how": "module", "name": None, "names": names})

    def visit_Module(self, node: ast.Module) -> None:
        self.runs_at_import = clients.runs_at_import(node.body)

    def visit_If(self, node: ast.If) -> None:
        if self._at_module_level() and clients.under_main_guard([node]):
            self.script = True

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self._at_module_level():
            return
        name = f"{self.ctx.model.module}.{node.name}"
        self.classes.append(name)
        client_base = clients.client_base(self.ctx.model, node, self.option("client-factories"),
                                          self.client_classes)
        if client_base is not None:
            self.client_classes[name] = client_base
            return
        # A base of the project's, from another module: ProjectIndex decides if it is a client.
        bases = [qualname for qualname in map(self.ctx.model.resolve, node.bases)
                 if qualname and qualname.split(".")[0] == self._project_top()]
        if bases:
            self.class_bases[name] = bases

    def _at_module_level(self) -> bool:
        return not any(isinstance(ancestor, (*_FUNCTION_NODES, ast.ClassDef, ast.Lambda))
                       for ancestor in self.ctx.model.ancestors[:-1])


class ProjectIndex:
    """Every file's facts merged: what each function constructs and calls, the shared clients,
    and the aliases that turn an imported name into the function it is."""

    def __init__(self, facts_by_path: dict[str, dict]) -> None:
        self.entries: dict[str, dict] = {}
        self.constructs: dict[str, list[dict]] = {}
        self.calls: dict[str, list[str]] = {}
        self.aliases = project_aliases(facts_by_path)
        self.instances: dict[str, str] = {}
        self.classes: set[str] = set()
        self.singletons: list[dict] = []
        self.client_classes: dict[str, dict] = {}
        class_bases: dict[str, list[str]] = {}
        made_by_calls: list[dict] = []
        maybe_constructs: list[tuple[str, dict]] = []
        for path, facts in clients.collected(facts_by_path, ClientFacts.name):
            self._add(path, facts)
            made_by_calls.extend({**site, "path": path} for site in facts["made_by_calls"])
            class_bases.update(facts["class_bases"])
            maybe_constructs.extend((function_id, {**site, "path": path})
                                    for function_id, sites in facts["maybe_constructs"].items()
                                    for site in sites)
        self._inherit_client_classes(class_bases)
        self._add_client_class_constructions(maybe_constructs)
        self.singletons.extend(self._made_by_project_factories(made_by_calls))
        self._count_importers()

    def _count_importers(self) -> None:
        """How often each singleton, then anything of its module, is imported: the client the
        project already uses is its convention."""
        imported = Counter(self.aliases.values())
        from_module = Counter(target.rpartition(".")[0] for target in self.aliases.values())
        for singleton in self.singletons:
            name = singleton["name"] or ""
            singleton["importers"] = (imported[name] if name else 0,
                                      from_module[name.rpartition(".")[0]] if name else 0)

    def _add(self, path: str, facts: dict) -> None:
        for entry_id, entry in facts["entries"].items():
            self.entries.setdefault(entry_id, entry)
        for function_id, sites in facts["constructs"].items():
            self.constructs.setdefault(function_id, [{**site, "path": path} for site in sites])
        for function_id, callees in facts["calls"].items():
            self.calls.setdefault(function_id, callees)
        for name, target in facts["instances"].items():
            self.instances.setdefault(name, target)
        self.classes.update(facts["classes"])
        for name, client_class in facts["client_classes"].items():
            self.client_classes.setdefault(name, client_class)
        self.singletons.extend({**site, "path": path} for site in facts["singletons"])

    def _inherit_client_classes(self, class_bases: dict[str, list[str]]) -> None:
        """`class CacheClient(RedisCli)` with `RedisCli` a client class of another module."""
        changed = True
        while changed:
            changed = False
            for name, bases in class_bases.items():
                if name in self.client_classes:
                    continue
                inherited = next(filter(None, map(self.client_class_of, bases)), None)
                if inherited is not None:
                    self.client_classes[name] = inherited
                    changed = True

    def client_class_of(self, qualname: str) -> dict | None:
        """The client class `qualname` names, through re-exports and import aliases."""
        for _ in range(8):  # alias chains are short; this also stops cycles
            if qualname in self.client_classes:
                return self.client_classes[qualname]
            replaced = self._unalias(qualname)
            if replaced is None:
                return None
            qualname = replaced
        return None

    def _add_client_class_constructions(self, sites: list[tuple[str, dict]]) -> None:
        """`RedisCli()` in a function, with `RedisCli` a client class of another module."""
        for function_id, site in sites:
            client_class = self.client_class_of(site["constructor"])
            if client_class is not None:
                self.constructs.setdefault(function_id, []).append(
                    {**site, "kind": client_class["kind"],
                     "destination": site["destination"] or client_class["destination"]})

    def _made_by_project_factories(self, made_by_calls: list[dict]) -> list[dict]:
        """`engine = make_engine()` at module level, where the project's `make_engine` builds a
        client on every call, or `redis_client = RedisCli()` with a client class of another
        module: a module-level singleton of that client's kind."""
        found = []
        for site in made_by_calls:
            client_class = self.client_class_of(site["constructor"])
            if client_class is not None:
                found.append({**site, "kind": client_class["kind"],
                              "destination": client_class["destination"]})
                continue
            function_id = self.function_for(site["constructor"])
            if function_id and site.get("names"):
                found.extend(self._unpacked_singletons(site, self.constructs.get(function_id, ())))
                continue
            # Only a factory that returns the client it builds: `app = create_app()` is no client.
            built = [construction for construction in self.constructs.get(function_id, ())
                     if construction["returned"]] if function_id else None
            if built:
                found.append({**site, "constructor": built[0]["constructor"],
                              "kind": built[0]["kind"], "destination": built[0]["destination"]})
        return found

    @staticmethod
    def _unpacked_singletons(site: dict, built: list[dict]) -> list[dict]:
        """`SessionLocal, engine = init_db()` where `init_db` returns `factory, engine`."""
        names = site["names"]
        return [{**site, "name": names[construction["returned_at"]],
                 "constructor": construction["constructor"], "kind": construction["kind"],
                 "destination": construction["destination"]}
                for construction in built
                if construction.get("returned_at") is not None
                and 0 <= construction["returned_at"] < len(names)]

    def sorted_entries(self) -> list[str]:
        return sorted(self.entries, key=lambda entry_id: (
            self.entries[entry_id]["relative"], self.entries[entry_id]["line"], entry_id))

    def reached_from(self, entry_id: str) -> list[str]:
        """The entry and every project function it calls, breadth first."""
        seen = {entry_id}
        order = [entry_id]
        queue = deque(order)
        while queue:
            for callee in self.calls.get(queue.popleft(), ()):
                function_id = self.function_for(callee)
                if function_id and function_id not in seen:
                    seen.add(function_id)
                    order.append(function_id)
                    queue.append(function_id)
        return order

    def function_for(self, qualname: str) -> str | None:
        """`app.routers.billing.charge` -> `app.services.billing.charge` through re-exports and
        module aliases; a class resolves to its `__init__`."""
        for _ in range(8):  # alias chains are short; this also stops cycles
            if qualname in self.constructs or qualname in self.calls:
                return qualname
            if qualname in self.classes:
                qualname = f"{qualname}.__init__"
                continue
            replaced = self._unalias(qualname)
            if replaced is None:
                return None
            qualname = replaced
        return None

    def _unalias(self, qualname: str) -> str | None:
        head, rest = qualname, ""
        while head:
            if head in self.aliases:
                return self.aliases[head] + rest
            if head in self.instances:
                # `service.run()` runs a method of the instance's class; calling the instance
                # itself (`SessionLocal()`) runs no function of the project.
                return self.instances[head] + rest if rest else None
            head, _, last = head.rpartition(".")
            rest = f".{last}{rest}"
        return None
