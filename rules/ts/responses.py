"""What a TS/JS handler sends: the response calls of each framework, their status and body,
and whether a body says "error" (the Python side's rules in `backlint.rules.responses`).

Statuses are read from number literals and `HttpStatus.NOT_FOUND` / `StatusCodes.NOT_FOUND`
style members; anything else is unknown, and unknown is never judged.
"""
from __future__ import annotations

from http import HTTPStatus

from .model import Node, string_value, text

UNKNOWN = -1
SUCCESS = range(200, 300)
# Keys an error envelope is made of; an object with any other key is a resource.
ENVELOPE_KEYS = frozenset({
    "error", "errors", "message", "msg", "detail", "details", "code", "status", "success", "ok",
    "error_code", "errorCode", "error_message", "errorMessage", "error_description",
    "description", "title", "type", "hint", "statusCode", "status_code", "requestId",
    "request_id", "field", "fields", "reason", "data", "timestamp", "path",
})
_FAILURE_WORDS = frozenset({"error", "fail", "failed", "failure"})
_EMPTY = frozenset({"null", "undefined", "false", "''", '""', "``", "0"})
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "await_expression"})
_STATUS_ENUMS = ("HttpStatus", "HttpStatusCode", "StatusCodes", "HTTPStatus", "Status",
                 "httpStatus")


def unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in _WRAPPERS and node.named_children:
        node = node.named_children[-1] if node.type == "await_expression" \
            else node.named_children[0]
    return node


def status_value(node: Node | None) -> int | None:
    """`404`, `HttpStatus.NOT_FOUND`, `StatusCodes.NOT_FOUND` -> 404; None when absent;
    UNKNOWN when computed."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "number":
        try:
            return int(text(node))
        except ValueError:
            return UNKNOWN
    if node.type == "member_expression":
        base = text(node.child_by_field_name("object"))
        member = text(node.child_by_field_name("property"))
        if base.rpartition(".")[2] in _STATUS_ENUMS:
            found = HTTPStatus.__members__.get(member.upper())
            if found is None and member.upper() == "OK":
                return 200
            return found.value if found is not None else UNKNOWN
    return UNKNOWN


def pairs(body: Node) -> list[tuple[str, Node]] | None:
    """The `key: value` entries of an object literal, or None when a spread or a computed key
    leaves the body unknown. Shorthand `{ error }` gives the identifier as its own value."""
    body = unwrap(body)
    if body is None or body.type != "object":
        return None
    found = []
    for entry in body.named_children:
        if entry.type == "pair":
            key = entry.child_by_field_name("key")
            if key is None or key.type not in ("property_identifier", "string"):
                return None
            found.append((text(key).strip("'\""), entry.child_by_field_name("value")))
        elif entry.type == "shorthand_property_identifier":
            found.append((text(entry), entry))
        elif entry.type != "comment":
            return None
    return found


def error_marker(body: Node, error_keys: tuple[str, ...], in_catch: bool) -> str | None:
    """What makes an object literal an error body (`success: false`, `error: "..."`), or None."""
    entries = pairs(body)
    if entries is None:
        return None
    for key, value in entries:
        value = unwrap(value)
        if key in ("success", "ok") and value is not None and text(value) == "false":
            return f"{key}: false"
        if key == "status" and (string_value(value) or "").lower() in _FAILURE_WORDS:
            return f"status: {text(value)}"
    keys = {key for key, _ in entries}
    if not keys <= ENVELOPE_KEYS | set(error_keys):
        return None
    for key, value in entries:
        if key in error_keys and carries_error(value, in_catch):
            return f"{key}: ..."
    return None


def carries_error(value: Node | None, in_catch: bool) -> bool:
    """A message, not an empty or possibly-null field: `error: "Not found"`, `error: err.message`
    in a catch block; not `error: null`, `error: job.error`, `{ error }` from a result."""
    value = unwrap(value)
    if value is None or text(value) in _EMPTY:
        return False
    kind = value.type
    if kind in ("string", "template_string"):
        return bool(text(value)[1:-1].strip())
    if kind in ("object", "array"):
        return bool(value.named_children)
    if kind in ("member_expression", "identifier", "shorthand_property_identifier"):
        return in_catch
    if kind in ("call_expression", "new_expression"):
        return True
    return False


# Queues and webhook senders retry on a 4xx/5xx: their receivers acknowledge with a 2xx.
_RECEIVER_MODULES = ("@upstash/qstash", "svix", "@octokit/webhooks", "@slack/events-api",
                     "inngest", "@trigger.dev/")


def is_webhook_receiver(function: Node, relative_path: str, imports: set[str]) -> bool:
    """A handler other services call with events acknowledges what it ignores with a 2xx."""
    if "webhook" in relative_path.lower() or any(
            source.startswith(_RECEIVER_MODULES) for source in imports):
        return True
    name = function.child_by_field_name("name")
    return name is not None and "webhook" in text(name).lower()
