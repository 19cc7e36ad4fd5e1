"""Exception detail through the project's own functions: taint labels and function summaries.

A taint is a small dict `label -> kind`. The label says where the detail comes from: `CAUGHT`
(an exception caught right here), `p:<name>` (a parameter of the function being summarised: its
detail counts only where a caller passes a tainted argument), or `c:<n>` (the value returned by
the file's n-th recorded call of a project function, resolved once the callee's summary is
known). The kind is what reaches the value if the source is an exception object.

Per file, BKL101 stores plain picklable facts: each function's returned taint, the sinks whose
taint is not settled in the file, the recorded calls and the module-level import aliases.
`FlowIndex` combines the facts of one file (its per-file findings) or of the project.
"""
from __future__ import annotations

from collections.abc import Iterable

from .finding import Finding

MESSAGE, OBJECT, STACK = 1, 2, 3
WHAT = {MESSAGE: "The exception message", OBJECT: "The exception object", STACK: "A stack trace"}
FIX = "log it (logger.exception) and send a generic error message instead"
CAUGHT = ""
NO_TAINT: dict[str, int] = {}  # shared: taints are never changed in place
_MAX_DEPTH = 8

Taint = dict[str, int]


def param_label(name: str) -> str:
    return f"p:{name}"


def call_label(index: int) -> str:
    return f"c:{index}"


def merge(taints: Iterable[Taint]) -> Taint:
    merged: Taint = {}
    for taint in taints:
        for label, kind in taint.items():
            if kind > merged.get(label, 0):
                merged[label] = kind
    return merged


def as_text(taint: Taint) -> Taint:
    """Formatting an exception object gives its message; a formatted stack trace stays one."""
    return {label: MESSAGE if kind == OBJECT else kind for label, kind in taint.items()}


def compose(source: int, kind: int) -> int:
    """What reaches a value given what its source holds: an object source goes through the
    recorded transform (`kind`); a message or trace stays what it is."""
    if not source or not kind:
        return 0
    return kind if source == OBJECT else source


def has_calls(taint: Taint) -> bool:
    return any(label.startswith("c:") for label in taint)


class FlowIndex:
    """The BKL101 facts of one file or of the project, and what they resolve to."""

    def __init__(self, facts_by_path: dict[str, dict], aliases: dict[str, str]) -> None:
        self.files = {path: facts_by_path[path] for path in sorted(facts_by_path)}
        self.functions: dict[str, tuple[str, dict]] = {}
        self.aliases = aliases
        self.owned_calls: dict[tuple[str, str], list[int]] = {}
        self.owned_sinks: dict[tuple[str, str], list[Taint]] = {}
        for path, facts in self.files.items():
            self._add(path, facts)
        self._memo: dict[tuple, int] = {}

    def _add(self, path: str, facts: dict) -> None:
        for qualname, summary in facts["functions"].items():
            self.functions.setdefault(qualname, (path, summary))
        for index, call in enumerate(facts["calls"]):
            if call["owner"]:
                self.owned_calls.setdefault((path, call["owner"]), []).append(index)
        for sink in facts["sinks"]:
            if sink["owner"]:
                self.owned_sinks.setdefault((path, sink["owner"]), []).append(sink["taint"])

    # ----- findings -----
    def findings(self, code: str) -> list[Finding]:
        """One finding per leaking call of a helper: where it puts the detail in a response
        itself, else the first response or route return its value reaches (a later one is
        usually the success branch after an `if "error" in result:` check)."""
        found: dict[tuple, Finding] = {}
        for path, facts in self.files.items():
            reported: set[int] = set()
            for index, call in enumerate(facts["calls"]):
                kind = self.sink_kind(path, index, {}, OBJECT, 0)
                if kind:
                    reported.add(index)
                    message = (f"{WHAT[kind]} reaches the HTTP response through "
                               f"{self._helper(call)}: {FIX}")
                    found.setdefault((path, *call["site"][:2]), _finding(code, path, call, message))
            reports = sorted((*facts["sinks"], *facts["returns"]), key=lambda item: item["site"])
            for report in reports:
                kind, culprit = self._strongest_call(path, report["taint"])
                if kind and culprit not in reported:
                    reported.add(culprit)
                    message = self._message(kind, self._helper(facts["calls"][culprit]), report)
                    found.setdefault((path, *report["site"][:2]),
                                     _finding(code, path, report, message))
        return sorted(found.values())

    @staticmethod
    def _message(kind: int, helper: str, report: dict) -> str:
        if report.get("sink"):
            return (f"{WHAT[kind]} reaches the HTTP response through {helper} and "
                    f"`{report['sink']}(...)`: {FIX}")
        return f"{WHAT[kind]} is returned to the client through {helper}: {FIX}"

    def _helper(self, call: dict) -> str:
        target = self.function_for(call["callee"])
        if target is None:
            return f"`{call['callee'].rpartition('.')[2]}(...)`"
        path, _, summary = target
        return f"`{summary['name']}(...)` ({self.files[path]['relative']}:{summary['line']})"

    def _strongest_call(self, path: str, taint: Taint) -> tuple[int, int]:
        """(kind, call index) of the call label in `taint` that brings the most detail."""
        best = (0, -1)
        for label, kind in taint.items():
            if label.startswith("c:"):
                index = int(label[2:])
                resolved = compose(self.returned_kind(path, index, {}, OBJECT, 0), kind)
                if resolved > best[0]:
                    best = (resolved, index)
        return best

    # ----- resolution -----
    def kind_of(self, path: str, taint: Taint, env: dict[str, int], caught: int,
                depth: int) -> int:
        """The kind a taint holds, given what the parameters hold (`env`) and whether detail
        caught inside the function counts (`caught`: OBJECT, or 0 when it is reported there)."""
        best = 0
        for label, kind in taint.items():
            if label == CAUGHT:
                source = caught
            elif label.startswith("p:"):
                source = env.get(label[2:], 0)
            else:
                source = self.returned_kind(path, int(label[2:]), env, caught, depth)
            best = max(best, compose(source, kind))
        return best

    def returned_kind(self, path: str, index: int, env: dict[str, int], caught: int,
                      depth: int) -> int:
        """What the project function called at `calls[index]` returns for these arguments."""
        call = self.files[path]["calls"][index]
        target = self.function_for(call["callee"])
        if target is None or depth > _MAX_DEPTH:
            return 0
        callee_path, qualname, summary = target
        bound = self._bind(path, call, summary, env, caught, depth)
        return self._memoised(("returns", callee_path, qualname, bound, caught), lambda: (
            self.kind_of(callee_path, summary["returns"], dict(bound), caught, depth + 1)))

    def sink_kind(self, path: str, index: int, env: dict[str, int], caught: int,
                  depth: int) -> int:
        """What the arguments of `calls[index]` put into a response inside the callee (or
        inside the functions it passes them to)."""
        call = self.files[path]["calls"][index]
        target = self.function_for(call["callee"])
        if target is None or depth > _MAX_DEPTH:
            return 0
        callee_path, qualname, summary = target
        bound = self._bind(path, call, summary, env, caught, depth)
        if not bound:
            return 0
        return self._memoised(("sinks", callee_path, qualname, bound), lambda: (
            self._sinks_inside(callee_path, qualname, dict(bound), depth + 1)))

    def _sinks_inside(self, path: str, qualname: str, env: dict[str, int], depth: int) -> int:
        # Detail caught inside the callee is reported there, so only the arguments count here.
        direct = (self.kind_of(path, taint, env, 0, depth)
                  for taint in self.owned_sinks.get((path, qualname), ()))
        passed_on = (self.sink_kind(path, index, env, 0, depth)
                     for index in self.owned_calls.get((path, qualname), ()))
        return max((*direct, *passed_on), default=0)

    def _bind(self, path: str, call: dict, summary: dict, env: dict[str, int], caught: int,
              depth: int) -> tuple[tuple[str, int], ...]:
        """The callee's tainted parameters, as sorted (name, kind) pairs."""
        bound = {}
        for name, taint in zip(summary["params"], call["args"]):
            bound[name] = self.kind_of(path, taint, env, caught, depth)
        for name, taint in call["kwargs"].items():
            if name in summary["params"] or name in summary["kwonly"]:
                bound[name] = self.kind_of(path, taint, env, caught, depth)
        return tuple(sorted((name, kind) for name, kind in bound.items() if kind))

    def _memoised(self, key: tuple, compute) -> int:
        if key not in self._memo:
            self._memo[key] = 0  # a recursive call meets this and stops
            self._memo[key] = compute()
        return self._memo[key]

    def function_for(self, qualname: str) -> tuple[str, str, dict] | None:
        """(path, qualname, summary) of the function a call names, through re-exports and
        module-level instances (`from app.errors import error_response` in `app/__init__.py`)."""
        name: str | None = qualname
        for _ in range(4):  # re-export chains are short; this also stops alias cycles
            if name is None or name in self.functions:
                break
            name = self._unalias(name)
        if name is None or name not in self.functions:
            return None
        path, summary = self.functions[name]
        return path, name, summary

    def _unalias(self, qualname: str) -> str | None:
        """Replace the longest aliased prefix: `app.errors.problem` -> `app.errors.http.problem`."""
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            target = self.aliases.get(".".join(parts[:cut]))
            if target is not None:
                return ".".join((target, *parts[cut:]))
        return None


def _finding(code: str, path: str, record: dict, message: str) -> Finding:
    line, column, end_line, end_column = record["site"]
    return Finding(path=path, line=line, column=column, code=code, message=message,
                   end_line=end_line, end_column=end_column)
