"""Client constructors and where a construction runs: the knowledge BKL201 and BKL202 share.

A *client* is an object that owns connections or a pool (a database engine, a redis client, an
HTTP session, a cloud SDK client). Building one is expensive and it is meant to be shared, so
where a construction runs decides whether it is fine: once at import (a module-level
singleton), once per process (a cached factory, a lazy global), or on every call.

The collector and the project index built from it are in `client_index`.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from .base import Option
from .model import FunctionNode, SemanticModel

# ----- the built-in table: qualified constructor -> kind (a noun used in messages) -----


def _variants(modules: tuple[str, ...], names: tuple[str, ...], kind: str) -> dict[str, str]:
    return {f"{module}.{name}": kind for module in modules for name in names}


def _redis(modules: tuple[str, ...], kind: str) -> dict[str, str]:
    classes = ("Redis", "StrictRedis", "RedisCluster", "ConnectionPool", "BlockingConnectionPool")
    table = _variants(modules, ("from_url",), kind)
    for name in classes:
        table.update(_variants(modules, (name, f"{name}.from_url"), kind))
    return table


# (modules, names, kind): every `module.name` builds a client of that kind. HTTP clients of
# different libraries have different APIs, so one cannot stand in for another.
_CONSTRUCTORS = (
    (("sqlalchemy", "sqlalchemy.engine", "sqlmodel"),
     ("create_engine", "engine_from_config"), "SQLAlchemy engine"),
    (("sqlalchemy.ext.asyncio",),
     ("create_async_engine", "async_engine_from_config"), "async SQLAlchemy engine"),
    (("sqlalchemy.orm", "sqlalchemy.orm.session"), ("sessionmaker",), "SQLAlchemy session factory"),
    (("sqlalchemy.ext.asyncio", "sqlalchemy.ext.asyncio.session"),
     ("async_sessionmaker",), "async SQLAlchemy session factory"),
    (("databases",), ("Database",), "async database"),
    (("redis.sentinel",), ("Sentinel",), "redis client"),
    (("aioredis",), ("create_redis_pool",), "async redis client"),
    (("pymongo", "pymongo.mongo_client"), ("MongoClient",), "MongoDB client"),
    (("pymongo",), ("AsyncMongoClient",), "async MongoDB client"),
    (("motor.motor_asyncio",), ("AsyncIOMotorClient",), "async MongoDB client"),
    (("psycopg2", "psycopg"), ("connect",), "Postgres connection"),
    (("psycopg.Connection",), ("connect",), "Postgres connection"),
    (("psycopg.AsyncConnection",), ("connect",), "async Postgres connection"),
    (("psycopg2.pool",), ("SimpleConnectionPool", "ThreadedConnectionPool"), "Postgres connection"),
    (("psycopg_pool",), ("ConnectionPool",), "Postgres connection"),
    (("psycopg_pool",), ("AsyncConnectionPool",), "async Postgres connection"),
    (("asyncpg",), ("connect", "create_pool"), "async Postgres connection"),
    (("pymysql", "MySQLdb", "mysql.connector"), ("connect",), "MySQL connection"),
    (("aiomysql",), ("connect", "create_pool"), "async MySQL connection"),
    (("httpx",), ("Client",), "httpx client"),
    (("httpx",), ("AsyncClient",), "async httpx client"),
    (("requests", "requests.sessions"), ("Session", "session"), "requests session"),
    (("urllib3",), ("PoolManager",), "urllib3 pool manager"),
    (("aiohttp", "aiohttp.client"), ("ClientSession",), "aiohttp session"),
    (("boto3", "boto3.session"), ("Session",), "AWS session"),
    (("aioboto3",), ("Session",), "async AWS session"),
    (("openai",), ("OpenAI", "AzureOpenAI"), "OpenAI client"),
    (("openai",), ("AsyncOpenAI", "AsyncAzureOpenAI"), "async OpenAI client"),
    (("anthropic",), ("Anthropic", "AnthropicBedrock", "AnthropicVertex"), "Anthropic client"),
    (("anthropic",),
     ("AsyncAnthropic", "AsyncAnthropicBedrock", "AsyncAnthropicVertex"), "async Anthropic client"),
    (("elasticsearch",), ("Elasticsearch",), "Elasticsearch client"),
    (("elasticsearch",), ("AsyncElasticsearch",), "async Elasticsearch client"),
    (("opensearchpy",), ("OpenSearch",), "OpenSearch client"),
    (("opensearchpy",), ("AsyncOpenSearch",), "async OpenSearch client"),
    (("stripe",), ("StripeClient",), "Stripe client"),
    (("sendgrid", "sendgrid.sendgrid"), ("SendGridAPIClient",), "SendGrid client"),
    (("twilio.rest",), ("Client",), "Twilio client"),
    (("slack_sdk", "slack_sdk.web", "slack"), ("WebClient",), "Slack client"),
    (("slack_sdk.web.async_client", "slack_sdk.web.async_client"),
     ("AsyncWebClient",), "async Slack client"),
    (("kafka",), ("KafkaProducer", "KafkaConsumer"), "Kafka client"),
    (("aiokafka",), ("AIOKafkaProducer", "AIOKafkaConsumer"), "async Kafka client"),
    (("pika",), ("BlockingConnection",), "RabbitMQ connection"),
)

_REDIS_MODULES = (
    (("redis", "redis.client", "redis.cluster"), "redis client"),
    (("redis.asyncio", "redis.asyncio.client", "aioredis"), "async redis client"),
)


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for modules, kind in _REDIS_MODULES:
        table.update(_redis(modules, kind))
    for modules, names, kind in _CONSTRUCTORS:
        table.update(_variants(modules, names, kind))
    for service, names in _GOOGLE_CLOUD.items():
        table.update(_variants((f"google.cloud.{service}",), names,
                               f"Google Cloud {service} client"))
    return table


_GOOGLE_CLOUD = {
    "storage": ("Client",), "bigquery": ("Client",), "firestore": ("Client", "AsyncClient"),
    "datastore": ("Client",), "pubsub_v1": ("PublisherClient", "SubscriberClient"),
    "pubsub": ("PublisherClient", "SubscriberClient"),
    "secretmanager": ("SecretManagerServiceClient",), "tasks_v2": ("CloudTasksClient",),
    "translate": ("Client",), "speech": ("SpeechClient",), "vision": ("ImageAnnotatorClient",),
}
CLIENT_CONSTRUCTORS = _build_table()
# boto3's `client("s3")` / `resource("s3")`: the service, the first argument, names the kind.
_AWS_FACTORIES = {"boto3.client": "client", "boto3.resource": "resource",
                  "boto3.session.Session.client": "client",
                  "boto3.session.Session.resource": "resource"}
_AWS_SESSIONS = frozenset({"boto3.Session", "boto3.session.Session"})
# Arguments that say which server or API a client talks to: two clients with different values
# serve different purposes (a cache and a queue, a primary and a replica, two APIs).
_DESTINATION_KEYWORDS = frozenset({
    "url", "base_url", "host", "hosts", "port", "db", "dsn", "database", "endpoint_url",
    "region_name", "project", "cloud_id", "azure_endpoint", "conninfo", "uri", "bind",
    "bootstrap_servers", "service_name",
    # Who connects is part of where: one queue read with two roles' credentials is two clients.
    "aws_access_key_id", "profile_name", "api_key", "username", "user", "token", "credentials",
})
# A constructor given one of these reuses an existing pool instead of opening its own.
_SHARED_POOL_KEYWORDS = frozenset({"connection_pool", "connector"})
_CACHE_DECORATORS = frozenset({
    "functools.cache", "functools.lru_cache", "functools.cached_property",
    "async_lru.alru_cache", "cachetools.cached", "cachetools.func.lru_cache",
})
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.__getitem__",
                          "decouple.config", "environ.Env"})
# Modules where a project keeps its shared clients; their instance is the one to name.
CANONICAL_MODULE_NAMES = ("db", "database", "clients", "client", "core", "extensions", "deps",
                          "dependencies", "redis", "cache", "session", "connections", "infra",
                          "lib", "http", "mongo")

CLIENT_FACTORIES_OPTION = Option(
    "client-factories", tuple, (),
    "qualified names of the project's own client constructors, beside the built-in table")


# ----- recognising a construction -----
def constructor_kind(model: SemanticModel, call: ast.Call, extra: tuple[str, ...],
                     client_classes: dict[str, dict] | None = None) -> tuple[str, str] | None:
    """(qualified constructor, kind) when `call` builds a client, else None. `client_classes`:
    the file's subclasses of client constructors (`class RedisCli(Redis)`), by qualified name."""
    qualname = model.resolve(call.func)
    if qualname is None and isinstance(call.func, ast.Attribute):
        receiver = model.instance_type(call.func.value)
        if receiver in _AWS_SESSIONS:
            qualname = f"boto3.session.Session.{call.func.attr}"
    if qualname is None or _reuses_pool(call):
        return None
    if qualname in _AWS_FACTORIES:
        return qualname, _aws_kind(call, _AWS_FACTORIES[qualname])
    if qualname in CLIENT_CONSTRUCTORS:
        return qualname, CLIENT_CONSTRUCTORS[qualname]
    if qualname in extra:
        return qualname, qualname
    if client_classes and qualname in client_classes:
        return qualname, client_classes[qualname]["kind"]
    return None


def client_base(model: SemanticModel, node: ast.ClassDef, extra: tuple[str, ...],
                client_classes: dict[str, dict]) -> dict | None:
    """`{"constructor", "kind", "destination"}` when a base of the class is a client constructor
    of the table or one of `client_classes`: its instances are clients of that kind."""
    for base in node.bases:
        qualname = model.resolve(base)
        if qualname in client_classes:
            return dict(client_classes[qualname])
        kind = CLIENT_CONSTRUCTORS.get(qualname) or (qualname if qualname in extra else None)
        if kind:
            return {"constructor": qualname, "kind": kind, "destination": []}
    return None


def is_super_init(call: ast.Call) -> bool:
    """`super().__init__(...)`: the parent's constructor, run by an instance being built."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr == "__init__" \
        and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) \
        and func.value.func.id == "super"


def _reuses_pool(call: ast.Call) -> bool:
    return any(keyword.arg in _SHARED_POOL_KEYWORDS for keyword in call.keywords)


def _aws_kind(call: ast.Call, flavour: str) -> str:
    service = _literal(call.args[0]) if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "service_name":
            service = _literal(keyword.value)
    return f"AWS {service or 'service'} {flavour}"


def _literal(expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def destination(model: SemanticModel, call: ast.Call, qualname: str) -> tuple[str, ...]:
    """What a client connects to, normalised so `os.environ["REDIS_URL"]`, `getenv("REDIS_URL")`
    and `settings.REDIS_URL` compare equal: sorted `key=value` strings, empty when unsaid."""
    parts = []
    is_aws = qualname in _AWS_FACTORIES  # its first argument is the service, part of the kind
    positional = call.args[1:] if is_aws else call.args
    if positional and not isinstance(positional[0], ast.Starred):
        parts.append(f"0={_normalise(model, positional[0])}")
    for keyword in call.keywords:
        if keyword.arg in _DESTINATION_KEYWORDS and not (is_aws and keyword.arg == "service_name"):
            parts.append(f"{keyword.arg}={_normalise(model, keyword.value)}")
    return tuple(sorted(parts))


def _normalise(model: SemanticModel, expr: ast.AST) -> str:
    expr = _unwrap_str(expr)
    if isinstance(expr, ast.Constant):
        return repr(expr.value)
    env_name = _env_name(model, expr)
    if env_name:
        return env_name.lower()
    if isinstance(expr, ast.Attribute):
        return expr.attr.lower()
    if isinstance(expr, ast.Name):
        return expr.id.lower()
    return ast.unparse(expr)


def _unwrap_str(expr: ast.AST) -> ast.AST:
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) \
            and expr.func.id == "str" and len(expr.args) == 1:
        expr = expr.args[0]
    return expr


def _env_name(model: SemanticModel, expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Subscript) and model.resolve(expr.value) == "os.environ":
        return _literal(expr.slice)
    if isinstance(expr, ast.Call) and expr.args and model.resolve(expr.func) in _ENV_GETTERS:
        return _literal(expr.args[0])
    return None


# ----- where a construction runs -----
def runtime_functions(ancestors: list[ast.AST],
                      known: dict[ast.AST, tuple[ast.AST, ...]] | None = None) -> list[ast.AST]:
    """The functions whose *body* contains the last node, outermost first: decorators and
    default values run when the `def` runs, so they belong to the enclosing function.
    `known` keeps the answer per node on the path, for the calls of one file."""
    known = {} if known is None else known
    index = len(ancestors) - 1
    while index > 0 and ancestors[index] not in known:
        index -= 1
    found = list(known.get(ancestors[index], ())) if index > 0 else []
    for parent, child in zip(ancestors[index:], ancestors[index + 1:]):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if child in parent.body:
                found.append(parent)
        elif isinstance(parent, ast.Lambda) and parent.body is child:
            found.append(parent)
        known[child] = tuple(found)
    return found


def function_qualname(model: SemanticModel, function: ast.AST) -> str | None:
    """`module.func` or `module.Class.method` for functions importable by name, else None."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    outer = _outer_definitions(model.ancestors, function)
    if not outer:
        return f"{model.module}.{function.name}"
    if len(outer) == 1 and isinstance(outer[0], ast.ClassDef):
        return f"{model.module}.{outer[0].name}.{function.name}"
    return None


def function_id(model: SemanticModel, function: FunctionNode) -> str:
    """A project-unique id: the qualified name, or `module:name@line` for nested functions."""
    return function_qualname(model, function) or \
        f"{model.module}:{function.name}@{function.lineno}"


def _outer_definitions(ancestors: list[ast.AST], node: ast.AST) -> list[ast.AST]:
    definitions = []
    for ancestor in ancestors:
        if ancestor is node:
            break
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                 ast.Lambda)):
            definitions.append(ancestor)
    return definitions


def is_cached(model: SemanticModel, function: ast.AST) -> bool:
    for decorator in getattr(function, "decorator_list", ()):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        qualname = model.resolve(target) or ""
        if qualname in _CACHE_DECORATORS or qualname.endswith((".alru_cache", ".lru_cache")):
            return True
    return False


def under_main_guard(ancestors: list[ast.AST]) -> bool:
    """Code under `if __name__ == "__main__":` is a script's, not the server's."""
    for node in ancestors:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) \
                and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__":
            return True
    return False


def runs_at_import(body: list[ast.stmt]) -> bool:
    """A module that does its work when run, with no main guard: a loop or a `print(...)` at
    module level, also under a module-level `if`/`try`/`with` (a data or seed script), which a
    server's modules do not have."""
    for statement in body:
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            return True
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                and isinstance(statement.value.func, ast.Name) \
                and statement.value.func.id in ("print", "input"):
            return True
        if isinstance(statement, (ast.If, ast.Try, ast.With)) \
                and any(runs_at_import(block) for block in _blocks(statement)):
            return True
    return False


def _blocks(statement: ast.If | ast.Try | ast.With) -> list[list[ast.stmt]]:
    blocks = [statement.body, getattr(statement, "orelse", []),
              getattr(statement, "finalbody", [])]
    return blocks + [handler.body for handler in getattr(statement, "handlers", [])]


def assignment_of(model: SemanticModel, call: ast.Call) -> ast.AST | None:
    """The target a construction is stored in: `x = Redis()`, `x = await create_pool()`,
    `x = create_engine(...).execution_options(...)`."""
    child: ast.AST = call
    for ancestor in reversed(model.ancestors[:-1]):
        if isinstance(ancestor, (ast.Assign, ast.AnnAssign)) and ancestor.value is child:
            targets = ancestor.targets if isinstance(ancestor, ast.Assign) else [ancestor.target]
            return targets[0] if len(targets) == 1 else None
        if not (isinstance(ancestor, ast.Await)
                or (isinstance(ancestor, ast.Attribute) and ancestor.value is child)
                or (isinstance(ancestor, ast.Call) and ancestor.func is child)):
            return None
        child = ancestor
    return None


def is_returned(model: SemanticModel, call: ast.Call, function: ast.AST) -> bool:
    """`return Redis(...)`, or `client = Redis(...)` and later `return client`."""
    parent = model.parent(call)
    while isinstance(parent, ast.Await):
        parent = model.parent(parent)
    if isinstance(parent, ast.Return) or (isinstance(function, ast.Lambda) and parent is function):
        return True
    target = assignment_of(model, call)
    if not isinstance(target, ast.Name):
        return False
    return any(isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
               and node.value.id == target.id for node in ast.walk(function))


def returned_position(model: SemanticModel, call: ast.Call, function: ast.AST) -> int | None:
    """Where a factory returns the client it builds: -1 for `return client`, the index for
    `return session_factory, engine`, None when it does not return it."""
    if is_returned(model, call, function):
        return -1
    target = assignment_of(model, call)
    if not isinstance(target, ast.Name):
        return None
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            for index, element in enumerate(node.value.elts):
                if isinstance(element, ast.Name) and element.id == target.id:
                    return index
    return None


SESSION_FACTORY_KINDS = frozenset({"SQLAlchemy session factory",
                                   "async SQLAlchemy session factory"})


def bound_client(call: ast.Call) -> ast.AST | None:
    """What a session factory is bound to: `sessionmaker(bind=engine)`, `sessionmaker(engine)`."""
    for keyword in call.keywords:
        if keyword.arg == "bind":
            return keyword.value
    return call.args[0] if call.args else None


def is_importable(relative: str) -> bool:
    """A module the application can import: every folder and the file named like a module, no
    dot-folder (`.semgrep/`, `.github/`), no scripts folder."""
    parts = PurePosixPath(relative).with_suffix("").parts
    return all(part.isidentifier() for part in parts) \
        and not any(part in _SCRIPT_FOLDERS for part in parts[:-1])


_SCRIPT_FOLDERS = frozenset({"scripts", "script", "bin", "tools", "examples", "docs"})


def is_lazy_singleton(target: ast.AST | None, function: ast.AST,
                      ancestors: list[ast.AST]) -> bool:
    """A construction stored once and reused: `global _client` then `_client = X()`; guarded by
    `if self._x is None:` or `if key not in _clients:`; after an early return of the stored one
    (`if _client is not None: return _client`, `try: return _clients[key]` / `except KeyError:`);
    a local stored into such a place (`client = X()`, `_clients[key] = client`)."""
    if target is None:
        return False
    declared = _declared_global(function)
    if isinstance(target, ast.Name) and target.id in declared:
        return True
    stores = [target, *_stores_of_local(target, function)]
    local = _assigned_names(function) - declared
    texts = {ast.unparse(store) for store in stores} | {
        ast.unparse(store.value) for store in stores if isinstance(store, ast.Subscript)
        and not (isinstance(store.value, ast.Name) and store.value.id in local)}
    inside = False
    for node in ancestors:
        inside = inside or node is function
        if inside and isinstance(node, ast.If) \
                and any(_mentions(node.test, text) for text in texts):
            return True
    lasting = [store for store in stores if isinstance(store, ast.Attribute)
               or (isinstance(store, ast.Subscript) and ast.unparse(store.value) in texts)
               or (isinstance(store, ast.Name) and store.id in declared)]
    return bool(lasting) and _returns_stored_first(function, ancestors, texts,
                                                   getattr(target, "lineno", 0))


def _assigned_names(function: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(function)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def _stores_of_local(target: ast.AST, function: ast.AST) -> list[ast.AST]:
    """`_clients[key] = client` / `self._client = client` for the local `client`."""
    if not isinstance(target, ast.Name):
        return []
    return [node.targets[0] for node in ast.walk(function)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.value, ast.Name) and node.value.id == target.id
            and isinstance(node.targets[0], (ast.Subscript, ast.Attribute, ast.Name))
            and not (isinstance(node.targets[0], ast.Name) and node.targets[0].id == target.id)]


def _returns_stored_first(function: ast.AST, ancestors: list[ast.AST], texts: set[str],
                          line: int) -> bool:
    """An early `if <the store>: return ...` before the construction, or the construction in the
    `except` of a `try:` that returns the store."""
    for node in ast.walk(function):
        if isinstance(node, ast.If) and node.lineno < line \
                and any(_mentions(node.test, text) for text in texts) \
                and any(isinstance(inner, ast.Return) for inner in ast.walk(node)):
            return True
    for parent, child in zip(ancestors, ancestors[1:]):
        if isinstance(parent, ast.Try) and child in parent.handlers and any(
                isinstance(node, ast.Return) and node.value is not None
                and any(_mentions(node.value, text) for text in texts)
                for statement in parent.body for node in ast.walk(statement)):
            return True
    return False


def _mentions(test: ast.AST, text: str) -> bool:
    return any(isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))
               and ast.unparse(node) == text for node in ast.walk(test))


def _declared_global(function: ast.AST) -> set[str]:
    names: set[str] = set()
    for statement in getattr(function, "body", ()):
        if isinstance(statement, (ast.Global, ast.Nonlocal)):
            names.update(statement.names)
    return names


def module_level_name(model: SemanticModel, target: ast.AST | None) -> str | None:
    """`app.db.engine` for `engine = ...` at module level, `app.db.Store.client` in a class body."""
    if not isinstance(target, ast.Name):
        return None
    classes = [node.name for node in model.ancestors if isinstance(node, ast.ClassDef)]
    return ".".join([model.module, *classes[:1], target.id])


# ----- combining facts across the project -----
def collected(facts_by_path: dict[str, dict], code: str) -> Iterator[tuple[str, dict]]:
    """(path, facts) of `code`, in path order so every front end combines them alike."""
    for path in sorted(facts_by_path):
        facts = facts_by_path[path].get(code)
        if facts:
            yield path, facts


def canonical_rank(singleton: dict) -> tuple:
    """Deterministic preference: the instance most modules import, then one in a module named
    like db/clients/core/cache..., in the module most imported, a module-level one, a named one,
    the shortest path, the first by path and line."""
    parts = PurePosixPath(singleton["relative"]).with_suffix("").parts
    named_for_clients = any(part in CANONICAL_MODULE_NAMES for part in parts)
    instance_importers, module_importers = singleton.get("importers", (0, 0))
    return (-instance_importers, not named_for_clients, -module_importers,
            singleton["how"] != "module", singleton["name"] is None, len(parts),
            singleton["relative"], singleton["line"], singleton["column"])


def describe(singleton: dict) -> str:
    where = f"{singleton['relative']}:{singleton['line']}"
    name = singleton["name"]
    if name and name.startswith("ts:"):  # `ts:src/lib/db.prisma` -> `prisma`, as it is imported
        name = name.partition(".")[2] or name
    if name:
        return f"`{name}` ({where})" if singleton.get("language") == "ts" else \
            f"{name} ({where})"
    return f"the {singleton['kind']} created at {where}"


def with_article(kind: str) -> str:
    vowel_sound = kind[:1].lower() in "aeiou" or kind.startswith(("HTTP", "httpx"))
    return f"{'an' if vowel_sound else 'a'} {kind}"
