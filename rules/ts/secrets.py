"""Does a string literal look like a live credential? (BKL203 on TS/JS)

Three kinds of evidence, strongest first: a vendor's key format (`sk_live_...`, `ghp_...`,
`AKIA...`, a private key block, a Supabase service-role JWT), a connection string with a real
password for a real host, and a credential-named place (`apiKey: "..."`, `const JWT_SECRET =`,
`process.env.TOKEN || "..."`) holding a value long and random enough to be one. Placeholders,
words, identifiers, versions, paths, URLs without a password and public keys never are.
"""
from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter

# (format, what it is): the value must match the whole pattern.
VENDOR_FORMATS = (
    (re.compile(r"sk_live_[0-9A-Za-z]{16,}"), "Stripe live secret key"),
    (re.compile(r"rk_live_[0-9A-Za-z]{16,}"), "Stripe live restricted key"),
    (re.compile(r"whsec_[0-9A-Za-z+/=]{24,}"), "Stripe webhook signing secret"),
    (re.compile(r"sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{20,}"), "OpenAI API key"),
    (re.compile(r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"), "OpenAI API key"),
    (re.compile(r"sk-ant-(api|admin)\d\d-[A-Za-z0-9_-]{40,}"), "Anthropic API key"),
    (re.compile(r"(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}"), "GitHub token"),
    (re.compile(r"github_pat_[A-Za-z0-9_]{50,}"), "GitHub token"),
    (re.compile(r"glpat-[A-Za-z0-9_-]{20,}"), "GitLab token"),
    (re.compile(r"xox[abposr]-[0-9]{6,}-[0-9A-Za-z-]{10,}"), "Slack token"),
    (re.compile(r"(AKIA|ASIA)[0-9A-Z]{16}"), "AWS access key id"),
    (re.compile(r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"), "SendGrid API key"),
    (re.compile(r"re_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}"), "Resend API key"),
    (re.compile(r"npm_[A-Za-z0-9]{36}"), "npm token"),
    (re.compile(r"shp(at|ss|ca|pa)_[a-fA-F0-9]{32}"), "Shopify token"),
    (re.compile(r"-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |)PRIVATE KEY-----[\s\S]*"),
     "private key"),
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.(eyJ[A-Za-z0-9_-]{10,})\.[A-Za-z0-9_-]{20,}")
_CONNECTION = re.compile(
    r"(?P<scheme>postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql)://"
    r"(?P<user>[^\s:/@]*):(?P<password>[^\s@/]+)@(?P<host>[^\s:/?#]+)")
_DEV_HOSTS = re.compile(r"^(localhost|127\.0\.0\.1|0\.0\.0\.0|host\.docker\.internal|::1)$|"
                        r"(^|\.)(example\.(com|org|net)|local|localhost|test|invalid)$")
_DEV_PASSWORDS = frozenset({"password", "pass", "passwd", "postgres", "root", "admin", "secret",
                            "changeme", "mysql", "mongo", "redis", "guest", "test", "dev",
                            "user", "example", "rabbitmq"})
# Names of places that hold a credential, and of places that only look like one.
CREDENTIAL_NAME = re.compile(
    r"(api_?key|apikey|secret|token|password|passwd|pwd|private_?key|access_?key|"
    r"client_?secret|auth_?key|signing_?key|encryption_?key|credentials?|passphrase|"
    r"bearer|session_?key|master_?key)$", re.IGNORECASE)
_NOT_CREDENTIAL = re.compile(
    r"(public|publishable|anon|site|client_?id|_?id$|name$|type$|url$|uri$|endpoint$|path$|"
    r"header$|prefix$|pattern$|regex$|label$|placeholder$|field$|param$|cookie$|storage$|"
    r"key_?name$|env$|version$|length$|len$|expir|ttl$|limit$|count$|hint$|message$|error$|"
    r"input$|kind$|mode$|format$|length|next_?token|page_?token|csrf|cancel|cursor|"
    r"refresh_?token_?(url|path)|_?key_?id$|location$|scope$|event$|route$|column$|query$)",
    re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"x{3,}|\*{3,}|\.{3}|<[^>]*>|\$\{|\{\{|%s|your|example|sample|dummy|placeholder|"
    r"changeme|change[-_]?me|replace|insert|redacted|todo|fixme|fake|mock|secret[-_]?here|"
    r"not[-_]?(set|required|needed|used|configured|defined)|no[-_]?(defined|key|token|secret)|"
    r"undefined|null|^none$|unused|disabled|"
    r"^noop|missing|^empty|unset|optional|anonymous|^test|test$|dev[-_]|local|sandbox|demo",
    re.IGNORECASE)
# Keys made to be public: publishable, project and search keys ship to browsers.
_PUBLIC = re.compile(r"^(pk_(live|test)_|phc_|pk\.|AIza|NEXT_PUBLIC|sb_publishable_|"
                     r"pub[-_]|public[-_])")
# Words and identifiers (`invalid_token`, `accessTokenKey`, `token-v2`), not random text.
_WORDS = re.compile(r"^[A-Za-z]+\d*([-_. :/][A-Za-z]+\d*)*$")
_SEMVER = re.compile(r"^[~^>=<v]*\d+(\.\d+){1,3}([-+][0-9A-Za-z.-]+)?$")
_UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# `NO-DEFINED`, `MISSING_KEY`: a marker for "unset", not a secret.
_CAPITAL_WORDS = re.compile(r"^[A-Z]+([-_][A-Z]+)*$")


def is_public_key(value: str) -> bool:
    return bool(_PUBLIC.match(value))


def vendor_format(value: str) -> str | None:
    """The vendor key a literal is, by its format alone."""
    for pattern, what in VENDOR_FORMATS:
        if pattern.fullmatch(value) and not _PLACEHOLDER.search(value.split("-----")[-1] or ""):
            return what
    match = _JWT.fullmatch(value)
    if match and _jwt_role(match.group(1)) == "service_role":
        return "Supabase service-role key"
    return None


def _jwt_role(payload: str) -> str | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return data.get("role") if isinstance(data, dict) else None


def connection_password(value: str) -> bool:
    """`postgres://app:S3cr3t-pw@db.prod.example.io/app`: a real password for a real host."""
    match = _CONNECTION.search(value)
    if match is None:
        return False
    password, host = match.group("password"), match.group("host")
    if _DEV_HOSTS.search(host) or "." not in host or password.lower() in _DEV_PASSWORDS \
            or password == match.group("user") or _PLACEHOLDER.search(password):
        return False
    return len(password) >= 6 and not password.startswith(("$", "%", "{", ":"))


_FIXTURE_NAME = re.compile(r"test|mock|fake|dummy|demo|example|sample|seed|fixture",
                           re.IGNORECASE)
# Documentation values: OpenAPI/JSON-schema `example`s, Swagger decorators' examples.
DOC_KEYS = frozenset({"example", "examples", "x-example", "sample"})


def is_credential_name(name: str) -> bool:
    plain = name.strip("'\"`").rpartition(".")[2]
    return bool(CREDENTIAL_NAME.search(plain)) and not _NOT_CREDENTIAL.search(plain) \
        and not _FIXTURE_NAME.search(plain)


def looks_secret(value: str, name: str = "") -> bool:
    """Long and random enough to be a credential, and not any of the things that only look like
    one: words, identifiers, versions, paths, URLs, placeholders, labels."""
    if len(value) < (8 if re.search(r"pass|pwd", name, re.IGNORECASE) else 16) \
            or len(value) > 512 or re.search(r"\s", value):
        return False
    if _PLACEHOLDER.search(value) or _UPPER_SNAKE.match(value) or _SEMVER.match(value) \
            or _WORDS.match(value) or value.startswith(("/", "./", "../", "http://", "https://",
                                                        "#", "@", "data:", "file:")):
        return False
    if len(set(value)) < 6:
        return False
    classes = sum(bool(re.search(pattern, value)) for pattern in
                  (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and entropy(value) >= (2.5 if len(value) < 16 else 3.2)


def weak_fallback(value: str) -> bool:
    """`process.env.JWT_SECRET || "superSecret"`: whatever it is, a missing variable makes the
    process sign or connect with a secret anyone can read here. Development values say so."""
    return len(value) >= 8 and not re.search(r"\s", value) and not _PLACEHOLDER.search(value) \
        and not _CAPITAL_WORDS.match(value) and not value.startswith(("/", "http://", "https://"))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(count / len(value) * math.log2(count / len(value)) for count in counts.values())


def preview(value: str) -> str:
    """Enough of a value to find it, not enough to use it."""
    return f"{value[:4]}…" if len(value) > 8 else "…"
