"""Per-request client

## What it does
Reports a client constructor (a database engine, a redis client, an HTTP client or session, a
cloud, AI, payment or messaging SDK client; see `backlint.rules.clients` for the table) that runs
on every request: called inside a route handler (FastAPI, Starlette, Flask, Quart, Django and
DRF views, aiohttp, Sanic, Litestar), in a per-request hook (`before_request`, HTTP middleware
functions, Starlette `BaseHTTPMiddleware.dispatch` and `AuthenticationBackend.authenticate`,
Django middleware), or inside a function of the project that a handler calls, directly or through
other project functions, in the same module or across modules (`from app.services import billing`,
`billing.charge()`, `self.helper()`, `Service()` reaching `Service.__init__`). Constructors are
resolved through imports and aliases (`import httpx as hx`, `from redis import Redis as R`).
`with httpx.Client() as client:` in a handler is reported too: it opens and closes a connection
pool per request. A module-level class of the project whose base is a client constructor of the
table, directly or through another such class (`class RedisCli(Redis)`,
`class CacheClient(RedisCli)`, in the same module or imported), builds a client of that kind:
`RedisCli()` per request is reported, and `redis_client = RedisCli()` is the singleton to name
(`super().__init__(...)` inside the class is no construction of its own).

The message names the project's existing client of the same kind when there is one
(`use app.db.engine (app/db.py:7) instead`): a module-level singleton (also one made by a project
factory that returns it, `engine = make_engine()`), a cached factory or a lazy global,
preferring one that connects to the same place (same URL, host, `base_url` ...).

The singleton named is always one the application can import: never one of a script, a
dot-folder or a file whose name is no module name, nor one under `scripts/`, `bin/`, `tools/`,
`examples/` or `docs/`. A module-level tuple from a project factory (`SessionLocal, engine =
init_db(url)`, where `init_db` returns `factory, engine`) names each client it holds. An
engine and the session factory bound to it in the same function (`sessionmaker(bind=engine)`,
`sessionmaker(bind=self.engine)`, `sessionmaker(bind=create_engine(url))`) are one finding, on
the engine.

Not reported: handlers that test a connection (their name says `test`, `ping`, `probe`,
`debug`: `test_redis_command`, `ChatAITestingAPI.post`), as checking a fresh client is their
purpose; module-level singletons; factories cached with `functools.cache` or `lru_cache`
(any alias); memoised factories: the lazy-singleton pattern (`global _client` /
`if _client is None: _client = X()`), early-return guards (`if _client is not None: return
_client`), a module-level dict or an attribute as the cache (`if name not in _clients:
_clients[name] = X()`, `try: return _clients[name]` / `except KeyError:`,
`if self._client: return self._client`), also through a local stored there afterwards;
clients built in a lifespan, a startup hook or a FastAPI dependency (`Depends(get_client)` is not
followed: it is no call from the handler); a constructor given an existing pool
(`Redis(connection_pool=pool)`); sessions made from a session factory (`SessionLocal()` per
request is right: the engine is the client, and `sessionmaker(...)` itself is reported);
scripts under `if __name__ == "__main__":`; tests.

The flake8 plugin sees one file at a time: it reports constructors written directly in a handler
or hook, naming a singleton only when the same file has one. Constructors reached through other
functions, and the singleton of another module to use instead, need the whole project:
`backlint check` and the pylint plugin report those.

## TypeScript/JavaScript
Off by default on TS/JS (`extend-select = ["BKL201"]` turns it on; the Python side stays on):
its sampled precision on repositories it was not tuned on was 0.73 (see docs/real-repos.md). The
same rule on TS/JS: a client constructor of the TS table (`backlint.rules.ts.client_table`:
Prisma, Drizzle, pg, postgres, mysql2, mongodb, mongoose, ioredis, node-redis, `@upstash/redis`,
`@upstash/ratelimit`, QStash, BullMQ, Kafka, RabbitMQ, Knex, Sequelize, TypeORM, Kysely, libSQL,
ClickHouse, every `@aws-sdk/client-*` client, Stripe, OpenAI, Anthropic, Google AI, Groq,
Mistral, Cohere, Pinecone, Resend, SendGrid, Postmark, nodemailer, Twilio, Octokit, Slack,
Google Cloud, `axios.create`, undici pools) called inside a handler (Express, Koa, Fastify,
Hono, Next.js route exports, wrapped ones and pages/api, NestJS controllers, tRPC procedures,
ts-rest handlers, server actions), or inside a project function a handler calls, in the same
module or through imports (relative paths, `index` files, tsconfig `paths`, `@/`), NestJS
services injected into a controller (`this.orders.list()`) and class constructors (`new
Service()`) included. The message names the project's TS singleton of the same kind (never a
Python one).

Not reported: module-level clients; memoised getters and lazy globals (`if (client) return
client; client = new X()`, `client ??= new X()`, `globalThis.prisma ?? new PrismaClient()`,
`remember("db", () => new X())`, a module-level `Map` the client is stored in); NestJS
providers' constructors (the container builds them once); clients given the caller's own
credential or database (`new OpenAI({ apiKey })` with `apiKey` a parameter: one per tenant);
stateless per-request helpers (Neon's `neon()`, PlanetScale's `connect()`, Supabase's
request-scoped clients); scripts, seeds and migrations; tests; client code. Options: the
project's own constructors in `client-factories` as `"package.Export"` or
`"ts:src/lib/soap.SoapClient"`.

## Why it matters
The guide: "Don't Reinvent Infrastructure ... Never instantiate new clients when singletons
already exist." A client per request opens new connections (TCP, TLS, authentication) on every
call, defeats the pool, leaks sockets when not closed, and exhausts the server's connection
limit under load.

## Example
```python
import httpx
from fastapi import APIRouter

router = APIRouter()


@router.get("/rates/{currency}")
async def read_rate(currency: str):
    async with httpx.AsyncClient(base_url="https://rates.example.com") as client:
        response = await client.get(f"/latest/{currency}")
    return {"success": True, "data": response.json()}
```
```ts
// app/api/ask/route.ts
import { NextResponse } from "next/server";
import OpenAI from "openai";

export async function POST(request: Request) {
  const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
  const { prompt } = await request.json();
  const answer = await openai.responses.create({ model: "gpt-4o-mini", input: prompt });
  return NextResponse.json({ success: true, data: answer.output_text });
}
```

## Use instead
```python
import httpx
from fastapi import APIRouter

router = APIRouter()
rates_api = httpx.AsyncClient(base_url="https://rates.example.com")


@router.get("/rates/{currency}")
async def read_rate(currency: str):
    response = await rates_api.get(f"/latest/{currency}")
    return {"success": True, "data": response.json()}
```
```ts
// app/api/ask/route.ts
import { NextResponse } from "next/server";
import OpenAI from "openai";

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });

export async function POST(request: Request) {
  const { prompt } = await request.json();
  const answer = await openai.responses.create({ model: "gpt-4o-mini", input: prompt });
  return NextResponse.json({ success: true, data: answer.output_text });
}
```

## Options
- `client-factories` (default `[]`): qualified names of the project's own client constructors
  (`"app.lib.billing.BillingClient"`), checked beside the built-in table; each is its own kind.
  Shared with BKL202.
"""
from __future__ import annotations

import re

from . import clients
from .base import Rule
from .client_index import ClientFacts, ProjectIndex
from .finding import Finding
from .imports_index import ImportAliases

_GENERIC_FIX = "create it once at module level (or in the lifespan) and reuse it"
# Handlers that test a connection (often to settings the request submits) must build their own.
_CONNECTION_TEST_WORDS = frozenset({"test", "testing", "ping", "probe", "debug", "connectivity"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


class PerRequestClient(Rule):
    code = "BKL201"
    symbol = "per-request-client"
    pylint_id = "W9201"
    severity = "warning"
    options = (clients.CLIENT_FACTORIES_OPTION,)
    collectors = (ImportAliases, ClientFacts)

    def finish_file(self) -> None:
        facts = self.ctx.facts.get(ClientFacts.name)
        if facts:
            self._report_in_entries(facts)

    def _report_in_entries(self, facts: dict) -> None:
        """The per-file part: constructors written directly in this file's handlers and hooks.
        The project pass reports the same places again with the project's singleton named."""
        index = ProjectIndex({self.ctx.path: {ClientFacts.name: facts}})
        for entry_id in _checked_entries(index):
            for site in _unbound(index.constructs.get(entry_id, ())):
                self.ctx.findings.append(_finding(self.code, index, site, entry_id, entry_id))

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        index = ProjectIndex(facts_by_path)
        findings: dict[tuple, Finding] = {}
        for entry_id in _checked_entries(index):
            for function_id in index.reached_from(entry_id):
                for site in _unbound(index.constructs.get(function_id, ())):
                    finding = _finding(cls.code, index, site, function_id, entry_id)
                    findings.setdefault(finding.key() + (finding.path,), finding)
        return sorted(findings.values())


def _checked_entries(index: ProjectIndex) -> list[str]:
    """Handlers and hooks, but not those that test a connection (`ChatAITestingAPI.post`,
    `test_redis_command`, `debug`): a fresh client is what they check."""
    return [entry_id for entry_id in index.sorted_entries()
            if not {word.lower() for word in _WORD.findall(index.entries[entry_id]["name"])}
            & _CONNECTION_TEST_WORDS]


def _unbound(sites) -> list[dict]:
    """A session factory bound to the engine built beside it is part of that engine's finding."""
    return [site for site in sites if not site.get("bound_to")]


def _singleton_for(index: ProjectIndex, site: dict) -> tuple[dict | None, bool]:
    """(the named shared client of this kind to point to, whether it connects to the same place):
    one the application can import, never a script's or a dot-folder's, in the same language."""
    same_kind = [item for item in index.singletons if item["kind"] == site["kind"]
                 and item["name"] and item.get("importable", True)
                 and item.get("language") == site.get("language")]
    same_place = [item for item in same_kind if item["destination"] == site["destination"]]
    if same_place:
        return min(same_place, key=clients.canonical_rank), True
    return (min(same_kind, key=clients.canonical_rank), False) if same_kind else (None, False)


def _finding(code: str, index: ProjectIndex, site: dict, function_id: str,
             entry_id: str) -> Finding:
    entry = index.entries[entry_id]
    if function_id == entry_id:
        where = f"in {entry['role']} `{entry['name']}`"
    else:
        where = (f"`{site['function']}` is called per request from {entry['role']} "
                 f"`{entry['name']}` at {entry['relative']}:{entry['line']}")
    singleton, same_place = _singleton_for(index, site)
    if singleton is None:
        fix = _GENERIC_FIX
    elif same_place:
        fix = f"use {clients.describe(singleton)} instead"
    else:
        fix = f"{_GENERIC_FIX}, like {clients.describe(singleton)}"
    factory = " and the session factory bound to it" if site.get("with_factory") else ""
    message = (f"`{site['constructor']}(...)` creates {clients.with_article(site['kind'])}"
               f"{factory} on every request ({where}): {fix}")
    return Finding(path=site["path"], line=site["line"], column=site["column"], code=code,
                   message=message, end_line=site["end_line"], end_column=site["end_column"])
