"""BKL101 on TS/JS through the project's own helpers, across files.

`catch (e) { return handleApiError(e) }` leaks when `handleApiError`, in whatever module, sends
its parameter's detail (`NextResponse.json({ error: err.message })`); `res.json({ error:
errorMessage(e) })` leaks when `errorMessage` returns it.

Per file, two plain facts are kept under `FACTS`:
- `helpers`: each top-level function, method or object property, by qualified name
  (`handlers.qualified_name`), with, per parameter that may be handed an error, what of an error
  object given there reaches a response inside it (`sink`, and where: `at`), what it returns
  (`returns`), and the project calls it is handed on to (`calls`: helpers built on helpers);
- `calls`: each call of a project function given a caught error's detail in request code, with
  its place and whether its value is part of a response body there.
The project pass joins them, following `export ... from` of index files. A helper that sends the
detail itself is reported once, where it sends it, naming the calls that hand it caught errors
(the fix is there); a helper that returns the detail into a caller's body is reported at that
caller, as a sink written there is.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..exception_flow import OBJECT, WHAT, compose
from ..finding import Finding
from . import handlers, module_paths
from .exports import follow, reexports_of
from .leak_flow import FIX, PLAIN_NAMES, LeakScan, Kind, Node, parameters, pattern_part, text

FACTS = "ts:BKL101"
_MAX_DEPTH = 6
_MAX_PARAMETERS = 5
# Parameters that hold the framework's request/response objects, never a caught error.
_FRAMEWORK_PARAMETERS = frozenset({"req", "request", "res", "response", "reply", "next", "ctx",
                                   "c", "context", "resp", "rep"})
_SCALAR_TYPES = frozenset({"number", "boolean", "bigint"})
# Helpers are handed an error or its text: parameters named or typed so (a cheap filter, since
# each one summarised costs a walk of the function).
_ERROR_LIKE_NAME = re.compile(r"^(e|ex|er)$|err|exc|fail|problem|message|msg|detail|reason|cause",
                              re.IGNORECASE)
_ERROR_TYPE = re.compile(r"Error|Exception")


def callee_target(model, call: Node, absolute_path: str) -> str | None:
    """The qualified name of the project function a call names, or None (a package, a local
    closure, a parameter): `handleError(e)`, `errors.handle(e)`, `ApiError.from(e)`."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        return _name_target(model, function, text(function), absolute_path)
    if function.type != "member_expression":
        return None
    imported = model.imported(function)
    if imported is not None:
        return _import_target(model, imported, absolute_path)
    base = function.child_by_field_name("object")
    prop = text(function.child_by_field_name("property"))
    if base is None or base.type != "identifier" or not prop:
        return None
    owner = _name_target(model, base, text(base), absolute_path)
    return f"{owner}.{prop}" if owner else None


def _name_target(model, identifier: Node, name: str, absolute_path: str) -> str | None:
    binding = model.lookup(name, identifier)
    if binding is None:
        return None
    if binding.imported is not None:
        return _import_target(model, binding.imported, absolute_path)
    top_level = model.declarations.get(name) is binding
    if top_level and binding.kind in ("function", "variable", "class"):
        return f"{model.module}.{name}"
    return None


def _import_target(model, imported, absolute_path: str) -> str | None:
    module = module_paths.resolve(imported.source, model.relative_path, absolute_path)
    if module is None or imported.name == "*":
        return None
    return f"{module}.{imported.name}"


class HelperSummaries:
    """One file's helper summaries and recorded calls, built while BKL101 visits it."""

    def __init__(self, ctx, is_sink: Callable[[Node], str],
                 body_values: Callable[[Node], list[Node]]) -> None:
        self.ctx = ctx
        self.is_sink = is_sink
        self.body_values = body_values
        self.helpers: dict[str, dict] = {}
        self.calls: list[dict] = []
        self._seen: set[tuple[int, int, str]] = set()

    # ----- calls from request code -----
    def note_call(self, call: Node, kinds: dict[int, Kind], context: str) -> None:
        key = (call.start_byte, call.end_byte, "sink" if context else "")
        if key in self._seen:
            return
        self._seen.add(key)
        target = callee_target(self.ctx.model, call, self.ctx.absolute_path)
        if target is not None:
            self.calls.append({"target": target, "args": _plain(kinds), "sink": bool(context),
                               "at": _span(call)})

    # ----- summaries of the file's helpers -----
    def summarise(self, function: Node, skip_first: bool) -> None:
        """What each parameter of a top-level function does with an error given there."""
        found = parameters(function)
        sources = [[] if index == 0 and skip_first else _error_names(parameter)
                   for index, parameter in enumerate(found if len(found) <= _MAX_PARAMETERS
                                                     else ())]
        body = function.child_by_field_name("body")
        if not any(sources) or body is None \
                or self.ctx.model.enclosing_function(function) is not None:
            return
        qualname = handlers.qualified_name(self.ctx.model, function)
        summary = {str(index): found for index, names in enumerate(sources)
                   if names and (found := self._scan(names, body)) is not None}
        if qualname and summary:
            self.helpers[qualname] = {"line": function.start_point[0] + 1, "params": summary}

    def _scan(self, names: list[str], body: Node) -> dict | None:
        found: dict = {"sink": 0, "at": None, "returns": 0, "calls": []}
        seen: set[tuple] = set()

        def on_sink(value, kind: Kind, sink: str) -> None:
            if sink == "return":
                found["returns"] = max(found["returns"], kind)
            elif kind > found["sink"]:
                found["sink"], found["at"] = kind, _span(value) if value is not None else None

        def on_call(call: Node, kinds: dict[int, Kind], context: str) -> None:
            target = callee_target(self.ctx.model, call, self.ctx.absolute_path)
            # A helper's own `return` is no sink: its caller's may be.
            entry = [target, _plain(kinds), context not in ("", "return"), context == "return",
                     _span(call)]
            if target is not None and (key := (target, call.start_byte, context)) not in seen:
                seen.add(key)
                found["calls"].append(entry)

        scan = LeakScan(dict.fromkeys(names, OBJECT), self.is_sink, on_sink, self.body_values)
        scan.returns_body = True
        scan.on_call = on_call
        scan.scan(body)
        return found if found["sink"] or found["returns"] or found["calls"] else None

    def facts(self) -> dict | None:
        model = self.ctx.model
        if not self.helpers and not self.calls and not model.reexports:
            return None
        return {"module": model.module, "relative": self.ctx.relative_path,
                "helpers": self.helpers, "calls": self.calls,
                "reexports": reexports_of(model, self.ctx.absolute_path)}


def _span(node: Node) -> list[int]:
    (line, column), (end_line, end_column) = node.start_point, node.end_point
    return [line + 1, column, end_line + 1, end_column]


def _plain(kinds: dict[int, Kind]) -> dict[str, int]:
    return {str(index): kind for index, kind in kinds.items()}


def _error_names(parameter: Node) -> list[str]:
    """The names a parameter binds that may hold an error or its text: `err`, `message: string`,
    `e: unknown`, `{ error }` of an options object."""
    pattern = parameter if parameter.type == "identifier" \
        else parameter.child_by_field_name("pattern")
    if pattern is None:
        return []
    if pattern.type == "object_pattern":
        return [text(target) for part in pattern.named_children
                for key, target in [pattern_part(part)]
                if target is not None and target.type in PLAIN_NAMES
                and _ERROR_LIKE_NAME.search(key)]
    if pattern.type != "identifier" or text(pattern) in _FRAMEWORK_PARAMETERS:
        return []
    name = text(pattern)
    annotation = parameter.child_by_field_name("type") if pattern is not parameter else None
    written = text(annotation).lstrip(": ").strip() if annotation is not None else ""
    if written in _SCALAR_TYPES:
        return []
    return [name] if _ERROR_TYPE.search(written) or _ERROR_LIKE_NAME.search(name) else []


class HelperIndex:
    """Every file's helpers and calls; what a recorded call sends to the client, and where."""

    def __init__(self, files: dict[str, dict]) -> None:
        self.files = files
        self.helpers = {name: (path, facts, entry) for path, facts in files.items()
                        for name, entry in facts["helpers"].items()}
        self.reexports = {facts["module"]: facts["reexports"] for facts in files.values()}
        self._memo: dict[tuple, tuple] = {}

    def findings(self, code: str) -> list[Finding]:
        at_helpers: dict[tuple, dict] = {}
        found = []
        for path, facts in sorted(self.files.items()):
            for call in facts["calls"]:
                returned = self._returned(call["target"], call["args"], 0) if call["sink"] else 0
                if returned:
                    found.append(self._caller_finding(code, path, call, returned))
                kind, place = self._sent(call["target"], call["args"], 0)
                if kind:
                    entry = at_helpers.setdefault(place, {"kind": 0, "callers": [],
                                                          "through": set()})
                    entry["kind"] = max(entry["kind"], kind)
                    entry["callers"].append((facts["relative"], call["at"][0]))
                    entry["through"].add(_name(call["target"]))
        found.extend(_helper_finding(code, place, entry) for place, entry in at_helpers.items())
        return sorted(set(found))

    def _helper(self, target: str):
        return follow(target, self.helpers, self.reexports)

    def _sent(self, target: str, args: dict[str, int], depth: int) -> tuple[int, tuple | None]:
        """The strongest detail a call hands on that a response inside the helper (or inside
        the helpers it calls) sends, and that place: (path, span, helper name)."""
        best: tuple[int, tuple | None] = (0, None)
        for index, given in args.items():
            kind, place = self._sends(target, index, depth)
            if compose(given, kind) > best[0]:
                best = (compose(given, kind), place)
        return best

    def _returned(self, target: str, args: dict[str, int], depth: int) -> int:
        return max((compose(given, self._returns(target, index, depth))
                    for index, given in args.items()), default=0)

    def _sends(self, target: str, index: str, depth: int) -> tuple[int, tuple | None]:
        def compute(path: str, summary: dict) -> tuple[int, tuple | None]:
            place = (path, tuple(summary["at"]), target) if summary["at"] else None
            best = (summary["sink"], place)
            for inner, args, into_body, _, at in summary["calls"]:
                kind, inner_place = self._sent(inner, args, depth + 1)
                if into_body and self._returned(inner, args, depth + 1) > max(best[0], kind):
                    kind, inner_place = self._returned(inner, args, depth + 1), (
                        path, tuple(at), target)
                if kind > best[0]:
                    best = (kind, inner_place)
            return best
        return self._memoised(("sends", target, index), depth, compute, (0, None))

    def _returns(self, target: str, index: str, depth: int) -> int:
        def compute(_path: str, summary: dict) -> int:
            return max([summary["returns"]] + [self._returned(inner, args, depth + 1)
                                               for inner, args, _, returned, _ in
                                               summary["calls"] if returned])
        return self._memoised(("returns", target, index), depth, compute, 0)

    def _memoised(self, key: tuple, depth: int, compute, nothing):
        if key in self._memo:
            return self._memo[key]
        helper = self._helper(key[1])
        summary = helper[2]["params"].get(key[2]) if helper is not None else None
        if summary is None or depth > _MAX_DEPTH:
            return nothing
        self._memo[key] = nothing  # a recursive helper adds nothing to itself
        self._memo[key] = compute(helper[0], summary)
        return self._memo[key]

    def _caller_finding(self, code: str, path: str, call: dict, kind: int) -> Finding:
        _, facts, entry = self._helper(call["target"])
        where = f"{facts['relative']}:{entry['line']}"
        message = (f"{WHAT[kind]} reaches the HTTP response: `{_name(call['target'])}()` "
                   f"({where}) returns it into this body: {FIX}")
        return _at(code, path, call["at"], message)


def _helper_finding(code: str, place: tuple, entry: dict) -> Finding:
    path, span, target = place
    callers = sorted(set(entry["callers"]))
    first = f"{callers[0][0]}:{callers[0][1]}"
    given = f"the call at {first}" if len(callers) == 1 else \
        f"{len(callers)} calls, the first at {first}"
    through = sorted(entry["through"] - {_name(target)})
    via = f" through `{through[0]}()`" + (f" and {len(through) - 1} more" if through[1:] else "") \
        if through else ""
    message = (f"{WHAT[entry['kind']]} reaches the HTTP response here, in `{_name(target)}()`, "
               f"which is given caught errors{via} by {given}: {FIX}")
    return _at(code, path, span, message)


def _name(target: str) -> str:
    return target.partition(".")[2]  # module ids have no dots: the rest is the name


def _at(code: str, path: str, span, message: str) -> Finding:
    line, column, end_line, end_column = span
    return Finding(path=path, line=line, column=column, code=code, message=message,
                   end_line=end_line, end_column=end_column)
