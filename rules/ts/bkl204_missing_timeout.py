"""BKL204 for TypeScript/JavaScript: outbound HTTP calls without a timeout.

Documented with the Python rule (`rules/bkl204_missing_timeout.py`). fetch (global, node-fetch,
undici, cross-fetch) without a `signal`, axios calls and `axios.create(...)` instances without a
`timeout` (none set through `defaults.timeout` in the file), got without `timeout`. Options held
in a `const` and spread into the options are followed; options that come from a parameter or an
import are not judged. ky has a 10 s default and is never reported.
"""
from __future__ import annotations

from ..bkl204_missing_timeout import MissingTimeout
from .base import TsRule
from .classify import SERVER, file_role
from .model import Node, string_value, text

_FETCH_MODULES = frozenset({"node-fetch", "undici", "cross-fetch", "isomorphic-fetch",
                            "isomorphic-unfetch"})
_AXIOS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options",
                            "request"})
# Where each axios method takes its config: `axios.get(url, config)`,
# `axios.post(url, data, config)`.
_CONFIG_INDEX = {"get": 1, "delete": 1, "head": 1, "options": 1, "post": 2, "put": 2, "patch": 2,
                 "request": 0}
_GOT_METHODS = _AXIOS_METHODS | {"stream", "paginate"}
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "await_expression"})
_UNKNOWN = "unknown"
_FIX_FETCH = "pass `signal: AbortSignal.timeout(ms)` (or call through the project's fetch " \
             "wrapper that sets one)"
_FIX_AXIOS = "pass `timeout: ms` (or create the instance with `axios.create({ timeout })`)"
_RETRY = "and retry transient failures with backoff"


class MissingTimeoutTs(TsRule):
    rule = MissingTimeout
    ts_default_enabled = False  # 0.85 sampled precision on new repositories: docs/real-repos.md

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.wanted = file_role(ctx.model, ctx.absolute_path) == SERVER
        self.defaults_set = b".defaults.timeout" in ctx.source

    def visit_call_expression(self, node: Node) -> None:
        if not self.wanted:
            return
        function = node.child_by_field_name("function")
        if function is None:
            return
        args = _arguments(node)
        if function.type == "identifier":
            self._plain_call(node, text(function), args)
        elif function.type == "member_expression":
            self._method_call(node, function, args)

    def _plain_call(self, node: Node, name: str, args: list[Node]) -> None:
        source = self._import_source(node.child_by_field_name("function"))
        if name == "fetch" and (source is None or source in _FETCH_MODULES) \
                and not self._shadowed(node, name):
            self._check_fetch(node, args)
        elif source == "axios" and not self.defaults_set:
            config = args[0] if args and args[0].type == "object" else \
                (args[1] if len(args) > 1 else None)
            if self._has(config, "timeout") is False and _absolute_or_variable(args[:1] or [None]):
                self._report(node, "`axios(...)` has no timeout (axios's default is none)",
                             _FIX_AXIOS)
        elif source == "got":
            self._check_got(node, args, 1)

    def _method_call(self, node: Node, function: Node, args: list[Node]) -> None:
        base = function.child_by_field_name("object")
        method = text(function.child_by_field_name("property"))
        source = self._import_source(base)
        if base is not None and text(base) in ("globalThis", "window") and method == "fetch":
            self._check_fetch(node, args)
        elif source == "axios" and method == "create":
            config = args[0] if args else None
            if self._has(config, "timeout") is False and not self.defaults_set \
                    and not self._same_origin(config):
                self._report(node, "`axios.create(...)` makes an instance whose requests have "
                                   "no timeout (axios's default is none)", _FIX_AXIOS)
        elif source == "axios" and method in _AXIOS_METHODS and not self.defaults_set:
            index = _CONFIG_INDEX[method]
            config = args[index] if len(args) > index else None
            url = args[0] if method != "request" else None
            if self._has(config, "timeout") is False and (url is None or
                                                          _absolute_or_variable([url])):
                self._report(node, f"`axios.{method}(...)` has no timeout (axios's default is "
                                   "none)", _FIX_AXIOS)
        elif source == "got" and method in _GOT_METHODS:
            self._check_got(node, args, 1)
        elif source == "got" and method == "extend":
            if self._has(args[0] if args else None, "timeout") is False:
                self._report(node, "`got.extend(...)` makes an instance whose requests have no "
                                   "timeout (got's default is none)", "pass `timeout: {request: "
                                   "ms}`")

    def _check_fetch(self, node: Node, args: list[Node]) -> None:
        if not args or not _absolute_or_variable(args[:1]) or _is_request_object(args[0]) \
                or self._in_swr_fetcher(node):
            return
        options = args[1] if len(args) > 1 else None
        if self._has(options, "signal") is False:
            self._report(node, "`fetch(...)` has no timeout (no `signal`: it waits as long as "
                               "the upstream keeps the connection open)", _FIX_FETCH)

    def _check_got(self, node: Node, args: list[Node], index: int) -> None:
        options = args[index] if len(args) > index else (
            args[0] if args and args[0].type == "object" else None)
        if self._has(options, "timeout") is False:
            self._report(node, "this got request has no timeout (got's default is none)",
                         "pass `timeout: { request: ms }`")

    def _same_origin(self, config: Node | None) -> bool:
        """`axios.create({ baseURL: "/api" })`: the browser calling its own server."""
        config = _unwrap(config)
        if config is None or config.type != "object":
            return False
        for entry in config.named_children:
            key = entry.child_by_field_name("key") if entry.type == "pair" else None
            if key is not None and text(key) in ("baseURL", "baseUrl"):
                return not _absolute_or_variable([entry.child_by_field_name("value")])
        return False

    def _in_swr_fetcher(self, node: Node) -> bool:
        """`const fetcher = (url) => fetch(url)`: SWR's convention for the browser's own API."""
        function = self.ctx.model.enclosing_function(node)
        if function is None:
            return False
        name = function.child_by_field_name("name")
        if name is None and function.parent is not None \
                and function.parent.type == "variable_declarator":
            name = function.parent.child_by_field_name("name")
        return name is not None and text(name).lower().endswith("fetcher")

    def _report(self, node: Node, what: str, fix: str) -> None:
        self.report(node, f"{what}: {fix}, {_RETRY}")

    # ----- options objects -----
    def _has(self, options: Node | None, key: str, depth: int = 0) -> bool | str:
        """True if the options set `key`, False if they certainly do not, _UNKNOWN otherwise
        (a parameter, an import, a call's result)."""
        options = _unwrap(options)
        if options is None:
            return False
        if options.type == "identifier" and depth <= 4:
            value = self._const_value(options)
            return self._has(value, key, depth + 1) if value is not None else _UNKNOWN
        if options.type != "object" or depth > 4:
            return _UNKNOWN
        verdicts = [self._entry_has(entry, key, depth) for entry in options.named_children]
        if True in verdicts:
            return True
        return _UNKNOWN if _UNKNOWN in verdicts else False

    def _entry_has(self, entry: Node, key: str, depth: int) -> bool | str:
        """One entry of an options object: `key: ...`, `key`, `...spread`, `[computed]: ...`."""
        if entry.type in ("pair", "method_definition"):
            name = entry.child_by_field_name("key") or entry.child_by_field_name("name")
            if name is not None and name.type == "computed_property_name":
                return _UNKNOWN
            return name is not None and text(name).strip("'\"") == key
        if entry.type == "shorthand_property_identifier":
            return text(entry) == key
        if entry.type == "spread_element" and entry.named_children:
            return self._has(entry.named_children[0], key, depth + 1)
        return False

    def _const_value(self, identifier: Node) -> Node | None:
        binding = self.ctx.model.lookup(text(identifier), identifier)
        if binding is None or binding.kind != "variable" or binding.node is None:
            return None
        declaration = binding.node.parent
        if declaration is None or not text(declaration).startswith("const"):
            return None
        return binding.value

    def _import_source(self, node: Node | None) -> str | None:
        node = _unwrap(node)
        if node is None or node.type != "identifier":
            return None
        imported = self.ctx.model.imported(node)
        return imported.source if imported is not None else None

    def _shadowed(self, node: Node, name: str) -> bool:
        """`fetch` bound in the file (a parameter, a local wrapper) is not the global one."""
        binding = self.ctx.model.lookup(name, node)
        return binding is not None and binding.kind != "import"


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in _WRAPPERS and node.named_children:
        node = node.named_children[-1] if node.type == "await_expression" \
            else node.named_children[0]
    return node


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def _absolute_or_variable(urls: list[Node | None]) -> bool:
    """A URL that leaves the process: not a same-origin path (`"/api/x"`, `` `/api/${id}` ``)."""
    url = _unwrap(urls[0]) if urls else None
    if url is None:
        return False
    if url.type in ("string", "template_string"):
        written = text(url)[1:]
        return not written.startswith(("/", ".", "?", "#"))
    return True


def _is_request_object(node: Node) -> bool:
    """`fetch(request)` forwarding an incoming or prepared Request carries its own signal."""
    node = _unwrap(node)
    if node is None:
        return False
    if node.type == "new_expression":
        return text(node.child_by_field_name("constructor")) == "Request"
    return node.type == "identifier" and text(node).lower() in ("req", "request") or \
        string_value(node) is None and node.type == "identifier" and text(node).endswith(
            "Request")
