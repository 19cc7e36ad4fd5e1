"""What a rule is: its identity, its options, and the node callbacks the engine dispatches to."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .context import FileContext
    from .docstring import RuleDoc

OptionValue = bool | int | str | tuple[str, ...]


@dataclass(frozen=True)
class Option:
    """A rule setting users write as `name = value` under `[tool.backlint]`."""

    name: str
    kind: type
    default: OptionValue
    help: str
    choices: tuple[str, ...] = ()  # the accepted values of a string option, if limited

    def parse(self, raw: object) -> OptionValue:
        """Check a configured value; raise ValueError with a message naming the expected type."""
        if self.kind is tuple:
            if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
                raise ValueError(f"`{self.name}` takes a list of strings")
            return tuple(raw)
        if self.kind is int and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise ValueError(f"`{self.name}` takes a whole number >= 0")
        if self.kind is bool and not isinstance(raw, bool):
            raise ValueError(f"`{self.name}` takes true or false")
        if self.kind is str and not isinstance(raw, str):
            raise ValueError(f"`{self.name}` takes a string")
        if self.choices and raw not in self.choices:
            raise ValueError(f"`{self.name}` takes one of {', '.join(map(repr, self.choices))}")
        return raw


class Visitor:
    """Something the engine walks a file with: it defines `visit_<NodeType>` / `leave_<NodeType>`
    methods, and the engine creates one instance per checked file and calls them during its single
    traversal, so per-file state lives on `self` without resetting."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def option(self, name: str) -> OptionValue:
        return self.ctx.settings.option(name)

    def finish_file(self) -> None:
        """Called once after the traversal; visitors that decide at file end override it."""

    @classmethod
    def node_callbacks(cls) -> dict[str, list[str]]:
        """`{"visit": [node type names], "leave": [...]}` declared by the method names."""
        found: dict[str, list[str]] = {"visit": [], "leave": []}
        for name in dir(cls):
            prefix, _, node_type = name.partition("_")
            if prefix in found and node_type and hasattr(ast, node_type):
                found[prefix].append(node_type)
        return found


class Collector(Visitor):
    """Gathers per-file facts that several rules share (stored in `ctx.facts[name]`), so a file
    is examined for them once however many of those rules are enabled; it reports nothing."""

    name: ClassVar[str]


class Rule(Visitor):
    """Base of every rule: its identity and options; `report` adds a finding."""

    code: ClassVar[str]
    symbol: ClassVar[str]
    pylint_id: ClassVar[str]
    # Set only where pylint itself already has a message named like the rule's symbol.
    pylint_symbol: ClassVar[str] = ""
    severity: ClassVar[str] = "warning"
    options: ClassVar[tuple[Option, ...]] = ()
    # Collectors whose facts the rule reads; the engine runs each one before the rules.
    collectors: ClassVar[tuple[type[Collector], ...]] = ()
    # Credentials, clients and layering do not apply to test code; see DESIGN.md.
    applies_to_tests: ClassVar[bool] = False
    # A rule below the precision bar on real repositories (docs/real-repos.md) ships off: it runs
    # only when `select` / `extend-select` / `--select` name its code in full, or when one of its
    # own options is configured.
    default_enabled: ClassVar[bool] = True
    doc: ClassVar[RuleDoc]

    def report(self, node: ast.AST, message: str) -> None:
        self.ctx.report(self.code, node, message)

    @classmethod
    def pylint_name(cls) -> str:
        """The symbol pylint knows the rule by (`# pylint: disable=...`)."""
        return cls.pylint_symbol or cls.symbol
