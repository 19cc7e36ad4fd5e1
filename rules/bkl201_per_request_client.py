"""Per-request client

## What it does
Reports a client constructor (a database engine, a redis client, an HTTP client or session, a
cloud, AI, payment or messaging SDK client; see `backlint.rules.clients` for the table) that runs
on every request: called inside a route handler (FastAPI, Starlette, Flask, Quart, Django and
DRF views, aiohttp, Sanic, Litestar), in a per-request hook (`before_request`, HTTP
middleware), or inside a function of the project that a handler calls, directly or through other
project functions, in the same module or across modules (`from app.services import billing`,
`billing.charge()`, `self.helper()`, `Service()` reaching `Service.__init__`). Constructors are
resolved through imports and aliases (`import httpx as hx`, `from redis import Redis as R`).
`with httpx.Client() as client:` in a handler is reported too: it opens and closes a connection
pool per request.

The message names the project's existing client of the same kind when there is one
(`use app.db.engine (app/db.py:7) instead`): a module-level singleton, a cached factory or a lazy
global, preferring one that connects to the same place (same URL, host, `base_url` ...).

Not reported: module-level singletons; factories cached with `functools.cache` or `lru_cache`
(any alias); the lazy-singleton pattern (`global _client` / `if _client is None: _client = X()`);
clients built in a lifespan, a startup hook or a FastAPI dependency (`Depends(get_client)` is not
followed: it is no call from the handler); a constructor given an existing pool
(`Redis(connection_pool=pool)`); sessions made from a session factory (`SessionLocal()` per
request is right: the engine is the client, and `sessionmaker(...)` itself is reported);
scripts under `if __name__ == "__main__":`; tests.

It needs the whole project (the functions a handler reaches, the singleton to name), so it is
reported by `backlint check` and the pylint plugin; the flake8 plugin, which sees one file at a
time, does not report it.

## Why it matters
The guide: "Don't Reinvent Infrastructure ... Never instantiate new clients when singletons
already exist." A client per request opens new connections (TCP, TLS, authentication) on every
call, defeats the pool, leaks sockets when not closed, and exhausts the server's connection
limit under load.

## Example
```python
import httpx
from fastapi import APIRouter

router = APIRouter()


@router.get("/rates/{currency}")
async def read_rate(currency: str):
    async with httpx.AsyncClient(base_url="https://rates.example.com") as client:
        response = await client.get(f"/latest/{currency}")
    return {"success": True, "data": response.json()}
```

## Use instead
```python
import httpx
from fastapi import APIRouter

router = APIRouter()
rates_api = httpx.AsyncClient(base_url="https://rates.example.com")


@router.get("/rates/{currency}")
async def read_rate(currency: str):
    response = await rates_api.get(f"/latest/{currency}")
    return {"success": True, "data": response.json()}
```

## Options
- `client-factories` (default `[]`): qualified names of the project's own client constructors
  (`"app.lib.billing.BillingClient"`), checked beside the built-in table; each is its own kind.
  Shared with BKL202.
"""
from __future__ import annotations

import ast
import builtins
import sys
from collections import deque

from . import clients
from .clients import ClientRule
from .finding import Finding

_HOOK_DECORATORS = frozenset({"before_request", "before_app_request", "middleware"})
_HOOK_FUNCTIONS = frozenset({"aiohttp.web.middleware"})
_SKIPPED_TOPS = frozenset({*sys.stdlib_module_names, "builtins", "typing_extensions"})
_BUILTINS = frozenset(dir(builtins))
_GENERIC_FIX = "create it once at module level (or in the lifespan) and reuse it"


class PerRequestClient(ClientRule):
    code = "BKL201"
    symbol = "per-request-client"
    pylint_id = "W9201"
    severity = "warning"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.entries: dict[str, dict] = {}
        self.constructs: dict[str, list[dict]] = {}
        self.calls: dict[str, set[str]] = {}
        self.aliases: dict[str, str] = {}
        self.classes: list[str] = []
        ctx.facts[self.code].update(entries=self.entries, constructs=self.constructs,
                                    aliases=self.aliases, classes=self.classes)

    # ----- what runs per request -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        model = self.ctx.model
        if model.route_of(node) is None and not self._is_request_hook(node):
            return
        self.entries[clients.function_id(model, node)] = {
            "name": self._display(node), "line": node.lineno,
            "relative": self.ctx.relative_path}

    visit_AsyncFunctionDef = visit_FunctionDef

    def _is_request_hook(self, node: ast.AST) -> bool:
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in _HOOK_DECORATORS:
                return True
            if self.ctx.model.resolve(target) in _HOOK_FUNCTIONS:
                return True
        return False

    def per_call(self, node: ast.Call, site: dict, functions: list[ast.AST]) -> None:
        owner = self._owner(functions)
        if owner is not None:
            owner_id, name = owner
            self.constructs.setdefault(owner_id, []).append({**site, "function": name})

    def visit_Call(self, node: ast.Call) -> None:
        super().visit_Call(node)
        functions = clients.runtime_functions(self.ctx.model.ancestors)
        owner = self._owner(functions) if functions else None
        if owner is None:
            return
        callee = self._callee(node, functions)
        if callee:
            self.calls.setdefault(owner[0], set()).add(callee)

    def _owner(self, functions: list[ast.AST]) -> tuple[str, str] | None:
        """(id, display name) of the innermost handler or importable function running here."""
        model = self.ctx.model
        for function in reversed(functions):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            function_id = clients.function_id(model, function)
            if function_id in self.entries or clients.function_qualname(model, function):
                return function_id, self._display(function)
        return None

    def _display(self, function: ast.AST) -> str:
        qualname = clients.function_qualname(self.ctx.model, function)
        if qualname:
            return qualname[len(self.ctx.model.module) + 1:]
        return function.name

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
                qualname = clients.function_qualname(model, function)
                if qualname and qualname.count(".") > model.module.count(".") + 1:
                    return f"{qualname.rpartition('.')[0]}.{func.attr}"
            return None
        instance = model.instance_type(func.value)
        return f"{instance}.{func.attr}" if instance else None

    # ----- the project index: imports and instances at module level -----
    def visit_Import(self, node: ast.Import) -> None:
        if self._at_module_level():
            for alias in node.names:
                if alias.asname:
                    self.aliases[f"{self.ctx.model.module}.{alias.asname}"] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self._at_module_level():
            return
        source = self.ctx.model.absolute_module(node)
        for alias in node.names:
            if alias.name != "*":
                local = alias.asname or alias.name
                self.aliases[f"{self.ctx.model.module}.{local}"] = f"{source}.{alias.name}"

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        if self._at_module_level() and isinstance(node.value, ast.Call):
            instance = self.ctx.model.resolve(node.value.func)
            if instance and instance.split(".")[0] not in _SKIPPED_TOPS:
                self.aliases[f"{self.ctx.model.module}.{node.targets[0].id}"] = instance

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self._at_module_level():
            self.classes.append(f"{self.ctx.model.module}.{node.name}")

    def _at_module_level(self) -> bool:
        return not any(isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef,
                                             ast.ClassDef, ast.Lambda))
                       for ancestor in self.ctx.model.ancestors[:-1])

    def finish_file(self) -> None:
        self.ctx.facts[self.code]["calls"] = {owner: sorted(callees)
                                              for owner, callees in self.calls.items()}
        super().finish_file()

    # ----- across the project -----
    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        index = _ProjectIndex(facts_by_path, cls.code)
        findings: dict[tuple, Finding] = {}
        for entry_id in index.sorted_entries():
            for function_id in index.reached_from(entry_id):
                for site in index.constructs.get(function_id, ()):
                    finding = _finding(cls.code, index, site, function_id, entry_id)
                    findings.setdefault(finding.key() + (finding.path,), finding)
        return sorted(findings.values())


class _ProjectIndex:
    """Every file's facts merged: what each function constructs and calls, and the aliases that
    turn an imported name into the function it is."""

    def __init__(self, facts_by_path: dict[str, dict], code: str) -> None:
        self.entries: dict[str, dict] = {}
        self.constructs: dict[str, list[dict]] = {}
        self.calls: dict[str, list[str]] = {}
        self.aliases: dict[str, str] = {}
        self.classes: set[str] = set()
        self.singletons: list[dict] = []
        for path, facts in clients.collected(facts_by_path, code):
            self._add(path, facts)

    def _add(self, path: str, facts: dict) -> None:
        for entry_id, entry in facts.get("entries", {}).items():
            self.entries.setdefault(entry_id, entry)
        for function_id, sites in facts.get("constructs", {}).items():
            self.constructs.setdefault(function_id, [{**site, "path": path} for site in sites])
        for function_id, callees in facts.get("calls", {}).items():
            self.calls.setdefault(function_id, callees)
        for name, target in facts.get("aliases", {}).items():
            self.aliases.setdefault(name, target)
        self.classes.update(facts.get("classes", ()))
        self.singletons.extend(facts.get("singletons", ()))

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
            head, _, last = head.rpartition(".")
            rest = f".{last}{rest}"
        return None

    def singleton_for(self, site: dict) -> tuple[dict | None, bool]:
        """(the shared client to name, whether it connects to the same place)."""
        same_kind = [item for item in self.singletons
                     if item["kind"] == site["kind"] and item["name"]]
        same_place = [item for item in same_kind if item["destination"] == site["destination"]]
        if same_place:
            return min(same_place, key=clients.canonical_rank), True
        return (min(same_kind, key=clients.canonical_rank), False) if same_kind else (None, False)


def _finding(code: str, index: _ProjectIndex, site: dict, function_id: str,
             entry_id: str) -> Finding:
    entry = index.entries[entry_id]
    if function_id == entry_id:
        where = f"in handler `{entry['name']}`"
    else:
        where = (f"`{site['function']}` is called per request from handler `{entry['name']}` "
                 f"at {entry['relative']}:{entry['line']}")
    singleton, same_place = index.singleton_for(site)
    if singleton is None:
        fix = _GENERIC_FIX
    elif same_place:
        fix = f"use {clients.describe(singleton)} instead"
    else:
        fix = f"{_GENERIC_FIX}, like {clients.describe(singleton)}"
    message = (f"`{site['constructor']}(...)` creates {clients.with_article(site['kind'])} on "
               f"every request ({where}): {fix}")
    return Finding(path=site["path"], line=site["line"], column=site["column"], code=code,
                   message=message, end_line=site["end_line"], end_column=site["end_column"])
