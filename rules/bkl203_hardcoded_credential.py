"""Hardcoded credential

## What it does
Reports a secret written into the code as a string literal:

- assigned to a credential-named variable, attribute, class field or settings key
  (`SECRET_KEY = "..."`, `stripe.api_key = "..."`, `app.config["JWT_SECRET_KEY"] = "..."`,
  `os.environ["OPENAI_API_KEY"] = "..."`, `{"PASSWORD": "..."}` in Django's `DATABASES`), passed
  as a credential-named keyword argument (`OpenAI(api_key="...")`, `connect(password="...")`) or
  given as a credential-named parameter's default;
- the fallback of an environment lookup for a credential (`os.getenv("JWT_SECRET", "...")`,
  `os.environ.get(...) or "..."`), which is the value used wherever the variable is unset;
- anywhere, a literal shaped like a vendor's live key: `sk_live_`/`rk_live_` (Stripe), `sk-`
  (OpenAI, Anthropic), `ghp_`/`github_pat_` (GitHub), `xoxb-` (Slack), `AKIA` (AWS),
  `AIza` (Google), `SG.` (SendGrid), a PEM private key;
- a connection string with a password for a host that is not local
  (`postgresql://app:9fK2mQ7x@db.prod.internal/app`).

Credential names are `api_key`, `secret`, `secret_key`, `client_secret`, `private_key`, `token`,
`access_token`, `password`, `passwd` ... alone or at the end of a name (`STRIPE_API_KEY`,
`dbPassword`). Values that are never credentials: empty and short values (under six characters),
prose (two or more plain words), placeholders (`changeme`, `xxx`, `<token>`, `${VAR}`, `%(name)s`,
`your-...`, `example`, `dummy`, `fake`, `test`, `default` ...), environment variable names
(`API_KEY_ENV = "SERVICE_API_KEY"`), paths, URLs without credentials, dotted names, labels and, for
names that also label things (`token`, `password`), single words, any text with spaces and hex
digests (a stored password hash); an identifier naming the field (`api_key = "openai_api_key"`);
values read from the environment or settings; numbers (`PASSWORD_MIN_LENGTH = 12`). Names that hold
something else are skipped (`csrf_token`, `token_type`, `token_url`, `password_field`,
`secret_name`, `hashed_password` ...). An environment fallback that says it is for development
(`"dev-secret"`, `"insecure-local-key"`) is fine; connection strings to `localhost` or a compose
service (`db`, `postgres`, `redis` ...) and passwords equal to the user name are development
defaults. Lower-case words joined by `-` or `_` (`permission-denied`, `secret-key`) are sentinels,
crypt-format hashes (`$2b$...`, `pbkdf2_sha256$...`) and masks (`$encrypted$`) are no passwords,
and documented example keys (`AKIAIOSFODNN7EXAMPLE`) no keys. Files for development only (a file or
folder named `dev`, `local`, `development`, `demo(s)`, `examples` ..., as for BKL102) and test code
are out of scope.

The message never repeats the secret.

## TypeScript/JavaScript
Off by default on TS/JS (`extend-select = ["BKL203"]` turns it on; the Python side stays on):
its sampled precision on real repositories was below 0.9 before its last fixes (see
docs/real-repos.md). On TS/JS server code it reports a string literal that is a vendor's key
by its format (`sk_live_`, `rk_live_`, `whsec_`, OpenAI `sk-proj-`, Anthropic `sk-ant-`,
GitHub `ghp_`/`github_pat_`, GitLab, Slack `xoxb-`, AWS `AKIA`, SendGrid `SG.`, Resend `re_`,
npm, Shopify, a PEM private key, a Supabase service-role JWT), a connection string with a
password for a real host, a credential-named property, variable, member, default or
`Authorization: "Bearer ..."` header holding a value long and random enough to be one, and
the fallback of a credential's environment variable (`process.env.JWT_SECRET ||
"superSecret"`). Never: public keys (`pk_live_`, PostHog `phc_`, Google `AIza`, Supabase anon
JWTs, `NEXT_PUBLIC_` values), placeholders and markers (`changeme`, `not-required`,
`NO-DEFINED`, `xxx`, `${VAR}`), words, identifiers and error codes (`invalid_token`,
`TOKEN_EXPIRED`), prefixes, versions, paths, URLs without a password, localhost or compose
connection strings, documentation `example` values, test, testing, seed, fixture, mock, demo,
integration-test and `*-dev` files, and client code.

## Why it matters
The guide: "Use environment variables for all credentials — never hardcode." A secret in the
source is in every clone, fork, backup, CI log and container image of the repository, and in its
history forever; whoever reads any of them can act as the application. It also cannot differ
between environments or be rotated without a deploy.

## Example
```python
import stripe

stripe.api_key = "sk_live_51Hx9QbLk2mP8vR4tYwZ6aNc3"
JWT_SECRET = "9f1c2e7a4b8d0f3e6a5c1b2d"
```
```ts
import Stripe from "stripe";

export const stripe = new Stripe("sk_live_51Hx9QbLk2mP8vR4tYwZ6aNc3");
export const jwtSecret = process.env.JWT_SECRET || "9f1c2e7a4b8d0f3e6a5c1b2d";
```

## Use instead
```python
import os

import stripe

stripe.api_key = os.environ["STRIPE_API_KEY"]
JWT_SECRET = os.environ["JWT_SECRET"]
```
```ts
import Stripe from "stripe";

export const stripe = new Stripe(process.env.STRIPE_API_KEY!);
export const jwtSecret = process.env.JWT_SECRET!;
```

## Options
None.
"""
from __future__ import annotations

import ast

from . import secrets
from .base import Rule
from .calls import keyword_value, string_value
from .devfiles import is_dev_path

_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault",
                          "decouple.config", "environ.Env", "starlette.config.Config"})
_FIX = "read it from the environment (os.environ[...] or a settings object loaded once at " \
       "startup) and rotate the committed value"


class HardcodedCredential(Rule):
    code = "BKL203"
    symbol = "hardcoded-credential"
    pylint_id = "W9203"
    severity = "error"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()
        self._dev_only = is_dev_path(ctx.relative_path)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_named(_target_name(target), node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_named(_target_name(node.target), node.value)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg:
                self._check_named(keyword.arg, keyword.value)
        if self.ctx.model.resolve(node.func) in _ENV_GETTERS:
            self._check_env_default(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        """`os.getenv("API_KEY") or "..."`"""
        if isinstance(node.op, ast.Or) and len(node.values) == 2 \
                and isinstance(node.values[0], ast.Call) \
                and self.ctx.model.resolve(node.values[0].func) in _ENV_GETTERS:
            self._check_fallback(_env_name(node.values[0]), node.values[1])

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            self._check_named(string_value(key), value)

    def visit_arguments(self, node: ast.arguments) -> None:
        positional = [*node.posonlyargs, *node.args]
        pairs = list(zip(positional[len(positional) - len(node.defaults):], node.defaults))
        pairs += [(arg, default) for arg, default in zip(node.kwonlyargs, node.kw_defaults)
                  if default is not None]
        for arg, default in pairs:
            self._check_named(arg.arg, default)

    def visit_Constant(self, node: ast.Constant) -> None:
        if id(node) in self._reported or not isinstance(node.value, str):
            return
        kind = secrets.known_key(node.value)
        if kind is not None:
            self._report(node, f"{kind} is written in the code: {_FIX}")
        elif secrets.dsn_with_password(node.value):
            self._report(node, f"a connection string with its password is written in the code: "
                               f"{_FIX} (keep the whole URL in one variable, such as DATABASE_URL)")

    def _check_named(self, name: str | None, value: ast.AST | None) -> None:
        literal = string_value(value)
        if name is None or literal is None:
            return
        strength = secrets.credential_name(name)
        if strength is None or not secrets.looks_secret(literal, name, strength):
            return
        kind = secrets.known_key(literal)
        what = f", {kind}," if kind else ""
        self._report(value, f"`{name}` is given a literal secret{what} in the code: {_FIX}")

    def _check_env_default(self, call: ast.Call) -> None:
        default = call.args[1] if len(call.args) > 1 else keyword_value(call, "default")
        self._check_fallback(_env_name(call), default)

    def _check_fallback(self, variable: str | None, value: ast.AST | None) -> None:
        literal = string_value(value)
        if variable is None or literal is None:
            return
        strength = secrets.credential_name(variable)
        if strength is None or not secrets.looks_secret_fallback(literal, variable, strength):
            return
        self._report(value, f"the fallback of `{variable}` is a literal secret, used wherever the "
                            f"variable is unset: require the variable (os.environ[{variable!r}]) "
                            "and rotate the committed value")

    def _report(self, node: ast.AST, message: str) -> None:
        if id(node) not in self._reported and not self._dev_only:
            self._reported.add(id(node))
            self.report(node, message)


def _target_name(target: ast.AST) -> str | None:
    """`SECRET_KEY`, `self.api_key`, `stripe.api_key`, `config["SECRET_KEY"]`."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return string_value(target.slice)
    return None


def _env_name(call: ast.Call) -> str | None:
    return string_value(call.args[0]) if call.args else string_value(keyword_value(call, "key"))
