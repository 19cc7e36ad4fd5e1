"""The TS/JS rules: every `bklNNN_*` module of this package, each implementing a catalog entry."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ..catalog import rule_modules
from .base import TsRule


@cache
def ts_rules() -> tuple[type[TsRule], ...]:
    found = [value for module in rule_modules(Path(__file__).parent, __package__)
             for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, TsRule)
             and value.__module__ == module.__name__ and "rule" in value.__dict__]
    return tuple(sorted(found, key=lambda rule: rule.code))


@cache
def ts_codes() -> frozenset[str]:
    """Codes the TS/JS engine checks."""
    return frozenset(rule.code for rule in ts_rules())
