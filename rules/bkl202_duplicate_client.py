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
a replica, two HTTP APIs. They are duplicates only when they connect to the same place: their
destination arguments (the first positional argument, `url`, `base_url`, `host`, `port`, `db`,
`dsn`, `database`, `endpoint_url`, `region_name` ...) and the identity they connect as
(`aws_access_key_id`, `profile_name`, `api_key`, `username`, `token` ...) are the same, compared
after normalising `os.environ["REDIS_URL"]`, `os.getenv("REDIS_URL")`, `settings.REDIS_URL` and
`REDIS_URL` to one name, or neither says where it connects. So two
`httpx.AsyncClient(base_url=...)` for two APIs are fine; two `httpx.AsyncClient()` are duplicates.
Sync and async clients are different kinds.

Not reported: clients built inside functions that are not cached (BKL201 covers those reached per
request), scripts under `if __name__ == "__main__":`, tests. Needs the whole project: reported by
`backlint check` and the pylint plugin, not by flake8.

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

from . import clients
from .base import Rule
from .client_index import ClientFacts, ProjectIndex
from .finding import Finding
from .imports_index import ImportAliases


class DuplicateClient(Rule):
    code = "BKL202"
    symbol = "duplicate-client"
    pylint_id = "W9202"
    severity = "warning"
    options = (clients.CLIENT_FACTORIES_OPTION,)
    collectors = (ImportAliases, ClientFacts)

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        groups: dict[tuple, list[dict]] = {}
        for singleton in ProjectIndex(facts_by_path).singletons:
            key = (singleton["kind"], tuple(singleton["destination"]))
            groups.setdefault(key, []).append(singleton)
        findings = []
        for group in groups.values():
            if len({singleton["path"] for singleton in group}) < 2:
                continue
            canonical = min(group, key=clients.canonical_rank)
            findings.extend(_finding(cls.code, singleton, canonical) for singleton in group
                            if singleton["path"] != canonical["path"])
        return sorted(findings)


def _finding(code: str, duplicate: dict, canonical: dict) -> Finding:
    message = (f"{clients.with_article(duplicate['kind'])} already exists: use "
               f"{clients.describe(canonical)} instead of creating another")
    return Finding(path=duplicate["path"], line=duplicate["line"], column=duplicate["column"],
                   code=code, message=message, end_line=duplicate["end_line"],
                   end_column=duplicate["end_column"])
