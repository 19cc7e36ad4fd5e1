"""The TS/JS rules: every `bklNNN_*` module of this package, each implementing a catalog entry."""
from __future__ import annotations

import pkgutil
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog import rule_modules

if TYPE_CHECKING:
    from .base import TsRule


_CODE_OF_MODULE = re.compile(r"^(bkl\d{3})_\w+$")


@cache
def ts_rules() -> tuple[type[TsRule], ...]:
    from .base import TsRule  # pylint: disable=import-outside-toplevel  # tree-sitter: see ts_codes
    found = [value for module in rule_modules(Path(__file__).parent, __package__)
             for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, TsRule)
             and value.__module__ == module.__name__ and "rule" in value.__dict__]
    return tuple(sorted(found, key=lambda rule: rule.code))


@cache
def ts_codes() -> frozenset[str]:
    """Codes the TS/JS engine checks, told from its module names (`bkl401_explicit_any`): a
    warm run asks, and importing the rules would load tree-sitter and the grammars for nothing
    (tests check that each module's rule has its name's code)."""
    named = (_CODE_OF_MODULE.match(module.name)
             for module in pkgutil.iter_modules([str(Path(__file__).parent)]))
    return frozenset(match.group(1).upper() for match in named if match)
