"""BKL203 for TypeScript/JavaScript: a credential written in server code as a string literal.

Documented with the Python rule (`rules/bkl203_hardcoded_credential.py`); what counts as a
credential is in `secrets`. Seeds, scripts, e2e folders, tests and client code are not checked.
"""
from __future__ import annotations

import re

from ..bkl203_hardcoded_credential import HardcodedCredential
from . import secrets
from .base import TsRule
from .classify import SERVER, file_role
from .model import Node, string_value, text

_FIX = ("read it from the environment (`process.env.NAME`, validated once at startup in the "
        "project's config module) and rotate the committed value")
_AUTH_HEADERS = frozenset({"authorization", "x-api-key", "x-auth-token", "api-key", "apikey"})
_SCHEMES = ("Bearer ", "Basic ", "Token ", "token ", "Bot ")
# Test support and seed data that live beside the server code: fake users, demo accounts.
_FIXTURE_PATH = re.compile(r"(^|/)(testing|test-?utils|test-?helpers|seed[-_]?data|seeders?|"
                           r"integration(-?tests?)?|"
                           r"seeds?|fixtures?|mocks?|__mocks__|e2e|demo|examples?|stubs?)(/|$)|"
                           r"(^|[./_-])(seed|seeds|fixture|fixtures|mock|mocks|stub|dev|"
                           r"development|local)\.[cm]?[jt]sx?$", re.IGNORECASE)


class HardcodedCredentialTs(TsRule):
    rule = HardcodedCredential
    ts_default_enabled = False  # 0.44 sampled precision before its last fixes: docs/real-repos.md

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = file_role(ctx.model, ctx.absolute_path) == SERVER \
            and not _FIXTURE_PATH.search(ctx.relative_path)

    def visit_string(self, node: Node) -> None:
        if not self.wanted:
            return
        value = string_value(node)
        if value is None or len(value) < 8 or _in_type(node) or secrets.is_public_key(value) \
                or _in_documentation(node):
            return
        what = secrets.vendor_format(value)
        if what is None and secrets.connection_password(value):
            what = "database password (in a connection string)"
        if what is None:
            what = _named_credential(node, value)
        if what is not None:
            article = "An" if what[0] in "AEIOU" else "A"
            self.report(node, f"{article} {what} is hardcoded here "
                              f"(`{secrets.preview(value)}`): {_FIX}")

    visit_template_string = visit_string


def _named_credential(node: Node, value: str) -> str | None:
    env = _fallback_for(node)
    if env and secrets.is_credential_name(env) and secrets.weak_fallback(value):
        return f"credential fallback for `{env}`"
    name = _place_name(node)
    if name and _header(name) and value.startswith(_SCHEMES) \
            and secrets.looks_secret(value.split(" ", 1)[1]):
        return f"credential (the `{name}` header)"
    if name and secrets.is_credential_name(name) and secrets.looks_secret(value, name):
        return f"credential (`{name}`)"
    return None


def _fallback_for(node: Node) -> str:
    """`process.env.X || "..."` / `?? "..."`: the variable the literal stands in for."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "binary_expression" \
            or parent.child_by_field_name("right") is None \
            or parent.child_by_field_name("right").end_byte != node.end_byte:
        return ""
    operator = parent.child_by_field_name("operator")
    if operator is None or text(operator) not in ("||", "??"):
        return ""
    left = parent.child_by_field_name("left")
    while left is not None and left.type == "binary_expression":
        left = left.child_by_field_name("right")  # `a || process.env.X || "..."`
    return _env_name(left)


def _header(name: str) -> bool:
    return name.strip("'\"").lower() in _AUTH_HEADERS


def _place_name(node: Node) -> str:
    """The name of what the literal is given to: a property, a variable, an assigned member,
    or a default."""
    parent = node.parent
    child = node
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression",
                                                 "satisfies_expression", "binary_expression"):
        if parent.type == "binary_expression":
            operator = parent.child_by_field_name("operator")
            if operator is None or text(operator) not in ("||", "??"):
                return ""
        child, parent = parent, parent.parent
    if parent is None:
        return ""
    field, named = _HOLDERS.get(parent.type, ("", ""))
    if not field or parent.child_by_field_name(field) != child:
        return ""
    if parent.type == "pair":
        return text(parent.child_by_field_name("key"))
    holder = parent.child_by_field_name(named) or parent.child_by_field_name("pattern")
    if parent.type == "variable_declarator":
        return text(holder) if holder is not None and holder.type == "identifier" else ""
    return _last_name(holder)


# Node type holding a value -> (the value's field, the field naming what holds it).
_HOLDERS = {
    "pair": ("value", "key"), "variable_declarator": ("value", "name"),
    "assignment_expression": ("right", "left"),
    "augmented_assignment_expression": ("right", "left"),
    "assignment_pattern": ("right", "left"), "object_assignment_pattern": ("right", "left"),
    "public_field_definition": ("value", "name"), "required_parameter": ("value", "pattern"),
    "optional_parameter": ("value", "pattern"),
}


def _last_name(node: Node | None) -> str:
    if node is None:
        return ""
    if node.type == "member_expression":
        return text(node.child_by_field_name("property"))
    if node.type == "subscript_expression":
        return text(node.child_by_field_name("index")).strip("'\"")
    return text(node) if node.type in ("identifier", "property_identifier",
                                       "shorthand_property_identifier_pattern") else ""


def _env_name(node: Node | None) -> str:
    """`process.env.STRIPE_SECRET_KEY` / `process.env["X"]` / `env.X` -> the variable's name."""
    if node is None:
        return ""
    written = text(node)
    for prefix in ("process.env.", "import.meta.env.", "env.", "Bun.env.", "Deno.env.get("):
        if written.startswith(prefix):
            return written[len(prefix):].strip("()'\"[]")
    if written.startswith("process.env["):
        return written[len("process.env["):].strip("]'\"")
    return ""


def _in_documentation(node: Node) -> bool:
    """Inside an `example:` / `examples:` value of a schema, or an `@ApiProperty({ example })`."""
    parent = node.parent
    while parent is not None and parent.type not in ("program", "statement_block"):
        if parent.type == "pair" and text(parent.child_by_field_name("key")).strip(
                "'\"") in secrets.DOC_KEYS:
            return True
        parent = parent.parent
    return False


def _in_type(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type in ("literal_type", "import_statement",
                                                  "export_statement", "import_require_clause")
