"""BKL401 on TS/JS: the `any` type written in server code (documented with the Python rule)."""
from __future__ import annotations

import re

from ..bkl401_explicit_any import ExplicitAny
from .base import TsRule
from .classify import SERVER, file_role, is_generated
from .model import Node, text

_FIX = "use a precise type (an interface, a union, a generic or `unknown`)"
# `// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason` and its forms;
# without a rule list a disable comment switches every rule off, `no-explicit-any` included.
_ESLINT = re.compile(r"(?://|/\*)\s*(?:eslint|oxlint)-(?P<kind>disable-next-line|disable-line|"
                     r"disable|enable)"
                     r"(?P<rules>(?:[ \t]+(?!--)[^\s,*]+(?:[ \t]*,[ \t]*[^\s,*]+)*)?)")
_ANY_RULE = "no-explicit-any"
# Biome's form: `// biome-ignore lint/suspicious/noExplicitAny: reason` (the next line).
_BIOME = re.compile(r"//\s*biome-ignore\s+lint/suspicious/noExplicitAny")


class ExplicitAnyTs(TsRule):
    rule = ExplicitAny
    # Only `any` of the predefined types (a file has dozens of `string`s): compared in C.
    patterns = {"any_type": '((predefined_type) @any_type (#eq? @any_type "any"))'}

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = (file_role(ctx.model, ctx.absolute_path) == SERVER
                       and not is_generated(ctx.relative_path, ctx.source))
        self.found: list[tuple[Node, str]] = []

    def visit_any_type(self, node: Node) -> None:
        if self.wanted and text(node) == "any" and not self._idiomatic(node):
            self.found.append((node, f"`any` in {_where(node)}: {_FIX}"))

    def _idiomatic(self, node: Node) -> bool:
        """`keyof any`, a mixin's constructor type, `...args: any[]` when allowed."""
        parent = node.parent
        return (parent is None or parent.type == "index_type_query"
                or _is_mixin_constructor(node) or self._allowed_rest_parameter(node))

    def finish_file(self) -> None:
        if not self.found:
            return
        source = self.ctx.source
        disabled = _eslint_disabled_lines(self.ctx.lines) if b"lint-" in source or \
            b"biome-ignore" in source else set()
        for node, message in self.found:
            if node.start_point[0] + 1 not in disabled:
                self.report(node, message)

    # `keyof any` is `string | number | symbol`, the usual key constraint: no value is untyped.

    def _allowed_rest_parameter(self, node: Node) -> bool:
        """`...args: any[]` when `allow-star-arg-any` is set, as `*args: Any` in Python."""
        if not self.option("allow-star-arg-any"):
            return False
        parent = node.parent
        while parent is not None and parent.type in ("array_type", "type_annotation",
                                                     "generic_type", "type_arguments"):
            parent = parent.parent
        pattern = parent.child_by_field_name("pattern") if parent is not None else None
        return pattern is not None and pattern.type == "rest_pattern"


def _is_mixin_constructor(node: Node) -> bool:
    """`new (...args: any[]) => T`: TypeScript requires exactly this of a mixin's base type."""
    parent = node.parent
    while parent is not None and parent.type in ("array_type", "type_annotation"):
        parent = parent.parent
    if parent is None or parent.type != "required_parameter":
        return False
    pattern = parent.child_by_field_name("pattern")
    holder = parent.parent.parent if parent.parent is not None else None
    return (pattern is not None and pattern.type == "rest_pattern" and holder is not None
            and holder.type in ("constructor_type", "construct_signature"))


def _where(node: Node) -> str:
    child, parent = node, node.parent
    while parent is not None:
        description = _describe(parent, child)
        if description:
            return description
        child, parent = parent, parent.parent
    return "a type"


def _describe(parent: Node, child: Node) -> str | None:
    kind = parent.type
    if kind in ("required_parameter", "optional_parameter"):
        return f"the annotation of parameter `{text(parent.child_by_field_name('pattern'))}`"
    if kind in ("function_declaration", "method_definition", "arrow_function",
                "function_expression", "method_signature", "function_signature"):
        if parent.child_by_field_name("return_type") == child:
            name = parent.child_by_field_name("name")
            return f"the return type of `{text(name)}`" if name is not None else "a return type"
        return None
    named = {"variable_declarator": "the annotation of `{}`",
             "property_signature": "the property `{}`",
             "public_field_definition": "the field `{}`",
             "type_alias_declaration": "the type alias `{}`",
             "interface_declaration": "the interface `{}`"}
    if kind in named:
        return named[kind].format(text(parent.child_by_field_name("name")))
    simple = {"as_expression": "an `as any` cast", "type_assertion": "a `<any>` cast",
              "satisfies_expression": "a `satisfies` type", "catch_clause": "a catch parameter",
              "index_signature": "an index signature"}
    return simple.get(kind)


def _eslint_disabled_lines(lines: list[str]) -> set[int]:
    """1-based lines on which eslint's no-explicit-any is switched off by a comment."""
    disabled: set[int] = set()
    block_from: int | None = None
    for number, line in enumerate(lines, start=1):
        if _BIOME.search(line):
            disabled.add(number + 1)
        if "lint-" not in line:
            if block_from is not None:
                disabled.add(number)
            continue
        for match in _ESLINT.finditer(line):
            if not _names_any_rule(match.group("rules")):
                continue
            kind = match.group("kind")
            if kind == "disable-next-line":
                disabled.add(number + 1)
            elif kind == "disable-line":
                disabled.add(number)
            elif kind == "disable":
                block_from = number
            elif kind == "enable":
                block_from = None
        if block_from is not None:
            disabled.add(number)
    return disabled


def _names_any_rule(rules: str) -> bool:
    listed = [rule.strip() for rule in rules.split(",") if rule.strip()]
    return not listed or any(rule.endswith(_ANY_RULE) for rule in listed)
