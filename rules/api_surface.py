"""Where a type is part of a project's API: what BKL401 checks by default.

A type annotation shapes the API when it is in a route handler's signature, in a field of a
request or response model (pydantic, dataclass, TypedDict, msgspec, attrs, ninja), in a public
type alias or module-level annotation, or in the signature of a public function of a service,
lib, utils or repository module. Elsewhere (function bodies, ORM internals such as
`__table_args__` or `ColumnElement[Any]`, private helpers) it is the implementation's business.
"""
from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from .model import SemanticModel

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

MODEL_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.RootModel",
    "pydantic.generics.GenericModel", "pydantic.v1.BaseModel", "sqlmodel.SQLModel",
    "typing.TypedDict", "typing_extensions.TypedDict", "msgspec.Struct", "ninja.Schema",
    "ninja.ModelSchema", "litestar.dto.DataclassDTO", "fastapi_camelcase.CamelModel",
})
MODEL_DECORATORS = frozenset({
    "dataclasses.dataclass", "pydantic.dataclasses.dataclass", "attrs.define", "attrs.frozen",
    "attrs.mutable", "attr.s", "attr.attrs", "attr.define", "attr.frozen", "attr.dataclass",
    "strawberry.type", "strawberry.input",
})
# Imported project bases named like these, in a module that imports a model library.
_MODEL_BASE_SUFFIXES = ("Model", "Schema", "Struct", "DTO", "Dto")
_MODEL_LIBRARIES = ("pydantic", "msgspec", "sqlmodel", "ninja", "attrs", "attr", "dataclasses")
# ORMs whose generic types take `Any` for what the ORM itself leaves open (`Select[Any]`).
ORM_TOPS = frozenset({"sqlalchemy", "sqlmodel", "django", "peewee", "tortoise", "pony",
                      "mongoengine", "beanie", "odmantic", "piccolo"})
# Bases that say nothing about the methods' signatures.
_NEUTRAL_BASES = frozenset({"object", "typing.Generic", "typing.Protocol", "abc.ABC",
                            "typing_extensions.Protocol"})
# Dunders whose signature the project chooses; the others follow Python's protocols.
_CHOSEN_DUNDERS = frozenset({"__init__", "__call__", "__new__"})
_OVERRIDE_DECORATORS = frozenset({"typing.override", "typing_extensions.override"})
_LAYER_WORDS = frozenset({"service", "services", "lib", "libs", "library", "repository",
                          "repositories", "repo", "repos", "crud", "dao", "util", "utils"})
_WORD = re.compile(r"[A-Za-z]+")


def is_layer_module(relative_path: str) -> bool:
    """A public service, lib, utils or repository module: `app/services/orders.py`,
    `users/user_service.py`, `lib/pagination.py`, `db/repositories.py`; not one inside a
    private package (`models/_model_utils/`), which the package's users never import."""
    path = PurePosixPath(relative_path)
    parts = (*path.parts[:-1], path.stem)
    if any(part.startswith("_") and not part.startswith("__") for part in parts):
        return False
    return any(word.lower() in _LAYER_WORDS for part in parts for word in _WORD.findall(part))


def is_model_class(model: SemanticModel, node: ast.ClassDef, known: set[str]) -> bool:
    """A request or response model: a pydantic model, TypedDict and the like, a dataclass
    that looks like data (below), or a subclass of one defined in this module (`known`) or
    imported (`from app.schemas import Schema`, where the file uses a model library)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if model.resolve(target) in MODEL_DECORATORS:
            return _is_data_class(model.relative_path, node.name)
    uses_model_library = any(name.split(".")[0] in _MODEL_LIBRARIES
                             for name in model.imported_modules)
    for base in node.bases:
        base = base.value if isinstance(base, ast.Subscript) else base
        qualname = model.resolve(base) or ""
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        if qualname in MODEL_BASES or name in known:
            return True
        if uses_model_library and qualname and name.endswith(_MODEL_BASE_SUFFIXES):
            return True
    return False


def _is_data_class(relative_path: str, name: str) -> bool:
    """A dataclass is a data model where the module or the name says so (`schemas.py`,
    `api/`, `services/`, `OrderOut`, `RefundRequest`); elsewhere it is often a service object
    written as a dataclass (`@dataclass class FullNode` with its `config: dict[str, Any]`)."""
    if name.endswith(_DATA_NAME_SUFFIXES) or is_layer_module(relative_path):
        return True
    path = PurePosixPath(relative_path)
    return any(word.lower() in _DATA_MODULE_WORDS
               for part in (*path.parts[:-1], path.stem) for word in _WORD.findall(part))


_DATA_NAME_SUFFIXES = ("Request", "Response", "In", "Out", "Payload", "Dto", "DTO", "Schema",
                       "Data", "Body", "Result", "Params", "Input", "Output", "Event", "Message")
_DATA_MODULE_WORDS = frozenset({
    "schema", "schemas", "model", "models", "types", "dto", "dtos", "api", "apis", "entities",
    "entity", "interface", "interfaces", "contracts", "payloads", "messages", "responses",
    "requests", "serializers", "views", "routes", "routers", "handlers", "endpoints", "events"})


def is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


class ApiSurface:
    """Answers "is the type expression being visited part of the API?" during the walk."""

    def __init__(self, model: SemanticModel, relative_path: str) -> None:
        self.model = model
        self.is_layer = is_layer_module(relative_path)
        self.model_classes: set[str] = set()
        self._class_verdicts: dict[ast.ClassDef, bool] = {}

    def enter_class(self, node: ast.ClassDef) -> None:
        verdict = is_model_class(self.model, node, self.model_classes)
        self._class_verdicts[node] = verdict
        if verdict:
            self.model_classes.add(node.name)

    def contains_current_node(self) -> bool:
        if self.is_orm_type_argument():
            return False
        ancestors = self.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            owner, child = ancestors[index], ancestors[index + 1]
            if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self._in_signature(owner, child)
            if isinstance(owner, ast.Lambda):
                return False
            if isinstance(owner, ast.ClassDef):
                return self._in_model(owner, child)
            if isinstance(owner, ast.Module):
                return self._in_module_statement(child)
        return False

    def signature_in_scope(self, function: FunctionNode) -> bool:
        """The function's parameters and return type are API: a route, or a public function of
        a service/lib/repository module."""
        return self._in_signature(function, function.args)

    def _in_signature(self, function: FunctionNode, child: ast.AST) -> bool:
        if child is not function.args and child is not function.returns:
            return False  # the body or a decorator
        if self.model.route_of(function) is not None:
            return True
        return self.is_layer and self._is_public_function(function) \
            and not self._signature_is_given(function)

    def _signature_is_given(self, function: FunctionNode) -> bool:
        """A signature the project does not choose: a protocol dunder (`__getitem__`,
        `__await__`), an `@override`, or a method of a class built on a library's class
        (`process_bind_param` of a SQLAlchemy `TypeDecorator`)."""
        if function.name.startswith("__") and function.name not in _CHOSEN_DUNDERS:
            return True
        if any(self.model.resolve(decorator) in _OVERRIDE_DECORATORS
               for decorator in function.decorator_list):
            return True
        owner = self.model.parent(function)
        return isinstance(owner, ast.ClassDef) and any(
            self._is_library_base(base) for base in owner.bases)

    def _is_library_base(self, base: ast.AST) -> bool:
        base = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(base, ast.Name) and self.model.lookup(base.id) is None:
            return base.id != "object"  # a builtin: dict, list, Exception ...
        qualname = self.model.resolve(base)
        if qualname is None or qualname in _NEUTRAL_BASES:
            return False
        return qualname.split(".")[0] != self.model.module.split(".")[0]

    def is_orm_type_argument(self) -> bool:
        """The node visited is a type argument of an ORM generic: `Select[Any]`,
        `InstrumentedAttribute[Any]`, `ColumnElement[Any]`, `Mapped[dict[str, Any]]`."""
        ancestors = self.model.ancestors
        for index in range(len(ancestors) - 2, -1, -1):
            owner, child = ancestors[index], ancestors[index + 1]
            if isinstance(owner, ast.Subscript) and child is owner.slice:
                qualname = self.model.resolve(owner.value) or ""
                if qualname.split(".")[0] in ORM_TOPS:
                    return True
            elif not isinstance(owner, (ast.Subscript, ast.Tuple, ast.BinOp, ast.List)):
                return False
        return False

    def _is_public_function(self, function: FunctionNode) -> bool:
        """A module-level function, or a method of a module-level class, both public."""
        owner = self.model.parent(function)
        if isinstance(owner, ast.Module):
            return is_public(function.name)
        return (isinstance(owner, ast.ClassDef) and isinstance(self.model.parent(owner), ast.Module)
                and is_public(owner.name) and is_public(function.name))

    def _in_model(self, node: ast.ClassDef, child: ast.AST) -> bool:
        if not self._class_verdicts.get(node, False) or not is_public(node.name):
            return False
        if child in node.bases or child in node.keywords:
            return True
        return (isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name)
                and not child.target.id.startswith("_"))

    def _in_module_statement(self, statement: ast.AST) -> bool:
        """A public type alias anywhere; a public annotated global only in a service, lib or
        repository module (elsewhere it is configuration: `CELERY_BEAT: dict[str, Any]`)."""
        if isinstance(statement, ast.AnnAssign) and not self.is_layer \
                and self.model.resolve(statement.annotation) not in _TYPE_ALIAS_NAMES:
            return False
        return _is_public_module_statement(statement)


_TYPE_ALIAS_NAMES = frozenset({"typing.TypeAlias", "typing_extensions.TypeAlias"})


def _is_public_module_statement(statement: ast.AST) -> bool:
    """A module-level type alias or annotated global with a public name."""
    if isinstance(statement, ast.AnnAssign):
        target = statement.target
    elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(statement.value, ast.Call):
            return False  # `T = TypeVar("T", bound=Any)`, `x = cast(Any, ...)`
    elif type(statement).__name__ == "TypeAlias":
        target = statement.name
    else:
        return False
    return isinstance(target, ast.Name) and not target.id.startswith("_")
