"""Service imports route

## What it does
Reports an import that makes a service, lib or repository module depend on a route module:
`from app.routers.users import UserOut` in `app/services/users.py`. Layers are inferred from the
module's folder and file names, the innermost name deciding (`app/api/services/x.py` is a
service): `services`/`service`, `lib`/`libs`, `repositories`/`repository` and `*_service`,
`*_repository` modules are services; `routes`/`route`, `routers`/`router`, `views`/`view`,
`controllers`/`controller`, `endpoints`/`endpoint`, `api` and `*_routes`, `*_router`, `*_views`,
`*_controller`, `*_endpoints` modules are routes, as are modules named with a route word in front
(`controller_group_self_service.py` is a controller). A module inferred as a route only through a
folder above it (`app/api/deps.py`, `app/api/schemas.py`) counts as one only if it defines route
handlers; `api` as the project's top-level package (`api/utils/x.py`) is no layer. Imports are
resolved to the project's own modules (relative imports too, `from .. import views`, and
`from app.api import users` where `users` is a module); imports of other packages are ignored.

The layers can be given instead as globs over paths from the project root: `service-layer-globs`
and `route-layer-globs` replace the inference of their layer. Not reported: imports under
`if TYPE_CHECKING:` (no runtime dependency), test code. Needs the whole project: reported by
`backlint check` and the pylint plugin, not by flake8.

## Why it matters
The guide: business logic files "Never import from route/controller files (one-way
dependency)." Routes depend on services, never the reverse: a service that imports a route
module pulls in the web framework and every route's imports, cannot be reused from a worker or a
script, and invites import cycles; what both need (a schema, a constant, a helper) belongs in a
module both can import.

## Example
```python
# app/routers/users.py
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class UserOut(BaseModel):
    id: int
    name: str


@router.get("/users/{user_id}")
def read_user(user_id: int) -> UserOut:
    return UserOut(id=user_id, name="Ada")

# app/services/users.py
from app.routers.users import UserOut


def find_user(user_id: int) -> UserOut:
    return UserOut(id=user_id, name="Ada")
```

## Use instead
```python
# app/schemas.py
from pydantic import BaseModel


class UserOut(BaseModel):
    id: int
    name: str

# app/services/users.py
from app.schemas import UserOut


def find_user(user_id: int) -> UserOut:
    return UserOut(id=user_id, name="Ada")
```

## Options
- `service-layer-globs` (default `[]`): paths of the service layer (`["src/core/**"]`); when set,
  they replace the inference from folder and module names.
- `route-layer-globs` (default `[]`): paths of the route layer (`["src/web/**"]`); when set, they
  replace the inference.
"""
from __future__ import annotations

import ast

from .base import Option, Rule
from .context import FileContext
from .finding import Finding
from .globs import matches_any
from .settings import Settings

SERVICE_WORDS = frozenset({"services", "service", "lib", "libs", "repositories", "repository"})
ROUTE_WORDS = frozenset({"routes", "route", "routers", "router", "views", "view", "controllers",
                         "controller", "endpoints", "endpoint", "api"})
_SUFFIX_ONLY = frozenset({"api"})  # `*_api` modules are usually API clients, not routes
_OPTIONS = (
    Option("service-layer-globs", tuple, (),
           "paths of the service layer; replace the inference from folder and module names"),
    Option("route-layer-globs", tuple, (),
           "paths of the route layer; replace the inference from folder and module names"),
)


class ServiceImportsRoute(Rule):
    code = "BKL302"
    symbol = "service-imports-route"
    pylint_id = "W9302"
    severity = "warning"
    options = _OPTIONS

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._imports: list[list] = []

    def visit_Import(self, node: ast.Import) -> None:
        if not self.ctx.model.in_type_checking:
            self._imports.extend(self._place(node, alias.name, "") for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self.ctx.model.in_type_checking:
            return
        module = self.ctx.model.absolute_module(node)
        self._imports.extend(self._place(node, module, alias.name) for alias in node.names
                             if alias.name != "*")

    def finish_file(self) -> None:
        has_routes = any(route.kind == "handler" for route in self.ctx.model.routes.values())
        self.ctx.facts[self.code] = {"module": self.ctx.model.module, "has_routes": has_routes,
                                     "relative": self.ctx.relative_path,
                                     "imports": self._imports}

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings: Settings) -> list[Finding]:
        layers = _Layers(settings)
        modules = {facts[cls.code]["module"]: facts[cls.code]
                   for _path, facts in sorted(facts_by_path.items()) if cls.code in facts}
        findings: dict[tuple, Finding] = {}
        for path, facts in sorted(facts_by_path.items()):
            mine = facts.get(cls.code)
            if not mine or layers.of(mine) != "service":
                continue
            for place in mine["imports"]:
                target = _project_module(modules, place[0], place[1])
                if target is not None and layers.of(modules[target]) == "route":
                    finding = _finding(cls.code, path, place, target)
                    findings.setdefault((path, finding.line, finding.column), finding)
        return sorted(findings.values())

    def _place(self, node: ast.Import | ast.ImportFrom, module: str, name: str) -> list:
        return [module, name, node.lineno, node.col_offset, node.end_lineno or node.lineno,
                node.end_col_offset or node.col_offset, _statement_text(node)]


def _statement_text(node: ast.Import | ast.ImportFrom) -> str:
    """The import as written, without `ast.unparse` (every import of every file is recorded)."""
    names = ", ".join(alias.name + (f" as {alias.asname}" if alias.asname else "")
                      for alias in node.names)
    if isinstance(node, ast.Import):
        return f"import {names}"
    return f"from {'.' * node.level}{node.module or ''} import {names}"


class _Layers:
    def __init__(self, settings) -> None:
        self.service_globs = settings.option("service-layer-globs")
        self.route_globs = settings.option("route-layer-globs")

    def of(self, facts: dict) -> str | None:
        """"service", "route" or None for one module's facts."""
        relative = facts["relative"]
        if self.route_globs and matches_any(relative, self.route_globs):
            return "route"
        if self.service_globs and matches_any(relative, self.service_globs):
            return "service"
        inferred, from_own_name = _inferred_layer(facts["module"])
        if inferred == "route" and (self.route_globs or not (from_own_name or facts["has_routes"])):
            return None
        if inferred == "service" and self.service_globs:
            return None
        return inferred


def _inferred_layer(module: str) -> tuple[str | None, bool]:
    """(the innermost layer word of the module's name, whether it is the module's own name)."""
    parts = module.split(".")
    for index in range(len(parts) - 1, -1, -1):
        layer = _layer_of_part(parts[index], is_top=index == 0 and len(parts) > 1)
        if layer:
            return layer, index == len(parts) - 1
    return None, False


def _layer_of_part(part: str, is_top: bool) -> str | None:
    """`services`, `user_service` -> service; `routers`, `order_views`, `controller_users` ->
    route (a route word in front names what the module is: `controller_self_service`)."""
    words = part.split("_")
    if len(words) > 1 and words[0] in ROUTE_WORDS - _SUFFIX_ONLY:
        return "route"
    if part in SERVICE_WORDS or (len(words) > 1 and words[-1] in ("service", "repository")):
        return "service"
    if part in ROUTE_WORDS and not (is_top and part == "api"):
        return "route"
    if len(words) > 1 and words[-1] in ROUTE_WORDS - _SUFFIX_ONLY:
        return "route"
    return None


def _project_module(modules: dict[str, dict], module: str, name: str) -> str | None:
    """The project module an import binds: `from app.api import users` may import a module."""
    if name and f"{module}.{name}" in modules:
        return f"{module}.{name}"
    return module if module in modules else None


def _finding(code: str, path: str, place: list, target: str) -> Finding:
    _module, _name, line, column, end_line, end_column, statement = place
    message = (f"`{statement}` makes a service module depend on the route module {target}: "
               "services never import routes (one-way dependency); move what both need into a "
               "schema, service or lib module both can import")
    return Finding(path=path, line=line, column=column, code=code, message=message,
                   end_line=end_line, end_column=end_column)
