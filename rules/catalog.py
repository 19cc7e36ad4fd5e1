"""The rule catalog: every rule module in this package, its identity and its documentation."""
from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from pathlib import Path

from .base import Option, Rule
from .docstring import parse_rule_doc

_RULE_MODULE = re.compile(r"^bkl\d{3}_\w+$")


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every implemented rule, sorted by code; documentation comes from its module docstring."""
    found = []
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not _RULE_MODULE.match(module_info.name):
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        for value in vars(module).values():
            if _is_rule_class(value, module.__name__):
                value.doc = parse_rule_doc(module.__doc__ or "")
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.code))


def _is_rule_class(value: object, module_name: str) -> bool:
    return isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module_name


def rule_by_code(code_or_symbol: str) -> type[Rule] | None:
    wanted = code_or_symbol.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted in (rule.symbol, rule.pylint_name()):
            return rule
    return None


@cache
def all_options() -> dict[str, Option]:
    return {option.name: option for rule in all_rules() for option in rule.options}
