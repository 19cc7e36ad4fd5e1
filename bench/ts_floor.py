"""The floor of the TS/JS benchmark: read and tree-sitter-parse every JS/TS file, one process.

    python bench/ts_floor.py TREE

No analysis of a file can cost less than reading and parsing it once, so the TS/JS figures are
reported as multiples of this. The grammar follows the suffix as in backlint's engine.
"""
from __future__ import annotations

import sys
from pathlib import Path

from backlint.discovery import SCRIPT_SUFFIXES
from backlint.rules.ts import parsing


def parse_all(root: Path) -> tuple[int, int]:
    files = size = 0
    for path in sorted(root.rglob("*")):
        if path.name.endswith(SCRIPT_SUFFIXES) and not path.name.endswith(".d.ts"):
            source = path.read_bytes()
            parsing.parse(source, parsing.grammar_for(path.name))
            files += 1
            size += len(source)
    return files, size


if __name__ == "__main__":
    n_files, n_bytes = parse_all(Path(sys.argv[1]))
    print(f"parsed {n_files} files, {n_bytes:,} bytes")
