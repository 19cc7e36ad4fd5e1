"""Parse a file once, walk it once, and dispatch each node to the enabled rules that want it."""
from __future__ import annotations

import ast
import inspect
import io
import os
import sys
import tokenize
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from . import names
from .base import Rule, Visitor
from .catalog import all_rules
from .columns import in_characters, source_lines
from .context import FileContext
from .finding import FileError, FileResult
from .model import SemanticModel
from .noqa import without_suppressed
from .settings import Settings

Callback = Callable[[ast.AST], None]
# Python frames one file's parse and walk may use, counted from the caller's depth.
_FILE_RECURSION_BUDGET = 10_000
_TOO_DEEP = "nested too deeply to analyse; skipped"
# Files are parsed by the Python backlint runs on; newer syntax needs a newer interpreter.
_NEWER_PYTHON_HINT = (
    f" (backlint runs on Python {sys.version_info.major}.{sys.version_info.minor}; if the code "
    "uses newer syntax, run backlint with that Python)")
# Syntax errors no newer grammar explains (limits and bad characters): no such hint for them.
_NOT_NEWER_SYNTAX = ("too many nested parentheses", "source code string cannot contain null bytes",
                     "source code cannot contain null bytes", "Exceeds the limit",
                     "(unicode error)", "invalid character", "invalid non-printable character",
                     "unterminated triple-quoted string", "invalid decimal literal")


def analyse_source(source: bytes | str, path: str, settings: Settings, *,
                   tree: ast.Module | None = None, apply_noqa: bool = True) -> FileResult:
    """Findings of the enabled rules for one file; problems come back as `FileResult.error`."""
    relative = settings.relative(path)
    rules = enabled_rules_for(relative, settings)
    if not rules:
        return FileResult(path)
    text, error = _decode(source, path, settings)
    if error is not None:
        return FileResult(path, error=error)
    with recursion_budget(_FILE_RECURSION_BUDGET):
        try:
            if tree is None:
                tree, error = _parse(text, path)
                if error is not None:
                    return FileResult(path, error=error)
            return _run_rules(tree, text, path, relative, settings, rules, apply_noqa)
        except RecursionError:
            return FileResult(path, error=FileError(path, _TOO_DEEP))


@contextmanager
def recursion_budget(frames: int) -> Iterator[None]:
    """Room for `frames` more Python frames, counted from the current depth, restored on exit:
    a file gets the same room in the CLI, its workers, flake8 and pylint, whatever ran before it,
    and the host process keeps its own limit."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _stack_depth() -> int:
    depth, frame = 0, inspect.currentframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def enabled_rules_for(relative: str, settings: Settings) -> tuple[type[Rule], ...]:
    ignored = settings.ignored_in_file(relative)
    is_test = settings.is_test_path(relative)
    return tuple(
        rule for rule in all_rules()
        if rule.code in settings.enabled_code_set
        and not any(rule.code.startswith(code) for code in ignored)
        and (rule.applies_to_tests or not is_test)
    )


def _run_rules(tree: ast.Module, text: str, path: str, relative: str, settings: Settings,
               rule_classes: tuple[type[Rule], ...], apply_noqa: bool) -> FileResult:
    model = SemanticModel(relative, import_path(path))
    lines = source_lines(text)
    ctx = FileContext(path=path, relative_path=relative, settings=settings, model=model,
                      lines=lines, is_test=settings.is_test_path(relative))
    visitors = [visitor_class(ctx) for visitor_class in _visitor_classes(rule_classes)]
    visit, leave = _dispatch_tables(visitors)
    model.prepare(tree, text)
    _walk(tree, model.enter, model.leave, visit, leave)
    for visitor in visitors:
        visitor.finish_file()
    findings = ctx.findings if text.isascii() else in_characters(
        ctx.findings, lambda _path: source_lines(text))
    findings = without_suppressed(findings, lines) if apply_noqa else findings
    return FileResult(path, findings=sorted(set(findings)), facts=ctx.facts)


_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py")


def import_path(path: str) -> str | None:
    """The file's path from the directory above its top package, when that directory is a
    project root (a marker file or `src`): monorepos keep `server/polar/...` imported as
    `polar...`, and cross-file rules match names by what the code imports."""
    base = _import_root(os.path.dirname(os.path.abspath(path)))
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/") if base else None


@cache
def _import_root(directory: str) -> str | None:
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None
    parent = os.path.dirname(directory)
    if parent == directory:
        return None
    if os.path.isfile(os.path.join(parent, "__init__.py")):
        return _import_root(parent)
    # A namespace package (no __init__.py above, as in src/ai/backend/pkg) is no root.
    is_root = os.path.basename(parent) == "src" or any(
        os.path.isfile(os.path.join(parent, marker)) for marker in _PROJECT_MARKERS)
    return parent if is_root else None


def _visitor_classes(rule_classes: tuple[type[Rule], ...]) -> tuple[type[Visitor], ...]:
    """The rules' shared collectors (each once), then the rules: collectors come first so their
    facts are complete when a rule's finish_file reads them."""
    collectors = dict.fromkeys(collector for rule_class in rule_classes
                               for collector in rule_class.collectors)
    return (*collectors, *rule_classes)


def _dispatch_tables(rules: list[Visitor]) -> tuple[dict[type, list[Callback]], ...]:
    visit: dict[type, list[Callback]] = {}
    leave: dict[type, list[Callback]] = {}
    for rule in rules:
        callbacks = _callbacks_of(type(rule))
        for node_type in callbacks["visit"]:
            callback = getattr(rule, f"visit_{node_type}")
            visit.setdefault(getattr(ast, node_type), []).append(callback)
        for node_type in callbacks["leave"]:
            callback = getattr(rule, f"leave_{node_type}")
            leave.setdefault(getattr(ast, node_type), []).append(callback)
    return visit, leave


@cache
def _callbacks_of(rule_class: type[Visitor]) -> dict[str, list[str]]:
    return rule_class.node_callbacks()


# The fields to walk, per node type; the hot loop reads this dict directly.
_FIELDS = names.CHILD_FIELDS


def _walk(node: ast.AST, enter: Callback, exit_: Callback, visit: dict[type, list[Callback]],
          leave: dict[type, list[Callback]]) -> None:
    """`enter` / `exit_`: the model's hooks, passed bound (the hot loop looks nothing up)."""
    node_type = type(node)
    enter(node)
    for callback in visit.get(node_type, ()):
        callback(node)
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = names.child_fields(node_type)
    for field_name in fields:
        value = getattr(node, field_name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    _walk(item, enter, exit_, visit, leave)
        elif isinstance(value, ast.AST):
            _walk(value, enter, exit_, visit, leave)
    for callback in leave.get(node_type, ()):
        callback(node)
    exit_(node)


def _decode(source: bytes | str, path: str, settings: Settings) -> tuple[str, FileError | None]:
    if len(source) > settings.max_file_bytes:
        return "", oversize_error(path, len(source), settings)
    if isinstance(source, str):
        return source, None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding), None
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        return "", FileError(path, f"not valid UTF-8 (or its declared encoding): {reason}; "
                                   "save it as UTF-8 or declare its encoding")


def _maybe_newer(error: SyntaxError) -> bool:
    """Whether a newer Python could accept the code: not for indentation (no release changed
    it) nor for the limits and characters every release rejects."""
    message = str(error.msg)
    return not isinstance(error, IndentationError) and not message.startswith(_NOT_NEWER_SYNTAX)


def oversize_error(path: str, size: int, settings: Settings) -> FileError:
    return FileError(path, f"skipped: {size:,} bytes is over max-file-bytes "
                           f"({settings.max_file_bytes:,}); raise it in {settings.config_place} "
                           "to check this file, or exclude it")


def _parse(text: str, path: str) -> tuple[ast.Module | None, FileError | None]:
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as error:
        where = f" at line {error.lineno}" if error.lineno else ""
        where += f", column {error.offset}" if error.lineno and error.offset else ""
        return None, FileError(path, f"syntax error{where}: {error.msg}; not analysed"
                                     f"{_NEWER_PYTHON_HINT if _maybe_newer(error) else ''}")
    except (ValueError, MemoryError) as error:
        return None, FileError(path, f"cannot be parsed: {error}; not analysed")
