"""Which calls read or write the database: Prisma, Drizzle, Kysely, Knex, TypeORM and
repositories, Sequelize and Mongoose models, the MongoDB driver, Supabase, and raw SQL.

A call counts when its method is a data method of one of these libraries *and* its receiver
chain starts at something that holds a database: a name such as `prisma`, `db`, `tx`, `knex`,
`this.prisma`, `ctx.db`, a `...Repository`, a model class imported from the project's models,
or `getRepository(User)`. `users.find(...)` on an array, `cache.delete(key)` or `map.set` are
not data access. A chain is one query: `db.select().from(t).where(...).execute()` counts once.
"""
from __future__ import annotations

import re

from .model import Node, TsModel, string_value, text

PRISMA = frozenset({"findMany", "findFirst", "findUnique", "findFirstOrThrow",
                    "findUniqueOrThrow", "create", "createMany", "createManyAndReturn", "update",
                    "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany",
                    "count", "aggregate", "groupBy", "$queryRaw", "$executeRaw",
                    "$queryRawUnsafe", "$executeRawUnsafe"})
BUILDERS = frozenset({"select", "selectDistinct", "insert", "update", "delete", "execute",
                      "selectFrom", "insertInto", "updateTable", "deleteFrom", "replaceInto",
                      "mergeInto", "del", "upsert", "raw", "query"})
MODELS = frozenset({"find", "findOne", "findById", "findByIdAndUpdate", "findByIdAndDelete",
                    "findOneAndUpdate", "findOneAndDelete", "findOneAndReplace", "updateOne",
                    "updateMany", "deleteOne", "deleteMany", "insertMany", "insertOne",
                    "aggregate", "countDocuments", "estimatedDocumentCount", "exists",
                    "distinct", "replaceOne", "bulkWrite", "create", "findAll", "findByPk",
                    "findOrCreate", "findAndCountAll", "bulkCreate", "update", "destroy",
                    "count", "upsert", "increment", "decrement"})
REPOSITORIES = frozenset({"find", "findOne", "findOneBy", "findBy", "findOneOrFail",
                          "findOneByOrFail", "findAndCount", "findAndCountBy", "save", "insert",
                          "update", "delete", "remove", "softDelete", "restore", "upsert",
                          "count", "countBy", "exist", "exists", "createQueryBuilder", "query",
                          "findMany", "findFirst", "findUnique", "create", "findById",
                          "increment", "decrement", "preload", "merge"})
_RAW_METHODS = frozenset({"query", "execute", "raw", "$queryRaw", "$executeRaw",
                          "$queryRawUnsafe", "$executeRawUnsafe"})
_SEQUELIZE_ONLY = frozenset({"findAll", "findByPk", "findOrCreate", "bulkCreate", "destroy",
                            "findAndCountAll"})
_MONGOOSE_ONLY = frozenset({"findById", "findByIdAndUpdate", "findByIdAndDelete",
                            "findOneAndUpdate", "findOneAndDelete", "countDocuments",
                            "insertMany", "estimatedDocumentCount"})
DATA_METHODS = PRISMA | BUILDERS | MODELS | REPOSITORIES | {"first"}
# Whatever holds a database connection, by the name code gives it.
_DATABASE_NAMES = frozenset({"prisma", "db", "database", "tx", "trx", "transaction", "knex",
                             "kysely", "drizzle", "orm", "em", "entitymanager", "manager",
                             "datasource", "appdatasource", "supabase", "sql", "mongo",
                             "mongodb", "prismaservice", "prismaclient", "dbclient",
                             "connection", "conn", "pool", "pg", "mysql", "sequelize"})
_GENERIC_CONNECTIONS = frozenset({"connection", "conn", "pool", "pg", "mysql", "sql",
                                  "sequelize", "manager", "em", "entitymanager"})
_CARRIERS = frozenset({"this", "ctx", "context", "req", "request", "c", "var", "locals", "app",
                       "fastify", "server", "opts", "options", "deps", "services", "env"})
_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\s", re.IGNORECASE)
_SQL_ON_TABLES = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s", re.IGNORECASE)
_SQL_TAGS = frozenset({"sql", "Prisma.sql", "$queryRaw", "$executeRaw", "raw", "query"})

DATA_CALL_PATTERN = (
    "(call_expression function: (member_expression property: (property_identifier) @method)"
    " (#any-of? @method " + " ".join(f'"{name}"' for name in sorted(DATA_METHODS)) +
    ")) @data_call")
SQL_TEMPLATE_PATTERN = "(call_expression arguments: (template_string)) @sql_template"


def chain(node: Node | None) -> list[str]:
    """`this.prisma.user.findMany` -> ["this", "prisma", "user", "findMany"]; calls in the
    chain are "()": `getRepository(User).find` -> ["getRepository", "()", "find"]."""
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind == "member_expression":
            parts.append(text(node.child_by_field_name("property")))
            node = node.child_by_field_name("object")
        elif kind == "call_expression":
            parts.append("()")
            node = node.child_by_field_name("function")
        elif kind in ("non_null_expression", "parenthesized_expression", "await_expression"):
            node = node.named_children[0] if node.named_children else None
        elif kind == "subscript_expression":
            parts.append("[]")
            node = node.child_by_field_name("object")
        else:
            parts.append(text(node) if kind in ("identifier", "this") else "?")
            break
    return parts[::-1]


def data_call(model: TsModel, call: Node) -> str | None:
    """The library label of a data-access call ("Prisma", "Drizzle", ...), or None."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    parts = chain(function)
    method = parts[-1]
    label = _label(model, parts, call)
    if label is None or method not in DATA_METHODS:
        return None
    if _continues_a_query(model, function.child_by_field_name("object")):
        return None
    return label


def _continues_a_query(model: TsModel, receiver: Node | None) -> bool:
    """`db.select().from(t).execute()`: the `execute` continues the query `select` began."""
    node = receiver
    while node is not None and node.type in ("call_expression", "member_expression"):
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.type == "member_expression" and \
                    _label(model, chain(function), node) is not None:
                return True
            node = function
        else:
            node = node.child_by_field_name("object")
    return False


def _root(parts: list[str]) -> tuple[str, list[str]]:
    """The name that holds the database, past carriers: `this.prisma.x` -> ("prisma", [x])."""
    index = 0
    while index < len(parts) - 2 and parts[index] in _CARRIERS:
        index += 1
    return parts[index], parts[index + 1:]


def _label(model: TsModel, parts: list[str], call: Node) -> str | None:
    method = parts[-1]
    root, rest = _root(parts)
    lowered = root.lower()
    if "repository" in lowered or lowered.endswith("repo") or "getRepository" in parts:
        return "TypeORM" if method in REPOSITORIES else None
    if lowered in _DATABASE_NAMES or lowered.endswith(("prisma", "db")):
        return _database_label(model, lowered, rest, method, call)
    if root[:1].isupper() and rest == [method] and method in MODELS:
        return _model_label(model, root, method)
    if "collection" in lowered or (len(rest) > 1 and rest[0] == "collection"):
        return "MongoDB" if method in MODELS else None
    return None


def _database_label(model: TsModel, root: str, rest: list[str], method: str,
                    call: Node) -> str | None:
    if root in _GENERIC_CONNECTIONS:
        sql = method in ("query", "execute", "raw") and is_sql(first_argument(call))
        return "raw SQL" if sql else None
    if root == "supabase":
        return "Supabase" if "from" in rest and method in BUILDERS else None
    if root == "knex" or rest[:1] == ["()"]:
        return "Knex" if method in BUILDERS | {"first"} else None
    return _builder_label(model, rest, method, call)


def _builder_label(model: TsModel, rest: list[str], method: str, call: Node) -> str | None:
    """`db.<...>.<method>` on a Prisma client, a Drizzle, Kysely or Mongo database."""
    if method in ("selectFrom", "insertInto", "updateTable", "deleteFrom", "replaceInto"):
        label = "Kysely"
    elif "query" in rest[:-1] and method in ("findFirst", "findMany"):
        label = "Drizzle"
    elif method in _RAW_METHODS:
        label = "raw SQL" if is_sql(first_argument(call)) or method.startswith("$") else None
    elif len(rest) >= 2 and method in PRISMA:
        label = "Prisma"
    elif len(rest) == 1 and method in BUILDERS:
        label = "Drizzle" if _imports(model, "drizzle-orm") else "query builder"
    elif rest[:1] == ["collection"] or (len(rest) >= 2 and method in MODELS):
        label = "MongoDB"
    else:
        label = None
    return label


def _model_label(model: TsModel, root: str, method: str) -> str | None:
    """`User.findOne(...)`: a Mongoose or Sequelize model, imported from the project's models
    (or defined here with mongoose/sequelize)."""
    binding = model.declarations.get(root)
    if binding is None:
        return None  # a global such as Object or Array
    imported = binding.imported
    with_odm = _imports(model, "mongoose") or _imports(model, "sequelize")
    from_models = imported is not None and "model" in imported.source.lower()
    if not (from_models or with_odm):
        return None
    if _imports(model, "sequelize") or method in _SEQUELIZE_ONLY:
        return "Sequelize"
    if _imports(model, "mongoose") or method in _MONGOOSE_ONLY:
        return "Mongoose"
    return "model"


def _imports(model: TsModel, package: str) -> bool:
    return any(source == package or source.startswith(package + "/")
               for source in model.import_sources())


def first_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    if arguments.type == "template_string":
        return arguments
    named = [child for child in arguments.named_children if child.type != "comment"]
    return named[0] if named else None


def sql_text(node: Node | None) -> str | None:
    """The leading literal text of a string or template literal, if it is SQL."""
    if node is None or node.type not in ("string", "template_string"):
        return None
    value = string_value(node)
    if value is None and node.type == "template_string":
        value = text(node)[1:].split("${", 1)[0]
    return value if value is not None and _SQL.match(value) else None


def is_sql(node: Node | None) -> bool:
    return sql_text(node) is not None


def sql_on_tables(node: Node | None) -> bool:
    found = sql_text(node) if node is not None and node.type != "template_string" else (
        text(node) if node is not None and _SQL.match(text(node)[1:]) else None)
    return bool(found and _SQL_ON_TABLES.search(found))


def sql_tag(call: Node) -> bool:
    """`sql\\`SELECT ...\\``, `prisma.$queryRaw\\`...\\``: a tagged SQL template."""
    function = call.child_by_field_name("function")
    parts = chain(function) if function is not None else []
    return bool(parts) and (parts[-1] in _SQL_TAGS or ".".join(parts[-2:]) in _SQL_TAGS)
