"""Which codes exist: what `--select`, `--ignore` and the configuration may name.

A code is known if a rule implements it or if the design reserves it (checked by the semgrep
pack, or by a rule of a newer release); a prefix is known if some known code starts with it. A
misspelt code is an error, not a silent no-op: `ignore = ["BKL110"]` would otherwise leave the
rule it meant running, and `select = ["BKL9"]` would check nothing and pass.
"""
from __future__ import annotations

import re

from .catalog import all_rules

# The design's table of codes; a code, once released, never changes meaning.
RESERVED_CODES = (
    "BKL101", "BKL102", "BKL103", "BKL104", "BKL105", "BKL201", "BKL202", "BKL203", "BKL204",
    "BKL205", "BKL301", "BKL302", "BKL401", "BKL402", "BKL403",
)
_SHAPE = re.compile(r"^BKL\d{0,3}$")


def known_codes() -> tuple[str, ...]:
    return tuple(sorted({*RESERVED_CODES, *(rule.code for rule in all_rules())}))


def is_known(code_or_prefix: str) -> bool:
    return bool(_SHAPE.match(code_or_prefix)) and any(
        code.startswith(code_or_prefix) for code in known_codes())
