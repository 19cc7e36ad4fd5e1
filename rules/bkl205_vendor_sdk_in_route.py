"""Vendor SDK in a route module

## What it does
Reports a third-party vendor's SDK imported in a route module (a module that defines route
handlers: FastAPI/Starlette, Flask/Quart, Django and DRF views, aiohttp, Sanic, Litestar) instead
of being used through a project-local wrapper. One finding per vendor per module, on its first
import (`import stripe`, `from openai import OpenAI`, `from twilio.rest import Client`). Vendors
known: AI (OpenAI, Anthropic, Cohere, Mistral, Groq, Google Gemini, Replicate), payments (Stripe,
Braintree, PayPal), email (SendGrid, Mailchimp, Postmark, Resend, Mailjet), messaging (Twilio,
Vonage, Plivo, Slack), cloud (AWS `boto3`/`botocore`, Google Cloud, Azure, Firebase) and
search (Pinecone, Algolia); the `vendor-sdks` option adds more.

Where another module of the project already imports the vendor outside any route module and is
named like a wrapper (in a `services`, `lib`, `clients`, `integrations` ... folder, a
`*_service`/`*_client` module, or a module or folder named after the vendor's package, such as
`payments/stripe/`), the message names it as the wrapper to use (this needs the whole
project: `backlint check` and pylint; flake8 reports the import without naming a wrapper).

Not reported: imports under `if TYPE_CHECKING:`, modules without route handlers (services, libs,
clients, tasks), test code.

## Why it matters
The guide: "Wrap the client in a project-local helper/lib file ... Abstract the vendor: the rest
of the app shouldn't care *which* AI provider, email service, etc. is being used." A route that
calls the SDK itself spreads the vendor's API, configuration, retries and error types through the
request layer: switching or mocking the vendor means editing every route, and each route gets
its own idea of timeouts and error handling.

## Example
```python
import stripe
from fastapi import APIRouter

router = APIRouter()


@router.post("/orders/{order_id}/pay")
def pay(order_id: int):
    intent = stripe.PaymentIntent.create(amount=1000, currency="eur")
    return {"success": True, "data": intent.id}
```

## Use instead
```python
# app/routers/payments.py
from fastapi import APIRouter

from app.services import billing

router = APIRouter()


@router.post("/orders/{order_id}/pay")
def pay(order_id: int):
    return {"success": True, "data": billing.charge(order_id, 1000)}
```

## Options
- `vendor-sdks` (default `[]`): more top-level modules of vendor SDKs to treat like the built-in
  ones (`["acme_payments", "shipit"]`); each is its own vendor.
"""
from __future__ import annotations

import ast
from pathlib import PurePosixPath

from .base import Option, Rule
from .finding import Finding

# Top-level module (or dotted prefix) -> the vendor's name in messages.
VENDORS = {
    "openai": "OpenAI", "anthropic": "Anthropic", "cohere": "Cohere", "mistralai": "Mistral",
    "groq": "Groq", "google.generativeai": "Google Gemini", "google.genai": "Google Gemini",
    "replicate": "Replicate", "stripe": "Stripe", "braintree": "Braintree",
    "paypalrestsdk": "PayPal", "paypalcheckoutsdk": "PayPal", "sendgrid": "SendGrid",
    "mailchimp_transactional": "Mailchimp", "mailchimp_marketing": "Mailchimp",
    "mailchimp3": "Mailchimp", "postmarker": "Postmark", "resend": "Resend",
    "mailjet_rest": "Mailjet", "twilio": "Twilio", "vonage": "Vonage", "nexmo": "Vonage",
    "plivo": "Plivo", "slack_sdk": "Slack", "slack": "Slack", "boto3": "AWS", "botocore": "AWS",
    "aioboto3": "AWS", "aiobotocore": "AWS", "google.cloud": "Google Cloud", "azure": "Azure",
    "firebase_admin": "Firebase", "pinecone": "Pinecone", "algoliasearch": "Algolia",
}
# Runtimes whose routes must import them; they are the framework, not a vendor client.
_RUNTIMES = ("azure.functions",)
_WRAPPER_WORDS = ("services", "service", "lib", "libs", "clients", "client", "integrations",
                  "adapters", "providers", "vendors", "gateways")
VENDOR_OPTION = Option("vendor-sdks", tuple, (),
                       "more top-level modules of vendor SDKs, each its own vendor")


class VendorSdkInRoute(Rule):
    code = "BKL205"
    symbol = "vendor-sdk-in-route"
    pylint_id = "W9205"
    severity = "warning"
    options = (VENDOR_OPTION,)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._first: dict[str, list] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._record(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.level and node.module:
            self._record(node.module, node)

    def finish_file(self) -> None:
        if not self._first:
            return
        is_route = any(route.kind == "handler" for route in self.ctx.model.routes.values())
        self.ctx.facts[self.code] = {"route": is_route, "module": self.ctx.model.module,
                                     "relative": self.ctx.relative_path,
                                     "vendors": self._first}
        if is_route:
            self.ctx.findings.extend(_finding(self.code, self.ctx.path, vendor, place, None)
                                     for vendor, place in sorted(self._first.items()))

    @classmethod
    def finish_project(cls, facts_by_path: dict[str, dict], _settings) -> list[Finding]:
        wrappers = _wrappers(facts_by_path)
        findings = []
        for path, facts in sorted(facts_by_path.items()):
            mine = facts.get(cls.code)
            if not mine or not mine["route"]:
                continue
            findings.extend(_finding(cls.code, path, vendor, place, wrappers.get(vendor))
                            for vendor, place in sorted(mine["vendors"].items()))
        return findings

    def _record(self, module: str, node: ast.stmt) -> None:
        vendor = self._vendor_of(module)
        if vendor is None or vendor in self._first or self.ctx.model.in_type_checking:
            return
        self._first[vendor] = [node.lineno, node.col_offset, node.end_lineno or node.lineno,
                               node.end_col_offset or node.col_offset, ast.unparse(node)]

    def _vendor_of(self, module: str) -> str | None:
        if module.startswith(_RUNTIMES):
            return None
        for prefix, vendor in VENDORS.items():
            if module == prefix or module.startswith(prefix + "."):
                return vendor
        top = module.split(".")[0]
        return top if top in self.option("vendor-sdks") else None


def _wrappers(facts_by_path: dict[str, dict]) -> dict[str, dict]:
    """Per vendor, the non-route module importing it that is named like a wrapper (a service,
    lib or client module, or one named after the vendor): the first by depth, then path."""
    found: dict[str, dict] = {}
    for _path, facts in sorted(facts_by_path.items()):
        mine = facts.get(VendorSdkInRoute.code)
        if not mine or mine["route"]:
            continue
        parts = PurePosixPath(mine["relative"]).with_suffix("").parts
        for vendor, place in mine["vendors"].items():
            if not _named_like_wrapper(parts, vendor):
                continue
            candidate = {"module": mine["module"], "relative": mine["relative"], "line": place[0],
                         "rank": (len(parts), mine["relative"])}
            if vendor not in found or candidate["rank"] < found[vendor]["rank"]:
                found[vendor] = candidate
    return found


def _named_like_wrapper(parts: tuple[str, ...], vendor: str) -> bool:
    names = {vendor.lower().replace(" ", "")} | {
        module.split(".")[-1] for module, name in VENDORS.items() if name == vendor}
    return any(part in _WRAPPER_WORDS or part.endswith(("_service", "_client"))
               or part in names for part in parts)


def _finding(code: str, path: str, vendor: str, place: list, wrapper: dict | None) -> Finding:
    line, column, end_line, end_column, statement = place
    if wrapper:
        fix = (f"call the project's wrapper in {wrapper['module']} ({wrapper['relative']}:"
               f"{wrapper['line']}) instead")
    else:
        fix = ("wrap the client in a project-local helper (a service or lib module) and call "
               "that, so routes do not care which vendor is behind it")
    message = f"`{statement}` uses the {vendor} SDK in a route module: {fix}"
    return Finding(path=path, line=line, column=column, code=code, message=message,
                   end_line=end_line, end_column=end_column)
