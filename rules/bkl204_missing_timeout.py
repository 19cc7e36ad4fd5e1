"""Missing timeout

## What it does
Reports outbound HTTP calls that can wait forever:

- `requests` functions (`requests.get`, `post`, `put`, `patch`, `delete`, `head`, `options`,
  `request`) without `timeout=`, or with `timeout=None`;
- the same methods on a `requests.Session` (a module-level or local session, one opened with
  `with requests.Session() as s:`, or `self.session = requests.Session()` of the class): a Session
  has no default timeout either;
- `urllib.request.urlopen(...)` without a timeout (keyword or third argument);
- `aiohttp.ClientSession(...)` without `timeout=` (its default lets one request take five
  minutes), unless every request made on that session (in the same `async with` block or
  function, or through `self.<name>` in the class) passes its own `timeout=` or the session only
  opens websockets (`ws_connect`); `aiohttp.request(...)` without `timeout=`;
  `aiohttp.ClientTimeout()` with no limit set;
- an explicit `timeout=None` on httpx functions, clients and client methods, and
  `httpx.Timeout(None)`. httpx has a 5 s default, so nothing else is reported for it.

Names are resolved through imports and aliases (`from requests import get`,
`import requests as r`). Not reported: calls passing `**kwargs` (they may carry the timeout);
session calls in a module that defines a timeout `HTTPAdapter` subclass or replaces the session's
`request` method (the usual ways to give a session a default); test code.

## TypeScript/JavaScript
Off by default on TS/JS (`extend-select = ["BKL204"]` turns it on; the Python side stays on):
its sampled precision on repositories it was not tuned on was 0.85 (see docs/real-repos.md). The
same rule on TS/JS server code: `fetch(...)` (global, `globalThis.fetch`, node-fetch, undici's
fetch, cross-fetch) without a `signal`; axios calls (`axios.get/post/...`, `axios(config)`,
`axios.request`) without `timeout`, and `axios.create(...)` without `timeout` (reported once,
where the instance is made; its calls are not), unless the file sets `axios.defaults.timeout`;
got without `timeout`, and `got.extend(...)` without one. Options held in a `const` object and
spread into the options (`{ ...withTimeout, method: "POST" }`) are followed; options that come
from a parameter, an import or a call are not judged, so the project's own fetch wrapper that
sets a signal counts, and its callers are not reported.

Not reported: same-origin paths (`fetch("/api/items")`), a forwarded `Request`
(`fetch(request)`), SWR-style `fetcher` functions, ky (it has a 10 s default), undici's
`request` (its own 300 s timeouts), client code (components, hooks, `"use client"` modules),
scripts, seeds and tests.

## Why it matters
The guide: "Handle rate limits and transient errors gracefully (retry with backoff where
appropriate)." A call without a timeout to a slow or dead upstream holds the worker (a thread, a
process or an event-loop task) until the TCP connection dies, which can be hours; a handful of them
exhaust the server and the outage of one vendor becomes yours. A timeout turns the hang into an
error the code can retry or report.

## Example
```python
import requests


def exchange_rate(currency: str) -> float:
    response = requests.get(f"https://rates.example.com/latest/{currency}")
    return response.json()["rate"]
```
```ts
export async function exchangeRate(currency: string): Promise<number> {
  const response = await fetch(`https://rates.example.com/latest/${currency}`);
  return (await response.json()).rate;
}
```

## Use instead
```python
import requests


def exchange_rate(currency: str) -> float:
    response = requests.get(f"https://rates.example.com/latest/{currency}", timeout=(3.05, 10))
    response.raise_for_status()
    return response.json()["rate"]
```
```ts
export async function exchangeRate(currency: string): Promise<number> {
  const response = await fetch(`https://rates.example.com/latest/${currency}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()).rate;
}
```

## Options
None.
"""
from __future__ import annotations

import ast

from .base import Rule
from .calls import has_double_star, is_constant, keyword_value

_REQUESTS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options",
                               "request"})
_REQUESTS_FUNCTIONS = frozenset({f"requests.{name}" for name in _REQUESTS_METHODS}
                                | {f"requests.api.{name}" for name in _REQUESTS_METHODS})
_SESSION_TYPES = frozenset({"requests.Session", "requests.session", "requests.sessions.Session",
                            "requests.sessions.session"})
_URLOPEN = frozenset({"urllib.request.urlopen"})
_AIOHTTP_SESSIONS = frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"})
_AIOHTTP_REQUEST = frozenset({"aiohttp.request", "aiohttp.client.request"})
_AIOHTTP_TIMEOUTS = frozenset({"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"})
_HTTPX_CALLS = frozenset({f"httpx.{name}" for name in (*_REQUESTS_METHODS, "stream", "Client",
                                                       "AsyncClient")})
_AIOHTTP_METHODS = _REQUESTS_METHODS | {"ws_connect"}
_HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
_HTTPX_METHODS = _REQUESTS_METHODS | {"stream", "send", "build_request"}
_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
_RETRY = "and retry transient failures with backoff"
_NO_LIMIT = "waits as long as the upstream keeps the connection open"


class MissingTimeout(Rule):
    code = "BKL204"
    symbol = "missing-timeout"
    pylint_id = "W9204"
    pylint_symbol = "backlint-missing-timeout"  # pylint's own W3101 is named missing-timeout
    severity = "warning"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._session_attributes: list[set[str]] = []
        self._session_calls: list[tuple[ast.Call, str]] = []
        self._session_has_default = False

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(self.ctx.model.resolve(base) in _ADAPTERS for base in node.bases):
            self._session_has_default = True
        self._session_attributes.append(self._self_sessions(node))

    def leave_ClassDef(self, _node: ast.ClassDef) -> None:
        self._session_attributes.pop()

    def visit_Assign(self, node: ast.Assign) -> None:
        # `session.request = functools.partial(session.request, timeout=10)`
        if any(isinstance(target, ast.Attribute) and target.attr == "request"
               for target in node.targets):
            self._session_has_default = True

    def visit_Call(self, node: ast.Call) -> None:
        if has_double_star(node):
            return
        qualname = self.ctx.model.resolve(node.func)
        if qualname in _REQUESTS_FUNCTIONS:
            self._check_requests(node, "requests has no default timeout")
        elif qualname in _URLOPEN:
            self._check_urlopen(node)
        elif qualname in _AIOHTTP_SESSIONS or qualname in _AIOHTTP_REQUEST:
            self._check_aiohttp(node, qualname)
        elif qualname in _AIOHTTP_TIMEOUTS:
            self._check_client_timeout(node)
        elif qualname in _HTTPX_CALLS:
            self._check_httpx(node)
        elif qualname == "httpx.Timeout" and _is_unlimited_httpx_timeout(node):
            self.report(node, f"`httpx.Timeout(None)` switches httpx's 5 s default off: the call "
                              f"{_NO_LIMIT}; give a limit (httpx.Timeout(10.0, connect=5.0)) "
                              f"{_RETRY}")
        elif isinstance(node.func, ast.Attribute):
            self._check_method(node, node.func)

    def finish_file(self) -> None:
        if self._session_has_default:
            return
        for call, described in self._session_calls:
            self.report(call, f"`{described}(...)` has no timeout: a requests Session has no "
                              f"default either, so it {_NO_LIMIT}; pass `timeout=` "
                              f"(e.g. `timeout=10`) {_RETRY}")

    def _check_requests(self, node: ast.Call, why: str) -> None:
        timeout = keyword_value(node, "timeout")
        name = ast.unparse(node.func)
        if timeout is None:
            self.report(node, f"`{name}(...)` has no timeout: {why}, so it {_NO_LIMIT}; pass "
                              f"`timeout=` (e.g. `timeout=10` or `(3.05, 27)`) {_RETRY}")
        elif is_constant(timeout, None):
            self.report(timeout, f"`timeout=None` on `{name}(...)` waits forever: pass a limit "
                                 f"(e.g. `timeout=10`) {_RETRY}")

    def _check_urlopen(self, node: ast.Call) -> None:
        timeout = keyword_value(node, "timeout")
        if timeout is None and len(node.args) < 3:
            self.report(node, f"`{ast.unparse(node.func)}(...)` has no timeout: it uses the "
                              f"socket default, which is none, so it {_NO_LIMIT}; pass "
                              f"`timeout=` (e.g. `timeout=10`) {_RETRY}")
        elif is_constant(timeout, None):
            self.report(timeout, f"`timeout=None` on `{ast.unparse(node.func)}(...)` waits "
                                 f"forever: pass a limit (e.g. `timeout=10`) {_RETRY}")

    def _check_aiohttp(self, node: ast.Call, qualname: str) -> None:
        if keyword_value(node, "timeout") is not None:
            return
        if qualname in _AIOHTTP_SESSIONS and self._every_request_has_timeout(node):
            return
        self.report(node, f"`{ast.unparse(node.func)}(...)` without `timeout=`: aiohttp's "
                          "default lets one request take five minutes; pass "
                          f"`timeout=aiohttp.ClientTimeout(total=10)` {_RETRY}")

    def _check_client_timeout(self, node: ast.Call) -> None:
        limits = [keyword.value for keyword in node.keywords] + list(node.args)
        if all(is_constant(value, None) for value in limits):
            self.report(node, f"`{ast.unparse(node.func)}(...)` sets no limit, so a request "
                              f"{_NO_LIMIT}; give `total=` (e.g. `total=10`) {_RETRY}")

    def _check_httpx(self, node: ast.Call) -> None:
        timeout = keyword_value(node, "timeout")
        if is_constant(timeout, None):
            self.report(timeout, f"`timeout=None` switches httpx's 5 s default off for "
                                 f"`{ast.unparse(node.func)}(...)`: it {_NO_LIMIT}; pass a limit "
                                 f"(httpx.Timeout(10.0, connect=5.0)) or leave the default")

    def _check_method(self, node: ast.Call, func: ast.Attribute) -> None:
        receiver_type = self._receiver_type(func.value)
        if receiver_type in _SESSION_TYPES and func.attr in _REQUESTS_METHODS:
            timeout = keyword_value(node, "timeout")
            if timeout is None:
                self._session_calls.append((node, ast.unparse(func)))
            elif is_constant(timeout, None):
                self._check_requests(node, "")
        elif receiver_type in _HTTPX_CLIENTS and func.attr in _HTTPX_METHODS:
            self._check_httpx(node)

    def _receiver_type(self, receiver: ast.AST) -> str | None:
        if isinstance(receiver, ast.Call):
            return self.ctx.model.resolve(receiver.func)
        if _is_self_attribute(receiver) and self._session_attributes \
                and receiver.attr in self._session_attributes[-1]:
            return "requests.Session"
        return self.ctx.model.instance_type(receiver)

    def _self_sessions(self, node: ast.ClassDef) -> set[str]:
        """`self.<name> = requests.Session()` anywhere in the class."""
        found: set[str] = set()
        model = self.ctx.model
        if not any(name.split(".")[0] == "requests"
                   for name in (*model.imported_modules, model.module)):
            return found  # nothing here can resolve to a requests session: no walk
        for child in ast.walk(node):
            if isinstance(child, ast.Assign) and isinstance(child.value, ast.Call) \
                    and self.ctx.model.resolve(child.value.func) in _SESSION_TYPES:
                found.update(target.attr for target in child.targets
                             if _is_self_attribute(target))
        return found

    def _every_request_has_timeout(self, construction: ast.Call) -> bool:
        """Requests made on the session (chained, in its `async with` block, in the function
        holding the variable, or through `self.<name>` in the class) each pass `timeout=`, or
        the session only opens websockets: the session default is then never what limits a
        request."""
        parent = self.ctx.model.parent(construction)
        if isinstance(parent, ast.Attribute):  # `ClientSession().get(url, timeout=5)`
            request = self.ctx.model.parent(parent)
            return isinstance(request, ast.Call) and keyword_value(request, "timeout") is not None
        target, body = self._session_variable(construction)
        if target is None:
            return False
        calls = [child for statement in body for child in ast.walk(statement)
                 if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                 and _same_target(child.func.value, target)
                 and child.func.attr in _AIOHTTP_METHODS]
        return bool(calls) and all(keyword_value(call, "timeout") is not None
                                   or call.func.attr == "ws_connect" for call in calls)

    def _session_variable(self, construction: ast.Call) -> tuple[ast.AST | None, list[ast.AST]]:
        parent = self.ctx.model.parent(construction)
        if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
            statement = self.ctx.model.parent(parent)
            return parent.optional_vars, getattr(statement, "body", [])
        if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1):
            return None, []
        target = parent.targets[0]
        classes = [node for node in self.ctx.model.ancestors if isinstance(node, ast.ClassDef)]
        if _is_self_attribute(target) and classes:
            return target, [classes[-1]]
        function = self.ctx.model.current_function
        if isinstance(target, ast.Name) and function is not None:
            return target, function.body
        return None, []


def _same_target(node: ast.AST, target: ast.AST) -> bool:
    if isinstance(target, ast.Name):
        return isinstance(node, ast.Name) and node.id == target.id
    return _is_self_attribute(node) and node.attr == target.attr


def _is_self_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
        and node.value.id == "self"


def _is_unlimited_httpx_timeout(node: ast.Call) -> bool:
    return len(node.args) == 1 and is_constant(node.args[0], None) and not node.keywords
