"""`backlint check --show-settings`: which configuration applies to a path, and every setting."""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import fields

from backlint.rules import Settings
from backlint.rules.catalog import all_options
from backlint.rules.globs import matches

# Internal fields that are not [tool.backlint] keys.
_NOT_KEYS = ("root", "source", "rule_options")


def format_settings(path: str, settings: Settings) -> str:
    """The configuration file and each resolved setting as TOML-like `key = value` lines."""
    lines = [f"{path}:", f"  configuration: {settings.source}", f"  project root: {settings.root}"]
    for each in fields(settings):
        if each.name not in _NOT_KEYS:
            lines.append(f"  {each.name.replace('_', '-')} = "
                         f"{_value(getattr(settings, each.name))}")
    for name in sorted(all_options()):
        lines.append(f"  {name} = {_value(settings.option(name))}")
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple) and value and all(isinstance(item, tuple) for item in value):
        return "{ " + ", ".join(f"{json.dumps(key)} = {_value(codes)}"
                                for key, codes in value) + " }"
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)


def unmatched_patterns(paths: Sequence[str], settings: Settings, files: Sequence[str]
                       ) -> list[str]:
    """per-file-ignores globs that match none of the files, when the run covers the whole
    project (checking one folder says nothing about patterns for the others)."""
    root = os.path.abspath(settings.root)
    if not settings.per_file_ignores or not any(os.path.abspath(path) == root for path in paths):
        return []
    relative = [settings.relative(path) for path in files]
    return [pattern for pattern, _ in settings.per_file_ignores
            if not any(matches(path, pattern) for path in relative)]
