"""Which project module an import names: `./db`, `../lib`, `@/lib/db`, tsconfig `paths`.

Module ids are the model's (`ts:src/lib/db`, an `index` file named by its folder). A package
import (`openai`, `@prisma/client`) names no project module and gives None. The nearest
tsconfig.json / jsconfig.json is read once per folder for `compilerOptions.paths` and `baseUrl`.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from functools import lru_cache

from .model import module_id

_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
_COMMENTS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMAS = re.compile(r",(\s*[}\]])")


def resolve(source: str, relative_path: str, absolute_path: str) -> str | None:
    """The module id `source` refers to from the file at `relative_path`, or None."""
    directory = posixpath.dirname(relative_path)
    if source.startswith("."):
        return module_id(posixpath.normpath(posixpath.join(directory, source)))
    root = _checked_root(relative_path, absolute_path)
    if root is None:
        return None
    mapped = _mapped(source, os.path.dirname(absolute_path), root)
    if mapped is not None:
        return module_id(mapped)
    if source.startswith(("@/", "~/")):
        rest = source[2:]
        base = posixpath.dirname(relative_path).split("/src/")[0] if "/src/" in \
            f"/{relative_path}" else ""
        prefix = posixpath.join(base, "src") if os.path.isdir(
            os.path.join(root, base, "src")) else base
        return module_id(posixpath.normpath(posixpath.join(prefix, rest)))
    return None


def _checked_root(relative_path: str, absolute_path: str) -> str | None:
    """The folder `relative_path` is relative to."""
    absolute = os.path.normpath(absolute_path).replace(os.sep, "/")
    relative = posixpath.normpath(relative_path)
    if relative.startswith("..") or not absolute.endswith("/" + relative):
        return None
    return absolute[: -len(relative) - 1] or "/"


def _mapped(source: str, directory: str, root: str) -> str | None:
    """`@/lib/db` through the nearest config's `paths`, as a path relative to `root`."""
    config = _nearest_config(directory)
    if config is None:
        return None
    folder, base_url, paths = config
    for pattern, targets in paths:
        target = _substituted(source, pattern, targets)
        if target is not None:
            absolute = os.path.normpath(os.path.join(folder, base_url, target))
            relative = os.path.relpath(absolute, root).replace(os.sep, "/")
            return None if relative.startswith("..") else relative
    return None


def _substituted(source: str, pattern: str, targets: tuple[str, ...]) -> str | None:
    """`@/lib/db` against `"@/*": ["./src/*"]` -> `./src/lib/db`; None if it does not match."""
    prefix, star, suffix = pattern.partition("*")
    if not targets or not (source.startswith(prefix) and source.endswith(suffix)) \
            or (not star and source != pattern):
        return None
    middle = source[len(prefix): len(source) - len(suffix)] if star else ""
    return targets[0].replace("*", middle)


@lru_cache(maxsize=256)
def _nearest_config(directory: str) -> tuple[str, str, tuple] | None:
    for name in _CONFIG_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return _read_config(path)
    parent = os.path.dirname(directory)
    return None if parent == directory else _nearest_config(parent)


def _read_config(path: str) -> tuple[str, str, tuple] | None:
    try:
        with open(path, encoding="utf-8") as stream:
            raw = stream.read(1_000_000)
        data = json.loads(_TRAILING_COMMAS.sub(r"\1", _COMMENTS.sub(_keep_strings, raw)))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    if not isinstance(options, dict):
        return None
    paths = options.get("paths")
    if not isinstance(paths, dict):
        return None
    base_url = options.get("baseUrl") if isinstance(options.get("baseUrl"), str) else "."
    entries = tuple((pattern, tuple(target for target in targets if isinstance(target, str)))
                    for pattern, targets in paths.items()
                    if isinstance(pattern, str) and isinstance(targets, list))
    return os.path.dirname(path), base_url, entries


def _keep_strings(match: re.Match) -> str:
    text = match.group(0)
    return text if text.startswith('"') else ""
