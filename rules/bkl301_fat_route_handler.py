"""Fat route handler

## What it does
Reports a route handler that does the service layer's work, once per handler at its `def`:

- data access written in the handler: SQLAlchemy session calls (`session.query/execute/scalars/
  add/delete/merge/...`, `db.session.*`), Django `Model.objects.*` and Flask-SQLAlchemy
  `Model.query.*`, DB-API cursors and connections (`cursor.execute`, `conn.fetch`), Mongo
  collection calls (`db.users.find_one`, `collection.insert_one`), counted per call site;
- raw SQL: a string starting with SELECT/INSERT/UPDATE/DELETE/WITH passed to `execute(...)`,
  `text(...)` or `raw(...)`, directly or through a variable or module constant
  (`query = "SELECT ..."; cursor.execute(query)`), built with `+`, `%`, `.format` or f-strings;
- loops and comprehensions that compute results rather than serialize them;
- more statements or branches than the thresholds below.

Calls in mutually exclusive branches (`if`/`elif`/`else` arms, `match` cases, `a if c else b`)
never run together, so only the fullest arm counts: `if pk is None: Model.objects.filter(...)`
`else: Model.objects.get(...)` is one lookup. A queryset passed into another query
(`Exists(...)`, `Subquery(...)`, `Prefetch(queryset=...)`, a `filter(...)` or `annotate(...)`
argument, or a lazy queryset assigned first and then wrapped in `Subquery`/`Exists`/`Prefetch`)
is part of that one query.

A handler is reported when it has more data-access calls than `max-handler-queries`, any raw
SQL that names a table (`SELECT 1` only probes the connection), a computing loop together with
data access, or more statements or branches than allowed.
A loop or comprehension only *serializes* (and does not count) when its body just appends,
yields or assigns plain values, attributes and calls of the loop variable
(`[Item.model_validate(row) for row in rows]`) with no filter, arithmetic or branching; a
default for a missing value (`row.paid_at.isoformat() if row.paid_at else None`, `row.note or
""`) and nested comprehensions that serialize children are still serializing.
Transaction control (`commit`, `flush`, `refresh`, `rollback`) is not data access: a handler
may own its unit of work, so `db.add(post); db.commit()` is one call, not two. Nor is
`ContentType.objects.get_for_model(...)`, answered from Django's in-process cache.
Guard clauses (`if not item: raise HTTPException(404)`, an early `return`) are not branches;
`try`/`except` is not counted, since the guide asks for it in every handler. Handlers are those
of FastAPI/Starlette, Flask/Quart (including `MethodView`), Django function and class-based
views, DRF `APIView`/`ViewSet` methods (generic bases such as `ModelViewSet[Tag]` and project
mixins built on them included), Litestar, aiohttp and Sanic; tests are skipped. Django models
named in lower case are models (`tag.objects.filter(...)`).
The message lists what was counted, each call by method and line (`2 ORM calls (get line 21,
filter line 22) and a computing loop (line 23)`), and names the service module the file already
imports.

## TypeScript/JavaScript
The same rule on TS/JS handlers (Express, Koa, Fastify, Hono, Next.js route exports and
pages/api, NestJS controllers, tRPC procedures, ts-rest handlers, server actions), once per
handler on its first line, listing the data calls it makes: Prisma (`prisma.user.findMany`,
`$queryRaw`), Drizzle (`db.select()...`, `db.query.users.findFirst`), Kysely, Knex, TypeORM
repositories and `getRepository(...)`, Sequelize and Mongoose models, the MongoDB driver,
Supabase, and raw SQL (`pool.query("SELECT ...")`, `` sql`...` `` templates). A call counts
only when its receiver holds a database (`prisma`, `db`, `tx`, `knex`, `this.prisma`,
`ctx.db`, a `...Repository`, an imported model class): `users.find(...)` on an array or
`cache.delete(key)` is no data access, and a chained query counts once. Calls inside the
handler's callbacks (`prisma.$transaction(async (tx) => ...)`) count; a handler defined in one
module and registered in another (`router.get("/", users.list)`) is reported by the project
pass. The same thresholds apply (`max-handler-queries`, `max-handler-statements`,
`max-handler-branches`).

## Why it matters
The guide: "Keep route handlers/controllers thin — they receive the request, call a service,
return a response. Business logic lives in service or lib files, not inline in the route."
Logic in handlers cannot be reused by other entry points (jobs, CLIs, other routes), is tested
only through HTTP, and mixes transport concerns with data access.

## Example
```python
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import get_db
from app.models import Order

router = APIRouter()


@router.post("/orders/{order_id}/close")
def close_order(order_id: int, db: Session = Depends(get_db)):
    order = db.query(Order).filter(Order.id == order_id).one()
    order.total = sum(line.price * line.quantity for line in order.lines)
    order.status = "closed"
    db.commit()
    return {"success": True, "data": order.id}
```
```ts
import { Router } from "express";
import { prisma } from "../lib/prisma";

export const router = Router();

router.post("/orders", async (req, res) => {
  const user = await prisma.user.findUnique({ where: { id: req.body.userId } });
  const cart = await prisma.cart.findFirst({ where: { userId: user!.id } });
  const order = await prisma.order.create({ data: { userId: user!.id, total: cart!.total } });
  await prisma.cart.delete({ where: { id: cart!.id } });
  res.status(201).json({ success: true, data: order });
});
```

## Use instead
```python
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import get_db
from app.services import order_service

router = APIRouter()


@router.post("/orders/{order_id}/close")
def close_order(order_id: int, db: Session = Depends(get_db)):
    order = order_service.close(db, order_id)
    return {"success": True, "data": order.id}
```
```ts
import { Router } from "express";
import { orders } from "../services/orders";

export const router = Router();

router.post("/orders", async (req, res) => {
  const order = await orders.checkout(req.body.userId);
  res.status(201).json({ success: true, data: order });
});
```

## Options
- `max-handler-queries` (default `1`): data-access calls a handler may make itself; one lookup
  (`Item.objects.get(pk=pk)`) is accepted, a query plus a write is not.
- `max-handler-statements` (default `30`): statements in a handler body, nested ones included.
- `max-handler-branches` (default `8`): `if`/`elif` (guard clauses excluded), loops and `match`
  cases in a handler body.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .base import Option, Rule

_SESSION_NAMES = frozenset({"session", "db", "db_session", "dbsession", "sess", "async_session",
                            "database", "conn", "connection", "cursor", "cur", "tx",
                            "transaction"})
_SESSION_METHODS = frozenset({
    "query", "execute", "executemany", "scalars", "scalar", "add", "add_all", "delete",
    "merge", "exec", "bulk_save_objects", "bulk_insert_mappings",
    "fetch", "fetchrow", "fetchval", "fetchone", "fetchall", "fetchmany", "fetch_all",
    "fetch_one", "fetch_val",
})
_MONGO_METHODS = frozenset({
    "find", "find_one", "insert_one", "insert_many", "update_one", "update_many", "delete_one",
    "delete_many", "replace_one", "aggregate", "count_documents", "find_one_and_update",
    "find_one_and_delete", "find_one_and_replace", "bulk_write", "distinct",
})
_MONGO_RECEIVERS = frozenset({"db", "mongo", "database", "mongodb"})
_MANAGER_ATTRS = frozenset({"objects", "query"})
# ContentType's manager answers these from a per-process cache: metadata, not data access.
_CACHED_MANAGER_METHODS = frozenset({"get_for_model", "get_for_models", "get_for_id"})
_SQL_METHODS = frozenset({"execute", "executemany", "executescript", "raw", "text", "fetch",
                          "fetchrow", "fetchval", "fetch_all", "fetch_one", "exec_driver_sql"})
_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s", re.IGNORECASE)
# `SELECT 1` probes the connection; only SQL that names a table is the data layer's work.
_SQL_ON_TABLES = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s", re.IGNORECASE)
_SQLALCHEMY_SESSIONS = ("sqlalchemy.", "sqlmodel.", "flask_sqlalchemy.")
_HTTP_CLIENT_TOPS = frozenset({"requests", "httpx", "aiohttp", "urllib3", "flask", "quart",
                               "boto3", "aioboto3", "botocore"})
_COLLECTOR_METHODS = frozenset({"append", "add", "extend", "update", "write", "send",
                                "send_json", "send_text", "send_bytes", "put"})
_PLAIN = (ast.Name, ast.Attribute, ast.Constant, ast.Subscript, ast.Starred, ast.JoinedStr,
          ast.FormattedValue, ast.Slice, ast.keyword)
_CONTAINERS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
# Calls whose arguments may be querysets that become part of the query they build.
_QUERY_BUILDERS = frozenset({"Subquery", "Exists", "Prefetch", "OuterRef", "annotate", "filter",
                             "exclude", "prefetch_related", "aggregate", "alias", "union",
                             "intersection", "difference", "in_bulk", "Q"})
# Wrappers that make a queryset built earlier a subquery of the one being built.
_SUBQUERY_WRAPPERS = frozenset({"Subquery", "Exists", "Prefetch"})
# Queryset methods that run no query until the queryset is used.
_LAZY = frozenset({"filter", "exclude", "all", "annotate", "values", "values_list", "order_by",
                   "select_related", "prefetch_related", "only", "defer", "distinct", "none"})
_KIND_WORDS = {"orm": ("ORM call", "ORM calls"), "sql": ("raw SQL query", "raw SQL queries"),
               "mongo": ("Mongo call", "Mongo calls"), "db": ("database call", "database calls")}


@dataclass(frozen=True)
class _Access:
    kind: str
    method: str
    line: int
    # The if/elif/else, match and conditional-expression arms it sits in, outermost first:
    # calls in different arms of one `if` never run together.
    arms: tuple[tuple[int, int], ...] = ()


@dataclass
class _HandlerStats:
    node: ast.AST
    statements: int = 0
    branches: int = 0
    loop_lines: list[int] = field(default_factory=list)
    calls: list[_Access] = field(default_factory=list)
    sql_names: dict[str, str] = field(default_factory=dict)  # `query = "SELECT ..."`
    # `paid = Payment.objects.filter(...)`: the access, dropped if `paid` becomes a subquery.
    querysets: dict[str, _Access] = field(default_factory=dict)

    @property
    def loops(self) -> int:
        return len(self.loop_lines)

    @property
    def counted(self) -> list[_Access]:
        """The data-access calls that can run in one request: of exclusive arms, the fullest."""
        return _fullest_path(self.calls)

    @property
    def access_count(self) -> int:
        return len(self.counted)

    def access_of(self, kind: str) -> list[_Access]:
        return [call for call in self.counted if call.kind == kind]


class FatRouteHandler(Rule):
    code = "BKL301"
    symbol = "fat-route-handler"
    pylint_id = "W9301"
    severity = "warning"
    options = (
        Option("max-handler-queries", int, 1,
               "data-access calls a route handler may make itself"),
        Option("max-handler-statements", int, 30,
               "statements a route handler body may have, nested ones included"),
        Option("max-handler-branches", int, 8,
               "if/elif (guard clauses excluded), loops and match cases in a route handler"),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._handlers: list[_HandlerStats] = []
        self._module_sql: dict[str, str] = {}  # module-level `QUERY = "SELECT ..."`

    # ----- entering and leaving handlers -----
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        route = self.ctx.model.route_of(node)
        if route is not None and route.kind == "handler":
            self._handlers.append(_HandlerStats(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self._handlers and self._handlers[-1].node is node:
            self._judge(self._handlers.pop())

    leave_AsyncFunctionDef = leave_FunctionDef

    def _stats(self) -> _HandlerStats | None:
        """The handler whose own body is being walked (not a function nested in it)."""
        if self._handlers and self._handlers[-1].node is self.ctx.model.current_function:
            return self._handlers[-1]
        return None

    # ----- what a handler body contains -----
    def count_statement(self, node: ast.stmt) -> None:
        stats = self._stats()
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._note_sql_name(node, stats)
        if stats is None or node is stats.node or _is_docstring(node, stats.node):
            return
        stats.statements += 1
        if isinstance(node, ast.If) and not _is_guard(node):
            stats.branches += 1
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            stats.branches += 1
            if not _only_collects(node.body):
                stats.loop_lines.append(node.lineno)
        elif isinstance(node, ast.Match):
            stats.branches += len(node.cases)

    def visit_Call(self, node: ast.Call) -> None:
        stats = self._stats()
        if stats is None:
            return
        kind = self._access_kind(node)
        if kind and not self._in_enclosing_query():
            access = _Access(kind, _last_name(node.func) or "call", node.lineno,
                             self._arms(stats.node))
            stats.calls.append(access)
            target = self._assigned_name()
            if kind == "orm" and target:
                stats.querysets[target] = access

    def visit_Name(self, node: ast.Name) -> None:
        """A queryset built earlier and used inside another query is part of that query."""
        stats = self._stats()
        if stats is None or node.id not in stats.querysets or not isinstance(node.ctx, ast.Load):
            return
        if self._in_enclosing_query(_SUBQUERY_WRAPPERS):
            access = stats.querysets.pop(node.id)
            if access in stats.calls:
                stats.calls.remove(access)

    def _assigned_name(self) -> str | None:
        """`name` when the call visited is (the start of) the value of `name = ...`."""
        ancestors = self.ctx.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            owner, child = ancestors[index], ancestors[index + 1]
            if isinstance(owner, ast.Assign):
                targets = owner.targets
                lazy = isinstance(owner.value, ast.Call) and _last_name(owner.value.func) in _LAZY
                return targets[0].id if lazy and len(targets) == 1 \
                    and isinstance(targets[0], ast.Name) else None
            if not (isinstance(owner, ast.Call) and child is owner.func
                    or isinstance(owner, ast.Attribute)):
                return None
        return None

    def visit_comprehension(self, node: ast.comprehension) -> None:
        stats = self._stats()
        parent = self.ctx.model.parent()
        if stats is None or not isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp,
                                                    ast.GeneratorExp)):
            return
        if parent.generators[0] is node and not _serializes(parent):
            stats.loop_lines.append(parent.lineno)

    def _arms(self, handler: ast.AST) -> tuple[tuple[int, int], ...]:
        """(id of the branching node, arm index) pairs from the handler down to the call."""
        ancestors = self.ctx.model.ancestors
        start = next(index for index, node in enumerate(ancestors) if node is handler)
        arms = []
        for owner, child in zip(ancestors[start:], ancestors[start + 1:]):
            arm = _arm_of(owner, child)
            if arm is not None:
                arms.append((id(owner), arm))
        return tuple(arms)

    def _in_enclosing_query(self, builders: frozenset[str] = frozenset()) -> bool:
        """`Subquery(Member.objects.filter(...))`, `Prefetch(queryset=...)`,
        `.filter(id__in=Tag.objects.values("id"))`: a queryset passed into another query is
        part of that one query, not another call."""
        ancestors = self.ctx.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            owner, child = ancestors[index], ancestors[index + 1]
            if isinstance(owner, (ast.stmt, ast.Lambda)):
                return False
            if isinstance(owner, ast.Call) and child is not owner.func \
                    and _last_name(owner.func) in (builders or _QUERY_BUILDERS):
                return True
        return False

    def _note_sql_name(self, node: ast.Assign | ast.AnnAssign, stats: _HandlerStats | None) -> None:
        """`sql = "SELECT ... FROM orders"`, then `cursor.execute(sql)`: the query is raw SQL."""
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if self.ctx.model.current_function is not None and stats is None:
            return
        names = stats.sql_names if stats is not None else self._module_sql
        text = _sql_text(node.value, self._sql_names())
        for target in targets:
            if isinstance(target, ast.Name):
                if text is None:
                    names.pop(target.id, None)
                else:
                    names[target.id] = text

    def _sql_names(self) -> dict[str, str]:
        stats = self._stats()
        return {**self._module_sql, **stats.sql_names} if stats else self._module_sql

    # ----- data access -----
    def _access_kind(self, call: ast.Call) -> str | None:
        func = call.func
        names = self._sql_names()
        if _is_sql_call(call, names) and not self._inside_sql_call(names):
            return "sql" if _is_sql_call(call, names, on_tables=True) else "db"
        if not isinstance(func, ast.Attribute):
            return None
        receiver, method = func.value, func.attr
        if self._is_manager(receiver):
            return None if method in _CACHED_MANAGER_METHODS else "orm"
        if method in _MONGO_METHODS and self._is_collection(receiver):
            return "mongo"
        if method in _SESSION_METHODS and self._is_session(receiver):
            return "db" if _last_name(receiver) in ("cursor", "cur", "conn", "connection") \
                else "orm"
        return None

    def _inside_sql_call(self, names: dict[str, str]) -> bool:
        """`session.execute(text("SELECT ..."))` is one raw SQL query, not two."""
        ancestors = self.ctx.model.ancestors
        return any(isinstance(node, ast.Call) and _is_sql_call(node, names)
                   for node in ancestors[:-1])

    def _is_manager(self, receiver: ast.AST) -> bool:
        """`Order.objects` (Django) or `Order.query` (Flask-SQLAlchemy) on a class; Django's
        `objects` also on an imported model named in lower case (`tag.objects`)."""
        if not (isinstance(receiver, ast.Attribute) and receiver.attr in _MANAGER_ATTRS):
            return False
        if self._is_class(receiver.value):
            return True
        return receiver.attr == "objects" and self._is_imported(receiver.value)

    def _is_imported(self, expr: ast.AST) -> bool:
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        binding = self.ctx.model.lookup(root.id) if isinstance(root, ast.Name) else None
        return binding is not None and binding.kind in ("import", "class")

    def _is_class(self, expr: ast.AST) -> bool:
        binding = self.ctx.model.lookup(expr.id) if isinstance(expr, ast.Name) else None
        if binding is not None and binding.kind == "class":
            return True
        qualname = self.ctx.model.resolve(expr)
        name = qualname.rpartition(".")[2] if qualname else _last_name(expr)
        local = binding is not None and binding.kind in ("local", "instance")
        return bool(name) and name[0].isupper() and not local

    def _is_collection(self, receiver: ast.AST) -> bool:
        """`db.users`, `db["users"]`, `collection`, `users_collection`, or an ODM class."""
        name = _last_name(receiver) or ""
        if "collection" in name.lower() or name in ("coll", "col"):
            return True
        if isinstance(receiver, (ast.Attribute, ast.Subscript)):
            base = _last_name(receiver.value) or ""
            return base.lower() in _MONGO_RECEIVERS
        return isinstance(receiver, ast.Name) and self._is_class(receiver) \
            and self.ctx.model.resolve(receiver) is not None

    def _is_session(self, receiver: ast.AST) -> bool:
        built_with = self.ctx.model.instance_type(receiver)
        if built_with is not None and built_with.split(".")[0] in _HTTP_CLIENT_TOPS:
            return False  # requests.Session(), aiohttp.ClientSession()
        if built_with is not None and (built_with.startswith(_SQLALCHEMY_SESSIONS)
                                       or "session" in built_with.rpartition(".")[2].lower()):
            return True  # Session(), or the project's SessionLocal() / async_session()
        if self.ctx.model.resolve(receiver) in ("flask.session", "quart.session"):
            return False
        if isinstance(receiver, ast.Attribute) and _last_name(receiver.value) == "request":
            return False  # request.session: the cookie session, not a database one
        return (_last_name(receiver) or "").lower() in _SESSION_NAMES

    # ----- the verdict -----
    def _judge(self, stats: _HandlerStats) -> None:
        too_many_statements = stats.statements > self.option("max-handler-statements")
        too_many_branches = stats.branches > self.option("max-handler-branches")
        too_much_access = stats.access_count > self.option("max-handler-queries")
        computes_over_data = stats.loops and stats.access_count
        if not (too_many_statements or too_many_branches or too_much_access
                or stats.access_of("sql") or computes_over_data):
            return
        found = _describe_work(stats)
        size = f"{_article(stats.statements)} {stats.statements}-statement handler"
        if too_many_branches:
            size += f" with {stats.branches} branches"
        what = f"{found} in {size}" if found else size.capitalize()
        pronoun = "them" if stats.access_count + stats.loops > 1 else "it" if found else "the logic"
        self.report(_name_position(stats.node, self.ctx.lines),
                    f"{what}; move {pronoun} into "
                    f"{self._service_target()} and call it from the handler")

    def _service_target(self) -> str:
        """The service module this file already imports, if any: the fix names it."""
        services = sorted(name for name in self.ctx.model.imported_modules
                          if any("service" in part for part in name.split(".")))
        return f"the service layer ({services[0]})" if services else "a service function"


# The engine dispatches on exact node types: every statement type counts toward the size.
for _statement_type in ast.stmt.__subclasses__():
    if _statement_type not in (ast.FunctionDef, ast.AsyncFunctionDef):
        setattr(FatRouteHandler, f"visit_{_statement_type.__name__}",
                FatRouteHandler.count_statement)


# ----- helpers -----
def _describe_work(stats: _HandlerStats) -> str:
    """What was counted, with lines: `3 ORM calls (get line 12, filter lines 14, 20)`."""
    parts = []
    for kind in ("orm", "sql", "mongo", "db"):
        calls = stats.access_of(kind)
        if calls:
            singular, plural = _KIND_WORDS[kind]
            counted = f"{len(calls)} {plural}" if len(calls) > 1 else _with_article(singular)
            parts.append(f"{counted} ({_named_lines(calls, kind)})")
    if stats.loops:
        loops = f"{stats.loops} computing loops" if stats.loops > 1 else "a computing loop"
        parts.append(f"{loops} ({_lines_text(stats.loop_lines)})")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _named_lines(calls: list[_Access], kind: str) -> str:
    if kind == "sql":
        return _lines_text([call.line for call in calls])
    lines_by_method: dict[str, list[int]] = {}
    for call in calls:
        lines_by_method.setdefault(call.method, []).append(call.line)
    return ", ".join(f"{method} {_lines_text(lines)}" for method, lines in lines_by_method.items())


def _lines_text(lines: list[int]) -> str:
    unique = sorted(set(lines))
    return ("line " if len(unique) == 1 else "lines ") + ", ".join(map(str, unique))


def _arm_of(owner: ast.AST, child: ast.AST) -> int | None:
    """Which exclusive arm of `owner` the child is in (None: not an exclusive construct, or the
    condition itself, which always runs)."""
    if isinstance(owner, (ast.If, ast.IfExp)):
        body = owner.body if isinstance(owner.body, list) else [owner.body]
        orelse = owner.orelse if isinstance(owner.orelse, list) else [owner.orelse]
        return 0 if child in body else 1 if child in orelse else None
    if isinstance(owner, ast.Match) and child in owner.cases:
        return owner.cases.index(child)
    return None


def _fullest_path(calls: list[_Access], depth: int = 0) -> list[_Access]:
    """The calls that run together at most: unconditional ones, plus for every exclusive
    construct the arm with the most calls (recursively)."""
    counted: list[_Access] = []
    arms_by_owner: dict[int, dict[int, list[_Access]]] = {}
    for call in calls:
        if len(call.arms) <= depth:
            counted.append(call)
        else:
            owner, arm = call.arms[depth]
            arms_by_owner.setdefault(owner, {}).setdefault(arm, []).append(call)
    for arms in arms_by_owner.values():
        counted.extend(max((_fullest_path(arm_calls, depth + 1) for arm_calls in arms.values()),
                           key=len))
    return sorted(counted, key=lambda call: call.line)


def _article(number: int) -> str:
    """`an 11-statement handler`, `an 8-statement`, `a 41-statement`."""
    spoken = str(number)
    starts_with_vowel = spoken.startswith("8") or spoken in ("11", "18") or (
        len(spoken) in (5, 6) and spoken[: len(spoken) - 3] in ("11", "18"))
    return "an" if starts_with_vowel else "a"


def _with_article(noun: str) -> str:
    return ("an " if noun[0] in "aeiouAEIOU" and not noun.startswith("raw") else "a ") + noun


def _name_position(node: ast.AST, lines: list[str]) -> ast.AST:
    """A node spanning the handler's name, so the finding sits on its `def` line."""
    line = node.lineno
    text = lines[line - 1] if line - 1 < len(lines) else ""
    column = text.find(node.name, node.col_offset)
    marker = ast.Name(id=node.name)
    marker.lineno = marker.end_lineno = line
    marker.col_offset = max(column, node.col_offset)
    marker.end_col_offset = marker.col_offset + len(node.name)
    return marker


def _is_docstring(node: ast.stmt, function: ast.AST) -> bool:
    return (node is function.body[0] and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))


def _is_guard(node: ast.If) -> bool:
    """`if not item: raise HTTPException(404)` or an early return: validation, not logic."""
    if node.orelse or len(node.body) > 2:
        return False
    return isinstance(node.body[-1], (ast.Raise, ast.Return, ast.Continue, ast.Break))


def _is_sql_call(call: ast.Call, names: dict[str, str], on_tables: bool = False) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in _SQL_METHODS or not call.args:
        return False
    text = _sql_text(call.args[0], names)
    return text is not None and (not on_tables or bool(_SQL_ON_TABLES.search(text)))


def _sql_text(expr: ast.AST | None, names: dict[str, str]) -> str | None:
    """The SQL an expression holds: a literal, an f-string, `"..." + x`, `"...".format(x)`,
    `text("...")`, or a name assigned one of those; None if it is not SQL."""
    text = _literal_prefix(expr, names)
    return text if text is not None and _SQL.match(text) else None


def _literal_prefix(expr: ast.AST | None, names: dict[str, str]) -> str | None:
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, ast.Name):
        return names.get(expr.id)
    if isinstance(expr, ast.JoinedStr):
        return "".join(part.value for part in expr.values
                       if isinstance(part, ast.Constant) and isinstance(part.value, str))
    inner = None  # the part of a larger expression that holds the SQL's start
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        inner = expr.left
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) \
            and expr.func.attr == "format":
        inner = expr.func.value
    elif isinstance(expr, ast.Call) and expr.args and _last_name(expr.func) in _SQL_METHODS:
        inner = expr.args[0]
    return _literal_prefix(inner, names) if inner is not None else None


def _last_name(expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call):
        return _last_name(expr.func)
    return None


def _serializes(comprehension: ast.AST) -> bool:
    """One unfiltered generator whose element is built from plain values and calls."""
    generators = comprehension.generators
    if len(generators) != 1 or generators[0].ifs:
        return False
    if isinstance(comprehension, ast.DictComp):
        return _is_plain(comprehension.key) and _is_plain(comprehension.value)
    return _is_plain(comprehension.elt)


def _is_plain(expr: ast.AST | None) -> bool:
    """Values, attributes, subscripts, literals and calls of those: no arithmetic or logic.
    Serialising a row may also default a missing value (`x.isoformat() if x else None`,
    `x or ""`) and serialise its children (`[line.id for line in order.lines]`)."""
    if expr is None or isinstance(expr, (ast.Name, ast.Constant)):
        return True
    check = _PLAIN_CHECKS.get(type(expr))
    if check is not None:
        return check(expr)
    if isinstance(expr, (*_PLAIN, *_CONTAINERS)):
        return all(_is_plain(child) for child in ast.iter_child_nodes(expr)
                   if not isinstance(child, ast.expr_context))
    return False


def _plain_call(expr: ast.Call) -> bool:
    return all(_is_plain(arg) for arg in (expr.func, *expr.args,
                                          *(keyword.value for keyword in expr.keywords)))


def _plain_default(expr: ast.IfExp) -> bool:
    return _is_presence_test(expr.test) and _is_plain(expr.body) and _is_plain(expr.orelse)


def _plain_or(expr: ast.BoolOp) -> bool:
    return isinstance(expr.op, ast.Or) and all(_is_plain(value) for value in expr.values)


_PLAIN_CHECKS = {
    ast.ListComp: _serializes, ast.SetComp: _serializes, ast.GeneratorExp: _serializes,
    ast.DictComp: _serializes, ast.IfExp: _plain_default, ast.BoolOp: _plain_or,
    ast.Await: lambda expr: _is_plain(expr.value), ast.Yield: lambda expr: _is_plain(expr.value),
    ast.YieldFrom: lambda expr: _is_plain(expr.value), ast.Call: _plain_call,
    ast.Dict: lambda expr: all(_is_plain(part) for part in (*expr.keys, *expr.values)),
}


def _is_presence_test(test: ast.AST) -> bool:
    """`x`, `not x`, `x is None`, `x is not None`: a check that a value is there."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare):
        return len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)) \
            and _is_plain(test.left) and _is_plain(test.comparators[0])
    return _is_plain(test)


def _only_collects(body: list[ast.stmt]) -> bool:
    """A loop body that only appends, yields, sends or assigns plain values."""
    for statement in body:
        if isinstance(statement, ast.Expr) and _is_plain(statement.value):
            continue
        if isinstance(statement, ast.Assign) and _is_plain(statement.value):
            continue
        if isinstance(statement, ast.AnnAssign) and _is_plain(statement.value):
            continue
        return False
    return True
