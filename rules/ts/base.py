"""What a TS/JS rule is: the catalog entry it implements, and the node types it wants.

A TS rule implements a catalog entry of the core (`rule = ExplicitAny`): code, symbol, severity,
options and documentation are that entry's, so both languages share one identity. It declares the
tree-sitter node types it wants by its method names (`visit_call_expression`), and the engine calls
it only for those, in source order, during the file's one query pass.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, ClassVar

from ..base import Visitor
from .parsing import JS, TS, TSX, node_kinds

if TYPE_CHECKING:
    import tree_sitter

    from ..base import Rule
    from .context import TsContext

_PREFIX = "visit_"


@cache
def _visited(visitor_class: type) -> tuple[str, ...]:
    return tuple(sorted(name[len(_PREFIX):] for name in dir(visitor_class)
                        if name.startswith(_PREFIX)))


class TsVisitor(Visitor):
    """Walked over one file: the engine creates one instance per file, so state lives on self.
    `self.ctx` is a TsContext; `option` and `finish_file` are the core Visitor's."""

    ctx: TsContext
    # Named tree-sitter query patterns (`{"data_call": "(call_expression ...) @data_call"}`),
    # dispatched to `visit_<name>` like node types: a predicate in C instead of a check in Python
    # per node, for rules that want a narrow kind of node.
    patterns: ClassVar[dict[str, str]] = {}

    @classmethod
    def wanted_kinds(cls) -> tuple[str, ...]:
        """The node types (and pattern names) named by `visit_<name>` methods."""
        return _visited(cls)

    @classmethod
    def unknown_kinds(cls) -> tuple[str, ...]:
        """Wanted types no grammar has: a misspelt `visit_` name, which tests reject."""
        known = node_kinds(TS) | node_kinds(TSX) | node_kinds(JS)
        return tuple(kind for kind in cls.wanted_kinds()
                     if kind not in known and kind not in cls.patterns)


class TsCollector(TsVisitor):
    """Gathers per-file facts several TS rules share, stored in `ctx.facts[name]`."""

    name: ClassVar[str]


class TsRule(TsVisitor):
    """A rule's TS/JS side. `rule` is its catalog entry; identity attributes are copied from it."""

    rule: ClassVar[type[Rule]]
    code: ClassVar[str]
    symbol: ClassVar[str]
    severity: ClassVar[str]
    applies_to_tests: ClassVar[bool]
    collectors: ClassVar[tuple[type[TsCollector], ...]] = ()
    # The TS/JS side of a rule may ship off while its Python side is on (its sampled precision
    # on real repositories is below 0.9: docs/real-repos.md); its full code in `select` or
    # `extend-select` turns it on.
    ts_default_enabled: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        identity = cls.__dict__.get("rule")
        if identity is not None:
            cls.code, cls.symbol = identity.code, identity.symbol
            cls.severity, cls.applies_to_tests = identity.severity, identity.applies_to_tests

    def report(self, node: tree_sitter.Node, message: str) -> None:
        self.ctx.report(self.code, node, message)
