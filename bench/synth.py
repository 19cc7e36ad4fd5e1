"""Source text of the synthetic backend: one builder per kind of module.

Every builder takes a `Module` (which owns a private, seeded random generator) and appends
top-level blocks to it. Violations are planted through `Module.plant`, which records the line
so that the manifest can list it; the planted line itself carries no marker, so nothing in the
generated code can act as a `# noqa` or otherwise steer the tools being measured.

The dominant response envelope is the guide's `{"success": ..., "data": ...}` /
`{"success": False, "error": ...}`; the project's client singletons live in
`acme/core/clients/`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

STDLIB = {
    "csv", "dataclasses", "datetime", "decimal", "enum", "functools", "io", "itertools",
    "json", "logging", "os", "time", "traceback", "typing", "uuid", "collections",
}

BKL101 = "BKL101"  # leaked exception detail
BKL103 = "BKL103"  # non-dominant response envelope
BKL201 = "BKL201"  # client created per request
BKL202 = "BKL202"  # module-level client that duplicates a core singleton
BKL301 = "BKL301"  # fat route handler
BKL401 = "BKL401"  # typing.Any annotation

# Probability that one opportunity (a handler, a helper function, a clients module) is a violation.
# Kept low on purpose: a real code base is mostly clean, and the tools are timed on clean code.
RATES = {BKL101: 0.05, BKL103: 0.025, BKL201: 0.025, BKL301: 0.025, BKL401: 0.03, BKL202: 0.3}


@dataclass(frozen=True)
class Entity:
    name: str
    fields: tuple[tuple[str, str], ...]  # (field name, python type), without the id

    @property
    def cls(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def plural(self) -> str:
        return self.name + "s"


@dataclass(frozen=True)
class Project:
    """One sub-project (a deployable service) of the monorepo."""

    name: str
    framework: str  # "fastapi" | "flask" | "django"
    entities: tuple[Entity, ...]
    utils: tuple[str, ...]
    peers: tuple[tuple[str, str], ...]  # (project, entity) of earlier projects, for cross imports


@dataclass
class Module:
    """A module being written: body lines, the imports they need, the planted violations."""

    docstring: str
    rng: random.Random
    body: list[str] = field(default_factory=list)
    from_imports: dict[str, set[str]] = field(default_factory=dict)
    plain_imports: set[str] = field(default_factory=set)
    planted: list[tuple[int, str]] = field(default_factory=list)
    counter: int = 0
    names: set[str] = field(default_factory=set)

    def add(self, *lines: str) -> None:
        self.body.extend(lines)

    def block(self, lines: list[str]) -> None:
        """Append a top-level definition, two blank lines apart from the previous one."""
        if self.body:
            self.body.extend(["", ""])
        self.body.extend(lines)

    def plant(self, code: str, line: str) -> None:
        self.planted.append((len(self.body) + 1, code))
        self.body.append(line)

    def chance(self, code: str) -> bool:
        return self.rng.random() < RATES[code]

    def unique(self) -> int:
        self.counter += 1
        return self.counter

    def fresh_name(self, base: str) -> str:
        """`base`, or `base_N` when a function of that name already exists in the module."""
        name = base if base not in self.names else f"{base}_{self.unique()}"
        self.names.add(name)
        return name

    def use(self, module: str, *names: str) -> None:
        """Record `from module import names`, or `import module` when no name is given."""
        if names:
            self.from_imports.setdefault(module, set()).update(names)
        else:
            self.plain_imports.add(module)

    def render(self) -> tuple[str, list[tuple[int, str]]]:
        header = [f'"""{self.docstring}"""', ""] + self._import_lines()
        if self.body and len(header) > 2:
            header += ["", ""]
        lines = header + self.body
        planted = [(line + len(header), code) for line, code in self.planted]
        return "\n".join(lines).rstrip("\n") + "\n", planted

    def _import_lines(self) -> list[str]:
        groups: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
        for module in sorted(self.plain_imports):
            groups[_import_group(module)].append(f"import {module}")
        for module in sorted(self.from_imports):
            names = ", ".join(sorted(self.from_imports[module]))
            groups[_import_group(module)].append(f"from {module} import {names}")
        out: list[str] = []
        for key in sorted(groups):
            if groups[key]:
                if out:
                    out.append("")
                out.extend(sorted(groups[key], key=lambda s: (s.startswith("from"), s)))
        return out


def _import_group(module: str) -> int:
    if module.startswith("."):
        return 3
    top = module.split(".")[0].split(" ")[0]
    if top == "acme":
        return 2
    return 0 if top in STDLIB else 1


# ----------------------------------------------------------------------------------------------
# Shared vocabulary of the three frameworks
# ----------------------------------------------------------------------------------------------

def ok(fw: str, data: str, status: int = 200) -> str:
    """A success response in the project's dominant envelope."""
    body = f'{{"success": True, "data": {data}}}'
    if fw == "fastapi":
        if status == 200:
            return f"return {body}"
        return f"return JSONResponse({body}, status_code={status})"
    if fw == "flask":
        return f"return jsonify({body})" + ("" if status == 200 else f", {status}")
    return f"return JsonResponse({body}" + (")" if status == 200 else f", status={status})")


def fail(fw: str, message: str, status: int) -> str:
    """A clean error response: the envelope, a fixed message, an error status."""
    body = f'{{"success": False, "error": "{message}"}}'
    if fw == "fastapi":
        return f'raise HTTPException(status_code={status}, detail="{message}")'
    if fw == "flask":
        return f"return jsonify({body}), {status}"
    return f"return JsonResponse({body}, status={status})"


def off_envelope(fw: str, data: str, rng: random.Random) -> str:
    """A success response in a shape nobody else in the project uses (BKL103)."""
    body = rng.choice([
        f'{{"result": {data}}}',
        f'{{"ok": True, "payload": {data}}}',
        f'{{"items": {data}, "status": "ok"}}',
    ])
    if fw == "fastapi":
        return f"return {body}"
    if fw == "flask":
        return f"return jsonify({body})"
    return f"return JsonResponse({body})"


def leak(fw: str, m: Module, exc: str) -> str:
    """An error response that hands the exception to the client (BKL101)."""
    if fw == "fastapi":
        m.use("fastapi.responses", "JSONResponse")
        choice = m.rng.randrange(3)
        if choice == 0:
            return f"raise HTTPException(500, detail=str({exc}))"
        if choice == 1:
            m.use("traceback")
            return 'return JSONResponse({"detail": traceback.format_exc()}, status_code=500)'
        return f'return JSONResponse({{"success": False, "error": str({exc})}}, status_code=500)'
    if fw == "flask":
        if m.rng.randrange(2):
            m.use("traceback")
            return 'return jsonify({"success": False, "error": traceback.format_exc()}), 500'
        return f'return jsonify({{"success": False, "error": str({exc})}}), 500'
    # The envelope is kept so the planted line breaks BKL101 only, not BKL103 as well.
    return f'return JsonResponse({{"success": False, "error": str({exc})}}, status=500)'


def framework_imports(fw: str, m: Module) -> None:
    if fw == "fastapi":
        m.use("fastapi", "APIRouter", "Depends", "HTTPException")
        m.use("fastapi.responses", "JSONResponse")
        m.use("sqlalchemy.orm", "Session")
        m.use("acme.core.clients.db", "get_session")
    elif fw == "flask":
        m.use("flask", "Blueprint", "jsonify", "request")
        m.use("flask.typing", "ResponseReturnValue")
    else:
        m.use("django.http", "HttpRequest", "JsonResponse")
        m.use("django.views", "View")
        m.use("django.views.decorators.http", "require_http_methods")
    m.use("acme.core.logging", "get_logger")


# ----------------------------------------------------------------------------------------------
# Route handlers (routers / views)
# ----------------------------------------------------------------------------------------------

OPERATIONS = ("get", "list", "create", "update", "delete", "search", "stats", "export",
              "archive", "sync", "history", "restore")


def handler_head(fw: str, e: Entity, method: str, url: str, name: str,
                 params: list[str], status: int = 200) -> list[str]:
    """Decorator and def line of a handler; `params` are typed path/query parameters."""
    if fw == "fastapi":
        extra = "" if status == 200 else f", status_code={status}"
        args = ", ".join(params + ["session: Session = Depends(get_session)"])
        return [f'@router.{method}("{url}"{extra})',
                f"def {name}({args}) -> dict[str, object]:"]
    if fw == "flask":
        flask_url = url.replace("{", "<int:").replace("}", ">")
        args = ", ".join(params)
        return [f'@bp.{method}("{flask_url}")', f"def {name}({args}) -> ResponseReturnValue:"]
    args = ", ".join(["request: HttpRequest"] + params)
    return [f'@require_http_methods(["{method.upper()}"])',
            f"def {name}({args}) -> JsonResponse:"]


def call(fw: str, e: Entity, func: str, args: str = "") -> str:
    """A call into the entity's service, passing the request's session under FastAPI."""
    parts = (["session"] if fw != "django" else []) + ([args] if args else [])
    return f"{e.name}_service.{func}({', '.join(parts)})"


def request_body(fw: str, e: Entity, model: str) -> tuple[list[str], str]:
    """Parameters and lines that produce a validated `body` of type `model`."""
    if fw == "fastapi":
        return [f"body: {model}"], ""
    if fw == "flask":
        return [], f"body = {model}.from_dict(request.get_json(force=True))"
    return [], f"body = {model}.from_dict(json.loads(request.body))"


def write_handler(fw: str, m: Module, e: Entity, op: str) -> None:
    """Append one handler; the op decides its shape, the rng whether it is a violation."""
    if m.chance(BKL301):
        write_fat_handler(fw, m, e, op)
        return
    idv = f"{e.name}_id"
    id_param = [f"{idv}: int"]
    out = f"{e.cls}Out"
    noun = e.plural if op in ("list", "search", "history") else e.name
    name = m.fresh_name(f"{op}_{noun}")
    status = 200
    params: list[str] = []
    prep: list[str] = []
    if op == "get":
        head = handler_head(fw, e, "get", f"/{e.plural}/{{{idv}}}", name, id_param)
        prep = [f"item = {call(fw, e, 'require_' + e.name, idv)}"]
        data = f"{out}.from_model(item).to_dict()"
    elif op in ("list", "search", "history"):
        params = ["page: int = 1", "size: int = 50"] if fw == "fastapi" else []
        if fw != "fastapi":
            prep = ['page = int(request.args.get("page", 1))' if fw == "flask"
                    else 'page = int(request.GET.get("page", 1))']
            prep.append("size = 50")
        head = handler_head(fw, e, "get", f"/{e.plural}/{op}" if op != "list" else f"/{e.plural}",
                            name, params)
        prep.append(f"items, total = {call(fw, e, 'list_' + e.plural, 'page=page, size=size')}")
        data = f'{{"items": [{out}.from_model(i).to_dict() for i in items], "total": total}}'
    elif op in ("create", "update"):
        model = f"{e.cls}Create" if op == "create" else f"{e.cls}Update"
        body_params, body_line = request_body(fw, e, model)
        status = 201 if op == "create" else 200
        if op == "update":
            body_params = id_param + body_params
        url = f"/{e.plural}" if op == "create" else f"/{e.plural}/{{{idv}}}"
        head = handler_head(fw, e, "post" if op == "create" else "put", url, name, body_params,
                            status)
        prep = [body_line] if body_line else []
        args = "body" if op == "create" else f"{idv}, body"
        prep.append(f"item = {call(fw, e, op + '_' + e.name, args)}")
        data = f"{out}.from_model(item).to_dict()"
    else:  # delete, stats, export, archive, sync, restore: act on one item
        method = "delete" if op == "delete" else "post"
        head = handler_head(fw, e, method, f"/{e.plural}/{{{idv}}}/{op}", name, id_param)
        prep = [f"result = {call(fw, e, op + '_' + e.name, idv)}"]
        data = f'{{"id": {idv}, "{op}": result}}'
    m.block(head)
    if fw == "fastapi" and status != 200:
        status = 200  # the decorator carries it
    _write_guarded_body(fw, m, e, op, prep, data, status)


def _write_guarded_body(fw: str, m: Module, e: Entity, op: str, prep: list[str], data: str,
                        status: int) -> None:
    """try: the service call; except: a logged, clean error (or a planted leak)."""
    per_request = m.chance(BKL201)
    m.add("    try:")
    if per_request:
        _plant_per_request_client(m, e)
    if fw == "flask":
        m.use("acme.core.clients.db", "session_scope")
        m.add("        with session_scope() as session:")
        m.add(*[f"            {line}" for line in prep if line])
    else:
        m.add(*[f"        {line}" for line in prep if line])
    m.add(f"    except {e.cls}NotFound:")
    m.add(f'        logger.info("{op} {e.name}: not found")')
    m.add(f"        {fail(fw, e.name + ' not found', 404)}")
    leaking = m.chance(BKL101)
    m.add("    except Exception as exc:" if leaking or fw == "fastapi" else "    except Exception:")
    m.add(f'        logger.exception("{op} {e.name} failed")')
    if leaking:
        m.plant(BKL101, f"        {leak(fw, m, 'exc')}")
    elif fw == "fastapi":
        m.add('        raise HTTPException(status_code=500, detail="internal error") from exc')
    else:
        m.add(f"        {fail(fw, 'internal error', 500)}")
    if m.chance(BKL103):
        m.plant(BKL103, f"    {off_envelope(fw, data, m.rng)}")
    else:
        m.add(f"    {ok(fw, data, status)}")


def _plant_per_request_client(m: Module, e: Entity) -> None:
    kind = m.rng.randrange(3)
    if kind == 0:
        m.use("httpx")
        m.plant(BKL201, "        client = httpx.Client(timeout=5.0)")
        m.add(f'        client.post("/audit", json={{"event": "{e.name}"}})')
    elif kind == 1:
        m.use("redis")
        m.use("os")
        m.plant(BKL201, '        cache = redis.Redis.from_url(os.environ["REDIS_URL"])')
        m.add(f'        cache.incr("hits:{e.name}")')
    else:
        m.use("sqlalchemy", "create_engine", "text")
        m.use("os")
        m.plant(BKL201, '        engine = create_engine(os.environ["DATABASE_URL"])')
        m.add("        with engine.connect() as conn:")
        m.add('            conn.execute(text("SELECT 1"))')


def write_fat_handler(fw: str, m: Module, e: Entity, op: str) -> None:
    """A handler doing the service's work inline: ORM queries in loops (BKL301)."""
    n = m.unique()
    name = f"{op}_{e.name}_report_{n}"
    head = handler_head(fw, e, "get", f"/{e.plural}/report-{n}", name, ["region: str"])
    m.block(head[:-1])
    m.plant(BKL301, head[-1])
    orm = _orm(fw, e)
    open_rows = orm('status == "open"')
    body = [f"rows = {open_rows}",
            "totals: dict[str, int] = {}",
            "flagged: list[int] = []",
            "for row in rows:",
            '    key = f"{row.status}:{row.created_at:%Y-%m}"',
            "    totals[key] = totals.get(key, 0) + 1",
            "    if row.owner_id % 7 == 0:",
            f"        related = {orm('owner_id == row.owner_id')}",
            "        for other in related:",
            "            if other.id != row.id and other.status == row.status:",
            "                flagged.append(other.id)",
            '    elif row.status == "stale":',
            '        row.status = "archived"',
            "buckets: dict[str, list[int]] = {}",
            "for item_id in flagged:",
            '    bucket = "high" if item_id % 3 == 0 else "low"',
            "    buckets.setdefault(bucket, []).append(item_id)",
            "ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))",
            "top = [name for name, count in ranked[:10] if count > 1]",
            "summary = {",
            '    "region": region,',
            '    "top": top,',
            '    "flagged": len(flagged),',
            '    "buckets": {k: len(v) for k, v in sorted(buckets.items())},',
            "}",
            f'logger.info("{e.name} report built", extra={{"rows": len(rows)}})',
            ok(fw, "summary")]
    indent = "    "
    if fw == "flask":
        # Flask views open their unit of work explicitly.
        m.use("acme.core.clients.db", "session_scope")
        m.add("    with session_scope() as session:")
        indent = "        "
    m.add(*[indent + line for line in body])
    if fw == "fastapi":
        m.use("acme.core.clients.db", "get_session")
    m.use(_models_module(fw, e), e.cls)


def _orm(fw: str, e: Entity):
    def query(condition: str) -> str:
        if fw == "django":
            field_name, _, value = condition.partition(" == ")
            return f"list({e.cls}.objects.filter({field_name}={value}))"
        return f"session.query({e.cls}).filter({e.cls}.{condition}).all()"
    return query


def _models_module(fw: str, e: Entity) -> str:
    return f"..models.{e.name}"


def write_class_view(fw: str, m: Module, e: Entity) -> None:
    """Flask MethodView / Django View: two methods, same envelope."""
    items = f'{{"items": [{e.cls}Out.from_model(i).to_dict() for i in items], "total": total}}'
    if fw == "flask":
        m.use("flask.views", "MethodView")
        m.use("acme.core.clients.db", "session_scope")
        base, req, ret = "MethodView", "", "ResponseReturnValue"
        open_scope, pad = ["        with session_scope() as session:"], "    "
    else:
        base, req, ret = "View", ", request: HttpRequest", "JsonResponse"
        open_scope, pad = [], ""
    n = m.unique()
    m.block([f"class {e.cls}Collection{n}View({base}):",
             f'    """Collection endpoint for {e.plural}."""',
             "",
             f"    def get(self{req}) -> {ret}:"] + open_scope + [
             f"        {pad}items, total = {call(fw, e, 'list_' + e.plural, 'page=1, size=100')}",
             f"        {ok(fw, items)}",
             "",
             f"    def delete(self{req}) -> {ret}:"] + open_scope + [
             f"        {pad}removed = {call(fw, e, 'purge_' + e.plural)}",
             f'        {ok(fw, """{"removed": removed}""")}'])


def handler_module(p: Project, e: Entity, m: Module, target_lines: int) -> None:
    fw = p.framework
    framework_imports(fw, m)
    m.use("..schemas." + e.name, f"{e.cls}Create", f"{e.cls}Out", f"{e.cls}Update")
    m.use("..services", f"{e.name}_service")
    m.use(f"..services.{e.name}_service", f"{e.cls}NotFound")
    if fw == "django":
        m.use("json")
    if fw == "fastapi":
        m.add(f'router = APIRouter(prefix="/api", tags=["{e.plural}"])')
    elif fw == "flask":
        m.add(f'bp = Blueprint("{e.plural}", __name__, url_prefix="/api")')
    m.add("logger = get_logger(__name__)")
    ops = list(OPERATIONS)
    i = 0
    while len(m.body) < target_lines:
        op = ops[i % len(ops)] if i < len(ops) else m.rng.choice(ops)
        if fw != "fastapi" and i == 3:
            write_class_view(fw, m, e)
        write_handler(fw, m, e, op)
        i += 1


# ----------------------------------------------------------------------------------------------
# Services: business logic, ORM queries, the core client singletons
# ----------------------------------------------------------------------------------------------

def service_module(p: Project, e: Entity, m: Module, target_lines: int) -> None:
    fw = p.framework
    m.use("..models." + e.name, e.cls)
    m.use("..schemas." + e.name, f"{e.cls}Create", f"{e.cls}Update")
    m.use("acme.core.logging", "get_logger")
    m.use("acme.core.errors", "DomainError")
    m.add("logger = get_logger(__name__)")
    m.block([f"class {e.cls}NotFound(DomainError):",
             f'    """Raised when no {e.name} has the requested id."""'])
    sess = "session: Session, " if fw != "django" else ""
    if fw != "django":
        m.use("sqlalchemy.orm", "Session")
    _crud_functions(fw, m, e, sess)
    fillers = [_cached_lookup, _partner_sync, _summary_function, _normalizer, _policy_class,
               _chunker, _any_helper]
    while len(m.body) < target_lines:
        m.rng.choice(fillers)(m, e)
    if p.peers and m.rng.random() < 0.3:
        peer_project, peer_entity = m.rng.choice(p.peers)
        m.use(f"acme.{peer_project}.schemas.{peer_entity}", _cls(peer_entity) + "Out")
        m.block([f"def describe_{peer_entity}_link(item: {_cls(peer_entity)}Out) -> str:",
                 f'    return f"{peer_project}:{peer_entity}:{{item.id}}"'])


def _cls(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _crud_functions(fw: str, m: Module, e: Entity, sess: str) -> None:
    c = e.cls
    if fw == "django":
        get = [f"    item = {c}.objects.filter(id={e.name}_id).first()"]
        lst = [f"    query = {c}.objects.order_by(\"-created_at\")",
               "    total = query.count()",
               "    items = list(query[(page - 1) * size : page * size])"]
        save = ["    item.save()"]
        new = [f"    item = {c}(**body.to_dict())"]
        delete = ["    item.delete()"]
        purge = [f'    removed, _ = {c}.objects.filter(status="deleted").delete()',
                 "    return removed"]
    else:
        m.use("sqlalchemy", "func", "select")
        get = [f"    item = session.get({c}, {e.name}_id)"]
        lst = [f"    total = session.scalar(select(func.count()).select_from({c})) or 0",
               f"    query = select({c}).order_by({c}.created_at.desc())",
               "    items = list(session.scalars(query.offset((page - 1) * size).limit(size)))"]
        save = ["    session.flush()"]
        new = [f"    item = {c}(**body.to_dict())", "    session.add(item)"]
        delete = ["    session.delete(item)"]
        purge = [f'    rows = session.scalars(select({c}).where({c}.status == "deleted")).all()',
                 "    for row in rows:", "        session.delete(row)", "    return len(rows)"]
    m.block([f"def get_{e.name}({sess}{e.name}_id: int) -> {c} | None:"] + get
            + ["    return item"])
    m.block([f"def require_{e.name}({sess}{e.name}_id: int) -> {c}:",
             f"    item = get_{e.name}({'session, ' if sess else ''}{e.name}_id)",
             "    if item is None:",
             f"        raise {c}NotFound({e.name}_id)",
             "    return item"])
    m.block([f"def list_{e.plural}({sess}page: int = 1, size: int = 50) -> tuple[list[{c}], int]:"]
            + lst + ["    return items, total"])
    m.block([f"def create_{e.name}({sess}body: {c}Create) -> {c}:"] + new + save
            + [f'    logger.info("{e.name} created", extra={{"id": item.id}})', "    return item"])
    s = "session, " if sess else ""
    m.block([f"def update_{e.name}({sess}{e.name}_id: int, body: {c}Update) -> {c}:",
             f"    item = require_{e.name}({s}{e.name}_id)",
             "    for key, value in body.to_dict().items():",
             "        if value is not None:",
             "            setattr(item, key, value)"] + save + ["    return item"])
    for action, status in (("archive", "archived"), ("restore", "open"), ("stats", None),
                           ("export", None), ("sync", None), ("history", None), ("search", None)):
        lines = [f"def {action}_{e.name}({sess}{e.name}_id: int) -> str:",
                 f"    item = require_{e.name}({s}{e.name}_id)"]
        if status:
            lines += [f'    item.status = "{status}"'] + save
        lines += [f'    return f"{action}:{{item.id}}:{{item.status}}"']
        m.block(lines)
    m.block([f"def delete_{e.name}({sess}{e.name}_id: int) -> str:",
             f"    item = require_{e.name}({s}{e.name}_id)"] + delete + ['    return "deleted"'])
    m.block([f"def purge_{e.plural}({sess.rstrip(', ')}) -> int:"] + purge)


def _cached_lookup(m: Module, e: Entity) -> None:
    m.use("acme.core.clients.cache", "redis_client")
    m.use("json")
    n = m.unique()
    m.block([f"def cached_{e.name}_summary_{n}({e.name}_id: int) -> dict[str, str]:",
             f'    """Read-through cache of the {e.name} summary, in the shared client."""',
             f'    key = f"{e.name}:summary:{n}:{{{e.name}_id}}"',
             "    raw = redis_client.get(key)",
             "    if raw is not None:",
             "        return json.loads(raw)",
             f'    summary = {{"id": str({e.name}_id), "kind": "{e.name}", "version": "{n}"}}',
             "    redis_client.set(key, json.dumps(summary), ex=300)",
             "    return summary"])


def _partner_sync(m: Module, e: Entity) -> None:
    m.use("acme.core.clients.http", "http_client")
    m.use("httpx")
    n = m.unique()
    signature = f"({e.name}_id: int, payload: dict[str, str]) -> bool:"
    m.block([f"def push_{e.name}_to_partner_{n}{signature}",
             f'    """Send the {e.name} to the partner API through the shared HTTP client."""',
             "    try:",
             f'        url = f"/partners/{e.plural}/{{{e.name}_id}}"',
             "        response = http_client.post(url, json=payload)",
             "        response.raise_for_status()",
             "    except httpx.HTTPError:",
             f'        logger.warning("partner sync failed", extra={{"id": {e.name}_id}})',
             "        return False",
             "    return True"])


def _summary_function(m: Module, e: Entity) -> None:
    n = m.unique()
    num = next((f for f, t in e.fields if t == "int"), "owner_id")
    m.block([f"def summarize_{e.plural}_{n}(items: list[{e.cls}]) -> dict[str, int]:",
             f'    """Count {e.plural} per status and total their {num}."""',
             "    counts: dict[str, int] = {}",
             "    total = 0",
             "    for item in items:",
             "        counts[item.status] = counts.get(item.status, 0) + 1",
             f"        total += item.{num} or 0",
             '    counts["__total__"] = total',
             "    return counts"])


def _normalizer(m: Module, e: Entity) -> None:
    n = m.unique()
    name = next((f for f, t in e.fields if t == "str"), "status")
    m.block([f"def normalize_{name}_{n}(value: str | None) -> str:",
             f'    """Trim and lower-case a {e.name} {name}; empty values become "unknown"."""',
             "    if not value:",
             '        return "unknown"',
             "    cleaned = \" \".join(value.split()).lower()",
             "    if len(cleaned) > 120:",
             "        cleaned = cleaned[:120]",
             "    return cleaned"])


def _policy_class(m: Module, e: Entity) -> None:
    n = m.unique()
    m.block([f"class {e.cls}Policy{n}:",
             f'    """Decides what a caller may do with a {e.name}."""',
             "",
             "    def __init__(self, owner_id: int, roles: frozenset[str]) -> None:",
             "        self.owner_id = owner_id",
             "        self.roles = roles",
             "",
             f"    def can_view(self, item: {e.cls}) -> bool:",
             '        return item.owner_id == self.owner_id or "admin" in self.roles',
             "",
             f"    def can_edit(self, item: {e.cls}) -> bool:",
             '        if item.status in ("archived", "deleted"):',
             "            return False",
             '        return item.owner_id == self.owner_id or "editor" in self.roles'])


def _chunker(m: Module, e: Entity) -> None:
    n = m.unique()
    m.block([f"def chunk_{e.name}_ids_{n}(ids: list[int], size: int = 100) -> list[list[int]]:",
             "    chunks: list[list[int]] = []",
             "    for start in range(0, len(ids), size):",
             "        chunks.append(ids[start : start + size])",
             "    return chunks"])


def _any_helper(m: Module, e: Entity) -> None:
    """A small helper; now and then annotated with `Any`, spelled one of four ways (BKL401)."""
    n = m.unique()
    if not m.chance(BKL401):
        m.block([f"def coerce_{e.name}_value_{n}(raw: str | int | None) -> str:",
                 '    return "" if raw is None else str(raw)'])
        return
    spelling = m.rng.randrange(4)
    if spelling == 0:
        m.use("typing", "Any")
        annotation = "Any"
    elif spelling == 1:
        m.use("typing", "Any as AnyValue")
        annotation = "AnyValue"
    elif spelling == 2:
        m.use("typing as t")
        annotation = "t.Any"
    else:
        m.use("typing")
        annotation = "typing.Any"
    m.block([])
    m.plant(BKL401, f"def coerce_{e.name}_value_{n}(raw: {annotation}) -> str:")
    m.add('    return "" if raw is None else str(raw)')


# ----------------------------------------------------------------------------------------------
# Schemas and models
# ----------------------------------------------------------------------------------------------

PY_TO_SQLA = {"str": "String(255)", "int": "Integer", "bool": "Boolean", "float": "Float",
              "datetime": "DateTime"}
PY_TO_DJANGO = {"str": "models.CharField(max_length=255)", "int": "models.IntegerField()",
                "bool": "models.BooleanField(default=False)", "float": "models.FloatField()",
                "datetime": "models.DateTimeField()"}


def schema_module(p: Project, e: Entity, m: Module, target_lines: int) -> None:
    if any(t == "datetime" for _, t in e.fields):
        m.use("datetime", "datetime")
    if p.framework == "fastapi":
        _pydantic_schemas(m, e)
    else:
        _dataclass_schemas(m, e)
    while len(m.body) < target_lines:
        n = m.unique()
        if p.framework == "fastapi":
            m.use("pydantic", "BaseModel")
            head = [f"class {e.cls}Filter{n}(BaseModel):"]
        else:
            m.use("dataclasses", "dataclass")
            head = ["@dataclass(frozen=True)", f"class {e.cls}Filter{n}:"]
        lines = head + [f'    """Query filter #{n} over {e.plural}."""', ""]
        lines += [f"    {name}: {t} | None = None" for name, t in e.fields]
        lines += ["    page: int = 1", "    size: int = 50"]
        m.block(lines)


def _pydantic_schemas(m: Module, e: Entity) -> None:
    m.use("pydantic", "BaseModel", "ConfigDict")
    fields = [f"    {name}: {t}" for name, t in e.fields]
    m.block([f"class {e.cls}Create(BaseModel):"] + fields + [
        "",
        "    def to_dict(self) -> dict[str, object]:",
        "        return self.model_dump()"])
    m.block([f"class {e.cls}Update(BaseModel):"]
            + [f"    {name}: {t} | None = None" for name, t in e.fields] + [
        "",
        "    def to_dict(self) -> dict[str, object]:",
        "        return self.model_dump(exclude_unset=True)"])
    m.block([f"class {e.cls}Out(BaseModel):",
             "    model_config = ConfigDict(from_attributes=True)",
             "",
             "    id: int"] + fields + [
        "",
        "    @classmethod",
        f'    def from_model(cls, item: object) -> "{e.cls}Out":',
        "        return cls.model_validate(item)",
        "",
        "    def to_dict(self) -> dict[str, object]:",
        '        return self.model_dump(mode="json")'])


def _dataclass_schemas(m: Module, e: Entity) -> None:
    m.use("dataclasses", "asdict", "dataclass")
    fields = [f"    {name}: {t}" for name, t in e.fields]
    for suffix, optional in (("Create", False), ("Update", True)):
        body = ([f"    {name}: {t} | None = None" for name, t in e.fields] if optional else fields)
        m.block(["@dataclass(frozen=True)", f"class {e.cls}{suffix}:"] + body + [
            "",
            "    @classmethod",
            f'    def from_dict(cls, raw: dict[str, object]) -> "{e.cls}{suffix}":',
            "        known = {f: raw[f] for f in cls.__dataclass_fields__ if f in raw}",
            "        return cls(**known)  # type: ignore[arg-type]",
            "",
            "    def to_dict(self) -> dict[str, object]:",
            "        return asdict(self)"])
    m.block(["@dataclass(frozen=True)", f"class {e.cls}Out:", "    id: int"] + fields + [
        "",
        "    @classmethod",
        f'    def from_model(cls, item: object) -> "{e.cls}Out":',
        "        names = cls.__dataclass_fields__",
        "        return cls(**{name: getattr(item, name) for name in names})",
        "",
        "    def to_dict(self) -> dict[str, object]:",
        "        return asdict(self)"])


def model_module(p: Project, e: Entity, m: Module, target_lines: int) -> None:
    if p.framework == "django":
        m.use("django.db", "models")
        lines = [f"class {e.cls}(models.Model):"]
        lines += [f"    {name} = {PY_TO_DJANGO[t]}" for name, t in e.fields]
        lines += ["", "    class Meta:", f'        db_table = "{p.name}_{e.plural}"',
                  '        ordering = ["-created_at"]']
    else:
        m.use("acme.core.clients.db", "Base")
        m.use("sqlalchemy", "Column", *sorted({PY_TO_SQLA[t].split("(")[0] for _, t in e.fields}),
              "Integer")
        lines = [f"class {e.cls}(Base):", f'    __tablename__ = "{p.name}_{e.plural}"', "",
                 "    id = Column(Integer, primary_key=True)"]
        lines += [f"    {name} = Column({PY_TO_SQLA[t]}, nullable=False)" for name, t in e.fields]
    lines += ["", "    def __str__(self) -> str:", f'        return f"{e.cls}({{self.id}})"']
    m.block(lines)
    while len(m.body) < target_lines:
        n = m.unique()
        m.block([f"def {e.name}_label_{n}(item: {e.cls}) -> str:",
                 f'    return f"{e.name}-{n}-{{item.id}}-{{item.status}}"'])


# ----------------------------------------------------------------------------------------------
# Utilities, clients, package plumbing
# ----------------------------------------------------------------------------------------------

def util_module(p: Project, util: str, m: Module, target_lines: int) -> None:
    m.use("acme.core.logging", "get_logger")
    m.add("logger = get_logger(__name__)")
    e = p.entities[0] if p.entities else Entity("record", (("status", "str"),))
    makers = [_util_money, _util_dates, _util_ids, _chunker, _normalizer, _any_helper]
    while len(m.body) < target_lines:
        m.rng.choice(makers)(m, e)


def _util_money(m: Module, e: Entity) -> None:
    m.use("decimal", "ROUND_HALF_UP", "Decimal")
    n = m.unique()
    m.block([f"def cents_to_amount_{n}(cents: int, currency: str = \"EUR\") -> str:",
             '    """Format integer cents for display; rounding is banker-free on purpose."""',
             "    cent = Decimal(\"0.01\")",
             "    amount = (Decimal(cents) / 100).quantize(cent, rounding=ROUND_HALF_UP)",
             '    return f"{amount} {currency}"'])


def _util_dates(m: Module, e: Entity) -> None:
    m.use("datetime", "datetime", "timedelta", "timezone")
    n = m.unique()
    m.block([f"def business_days_between_{n}(start: datetime, end: datetime) -> int:",
             "    days = 0",
             "    current = start.astimezone(timezone.utc)",
             "    while current < end:",
             "        if current.weekday() < 5:",
             "            days += 1",
             "        current += timedelta(days=1)",
             "    return days"])


def _util_ids(m: Module, e: Entity) -> None:
    m.use("uuid")
    n = m.unique()
    m.block([f"def new_public_id_{n}(prefix: str) -> str:",
             '    return f"{prefix}_{uuid.uuid4().hex[:20]}"'])


def clients_module(p: Project, m: Module) -> None:
    """Project-local wrappers around the core singletons; sometimes a duplicate client (BKL202)."""
    m.use("acme.core.clients.http", "http_client")
    m.use("acme.core.clients.cache", "redis_client")
    m.use("httpx")
    if m.chance(BKL202):
        kind = m.rng.randrange(3)
        m.use("os")
        if kind == 0:
            m.use("redis")
            m.plant(BKL202, 'local_cache = redis.Redis.from_url(os.environ["REDIS_URL"])')
        elif kind == 1:
            m.plant(BKL202, 'partner_http = httpx.Client(base_url=os.environ["PARTNER_URL"])')
        else:
            m.use("sqlalchemy", "create_engine")
            m.plant(BKL202, 'reporting_engine = create_engine(os.environ["DATABASE_URL"])')
    m.block([f"class {_cls(p.name)}Gateway:",
             f'    """The one place {p.name} talks to partners, through the shared client."""',
             "",
             "    def __init__(self, client: httpx.Client = http_client) -> None:",
             "        self.client = client",
             "",
             "    def fetch_status(self, ref: str) -> str:",
             f'        response = self.client.get(f"/{p.name}/status/{{ref}}")',
             "        response.raise_for_status()",
             '        return str(response.json().get("status", "unknown"))',
             "",
             "    def remember(self, key: str, value: str) -> None:",
             f'        redis_client.set(f"{p.name}:{{key}}", value, ex=600)'])
    m.block([f"gateway = {_cls(p.name)}Gateway()"])


def app_module(p: Project, m: Module) -> None:
    """The framework entry point that wires the handler modules together."""
    if p.framework == "fastapi":
        m.use("fastapi", "FastAPI")
        for e in p.entities:
            m.use(".routers", e.name)
        m.add(f'app = FastAPI(title="{p.name}")')
        for e in p.entities:
            m.add(f"app.include_router({e.name}.router)")
    elif p.framework == "flask":
        m.use("flask", "Flask")
        for e in p.entities:
            m.use(".views", e.name)
        m.block(["def create_app() -> Flask:", "    app = Flask(__name__)"]
                + [f"    app.register_blueprint({e.name}.bp)" for e in p.entities]
                + ["    return app"])
    else:
        m.use("django.urls", "path")
        for e in p.entities:
            m.use(".views", e.name)
        lines = ["urlpatterns = ["]
        for e in p.entities:
            lines += [f'    path("api/{e.plural}", {e.name}.list_{e.plural}),',
                      f'    path("api/{e.plural}/<int:{e.name}_id>", {e.name}.get_{e.name}),']
        m.add(*lines, "]")


def apps_module(p: Project, m: Module) -> None:
    m.use("django.apps", "AppConfig")
    m.block([f"class {_cls(p.name)}Config(AppConfig):",
             '    default_auto_field = "django.db.models.BigAutoField"',
             f'    name = "acme.{p.name}"'])


def dependencies_module(p: Project, m: Module) -> None:
    m.use("fastapi", "Header", "HTTPException")
    m.block(["def require_tenant(x_tenant: str = Header(default=\"\")) -> str:",
             "    if not x_tenant:",
             '        raise HTTPException(status_code=400, detail="missing tenant")',
             "    return x_tenant"])


# Core modules: the singletons and helpers every sub-project reuses.
CORE_SOURCES: dict[str, tuple[str, list[str], list[str]]] = {
    "acme/__init__.py": ("Acme backend monorepo.", [], []),
    "acme/core/__init__.py": ("Shared infrastructure of every Acme service.", [], []),
    "acme/core/clients/__init__.py": ("The process-wide client singletons.", [], []),
    "acme/core/settings.py": (
        "Settings read from the environment once, at import.",
        ["import os"],
        ['DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///acme.db")',
         'REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")',
         'PARTNER_URL = os.environ.get("PARTNER_URL", "http://localhost:8080")',
         'DEBUG = os.environ.get("ACME_DEBUG", "") == "1"']),
    "acme/core/logging.py": (
        "One logger factory, so every service logs the same way.",
        ["import logging"],
        ["def get_logger(name: str) -> logging.Logger:",
         "    logger = logging.getLogger(name)",
         "    logger.propagate = True",
         "    return logger"]),
    "acme/core/errors.py": (
        "The domain error hierarchy.",
        [],
        ["class DomainError(Exception):",
         '    """Base of every expected, user-facing failure."""',
         "",
         "",
         "class ValidationFailed(DomainError):",
         "    def __init__(self, reason: str) -> None:",
         "        super().__init__(reason)",
         "        self.reason = reason"]),
    "acme/core/clients/db.py": (
        "The database engine and session factory: create them nowhere else.",
        ["from collections.abc import Iterator", "from contextlib import contextmanager", "",
         "from sqlalchemy import create_engine",
         "from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker", "",
         "from acme.core import settings"],
        ["engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)",
         "SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)",
         "",
         "",
         "class Base(DeclarativeBase):",
         "    pass",
         "",
         "",
         "def get_session() -> Iterator[Session]:",
         "    session = SessionLocal()",
         "    try:",
         "        yield session",
         "        session.commit()",
         "    finally:",
         "        session.close()",
         "",
         "",
         "@contextmanager",
         "def session_scope() -> Iterator[Session]:",
         "    yield from get_session()"]),
    "acme/core/clients/cache.py": (
        "The shared Redis client.",
        ["import redis", "", "from acme.core import settings"],
        ["redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2.0)"]),
    "acme/core/clients/http.py": (
        "The shared HTTP clients for partner APIs.",
        ["import httpx", "", "from acme.core import settings"],
        ["http_client = httpx.Client(base_url=settings.PARTNER_URL, timeout=10.0)",
         "async_http_client = httpx.AsyncClient(base_url=settings.PARTNER_URL, timeout=10.0)"]),
}


def core_source(path: str) -> str:
    doc, imports, body = CORE_SOURCES[path]
    lines = [f'"""{doc}"""']
    if imports:
        lines += [""] + imports
    if body:
        lines += ["", ""] + body
    return "\n".join(lines) + "\n"
