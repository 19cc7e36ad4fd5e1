"""Whether the JS/TS engine can run here: its tree-sitter bindings and grammar wheels load.

Checked once, in the main process, before any JS/TS file is analysed: a missing or broken wheel
would otherwise fail every file alike, and in worker processes. It is a broken install, not a
finding: the run exits 2 saying what to install.
"""
from __future__ import annotations

import importlib

_WHEELS = ("tree-sitter", "tree-sitter-typescript", "tree-sitter-javascript")


def grammar_problem() -> str | None:
    """Why JS/TS files cannot be checked in this environment, or None if they can."""
    try:
        parsing = importlib.import_module("backlint.rules.ts.parsing")
        for grammar in (parsing.TS, parsing.TSX, parsing.JS):
            parsing.language(grammar)
        importlib.import_module("backlint.rules.ts.catalog").ts_rules()
    except Exception as error:  # pylint: disable=broad-exception-caught  # any failure to load
        return (f"the JS/TS engine cannot load its tree-sitter grammars ({type(error).__name__}: "
                f"{error}); JS/TS files were not checked. Install them: pip install "
                f"{' '.join(_requirements())} (or reinstall backlint), or exclude the JS/TS files")
    return None


def _requirements() -> list[str]:
    """backlint's own pins of the wheels, quoted for a shell."""
    # pylint: disable-next=import-outside-toplevel  # costs a warm run 20 ms; needed only here
    from importlib import metadata
    try:
        required = metadata.requires("backlint") or []
    except metadata.PackageNotFoundError:
        required = []
    pinned = [spec.split(";")[0].strip() for spec in required
              if spec.split("=")[0].split(">")[0].strip() in _WHEELS]
    return [f"'{spec}'" for spec in pinned or _WHEELS]
