"""backlint's TS/JS benchmark: a generated Express + Next.js tree, whole runs against the floor.

    python bench/ts_run.py [--files 4000] [--repeat 1] [--jobs 2] [--quick] [--tree DIR]

Generates the tree (bench/ts_generate.py) and measures, with bench/measure.py:

  floor   read + tree-sitter parse of every JS/TS file in one process (bench/ts_floor.py)
  cold    backlint check . --format json --cache-dir FRESH --no-semgrep --jobs N
  warm    the same again (same cache, nothing changed)

Targets (issue #14): cold <= 3x floor, warm <= 0.15x cold, and a 4,000-file tree checked cold in
under 20 s; the findings must be exactly the planted ones. CPU seconds (user + system of the
whole process tree) are printed beside wall time: on a shared machine wall time also measures
the neighbours, CPU time does not. `--tree DIR` measures an existing tree instead (no planted
findings to compare). Exit status: 0 targets met, 1 a target missed, 2 a run failed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import ts_generate  # noqa: E402  (sibling module; the path is set just above)
from measure import Measurement, run_measured  # noqa: E402
from run import tool  # noqa: E402

COLD_TARGET, WARM_TARGET, SECONDS_TARGET, SECONDS_FILES = 3.0, 0.15, 20.0, 4000
QUICK_FILES = 40


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=SECONDS_FILES)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tree", type=Path, default=None)
    return run(parser.parse_args(argv), tool("backlint", path_fallback=True))


def run(args: argparse.Namespace, backlint: str | None) -> int:
    if backlint is None:
        print("backlint is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        tree = args.tree or Path(folder) / "tree"
        files = QUICK_FILES if args.quick else args.files
        manifest = None if args.tree else ts_generate.generate(tree, files, seed=0)
        runs = measure(backlint, tree, Path(folder) / "cache", args)
        return report(runs, manifest, quick=args.quick)


def measure(backlint: str, tree: Path, cache: Path, args) -> dict[str, Measurement]:
    floor = [sys.executable, str(BENCH / "ts_floor.py"), str(tree)]
    check = [backlint, "check", ".", "--format", "json", "--no-semgrep", "--jobs", str(args.jobs),
             "--cache-dir"]
    runs = {"floor": best(run_measured(floor, tree) for _ in range(args.repeat))}
    colds = []
    for attempt in range(args.repeat):
        colds.append(run_measured([*check, str(cache / f"cold-{attempt}")], tree))
    runs["cold"] = best(colds)
    runs["warm"] = best(run_measured([*check, str(cache / "cold-0")], tree)
                        for _ in range(args.repeat))
    return runs


def best(runs) -> Measurement:
    return min(runs, key=lambda measured: measured.wall)


def report(runs: dict[str, Measurement], manifest: dict | None, quick: bool) -> int:
    failed = [name for name, run in runs.items() if run.returncode not in (0, 1)]
    if failed:
        for name in failed:
            print(f"{name} failed (exit {runs[name].returncode}): {runs[name].stderr[-2000:]}")
        return 2
    floor, cold, warm = runs["floor"], runs["cold"], runs["warm"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'run':<6} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'x floor':>8}")
    for name, run in runs.items():
        print(f"{name:<6} {run.wall:8.2f} {run.cpu:8.2f} {run.peak_mb:8.0f} "
              f"{run.wall / floor.wall:8.2f}")
    missed = _findings_missed(cold, manifest)
    if quick:
        return 1 if missed else 0
    targets = [("cold <= 3x floor (wall)", cold.wall <= COLD_TARGET * floor.wall),
               ("warm <= 0.15x cold (wall)", warm.wall <= WARM_TARGET * cold.wall)]
    if manifest is not None and manifest["files"] >= SECONDS_FILES:
        targets.append((f"cold < {SECONDS_TARGET:g} s", cold.wall < SECONDS_TARGET))
    for label, met in targets:
        print(f"target {label}: {'met' if met else 'MISSED'}")
    return 1 if missed or not all(met for _, met in targets) else 0


def _findings_missed(cold: Measurement, manifest: dict | None) -> bool:
    if manifest is None:
        return False
    found = {(item["path"], item["line"], item["code"])
             for item in json.loads(cold.stdout)["findings"]}
    planted = {(item["path"], item["line"], item["code"]) for item in manifest["violations"]}
    print(f"{manifest['files']:,} files, {len(planted):,} planted findings, "
          f"{len(found & planted):,} found, {len(found - planted):,} not planted")
    return found != planted


if __name__ == "__main__":
    sys.exit(main())
