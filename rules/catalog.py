"""The rule catalog: every rule module in this package, its identity and its documentation."""
from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from pathlib import Path
from types import ModuleType

from .base import Option, Rule
from .docstring import parse_rule_doc

_RULE_MODULE = re.compile(r"^bkl\d{3}_\w+$")


def rule_modules(folder: Path, package: str) -> list[ModuleType]:
    """The `bklNNN_*` modules of a package folder, imported (the TS front end has its own)."""
    return [importlib.import_module(f"{package}.{module_info.name}")
            for module_info in pkgutil.iter_modules([str(folder)])
            if _RULE_MODULE.match(module_info.name)]


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every implemented rule, sorted by code; documentation comes from its module docstring."""
    found = []
    for module in rule_modules(Path(__file__).parent, __package__):
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
