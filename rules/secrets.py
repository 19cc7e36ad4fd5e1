"""What a credential looks like in source: credential names, live-key prefixes, connection strings
with a password, and the placeholders that are never credentials (BKL203)."""
from __future__ import annotations

import re

# Names whose value is a secret wherever they are assigned or passed (snake_case, after
# splitting camelCase): `SECRET_KEY`, `stripe.api_key`, `client_secret=`, `"PASSWORD":`.
_STRONG = (r"api_?key|apikey|api_?secret|api_?token|secret|secret_?key|client_?secret|"
           r"jwt_?secret(_?key)?|session_?secret|app_?secret|consumer_?secret|private_?key|"
           r"access_?key_?id|secret_?access_?key|auth_?key|signing_?key|encryption_?key|"
           r"webhook_?secret|master_?key|access_?token|auth_?token|refresh_?token|"
           r"bearer_?token|bot_?token|db_?pass(word)?|secret_?token")
# Names that also label things (`token = "refresh"`, `password = "Password"`): their value must
# look like a secret, not like a word.
_AMBIGUOUS = r"token|password|passwd|pwd|pass_?phrase"
# A qualifier may follow: `SECRET_KEY_HMAC`, `API_KEY_2`, `PASSWORD_B64`.
_QUALIFIER = r"(_(\d+|hmac|b64|base64|hex|raw|prod|production|live|value))*"
_NAME = re.compile(rf"^(?:\w*_)?(?P<strong>{_STRONG}){_QUALIFIER}$"
                   rf"|^(?:\w*_)?(?P<ambiguous>{_AMBIGUOUS}){_QUALIFIER}$")
# Credential-looking names that hold something else.
_NOT_CREDENTIAL = re.compile(
    r"(^|_)(csrf_token|xsrf_token|token_type|token_name|token_key|next_token|page_token|"
    r"continuation_token|password_field|token_url|token_endpoint|secret_name|secret_id|"
    r"password_hash|hashed_password|password_reset|reset_token_url|token_header|key_header|"
    r"password_label|token_prefix|token_audience|token_issuer)$")

# Live keys of well-known vendors, anywhere in the code.
KEY_PREFIXES = (
    ("a live Stripe secret key", re.compile(r"^[rs]k_live_[0-9A-Za-z]{10,}$")),
    ("an OpenAI or Anthropic API key",
     re.compile(r"^sk-(proj-|ant-api\d\d-|svcacct-)?[A-Za-z0-9_-]{32,}$")),
    ("a GitHub token",
     re.compile(r"^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}$|^github_pat_\w{30,}$")),
    ("a Slack token", re.compile(r"^xox[abposr]-[0-9A-Za-z-]{20,}$")),
    ("an AWS access key id", re.compile(r"^(AKIA|ASIA)[0-9A-Z]{16}$")),
    ("a Google API key", re.compile(r"^AIza[0-9A-Za-z_-]{35}$")),
    ("a SendGrid API key", re.compile(r"^SG\.[\w-]{16,}\.[\w-]{16,}$")),
    ("a private key", re.compile(r"^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----")),
)
# One cheap test every string constant of a file goes through before the patterns above.
_KEY_START = re.compile(r"[rs]k_live_|sk-|gh[pousr]_|github_pat_|xox[abposr]-|AKIA|ASIA|AIza|SG\.|"
                        r"-----BEGIN")
_DSN = re.compile(
    r"^(?P<scheme>postgres(ql)?(\+\w+)?|mysql(\+\w+)?|mariadb(\+\w+)?|mongodb(\+srv)?|rediss?|"
    r"amqps?|mssql(\+\w+)?|oracle(\+\w+)?)://(?P<user>[^\s:/@]+):(?P<password>[^\s@/]+)@"
    r"(?P<host>[^\s:/?]+)")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal", "host",
                          "example.com", "hostname", "db", "database", "postgres", "mysql",
                          "redis", "mongo", "rabbitmq"})
_PLACEHOLDER = re.compile(
    r"(?i)changeme|change[-_ ]?me|change[-_ ]?this|xxx|example|placeholder|dummy|sample|your[-_ ]|"
    r"replace|insert|redacted|todo|fixme|<|>|\$\{|\{\{|\*\*\*|\.\.\.|not[-_]?set|%\(\w+\)[sdr]|"
    r"^[^%]*%s[^%]*$|\{\w*\}|"
    r"fake|mock|test|default|secret[-_]?here|key[-_]?here|none|null|undefined|^secret$|"
    r"^password$|^token$|^\$\w+\$$")
_DEV_DEFAULT = re.compile(r"(?i)dev|local|debug|sandbox|staging|insecure")
_PLAIN_WORD = re.compile(r"^[A-Za-z]{2,}[.,:;!?]?$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PATH_OR_URL = re.compile(r"^(\.{0,2}/|~|https?://[^@]*$|[a-z][a-z0-9+.-]*://[^:@]*$)"
                          r"|/$|^[a-z_.-]+(/[a-z0-9_.\\+*{}()-]*)+$")
# Lower-case words joined by `-` or `_` are sentinels and placeholders (`permission-denied`,
# `secret-key`), not secrets.
_PHRASE = re.compile(r"^[a-z]+([-_][a-z]+)+$")
# Password hashes in crypt formats (bcrypt, argon2, Django's pbkdf2) and masks (`$encrypted$`).
_CRYPT = re.compile(r"^\$(2[aby]|argon2\w*|\d)\$|^(pbkdf2_sha\d+|bcrypt|argon2)\$")
_DOTTED = re.compile(r"^[a-z_][a-z0-9_-]*(\.[a-z_][a-z0-9_-]*)+$")
_WORD = re.compile(r"^[A-Za-z]+$|^[A-Z][a-z]+([-_ ][A-Za-z][a-z]*)*$")
# md5, sha1, sha256, sha512 hex digests: a `password` holding one stores a hash, not a secret.
_HASH = re.compile(r"^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
MIN_LENGTH = 6


def credential_name(name: str) -> str | None:
    """`"strong"` or `"ambiguous"` for a credential name, None for any other name."""
    match = _name_match(name)
    if match is None:
        return None
    return "strong" if match.group("strong") else "ambiguous"


def _name_match(name: str) -> re.Match[str] | None:
    snake = _CAMEL.sub(r"\1_\2", name).lower().replace("-", "_")
    return None if _NOT_CREDENTIAL.search(snake) else _NAME.match(snake)


def known_key(value: str) -> str | None:
    """What the value is, if it has the shape of a vendor's live key (and is not a documented
    example such as AWS's `AKIAIOSFODNN7EXAMPLE`)."""
    if not _KEY_START.match(value) or is_placeholder(value):
        return None
    for description, pattern in KEY_PREFIXES:
        if pattern.match(value):
            return description
    return None


def dsn_with_password(value: str) -> bool:
    """A connection string carrying a real-looking password for a non-local host."""
    match = _DSN.match(value) if "://" in value else None
    if match is None:
        return False
    password = match.group("password")
    if password == match.group("user") or len(password) < 4 or is_placeholder(password):
        return False
    return match.group("host").lower() not in _LOCAL_HOSTS


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


def looks_secret(value: str, name: str, strength: str) -> bool:
    """A literal that can be the credential a name holds: not empty or short, not prose (nor,
    for ambiguous names, any text with spaces), not a placeholder,
    an environment variable's name, a path, a URL without credentials, a dotted name, a label,
    (for ambiguous names) a word or a hex digest (a stored hash), nor the name of a field like
    the one it is assigned to."""
    if len(value) < MIN_LENGTH or _is_prose(value):
        return False
    if strength != "strong" and any(character.isspace() for character in value):
        return False
    if is_placeholder(value) or _ENV_NAME.match(value) or _PATH_OR_URL.match(value):
        return False
    if _DOTTED.match(value) or _PHRASE.match(value) or _names_itself(value, name):
        return False
    if strength == "strong":
        return True
    return not _WORD.match(value) and not _HASH.match(value) and not _CRYPT.match(value)


def _is_prose(value: str) -> bool:
    """A sentence or label (`Set API key to use Exa. Get one from https://exa.ai/.`): two or
    more plain words. A secret with a space in it has no plain words."""
    return sum(1 for token in value.split() if _PLAIN_WORD.match(token)) >= 2


def looks_secret_fallback(value: str, name: str, strength: str) -> bool:
    """A default used when the environment lacks the variable: development defaults (a word such
    as the user name, `dev-secret`, `insecure-local-key`) are fine."""
    return looks_secret(value, name, strength) and not _WORD.match(value) \
        and not _DEV_DEFAULT.search(value)


def _names_itself(value: str, name: str) -> bool:
    """`api_key = "openai_api_key"`: an identifier holding the credential's name is a key name."""
    lowered = value.lower().replace("-", "_")
    if re.sub(r"[\W_]", "", lowered) == re.sub(r"[\W_]", "", name.lower()):
        return True  # AUTH_KEY = "authkey"
    match = _name_match(name)
    if match is None or "_" not in lowered or not re.fullmatch(r"[a-z0-9_]+", lowered):
        return False
    credential = match.group("strong") or match.group("ambiguous")
    return credential in lowered
