"""The response envelope BKL103 compares bodies with: configured, or inferred per sub-application.

An inferred envelope is the dominant key set of one sub-application's success bodies (and of its
error bodies), restricted to envelope words: a payload name such as `users` or `token` is never an
envelope key. Its discriminating keys (`success`, `ok`, `status`, or the keys the success and the
error shape share) are required; its other keys are optional, so `{"success": True}` after a
delete conforms to `{success, data}`.

A sub-application is a folder with its own application (`Flask(...)`, `FastAPI()`,
`web.Application()` ...), Django `urls`, or router root (a router or blueprint built in a
package's `__init__.py`); files under no such folder belong to the project's root. Inference needs
evidence: `response-shape-min-bodies` bodies of the shape from `response-shape-min-modules`
modules.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

ENVELOPE_WORDS = frozenset({"success", "ok", "status", "data", "result", "results", "error",
                            "errors", "message", "msg", "code", "meta", "payload", "detail"})
# Keys that say whether a call succeeded: the ones every body of an envelope keeps
# (`{"code": 0, "msg": ..., "data": ...}` envelopes discriminate by `code`).
_DISCRIMINATORS = frozenset({"success", "ok", "status", "code"})
# Where an envelope carries a response's data: without one it is an acknowledgement only.
_PAYLOAD_SLOTS = frozenset({"data", "result", "results", "payload"})
# What an error body may carry beside the discriminating key.
_ERROR_WORDS = frozenset({"error", "errors", "message", "msg", "detail", "code"})
# Applications: the folder holding one is a sub-application.
APP_CONSTRUCTORS = frozenset({
    "fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette",
    "flask.Flask", "flask.app.Flask", "apiflask.APIFlask", "flask_restx.Api",
    "flask_restful.Api", "quart.Quart", "aiohttp.web.Application", "sanic.Sanic",
    "ninja.NinjaAPI", "litestar.Litestar"})


@dataclass(frozen=True)
class Envelope:
    success: tuple[str, ...]
    error: tuple[str, ...] = ()
    configured_keys: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    counts: str = ""
    scope: str = ""
    helper: str | None = None
    error_helper: str | None = None

    @classmethod
    def configured(cls, settings) -> Envelope:
        return cls(success=(), configured_keys=tuple(settings.option("response-envelope")),
                   required=tuple(settings.option("response-envelope-required")))

    @classmethod
    def inferred(cls, bodies, evidence: tuple[int, int], unknown: int = 0,
                 scope: str = "") -> Envelope | None:
        """`bodies`: (path, body, keys) of one sub-application; `evidence`: (bodies, modules)."""
        success = dominant([(path, keys) for path, body, keys in bodies if not body["error"]],
                           evidence, unknown)
        if success is None:
            return None
        error = dominant([(path, keys) for path, body, keys in bodies if body["error"]],
                         (evidence[0], 1))
        shape, count, total, modules = success
        counts = f"{count} of {total} bodies in {modules} module{'s' if modules > 1 else ''}"
        if error:
            counts += f"; errors: {braces(error[0])}"
        return cls(success=shape, error=error[0] if error else (), counts=counts, scope=scope,
                   required=_discriminating(shape, error[0] if error else ()))

    def with_helpers(self, helper: str | None, error_helper: str | None) -> Envelope:
        return Envelope(self.success, self.error, self.configured_keys, self.required,
                        self.counts, self.scope, helper, error_helper)

    def accepts(self, keys: frozenset[str], is_error: bool) -> bool:
        if self.configured_keys:
            return set(self.required) <= keys <= set(self.configured_keys)
        if keys >= set(self.success) or (self.error and keys >= set(self.error)):
            return True
        carries_data = bool(keys - ENVELOPE_WORDS or keys & _PAYLOAD_SLOTS)
        if carries_data and not _PAYLOAD_SLOTS & set(self.success):
            return True  # data beside `{status}` acknowledgements: the project wraps no data
        if self.required and keys >= set(self.required):
            allowed = set(self.success) | set(self.error) | (_ERROR_WORDS if is_error else set())
            if keys <= allowed:
                return True  # a subset that keeps the discriminating key: `{"success": True}`
        return is_error and not self.error and bool(keys & set(self.success))

    def describe(self) -> str:
        if self.configured_keys:
            required = f" and requires {braces(self.required)}" if self.required else ""
            return f"response-envelope in [tool.backlint] allows {braces(self.configured_keys)}" \
                   f"{required}"
        who = f"the handlers under {self.scope}/" if self.scope else "this project's handlers"
        return f"{who} return {braces(self.success)} ({self.counts})"


def _discriminating(success: tuple[str, ...], error: tuple[str, ...]) -> tuple[str, ...]:
    """The flag both shapes keep (`success`, `code` ...), else the keys they share."""
    shared = [key for key in success if key in error]
    flags = [key for key in (shared or success) if key in _DISCRIMINATORS]
    return tuple(flags or shared)


def dominant(bodies: list[tuple[str, tuple[str, ...]]], evidence: tuple[int, int],
             unknown: int = 0):
    """(envelope keys, count, total, modules) of the envelope most bodies share, if it is a
    clear convention: at least `evidence` (bodies, modules), twice the next shape's count, and a
    third of all bodies, `unknown` typed bodies whose model could not be read included."""
    if not bodies:
        return None
    projected = [(path, envelope_keys(keys)) for path, keys in bodies]
    counts = Counter(frozenset(keys) for _, keys in projected)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], sorted(item[0])))
    shape, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if not shape or count < 2 * runner_up or count * 3 < len(bodies) + unknown:
        return None  # no envelope words: a resource's fields, not an envelope
    modules = len({path for path, keys in projected if frozenset(keys) == shape})
    if count < evidence[0] or modules < evidence[1]:
        return None
    first = next(keys for _, keys in projected if frozenset(keys) == shape)
    return first, count, len(bodies), modules


def envelope_keys(keys) -> tuple[str, ...]:
    """The keys of a body that can belong to an envelope; payload names are left out."""
    return tuple(key for key in keys if key in ENVELOPE_WORDS)


def sub_application(relative: str, roots: list[str]) -> str:
    """The deepest sub-application folder holding `relative` (or the module itself, for an API
    router of its own), or "" (the project's root)."""
    parents = {str(parent) for parent in PurePosixPath(relative).parents} | {relative}
    return max((root for root in roots if root in parents), key=len, default="")


def root_folder(relative: str, builds_app: bool, builds_router: bool,
                api_prefix: bool = False) -> str | None:
    """The folder a file makes a sub-application of, or None: an app anywhere, Django `urls`,
    a router or blueprint in a package's `__init__.py`; a module whose router is mounted at an
    API root (`url_prefix="/api/v1"`) beside the site's other routes is one of its own."""
    path = PurePosixPath(relative)
    if api_prefix and path.name != "__init__.py":
        return relative
    if path.name == "urls.py":
        return _folder(path.parent)
    if path.name == "__init__.py" and path.parent.name == "urls":
        return _folder(path.parent.parent)
    if builds_app or (builds_router and path.name == "__init__.py"):
        return _folder(path.parent)
    return None


def is_api_root(prefix: str) -> bool:
    """`/api`, `/api/v1`, `/v2`: the root of an API, not a resource's path."""
    parts = [part for part in prefix.strip("/").split("/") if part]
    return bool(parts) and all(part == "api" or (part[:1] == "v" and part[1:].isdigit())
                               for part in parts)


def _folder(path: PurePosixPath) -> str:
    return "" if str(path) == "." else str(path)


def braces(keys) -> str:
    return "{" + ", ".join(keys) + "}"
