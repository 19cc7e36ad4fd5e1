"""The floor of the benchmark: read and `ast.parse` every Python file of a tree, in one process.

    python bench/floor.py TREE

No linter can analyse a file without at least this much work, so every other figure is reported
as a multiple of it. Files are visited in sorted order, as backlint's discovery does.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def parse_all(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in sorted(root.rglob("*.py")):
        source = path.read_bytes()
        ast.parse(source, filename=str(path))
        files += 1
        lines += source.count(b"\n")
    return files, lines


if __name__ == "__main__":
    n_files, n_lines = parse_all(Path(sys.argv[1]))
    print(f"parsed {n_files} files, {n_lines} lines")
