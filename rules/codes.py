"""Which codes exist: what `--select`, `--ignore` and the configuration may name.

A code is known if a rule implements it or if the design reserves it (checked by the semgrep
pack, or by a rule of a newer release); a prefix is known if some known code starts with it. A
misspelt code is an error, not a silent no-op: `ignore = ["BKL110"]` would otherwise leave the
rule it meant running, and `select = ["BKL9"]` would check nothing and pass. For the same reason
a selected code must be implemented: `select = ["BKL102"]` before any rule checks BKL102 is an
error too (ignoring it is fine).
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

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


def implemented_codes() -> frozenset[str]:
    """Codes this release checks: a core rule's (its TS/JS twin shares the code) or the pack's."""
    return frozenset({*(rule.code for rule in all_rules()), *pack_codes()})


def is_implemented(code_or_prefix: str) -> bool:
    return any(code.startswith(code_or_prefix) for code in implemented_codes())


def implemented_listing() -> str:
    return ", ".join(sorted(implemented_codes()))


_PACK_ID = re.compile(r"backlint-id:\s*['\"]?(BKL\d{3})")
_PACK_SYMBOL = re.compile(r"^\s*symbol:\s*['\"]?([a-z0-9-]+)", re.MULTILINE)
# The shipped semgrep pack, next to this package: installed as backlint/semgrep_rules, in a
# source checkout as semgrep-rules/ beside rules/.
_PACK_FOLDERS = ("semgrep_rules", "semgrep-rules")


def pack_folder() -> Path | None:
    """The folder of the shipped semgrep pack, or None if it is missing or empty."""
    for name in _PACK_FOLDERS:
        folder = Path(__file__).resolve().parent.parent / name
        if folder.is_dir() and any(folder.rglob("*.yaml")):
            return folder
    return None


def pack_ids(folder: Path | None) -> list[tuple[str, str]]:
    """(code, symbol) of every rule of a semgrep pack, in file order ("" for a missing symbol);
    read from the rules' metadata lines, so no YAML parser is needed."""
    found = []
    for rule_file in sorted(folder.rglob("*.yaml")) if folder is not None else ():
        text = rule_file.read_text(encoding="utf-8", errors="replace")
        symbols = _PACK_SYMBOL.findall(text)
        found.extend((code, symbols[position] if position < len(symbols) else "")
                     for position, code in enumerate(_PACK_ID.findall(text)))
    return found


@cache
def pack_codes() -> frozenset[str]:
    """Codes the shipped semgrep pack checks in JS/TS files (none if the pack is missing)."""
    return frozenset(code for code, _ in pack_ids(pack_folder()))
