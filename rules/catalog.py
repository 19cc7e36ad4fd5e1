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


def named_off_codes(names: object) -> tuple[str, ...]:
    """The off-by-default codes flake8's own --select / --extend-select name exactly, to be
    selected in Settings as well. (pylint's --enable cannot be used so: it expands a checker's
    name into every message, so a name given cannot be told from one expanded.)"""
    wanted = {str(name).strip() for name in names or ()}
    return tuple(rule.code for rule in all_rules()
                 if not rule.default_enabled and rule.code in wanted)


def turn_on_hint(rule: type[Rule]) -> str:
    """How to turn on a rule that is off by default, in every front end."""
    hint = (f'select its code: `extend-select = ["{rule.code}"]` in [tool.backlint] (read by '
            f"every front end, pylint's too) or `--extend-select {rule.code}` (backlint check, "
            "flake8)")
    options = ", ".join(f"`{option.name}`" for option in rule.options)
    return f"{hint}; configuring one of its options ({options}) turns it on too" if options \
        else hint


def rule_by_code(code_or_symbol: str) -> type[Rule] | None:
    wanted = code_or_symbol.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted in (rule.symbol, rule.pylint_name()):
            return rule
    return None


@cache
def all_options() -> dict[str, Option]:
    return {option.name: option for rule in all_rules() for option in rule.options}
