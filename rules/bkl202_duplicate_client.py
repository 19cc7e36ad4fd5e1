"""Duplicate client

## What it does
Reports a client (a database engine or session factory, a redis client, an HTTP client, a cloud,
AI, payment or messaging SDK client; the table of BKL201) created once per process in one module
when a client of the same kind, connecting to the same place, is already created once per process
in another module. "Once per process" is a module-level instance (also a class attribute, an
instance of the project's subclass of a client, such as `redis_client = RedisCli()` with
`class RedisCli(Redis)` in any module, and `engine = make_engine()` when the project's
`make_engine` returns the client it builds; an app factory that returns an app is no client), a
factory cached with `functools.cache`/`lru_cache`, or a lazy global. The instance most modules
import is the canonical one; among equals, the first module named like `db`, `database`,
`clients`, `core`, `extensions`, `cache`, `redis`, `deps` ... holds it (then the module the
project imports most, the shortest path, the first by path); every other module's
instance is reported, and the message names the canonical one:
`a redis client already exists: use app.db.redis (app/db.py:12) instead`.

Two clients of one kind may serve different purposes: a cache and a queue, a primary database and
a replica, two HTTP APIs. Between two modules they are duplicates when they connect to the same
place: their destination arguments (the first positional argument, `url`, `base_url`, `host`,
`port`, `db`, `dsn`, `database`, `endpoint_url`, `region_name` ...) and the identity they connect
as (`aws_access_key_id`, `profile_name`, `api_key`, `username`, `token` ...) are the same,
compared after normalising `os.environ["REDIS_URL"]`, `os.getenv("REDIS_URL")`,
`settings.REDIS_URL` and `REDIS_URL` to one name, or neither says where it connects. So two
`httpx.AsyncClient(base_url=...)` for two APIs are fine; two `httpx.AsyncClient()` are duplicates.
Sync and async clients are different kinds. A session factory bound to an engine of its own module
(`Session = sessionmaker(bind=engine)`) connects where that engine does, whatever the engine is
called, and a duplicate engine and its factory are one finding, on the engine.

The project's home for clients is asked about too: the module whose clients the project imports
most (at least twice: `db.py`, `clients.py`, `cache.py`, `store.py`, `lib/...`, whatever it is
called). A module-level client in a route, service or task module (one with handlers, or in a
folder or file named `routes`, `views`, `api`, `services`, `tasks`, `workers` ...) of a kind that
home already builds is reported even when it targets another database number or host of the
same service: `a redis client is created here, but the project keeps its clients in
app/store.py: reuse app.store.cache (app/store.py:7) or add this one beside it there`. Two
clients with different destinations inside the home are not duplicates.

Not reported: clients built inside functions that are not cached (BKL201 covers those reached per
request), scripts (under `if __name__ == "__main__":`, files that have one, the folders
`scripts/`, `bin/`, `tools/`, `examples/`, `docs/`, and data scripts without a guard: a loop or a
`print(...)` at module level, no handlers, imported by no module), dot-folders (`.semgrep/`,
`.github/`: other tools' test cases), files whose name is no module name, tests. Nor are clients
of two programs in one repository: services with their own import roots
(`services/users/manage.py` beside `services/mail/manage.py`), or a top-level folder (a bot's
action server, a contributor's copy of the package) that imports nothing of the package whose
client it would reuse. Needs the whole project:
reported by `backlint check` and the pylint plugin, not by flake8.

## Why it matters
The guide: "Don't create a new DB/API client if one already exists in the project." Two
instances mean two pools (twice the connections a server allows), two configurations that drift
apart (timeouts, retries, credentials), and code that no longer fits the project.

## Example
```python
# app/db.py
import os

from redis import Redis

redis = Redis.from_url(os.environ["REDIS_URL"])

# app/services/rate_limit.py
import os

import redis

limiter_store = redis.Redis.from_url(os.getenv("REDIS_URL"))
```

## Use instead
```python
# app/db.py
import os

from redis import Redis

redis = Redis.from_url(os.environ["REDIS_URL"])

# app/services/rate_limit.py
from app.db import redis

limiter_store = redis
```

## Options
- `client-factories` (default `[]`): qualified names of the project's own client constructors
  (`"app.lib.billing.BillingClient"`), checked beside the built-in table; each is its own kind.
  Shared with BKL201.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from . import clients
from .base import Rule
from .client_index import ClientFacts, ProjectIndex
from .finding import Finding
from .imports_index import ImportAliases


_ROLE_WORDS = frozenset({
    "routes", "routers", "router", "views", "view", "api", "apis", "endpoints", "handlers",
    "controllers", "resources", "services", "service", "tasks", "task", "jobs", "workers",
    "worker", "consumers"})
_MIN_HOME_IMPORTS = 2


class DuplicateClient(Rule):
    code = "BKL202"
    symbol = "duplicate-client"
    pylint_id = "W9202"
    severity = "warning"
    options = (clients.CLIENT_FACTORIES_OPTION,)
    collectors = (ImportAliases, ClientFacts)

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        index = ProjectIndex(facts_by_path)
        programs = _Programs(facts_by_path)
        # Scripts, dot-folders (`.semgrep/`, `.github/`) and files no module can import are out;
        # TS/JS duplicates are not measured yet, so BKL202 is Python only.
        singletons = [item for item in index.singletons if item.get("importable", True)
                      and item.get("language") != "ts" and not programs.is_script(item)]
        bound = _bind_session_factories(singletons)
        findings = {_place(item): _finding(cls.code, item, home)
                    for item, home in _same_destination(singletons, programs)}
        homes = _Homes(index, singletons)
        for item in singletons:
            home = homes.for_kind(item["kind"])
            place = (item["path"], item["line"], item["column"])
            if place not in findings and _outside_home(item, home, programs, facts_by_path):
                findings[place] = _finding(cls.code, item, home, elsewhere=True)
        _merge_bound_factories(findings, bound)
        return sorted(findings.values())


def _place(item: dict) -> tuple[str, int, int]:
    return item["path"], item["line"], item["column"]


def _bind_session_factories(singletons: list[dict]) -> list[tuple[dict, dict]]:
    """(factory, engine) of `Session = sessionmaker(bind=engine)` with `engine` built in the same
    module: the factory connects where that engine does (two modules' `bind=engine` may name two
    databases), and it is part of the engine's finding."""
    engines = {(item["path"], item["name"].rpartition(".")[2].lower()): item
               for item in singletons
               if item["name"] and item["kind"] not in clients.SESSION_FACTORY_KINDS}
    bound = []
    for item in singletons:
        if item["kind"] not in clients.SESSION_FACTORY_KINDS:
            continue
        names = [part.partition("=")[2] for part in item["destination"]
                 if part.startswith(("bind=", "0="))]
        engine = next(filter(None, (engines.get((item["path"], name)) for name in names)), None)
        if engine is not None:
            item["destination"] = ["bind", *engine["destination"]]
            bound.append((item, engine))
    return bound


def _merge_bound_factories(findings: dict[tuple, Finding], bound: list[tuple[dict, dict]]) -> None:
    """One finding for a duplicate engine and the session factory bound to it, on the engine."""
    for factory, engine in bound:
        if _place(factory) in findings and _place(engine) in findings:
            del findings[_place(factory)]
            finding = findings[_place(engine)]
            findings[_place(engine)] = replace(
                finding, message=f"{finding.message}; the same goes for the session factory "
                                 f"bound to it (line {factory['line']})")


def _outside_home(item: dict, home: dict | None, programs: _Programs,
                  facts_by_path: dict[str, dict]) -> bool:
    """A module-level client in a route, service or task module of the program the home of its
    kind belongs to, built outside that home."""
    return home is not None and item["how"] == "module" and item["path"] != home["path"] \
        and programs.linked(item, home) and _serves_requests(item, facts_by_path)


def _same_destination(singletons: list[dict], programs: _Programs):
    """(duplicate, canonical) of clients of one kind connecting to one place in several modules
    of one program: the best of the clients its program can import is the canonical one."""
    groups: dict[tuple, list[dict]] = {}
    for singleton in singletons:
        groups.setdefault((singleton["kind"], tuple(singleton["destination"])), []).append(
            singleton)
    for group in groups.values():
        if len({singleton["path"] for singleton in group}) < 2:
            continue
        for singleton in group:
            canonical = min((other for other in group if programs.linked(singleton, other)),
                            key=clients.canonical_rank)
            if canonical["path"] != singleton["path"]:
                yield singleton, canonical


class _Programs:
    """Which modules make one program. A repository may hold several: services with their own
    import roots (`services/users/manage.py`, `services/mail/manage.py`), a copy of the package
    in another folder, a top-level folder (a bot's action server) that imports nothing of the
    package beside it. A client in one is no duplicate of a client in another."""

    def __init__(self, facts_by_path: dict[str, dict]) -> None:
        self.imported_tops: dict[tuple[str, str], set[str]] = {}
        self.imported: set[str] = set()
        for path, facts in facts_by_path.items():
            for local, target in facts.get(ImportAliases.name, {}).items():
                program = _program(path, local.rpartition(".")[0])
                self.imported_tops.setdefault(program, set()).add(target.partition(".")[0])
                self.imported.update(_prefixes(target))
        self.entries = {path for path, facts in facts_by_path.items()
                        if facts.get(ClientFacts.name, {}).get("entries")}

    def linked(self, item: dict, other: dict) -> bool:
        """Whether `item`'s module can use `other`'s client: one program, or it imports it."""
        mine = _program(item["path"], item.get("module", ""))
        theirs = _program(other["path"], other.get("module", ""))
        if mine == theirs or mine[0] == theirs[0] and not (mine[1] and theirs[1]):
            return True
        top = other.get("module", "").partition(".")[0]
        if mine[0] != theirs[0] and (mine[0], top) in self.imported_tops:
            return False  # its own root has a package of that name: its imports stay there
        return top in self.imported_tops.get(mine, ())

    def is_script(self, item: dict) -> bool:
        """A data script without a main guard: it runs at import, has no handlers and no module
        imports it."""
        return item.get("runs_at_import", False) and item["path"] not in self.entries \
            and item.get("module") not in self.imported


def _program(path: str, module: str) -> tuple[str, str]:
    """(import root, top-level package) of a module: `svc/users/apps/auth/x.py` imported as
    `apps.auth.x` -> (`svc/users`, `apps`); a module at the root has no package."""
    parts = PurePosixPath(path).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    names = module.split(".") if module else []
    return "/".join(parts[:max(len(parts) - len(names), 0)]), \
        names[0] if len(names) > 1 else ""


def _prefixes(target: str) -> list[str]:
    """`a.b.c` -> `a`, `a.b`, `a.b.c`: each module an import may name."""
    names = target.split(".")
    return [".".join(names[:end]) for end in range(1, len(names) + 1)]


class _Homes:
    """The project's shared-clients modules: where the clients other modules import are built."""

    def __init__(self, index: ProjectIndex, singletons: list[dict]) -> None:
        targets = list(index.aliases.values())
        self.by_path: dict[str, list[dict]] = {}
        for singleton in singletons:
            if singleton["name"]:
                self.by_path.setdefault(singleton["path"], []).append(singleton)
        imports = _ImportIndex(targets)
        self.imports = {path: imports.count(items) for path, items in self.by_path.items()}

    def for_kind(self, kind: str) -> dict | None:
        """The named client of `kind` in the module whose clients the project imports most."""
        homes = [path for path, items in self.by_path.items()
                 if self.imports[path] >= _MIN_HOME_IMPORTS
                 and any(item["kind"] == kind for item in items)]
        if not homes:
            return None
        home = min(homes, key=lambda path: (-self.imports[path], path))
        return min((item for item in self.by_path[home] if item["kind"] == kind),
                   key=clients.canonical_rank)


class _ImportIndex:
    """The project's import targets by the names they spell exactly and by the dotted prefixes
    they extend, so that counting a module's importers does not scan every import per module."""

    def __init__(self, targets: list[str]) -> None:
        self.exact: dict[str, list[int]] = {}
        self.below: dict[str, list[int]] = {}
        for number, target in enumerate(targets):
            self.exact.setdefault(target, []).append(number)
            parts = target.split(".")
            for end in range(1, len(parts)):
                self.below.setdefault(".".join(parts[:end]), []).append(number)

    def count(self, items: list[dict]) -> int:
        """Imports of these clients' module: `from app.db import redis` or `from app import db`
        (the name or its module, or something below the name)."""
        names = {item["name"].removesuffix("()") for item in items}
        found: set[int] = set()
        for name in names:
            found.update(self.exact.get(name, ()))
            found.update(self.exact.get(name.rpartition(".")[0], ()))
            found.update(self.below.get(name, ()))
        return len(found)


def _serves_requests(singleton: dict, facts_by_path: dict[str, dict]) -> bool:
    """A route, service or task module: it has handlers, or its folder or name says so."""
    facts = facts_by_path.get(singleton["path"], {}).get(ClientFacts.name, {})
    if facts.get("entries"):
        return True
    parts = PurePosixPath(singleton["relative"]).with_suffix("").parts
    return any(part in _ROLE_WORDS or part.rpartition("_")[2] in _ROLE_WORDS for part in parts)


def _finding(code: str, duplicate: dict, canonical: dict, elsewhere: bool = False) -> Finding:
    kind = clients.with_article(duplicate["kind"])
    if elsewhere:
        message = (f"{kind} is created here, but the project keeps its clients in "
                   f"{canonical['relative']}: reuse {clients.describe(canonical)} or add this one "
                   f"beside it there")
    else:
        message = (f"{kind} already exists: use {clients.describe(canonical)} instead of "
                   f"creating another")
    return Finding(path=duplicate["path"], line=duplicate["line"], column=duplicate["column"],
                   code=code, message=message, end_line=duplicate["end_line"],
                   end_column=duplicate["end_column"])
