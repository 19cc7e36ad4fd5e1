"""Debug mode enabled

## What it does
Reports debug mode switched on by a literal `True` in code that serves requests:

- `app.run(debug=True)` on a Flask, Quart or Sanic app (or an unresolved object named like an
  app), `socketio.run(app, debug=True)`, werkzeug's `run_simple(..., use_debugger=True)`;
- `FastAPI(debug=True)`, `Starlette(debug=True)`, `Litestar(debug=True)`, aiohttp's
  `web.Application(debug=True)`, wherever the app is built (also a sub-application passed to
  `app.mount(...)`);
- `app.debug = True`, `app.config["DEBUG"] = True`, `app.config.update(DEBUG=True)` and
  `from_mapping(...)`;
- `DEBUG = True` at module level of a settings module (a module or folder named `settings`,
  `config`, `conf` ..., or any module that also sets Django or Flask settings such as
  `INSTALLED_APPS`, `SECRET_KEY` or `SQLALCHEMY_DATABASE_URI`), when it is the last value the
  module gives `DEBUG` and no other settings module in the same folder gives `DEBUG` a value of
  its own (`defaults.py` with `DEBUG = True` beside a `production.py` that sets it is fine; this
  comparison needs the whole project, so flake8 does not report this case);
- `DEBUG = True` in a Flask configuration class (a class named `...Config`/`...Settings` or one
  holding other settings), unless a class of the module sets `DEBUG = False` (a production
  configuration overriding the default).

`app.run(debug=True)` under `if __name__ == "__main__":` is reported when the server listens
beyond the machine itself (`host="0.0.0.0"`, a host from a variable): `python app.py` is how many
such applications are started in their container, and the debugger it enables runs code for
whoever reaches an error page.

Not reported: a value read from the environment or from settings (`debug=settings.debug`,
`os.environ.get("FLASK_DEBUG") == "1"`), anything under an `if` other than the `__main__`
guard (`if in_debug_mode(): app = FastAPI(debug=True)`: the environment decides),
a development server bound to this machine only (`app.run(debug=True)` without a host:
Flask's, Quart's and Sanic's default is 127.0.0.1; `host="localhost"`, any 127.x.x.x), a
server's log level (`log_level="debug"`), pydantic `BaseSettings` fields (the environment
overrides them), classes named for development or tests (`DevelopmentConfig`, `TestConfig`), and
files meant for development only: a file or folder named `dev`, `develop`, `development`,
`local`, `debug`, `test(s)`, `testing`, `unittest(s)`, `ci`, `examples`, `samples` or `demo(s)`
(alone or joined with `_`: `settings/dev.py`, `local_settings.py`, `config_dev.py`); test code.

## Why it matters
The guide: "Don't return raw exceptions or stack traces to the client." Debug mode does exactly
that for every unhandled error: Starlette and FastAPI return the traceback, Django's error page
shows the traceback, the settings and the SQL, and the Werkzeug debugger behind Flask's
`debug=True` opens an interactive Python console in the browser. Left on in production it leaks
internals to anyone who can trigger an error, and with Werkzeug it lets them run code.

## Example
```python
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
```

## Use instead
```python
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")
```

## Options
None.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath

from . import frameworks as fw
from .base import Rule
from .calls import is_constant, keyword_value
from .devfiles import DEV_WORDS, is_dev_path, words
from .finding import Finding

_DEBUG_CONSTRUCTORS = {
    "fastapi.FastAPI": "FastAPI", "fastapi.applications.FastAPI": "FastAPI",
    "starlette.applications.Starlette": "Starlette", "litestar.Litestar": "Litestar",
    "litestar.app.Litestar": "Litestar", "aiohttp.web.Application": "web.Application",
    "aiohttp.web_app.Application": "web.Application",
}
_RUNNERS = frozenset({"flask_socketio.SocketIO"})
_RUN_SIMPLE = frozenset({"werkzeug.serving.run_simple", "werkzeug.run_simple"})
_CONFIG_UPDATES = frozenset({"update", "from_mapping"})
_SETTINGS_BASES = ("pydantic.BaseSettings", "pydantic_settings.BaseSettings",
                   "pydantic_settings.main.BaseSettings")
_SETTINGS_WORDS = frozenset({"settings", "config", "configs", "conf", "configuration"})
# Names that only web framework settings define: a module setting them is a settings module.
_WEB_SETTINGS = frozenset({
    "INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "ALLOWED_HOSTS", "DATABASES", "SECRET_KEY",
    "TEMPLATES", "WSGI_APPLICATION", "SQLALCHEMY_DATABASE_URI", "SESSION_COOKIE_SECURE",
    "SERVER_NAME", "PREFERRED_URL_SCHEME", "TESTING", "PROPAGATE_EXCEPTIONS",
    "SQLALCHEMY_TRACK_MODIFICATIONS", "WTF_CSRF_ENABLED", "JSON_SORT_KEYS",
})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_FIX_ENV = 'read it from the environment (`os.environ.get("APP_DEBUG") == "1"`) and keep it off ' \
           "in production"


class DebugModeEnabled(Rule):
    code = "BKL102"
    symbol = "debug-mode-enabled"
    pylint_id = "W9102"
    severity = "error"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._dev_only = is_dev_path(ctx.relative_path)
        self._module_debug: ast.Assign | None = None
        self._module_sets_debug = False
        self._module_names: set[str] = set()
        self._class_debugs: list[tuple[ast.ClassDef, ast.Assign]] = []
        self._production_override = False

    def report(self, node: ast.AST, message: str) -> None:
        if not self._dev_only and not _decided_at_run_time(self.ctx.model.ancestors):
            super().report(node, message)

    def visit_Call(self, node: ast.Call) -> None:
        qualname = self.ctx.model.resolve(node.func)
        if qualname in _DEBUG_CONSTRUCTORS and is_constant(keyword_value(node, "debug"), True):
            name = _DEBUG_CONSTRUCTORS[qualname]
            self.report(node, f"`{name}(debug=True)` returns stack traces to clients on every "
                              f"unhandled error: {_FIX_ENV}")
        elif qualname in _RUN_SIMPLE and is_constant(keyword_value(node, "use_debugger"), True) \
                and not _serves_loopback_only(node, "hostname"):
            self.report(node, "`run_simple(..., use_debugger=True)` serves the Werkzeug debugger, "
                              f"which runs code for whoever reaches an error page: {_FIX_ENV}")
        elif isinstance(node.func, ast.Attribute):
            self._check_method(node, node.func)

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0]
        if isinstance(target, ast.Name):
            self._record_constant(node, target.id)
        elif isinstance(target, ast.Attribute) and target.attr == "debug" \
                and is_constant(node.value, True) and self._is_app(target.value):
            self.report(node, f"`{ast.unparse(target)} = True` turns the framework's debug mode "
                              f"on, which shows stack traces to clients: {_FIX_ENV}")
        elif _is_config_key(target, "DEBUG") and is_constant(node.value, True):
            self.report(node, f"`{ast.unparse(target)} = True` turns Flask's debug mode on (the "
                              f"Werkzeug debugger shows stack traces and runs code): {_FIX_ENV}")

    def finish_file(self) -> None:
        if self._module_sets_debug and self._is_settings_module() and not self._dev_only:
            self._record_settings_debug()
        if self._production_override:
            return
        for class_node, assignment in self._class_debugs:
            self.report(assignment, f"`DEBUG = True` in `{class_node.name}`, a configuration that "
                                    "is not for development only: the framework then shows stack "
                                    f"traces to clients; {_FIX_ENV}")

    def _record_settings_debug(self) -> None:
        """Settings modules are compared in the project pass: `DEBUG = True` in `defaults.py`
        is fine when `production.py` beside it sets DEBUG again."""
        node = self._module_debug
        place = None if node is None else [node.lineno, node.col_offset, node.end_lineno,
                                           node.end_col_offset]
        folder = str(PurePosixPath(self.ctx.relative_path).parent)
        self.ctx.facts[self.code] = {"folder": folder, "on": place}

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        settings = [(path, facts[cls.code]) for path, facts in sorted(facts_by_path.items())
                    if cls.code in facts]
        overridden = {mine["folder"] for _path, mine in settings if mine["on"] is None}
        return [_settings_finding(cls.code, path, mine["on"]) for path, mine in settings
                if mine["on"] is not None and mine["folder"] not in overridden]

    def _check_method(self, node: ast.Call, func: ast.Attribute) -> None:
        if func.attr == "run" and is_constant(keyword_value(node, "debug"), True) \
                and not _serves_loopback_only(node, "host", default_loopback=True) \
                and (self._is_app(func.value) or self._is_runner(func.value)):
            self.report(node, f"`{ast.unparse(func)}(debug=True)` turns debug mode on: the "
                              "debugger shows stack traces and runs code for whoever reaches an "
                              f"error page (also under `__main__`, as containers often start it "
                              f"that way); {_FIX_ENV}")
        elif func.attr in _CONFIG_UPDATES and _is_config(func.value) and _sets_debug(node):
            self.report(node, f"`{ast.unparse(func)}(DEBUG=True)` turns Flask's debug mode on, "
                              f"which shows stack traces to clients: {_FIX_ENV}")

    def _record_constant(self, node: ast.Assign, name: str) -> None:
        scope = self.ctx.model.scopes[-1]
        parent = self.ctx.model.parent(node)
        if isinstance(scope.node, ast.Module) and isinstance(parent, ast.Module):
            self._module_names.add(name)
            if name == "DEBUG":
                self._module_sets_debug = True
                self._module_debug = node if is_constant(node.value, True) else None
        elif scope.is_class and isinstance(scope.node, ast.ClassDef) and parent is scope.node \
                and name == "DEBUG":
            self._record_class_debug(scope.node, node)

    def _record_class_debug(self, class_node: ast.ClassDef, node: ast.Assign) -> None:
        if is_constant(node.value, False):
            self._production_override = True
        elif is_constant(node.value, True) and self._is_config_class(class_node):
            self._class_debugs.append((class_node, node))

    def _is_config_class(self, node: ast.ClassDef) -> bool:
        if any(word in DEV_WORDS for word in words(node.name)):
            return False
        if any((self.ctx.model.resolve(base) or "") in _SETTINGS_BASES for base in node.bases):
            return False
        names = {target.id for statement in node.body if isinstance(statement, ast.Assign)
                 for target in statement.targets if isinstance(target, ast.Name)}
        return node.name.endswith(("Config", "Settings")) or bool(names & _WEB_SETTINGS)

    def _is_settings_module(self) -> bool:
        parts = PurePosixPath(self.ctx.relative_path).with_suffix("").parts
        named = any(word in _SETTINGS_WORDS for part in parts for word in words(part))
        return named or bool(self._module_names & _WEB_SETTINGS)

    def _is_app(self, receiver: ast.AST) -> bool:
        instance = self.ctx.model.instance_type(receiver)
        if instance in fw.APP_TYPES or instance in _DEBUG_CONSTRUCTORS:
            return True
        if isinstance(receiver, ast.Call):  # `create_app().run(debug=True)`
            receiver = receiver.func
        name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        return "app" in words(name)

    def _is_runner(self, receiver: ast.AST) -> bool:
        return self.ctx.model.instance_type(receiver) in _RUNNERS


def _settings_finding(code: str, path: str, place: list) -> Finding:
    line, column, end_line, end_column = place
    message = ("`DEBUG = True` in a settings module (and no settings module beside it sets it "
               "otherwise): Django and Flask then show stack traces, settings and SQL to whoever "
               f"reaches an error page; {_FIX_ENV}")
    return Finding(path=path, line=line, column=column, code=code, message=message,
                   end_line=end_line, end_column=end_column)


def _decided_at_run_time(ancestors: list[ast.AST]) -> bool:
    """Under an `if` (other than the `__main__` guard) the environment picks the branch."""
    return any(isinstance(node, (ast.If, ast.IfExp)) and not _is_main_guard(node)
               for node in ancestors[:-1])


def _is_main_guard(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) \
        and test.left.id == "__name__"


def _serves_loopback_only(call: ast.Call, keyword: str, default_loopback: bool = False) -> bool:
    """A development server bound to this machine (Flask's, Quart's and Sanic's default host,
    `run_simple("localhost", ...)`): its debugger is out of the network's reach. A host from a
    variable or the environment may be anything."""
    host = keyword_value(call, keyword)
    if host is None and call.args and not (default_loopback and _is_app_argument(call)):
        host = call.args[0]
    if host is None:
        return default_loopback
    return isinstance(host, ast.Constant) and isinstance(host.value, str) \
        and (host.value in _LOOPBACK or host.value.startswith("127."))


def _is_app_argument(call: ast.Call) -> bool:
    """`socketio.run(app, ...)` passes the app first, not the host."""
    return isinstance(call.args[0], (ast.Name, ast.Attribute, ast.Call))


def _is_config(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "config"


def _is_config_key(target: ast.AST, key: str) -> bool:
    return isinstance(target, ast.Subscript) and _is_config(target.value) \
        and is_constant(target.slice, key)


def _sets_debug(call: ast.Call) -> bool:
    if is_constant(keyword_value(call, "DEBUG"), True):
        return True
    return any(isinstance(arg, ast.Dict) and any(
        is_constant(key, "DEBUG") and is_constant(value, True)
        for key, value in zip(arg.keys, arg.values)) for arg in call.args)
