"""Expected findings written by hand next to the offending line: `# expect: BKL101` or
`# expect: BKL101:8, BKL401` (an optional 0-based column). Missing and unexpected findings are
reported apart, so a test says exactly what the rule got wrong."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
_ITEM = r"BKL\d{3}(?::\d+)?"
_EXPECT = re.compile(rf"(?:#|//)\s*expect:\s*(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*)")


@dataclass(frozen=True, order=True)
class Expected:
    line: int
    code: str
    column: int | None = None


def expectations_in(path: Path) -> list[Expected]:
    found = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(text)
        if not match:
            continue
        for item in re.split(r"\s*,\s*", match.group("items")):
            code, _, column = item.partition(":")
            found.append(Expected(number, code, int(column) if column else None))
    return found


def compare(actual: list[tuple[str, int, int]], expected: list[Expected]) -> tuple[list, list]:
    """(missing, unexpected) between actual (code, line, column) triples and the expectations."""
    remaining = sorted(actual, key=lambda item: (item[1], item[0], item[2]))
    missing = []
    for wanted in sorted(expected, key=lambda item: item.column is None):
        match = next((item for item in remaining if item[0] == wanted.code
                      and item[1] == wanted.line
                      and (wanted.column is None or item[2] == wanted.column)), None)
        if match is None:
            missing.append(wanted)
        else:
            remaining.remove(match)
    return missing, remaining


def fixture_projects() -> list[Path]:
    """Every fixture project: a folder under fixtures/ with its own pyproject.toml."""
    return sorted(path.parent for path in FIXTURES.rglob("pyproject.toml")
                  if any(path.parent.rglob("*.py")))


def python_files(project: Path) -> list[Path]:
    """The project's files; a sub-folder with its own pyproject.toml is its own project."""
    nested = [path.parent for path in project.rglob("pyproject.toml")
              if path.parent != project and (project / "pyproject.toml").exists()]
    return sorted(path for path in project.rglob("*.py")
                  if "node_modules" not in path.parts and ".venv" not in path.parts
                  and not any(folder in path.parents for folder in nested))


SCRIPT_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


def script_files(folder: Path) -> list[Path]:
    """The JS/TS files under a folder that backlint checks (no declaration files)."""
    return sorted(path for path in folder.rglob("*") if path.name.endswith(SCRIPT_SUFFIXES)
                  and not path.name.endswith(".d.ts") and "node_modules" not in path.parts)


def script_projects() -> list[Path]:
    """Every JS/TS fixture project: the configured root (a folder with backlint.toml,
    .backlint.toml or a pyproject.toml with [tool.backlint]) of some fixture script."""
    from backlint.rules import settings_for

    return sorted({Path(settings_for(str(path)).root) for path in script_files(FIXTURES)})


def describe(missing: list, unexpected: list) -> str:
    lines = [f"missing:    line {item.line} {item.code}"
             + (f" col {item.column}" if item.column is not None else "") for item in missing]
    lines += [f"unexpected: line {line} {code} col {column}" for code, line, column in unexpected]
    return "\n".join(lines)
