"""BKL301 on TS/JS: one finding per fat handler, on its first line, listing its data calls
(documented with the Python rule).

Data calls are counted where they are written, also inside callbacks of the handler
(`prisma.$transaction(async (tx) => ...)`, `items.map(...)`). A function whose data calls would
make it fat is also recorded as a candidate in the file's facts, under its qualified name, so that
a handler defined here and registered in another module (`router.get("/", users.list)`) is
reported by the project pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import tree_sitter

from ..bkl301_fat_route_handler import FatRouteHandler
from ..finding import Finding
from . import data_access, handlers, parsing
from .base import TsRule
from .classify import SERVER, file_role
from .exports import follow, reexports_of
from .model import Node, text

_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration",
                         "return_statement", "if_statement", "for_statement", "for_in_statement",
                         "while_statement", "do_statement", "try_statement", "throw_statement",
                         "switch_statement", "break_statement", "continue_statement",
                         "function_declaration", "class_declaration"})
_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_QUERY_LABELS = frozenset({"raw SQL", "query builder", "Kysely", "Knex", "Drizzle"})
_EXITS = frozenset({"return_statement", "throw_statement", "continue_statement",
                    "break_statement"})


@dataclass
class _Work:
    function: Node
    calls: list[tuple[str, str]] = field(default_factory=list)  # (library, call text)
    sql_on_tables: bool = False


class FatRouteHandlerTs(TsRule):
    rule = FatRouteHandler
    patterns = {"data_call": data_access.DATA_CALL_PATTERN,
                "sql_template": data_access.SQL_TEMPLATE_PATTERN}

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = file_role(ctx.model, ctx.absolute_path) == SERVER
        self.work: dict[int, _Work] = {}

    def visit_data_call(self, call: Node) -> None:
        if not self.wanted:
            return
        label = data_access.data_call(self.ctx.model, call)
        if label is not None:
            self._count(call, label, data_access.sql_on_tables(data_access.first_argument(call)))

    def visit_sql_template(self, call: Node) -> None:
        if not self.wanted or not data_access.sql_tag(call):
            return
        template = call.child_by_field_name("arguments")
        if data_access.is_sql(template) and data_access.data_call(self.ctx.model, call) is None:
            self._count(call, "raw SQL", data_access.sql_on_tables(template))

    def _count(self, call: Node, label: str, on_tables: bool) -> None:
        owner = self._owner(call)
        if owner is None:
            return
        work = self.work.setdefault(owner.id, _Work(owner))
        work.calls.append((label, _call_name(call)))
        work.sql_on_tables |= on_tables

    def _owner(self, call: Node) -> Node | None:
        """The handler the call runs in; else the function it is written in, counting callbacks
        (`$transaction(async (tx) => ...)`) as their caller's work."""
        model = self.ctx.model
        enclosing = model.enclosing_handler(call)
        if enclosing is not None:
            return enclosing[0]
        function = model.enclosing_function(call)
        while function is not None and function.parent is not None \
                and function.parent.type == "arguments":
            outer = model.enclosing_function(function)
            if outer is None:
                break
            function = outer
        return function

    def finish_file(self) -> None:
        if not self.wanted:
            return
        model = self.ctx.model
        candidates: dict[str, dict] = {}
        for function_id, function in model.handler_nodes.items():
            if model.handlers[function_id].how == "server action" and _is_data_module(model):
                continue
            message = self._verdict(function, self.work.get(function_id))
            if message:
                self._report_first_line(function, message)
        for function_id, work in self.work.items():
            if function_id in model.handlers:
                continue
            message = self._verdict(work.function, work, statements_count=False)
            key = handlers.qualified_name(model, work.function)
            if message and key:
                candidates[key] = {**_first_line_span(work.function), "message": message}
        if candidates or model.registered:
            self.ctx.facts[self.code] = {"module": model.module, "candidates": candidates,
                                         "registered": model.registered}
        if model.reexports:
            self.ctx.facts.setdefault(self.code, {"module": model.module, "candidates": {},
                                                  "registered": []})
            self.ctx.facts[self.code]["reexports"] = reexports_of(model, self.ctx.absolute_path)

    def _verdict(self, function: Node, work: _Work | None, statements_count: bool = True) -> str:
        calls = work.calls if work is not None else []
        statements, branches = self._measured(function, bool(calls), statements_count)
        too_much = len(calls) > self.option("max-handler-queries")
        too_long = statements > self.option("max-handler-statements")
        too_branchy = branches > self.option("max-handler-branches")
        if not (too_much or too_long or too_branchy or (work and work.sql_on_tables)):
            return ""
        size = f"{_article(statements)} {statements}-statement handler"
        if too_branchy:
            size += f" with {branches} branches"
        found = _describe(calls)
        what = f"{found} in {size}" if found else size.capitalize()
        pronoun = "them" if len(calls) > 1 else "it" if calls else "the logic"
        return f"{what}; move {pronoun} into {self._service_target()} and call it from the handler"

    def _measured(self, function: Node, has_calls: bool, statements_count: bool
                  ) -> tuple[int, int]:
        """Statements and branches; without data calls only size can make a handler fat, and a
        function of a few lines cannot be."""
        lines = function.end_point[0] - function.start_point[0] + 1
        if has_calls or (statements_count and lines > self.option("max-handler-branches")):
            return _size(function, self.ctx.model.grammar)
        return 0, 0

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], settings) -> list[Finding]:
        """Handlers defined in one module and registered in another: the candidates a
        registration names (following re-exports of index files)."""
        files = {path: facts[cls.code] for path, facts in facts_by_path.items()
                 if cls.code in facts}
        candidates = {key: (path, entry) for path, facts in files.items()
                      for key, entry in facts["candidates"].items()}
        reexports = {facts["module"]: facts.get("reexports", []) for facts in files.values()}
        findings = []
        for facts in files.values():
            for registered in facts["registered"]:
                found = follow(registered["target"], candidates, reexports)
                if found is not None and settings.code_enabled(cls.code):
                    path, entry = found
                    findings.append(Finding(path=path, line=entry["line"],
                                            column=entry["column"], code=cls.code,
                                            message=entry["message"],
                                            end_line=entry["end_line"],
                                            end_column=entry["end_column"]))
        return sorted(set(findings))

    def _service_target(self) -> str:
        services = sorted(source for source in self.ctx.model.import_sources()
                          if "service" in source.lower())
        return f"the service layer ({services[0]})" if services else "a service function"

    def _report_first_line(self, function: Node, message: str) -> None:
        span = _first_line_span(function)
        self.ctx.report_at(self.code, (span["line"], span["column"]),
                           (span["end_line"], span["end_column"]), message)


_DATA_MODULE = re.compile(r"(^|/)(services?|repositor(y|ies)|queries|data|db|dal)(/|\.|$)|"
                          r"[.-](service|repository|queries|dal)\.")


def _is_data_module(model) -> bool:
    """A "use server" module that is the project's data layer (`lib/utils/services.ts`,
    `*.service.ts`, `queries/`): its exported functions are the service, not fat handlers."""
    return bool(_DATA_MODULE.search(model.relative_path))


def _first_line_span(function: Node) -> dict:
    """The handler's first line: from where it starts to the end of that line (or its end)."""
    line, column = function.start_point
    end_line, end_column = function.end_point
    if end_line != line:
        first = function.text.split(b"\n", 1)[0] if function.text else b""
        end_line, end_column = line, column + len(first)
    return {"line": line + 1, "column": column, "end_line": end_line + 1,
            "end_column": end_column}


def _size(function: Node, grammar: str) -> tuple[int, int]:
    """Statements and branches (guard clauses excluded) written in the handler's body, its
    callbacks' included (they are its logic): one query over the body's bytes, in C."""
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return 0, 0
    cursor = tree_sitter.QueryCursor(_size_query(grammar))
    cursor.set_byte_range(body.start_byte, body.end_byte)
    captures = cursor.captures(body)
    statements = captures.get("statement", [])
    branches = [node for node in captures.get("branch", [])
                if node.type != "if_statement" or not _is_guard(node)]
    return len(statements), len(branches)


@cache
def _size_query(grammar: str) -> tree_sitter.Query:
    known = parsing.node_kinds(grammar)
    statements = " ".join(f"({kind})" for kind in sorted(_STATEMENTS) if kind in known)
    branches = " ".join(f"({kind})" for kind in sorted(_LOOPS | {"if_statement", "switch_case"})
                        if kind in known)
    return tree_sitter.Query(parsing.language(grammar),
                             f"[{statements}] @statement [{branches}] @branch")


def _is_guard(node: Node) -> bool:
    """`if (!item) return res.status(404).json(...)`: validation, not logic."""
    if node.child_by_field_name("alternative") is not None:
        return False
    consequence = node.child_by_field_name("consequence")
    if consequence is None:
        return False
    if consequence.type == "statement_block":
        inner = consequence.named_children
        return 0 < len(inner) <= 2 and inner[-1].type in _EXITS
    return consequence.type in _EXITS


def _call_name(call: Node) -> str:
    parts = data_access.chain(call.child_by_field_name("function"))
    named = [part for part in parts if part not in ("()", "[]", "?", "this")]
    return ".".join(named[-3:]) if len(named) > 1 else (named[0] if named else text(call)[:20])


def _describe(calls: list[tuple[str, str]]) -> str:
    specific = {label for label, _ in calls} & {"Sequelize", "Mongoose"}
    by_label: dict[str, list[str]] = {}
    for label, name in calls:
        if label == "model" and len(specific) == 1:
            label = next(iter(specific))  # `Revision.create` beside `Document.findByPk`
        by_label.setdefault(label, []).append(name)
    parts = []
    for label, names in by_label.items():
        singular, plural = ("query", "queries") if label in _QUERY_LABELS else ("call", "calls")
        counted = f"{len(names)} {label} {plural}" if len(names) > 1 else \
            f"{_article_for(label)} {label} {singular}"
        listed = "" if label == "raw SQL" else f" ({', '.join(dict.fromkeys(names))})"
        parts.append(counted + listed)
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _article(number: int) -> str:
    spoken = str(number)
    return "an" if spoken.startswith("8") or spoken in ("11", "18") else "a"


def _article_for(word: str) -> str:
    return "an" if word[:1] in "AEIOUaeiou" and not word.startswith("raw") else "a"
