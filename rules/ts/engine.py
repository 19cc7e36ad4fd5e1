"""Parse a TS/JS file once, run one tree-sitter query pass, and dispatch the nodes each enabled
rule wants to it.

The query is built once per grammar and set of wanted node types: its patterns are the model's
(route registrations) and one `(type) @type` per type a rule visits, so tree-sitter walks the tree
in C and Python sees only the nodes somebody asked for, in source order. The model's captures are
handled first (handlers must be known before rules ask about them), then the rules'.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import cache

import tree_sitter

from ..engine import enabled_rules_for, oversize_error
from ..finding import FileError, FileResult
from ..noqa import without_suppressed
from ..settings import Settings
from . import handlers, parsing
from .base import TsRule, TsVisitor
from .catalog import ts_rules
from .context import TsContext
from .model import TsModel

Callback = Callable[[tree_sitter.Node], None]
_JSX_KINDS = ("jsx_element", "jsx_self_closing_element")
_BOM = b"\xef\xbb\xbf"


def analyse_script(source: bytes, path: str, settings: Settings, *,
                   apply_noqa: bool = True) -> FileResult:
    """Findings of the enabled TS rules for one file; problems come back as `FileResult.error`."""
    absolute = os.path.abspath(path)
    relative = _relative(absolute, settings)
    is_test = settings.is_test_path(relative)
    rules = _enabled_for(relative, settings, is_test)
    if not rules:
        return FileResult(path)
    source, text, error = _decode(source, path, settings)
    if error is not None:
        return FileResult(path, error=error)
    grammar = parsing.grammar_for(path)
    tree = parsing.parse(source, grammar)
    model = TsModel(relative, tree.root_node, grammar)
    ctx = TsContext(path=path, relative_path=relative, settings=settings, source=source,
                    lines=text.splitlines(), model=model, is_test=is_test,
                    absolute_path=absolute)
    _run_rules(tree, ctx, _visitor_classes(rules))
    if apply_noqa:
        ctx.findings = without_suppressed(ctx.findings, ctx.lines)
    result = FileResult(path, findings=sorted(set(ctx.findings)), facts=ctx.facts)
    if parsing.mostly_errors(tree.root_node):
        result.error = FileError(path, f"partly parsed: {parsing.error_share(tree.root_node):.0%} "
                                       "of it is not valid syntax for its grammar; findings "
                                       "come from the rest")
    return result


def prepare(paths: Sequence[str], settings: Settings) -> None:
    """Plan the query of each grammar these files need (before worker processes fork, so that
    they inherit it); a file the plan cannot be made for is left to its analysis to report."""
    first: dict[str, str] = {}
    for path in paths:
        first.setdefault(parsing.grammar_for(path), path)
    for grammar, path in first.items():
        relative = _relative(os.path.abspath(path), settings)
        try:
            rules = _enabled_for(relative, settings, settings.is_test_path(relative))
            if rules:
                _plan(_visitor_classes(rules), grammar)
        except Exception:  # pylint: disable=broad-exception-caught  # reported per file later
            continue


def enabled_ts_rules(relative: str, settings: Settings) -> tuple[type[TsRule], ...]:
    enabled = {rule.code for rule in enabled_rules_for(relative, settings)}
    return tuple(rule for rule in ts_rules() if rule.code in enabled
                 and (rule.ts_default_enabled or rule.code in settings.select
                      or rule.code in settings.extend_select))


def _enabled_for(relative: str, settings: Settings, is_test: bool) -> tuple[type[TsRule], ...]:
    """enabled_ts_rules, worked out once per kind of file: the answer depends on the path only
    through its per-file ignores and whether it is a test."""
    key = (settings, settings.ignored_in_file(relative), is_test)
    found = _ENABLED.get(key)
    if found is None:
        if len(_ENABLED) >= _ENABLED_KEPT:  # many settings in one process (tests): start again
            _ENABLED.clear()
        found = _ENABLED[key] = enabled_ts_rules(relative, settings)
    return found


_ENABLED: dict[tuple[Settings, tuple[str, ...], bool], tuple[type[TsRule], ...]] = {}
_ENABLED_KEPT = 64


def _relative(absolute: str, settings: Settings) -> str:
    """settings.relative, without its abspath/relpath for the usual path below the root."""
    root = settings.root
    if os.sep == "/" and os.path.isabs(root) and os.path.normpath(root) == root != "/" \
            and absolute.startswith(root + "/"):
        return absolute[len(root) + 1:]
    return settings.relative(absolute)


def _decode(source: bytes, path: str, settings: Settings) -> tuple[bytes, str, FileError | None]:
    if len(source) > settings.max_file_bytes:
        return source, "", oversize_error(path, len(source), settings)
    if source.startswith(_BOM):
        source = b"   " + source[len(_BOM):]  # keeps every byte offset where it was
    try:
        return source, source.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return source, "", FileError(
            path, f"not valid UTF-8: {error.reason} at byte {error.start}; save it as UTF-8")


def _run_rules(tree: tree_sitter.Tree, ctx: TsContext,
               classes: tuple[type[TsVisitor], ...]) -> None:
    kinds, query, roles = _plan(classes, ctx.model.grammar)
    matches = tree_sitter.QueryCursor(query).matches(tree.root_node)
    _complete_model(ctx.model, matches, roles)
    # Rules start once the model is complete: they may classify the file in __init__.
    visitors = [visitor_class(ctx) for visitor_class in classes]
    table = _dispatch_table(visitors, kinds)
    for pattern, captures in matches:
        callbacks = table.get(roles[pattern])
        if callbacks:
            for node in captures[roles[pattern]]:
                for callback in callbacks:
                    callback(node)
    for visitor in visitors:
        visitor.finish_file()


def _named_patterns(classes: tuple[type[TsVisitor], ...],
                    kinds: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({(name, pattern) for visitor_class in classes
                         for name, pattern in visitor_class.patterns.items() if name in kinds}))


def _complete_model(model: TsModel, matches: list, roles: tuple[str, ...]) -> None:
    """Hand the model its captures: JSX seen, route registrations to detect handlers from."""
    registrations = []
    for pattern, captures in matches:
        role = roles[pattern]
        if role == "registration":
            registrations.extend(captures["registration"])
        elif role == "jsx":
            model.has_jsx = True
    handlers.detect(model, registrations)


def _visitor_classes(rule_classes: tuple[type[TsRule], ...]) -> tuple[type[TsVisitor], ...]:
    collectors = dict.fromkeys(collector for rule_class in rule_classes
                               for collector in rule_class.collectors)
    return (*collectors, *rule_classes)


@cache
def _plan(classes: tuple[type[TsVisitor], ...], grammar: str
          ) -> tuple[tuple[str, ...], tree_sitter.Query, tuple[str, ...]]:
    """The kinds the visitors want that this grammar has, the one query for them and its roles:
    compiled once when every pattern compiles here (a compile costs 5-40 ms, in every worker),
    else again without the patterns this grammar lacks the node types of."""
    known = parsing.node_kinds(grammar)
    hopeful = tuple(sorted({kind for visitor_class in classes
                            for kind in visitor_class.wanted_kinds()
                            if kind in known or kind in visitor_class.patterns}))
    try:
        return (hopeful, *_query(grammar, hopeful, _named_patterns(classes, hopeful)))
    except tree_sitter.QueryError:  # e.g. a TypeScript-only node type in the JavaScript grammar
        kinds = _wanted_kinds(classes, grammar)
        return (kinds, *_query(grammar, kinds, _named_patterns(classes, kinds)))


def _wanted_kinds(classes: tuple[type[TsVisitor], ...], grammar: str) -> tuple[str, ...]:
    return tuple(sorted({kind for visitor_class in classes
                         for kind in _kinds_of(visitor_class, grammar)}))


@cache
def _kinds_of(visitor_class: type[TsVisitor], grammar: str) -> tuple[str, ...]:
    """What a visitor wants that this grammar has: node types it names, patterns that compile."""
    known = parsing.node_kinds(grammar)
    return tuple(kind for kind in visitor_class.wanted_kinds()
                 if kind in known or _pattern_compiles(visitor_class.patterns.get(kind), grammar))


@cache
def _pattern_compiles(pattern: str | None, grammar: str) -> bool:
    if pattern is None:
        return False
    try:
        tree_sitter.Query(parsing.language(grammar), pattern)
    except tree_sitter.QueryError:  # e.g. a TypeScript-only node type in the JavaScript grammar
        return False
    return True


def _dispatch_table(visitors: list[TsVisitor], kinds: tuple[str, ...]) -> dict[str, list[Callback]]:
    table: dict[str, list[Callback]] = {}
    for visitor in visitors:
        for kind in type(visitor).wanted_kinds():
            if kind in kinds:
                table.setdefault(kind, []).append(getattr(visitor, f"visit_{kind}"))
    return table


@cache
def _query(grammar: str, kinds: tuple[str, ...],
           named: tuple[tuple[str, str], ...] = ()) -> tuple[tree_sitter.Query, tuple[str, ...]]:
    """The query and, per pattern, what its captures are for: "registration", "jsx" (the file
    renders JSX), a node type a rule visits, or a rule's named pattern."""
    known = parsing.node_kinds(grammar)
    patterns_by_name = dict(named)
    jsx = [f"({kind}) @jsx" for kind in _JSX_KINDS if kind in known]
    roles = ["registration", *("jsx" for _ in jsx), *kinds]
    patterns = [handlers.REGISTRATION_QUERY, *jsx]
    patterns.extend(patterns_by_name.get(kind) or f"({kind}) @{kind}" for kind in kinds)
    return tree_sitter.Query(parsing.language(grammar), "\n".join(patterns)), tuple(roles)
