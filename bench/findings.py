"""Warm runs on a tree with many findings: the part of a run that is formatting, not analysis.

    python bench/findings.py [--files 2000] [--per-file 4] [--repeat 3]

Generates a project of service modules with `--per-file` BKL401 findings each, then measures
with bench/measure.py: a cold run (a fresh cache), and warm runs (same cache, nothing changed)
in the text and JSON formats. A warm run reads every file and hashes it, finds every result in
the cache and prints the report, so with thousands of findings what it costs beyond a run
without findings is the report itself. Target: warm <= 0.10x cold in both formats.
Exit status: 0 ok, 1 a target failed, 2 a run errored.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from measure import Measurement, run_measured  # noqa: E402  (sibling module)
from run import tool  # noqa: E402

WARM_TARGET = 0.10


def write_tree(root: Path, files: int, per_file: int) -> int:
    """A project of mid-sized service modules (a record type, helpers, loops: about 70 lines,
    like bench/'s services), each with `per_file` parameters typed `Any`."""
    (root / "pyproject.toml").write_text("[tool.backlint]\n", encoding="utf-8")
    package = root / "shop" / "services"
    package.mkdir(parents=True)
    for folder in (root / "shop", package):
        (folder / "__init__.py").write_text("", encoding="utf-8")
    for index in range(files):
        (package / f"service_{index:05d}.py").write_text(_module(index, per_file),
                                                         encoding="utf-8")
    return files * per_file


def _module(index: int, per_file: int) -> str:
    typed = "".join(f"""

def adjust_{number}(record: Record, value: Any) -> int:
    total = record.quantity
    for step in range(record.quantity):
        if step % {number + 2} == 0:
            total += len(str(value))
    return total
""" for number in range(per_file))
    clean = "".join(f"""

def summarise_{number}(records: list[Record]) -> dict[str, int]:
    counts: dict[str, int] = {{}}
    for record in records:
        counts[record.name] = counts.get(record.name, 0) + record.quantity * {number + 1}
    return {{name: count for name, count in counts.items() if count > {index % 7}}}
""" for number in range(4))
    return f"""\"\"\"Service {index}: pricing and stock of one catalogue.\"\"\"
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Record:
    name: str
    quantity: int
    price_cents: int
{typed}{clean}"""


def best(runs: list[Measurement]) -> Measurement:
    return min(runs, key=lambda measured: measured.wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--per-file", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    backlint = tool("backlint", path_fallback=True)
    if backlint is None:
        print("backlint is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        tree, cache = Path(folder) / "tree", Path(folder) / "cache"
        tree.mkdir()
        planted = write_tree(tree, args.files, args.per_file)
        return report(measure(backlint, tree, cache, args.repeat), planted, args.files)


def measure(backlint: str, tree: Path, cache: Path, repeat: int) -> dict[str, Measurement]:
    command = [backlint, "check", ".", "--jobs", "2", "--cache-dir"]
    cold = [run_measured([*command, str(cache / str(run)), "--format", "json"], tree)
            for run in range(repeat)]
    warm = {output: best([run_measured([*command, str(cache / "0"), "--format", output], tree)
                          for _ in range(repeat)]) for output in ("json", "text")}
    return {"cold": best(cold), "warm json": warm["json"], "warm text": warm["text"]}


def report(runs: dict[str, Measurement], planted: int, files: int) -> int:
    found = len(json.loads(runs["cold"].stdout)["findings"]) if runs["cold"].stdout else 0
    print(f"{files:,} files, {planted:,} planted findings, {found:,} found")
    failed = found != planted or any(run.returncode != 1 for run in runs.values())
    cold = runs["cold"].wall
    for name, run in runs.items():
        ratio = run.wall / cold
        target = "" if name == "cold" else f"  target <= {WARM_TARGET:.2f}x: " + (
            "met" if ratio <= WARM_TARGET else "MISSED")
        print(f"{name:<10} {run.wall:7.2f} s  {ratio:5.2f}x cold  {run.peak_mb:6.0f} MB{target}")
        failed = failed or (name != "cold" and ratio > WARM_TARGET)
    if any(run.returncode not in (0, 1) for run in runs.values()):
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
