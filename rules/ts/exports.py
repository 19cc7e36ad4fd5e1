"""What a module re-exports, and the definition a `module.name` reaches through re-exports
(`export { list } from "./users"`, `export * from "./lib"` in index files). Shared by the
project passes that follow a name to the module defining it (BKL301's handlers, BKL101's
helpers)."""
from __future__ import annotations

from . import module_paths

_MAX_DEPTH = 5


def reexports_of(model, absolute_path: str) -> list[list[str]]:
    """[[module id, exported name, name here]] of the file's `export ... from` statements."""
    return [[target, name, alias] for source, name, alias in model.reexports
            if (target := module_paths.resolve(source, model.relative_path, absolute_path))]


def follow(target: str, definitions: dict, reexports: dict, depth: int = 0):
    """The definition a `module.name` (or `module.Class.method`) names, through re-exports."""
    if target in definitions or depth > _MAX_DEPTH:
        return definitions.get(target)
    module, _, name = target.partition(".")  # module ids have no dots (see model.module_id)
    for source, exported, alias in reexports.get(module, ()):
        first, _, rest = name.partition(".")
        if alias in ("*", first):
            inner = f"{source}.{name if alias == '*' else exported + ('.' + rest if rest else '')}"
            found = follow(inner, definitions, reexports, depth + 1)
            if found is not None:
                return found
    return None
