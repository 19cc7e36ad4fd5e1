"""backlint's benchmark: one command, every tool on the same generated tree.

    python bench/run.py [--files 2000] [--scaling 200,2000,8000] [--repeat 1] [--quick] [--keep]

Generates the synthetic backend (bench/generate.py) into a temporary directory and measures, on
that one tree, wall time and peak memory (see bench/measure.py for how) of:

  (a) floor        read + ast.parse of every file in one process (bench/floor.py)
  (b) cold         backlint check . --cache-dir FRESH --format json
  (c) warm         the same, again, same cache dir, nothing changed
  (d) 1 changed    the same after appending a function to one file
  (e) pylint       pylint --load-plugins=backlint.checkers --disable=all --enable=<backlint> -j 2
  (f) flake8       flake8 --select=BKL
  (g) semgrep      semgrep scan --config semgrep-rules/python --metrics=off --json

then checks the targets of the performance issue and prints a scaling table of (a) and (b).
Tools are taken next to sys.executable first (the project's .venv/bin); pylint and flake8 only
from there, because they must import backlint's plugin from the same environment. A missing tool
is a "not installed" row. `--quick` runs a 40-file tree and skips targets and scaling (the test
suite's smoke run); `--without pylint,semgrep` leaves those rows out as "skipped".
Exit status: 0 ok, 1 a target failed, 2 a tool errored.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (sibling module; the path is set just above)
from measure import Measurement, run_measured  # noqa: E402

FALLBACK_SYMBOLS = ("leaked-exception-detail", "explicit-any", "per-request-client",
                    "duplicate-client", "fat-route-handler", "inconsistent-response-shape")
MB_LIMIT = 400
QUICK_FILES = 40


@dataclass
class Row:
    key: str  # a..g
    label: str
    status: str = "ok"  # ok | not installed | skipped: why | error: why
    wall: float | None = None
    peak_mb: float | None = None
    note: str = ""
    findings: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, code)

    @property
    def measured(self) -> bool:
        return self.status == "ok" and self.wall is not None


# ----------------------------------------------------------------------------------------------
# Tools
# ----------------------------------------------------------------------------------------------

# Rows (e)-(g) by tool name: measured, or skipped with --without.
_OTHER_ROWS = {"pylint": ("e", "pylint (backlint msgs, -j 2)"),
               "flake8": ("f", "flake8 --select=BKL"), "semgrep": ("g", "semgrep (python pack)")}


def tool(name: str, path_fallback: bool) -> str | None:
    """The executable next to sys.executable, else (if allowed) the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name) if path_fallback else None


def best_of(repeat: int, measure_once) -> Measurement:
    return pick_best([measure_once(i) for i in range(repeat)])


def pick_best(runs: list[Measurement]) -> Measurement:
    """The lowest wall time (the least disturbed run) with the highest peak seen; a failure wins."""
    best = min(runs, key=lambda m: m.wall)
    best.peak_mb = max(m.peak_mb for m in runs)
    failed = next((m for m in runs if m.timed_out or m.returncode not in (0, 1)), None)
    return failed or best


def fill(row: Row, m: Measurement, ok_codes: tuple[int, ...] = (0, 1)) -> Row:
    row.wall, row.peak_mb = m.wall, m.peak_mb
    if m.timed_out:
        row.status = "error: timed out"
    elif m.returncode not in ok_codes:
        tail = (m.stderr.strip() or m.stdout.strip()).splitlines()[-1:] or ["no output"]
        row.status = f"error: exit {m.returncode}: {tail[0][:100]}"
    return row


# ----------------------------------------------------------------------------------------------
# The measurements
# ----------------------------------------------------------------------------------------------

def measure_floor(tree: Path, repeat: int) -> Row:
    cmd = [sys.executable, str(BENCH / "floor.py"), "."]
    run_measured(cmd, tree)  # untimed: brings the tree into the page cache
    m = best_of(repeat, lambda _: run_measured(cmd, tree))
    row = fill(Row("a", "floor: read + ast.parse"), m, ok_codes=(0,))
    row.note = m.stdout.strip()
    return row


def measure_backlint(tree: Path, work: Path, repeat: int) -> list[Row]:
    rows = [Row("b", "backlint cold"), Row("c", "backlint warm"),
            Row("d", "backlint 1 file changed")]
    exe = tool("backlint", path_fallback=True)
    if exe is None:
        for row in rows:
            row.status = "not installed"
        return rows
    edited = pick_file_to_edit(tree)
    original = edited.read_bytes()
    runs: dict[str, list[Measurement]] = {"b": [], "c": [], "d": []}
    for i in range(repeat):
        cache = work / f"backlint-cache-{i}"
        cmd = [exe, "check", ".", "--cache-dir", str(cache), "--format", "json"]
        runs["b"].append(run_measured(cmd, tree))
        runs["c"].append(run_measured(cmd, tree))
        edited.write_bytes(original + appended_function(i).encode())
        runs["d"].append(run_measured(cmd, tree))
        edited.write_bytes(original)  # later tools see the generated tree, byte for byte
    for row in rows:
        fill(row, pick_best(runs[row.key]))
        require_json_report(row, runs[row.key])
    rows[0].findings, rows[0].note = backlint_findings(runs["b"][0])
    rows[2].note = f"edited {edited.relative_to(tree)}"
    return rows


def pick_file_to_edit(tree: Path) -> Path:
    """A service module from the middle of the tree: a typical, mid-sized file."""
    candidates = sorted(tree.rglob("*_service.py")) or sorted(tree.rglob("*.py"))
    return candidates[len(candidates) // 2]


def appended_function(i: int) -> str:
    return (f"\n\ndef bench_added_helper_{i}(values: list[int]) -> int:\n"
            f"    return sum(value * {i + 2} for value in values)\n")


def require_json_report(row: Row, runs: list[Measurement]) -> None:
    """Exit 1 means findings only with a report: an uncaught Python exception also exits 1."""
    for m in runs:
        if row.status == "ok" and not _is_json(m.stdout):
            tail = (m.stderr.strip().splitlines() or ["no output"])[-1]
            row.status = f"error: exit {m.returncode} without a JSON report: {tail[:100]}"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def backlint_findings(m: Measurement) -> tuple[list[tuple[str, int, str]], str]:
    """(path, line, code) of every finding of a JSON report, and a one-line summary."""
    try:
        report = json.loads(m.stdout)
        found = [(Path(f["path"]).as_posix(), int(f["line"]), f["code"])
                 for f in report.get("findings", [])]
        errors = len(report.get("errors", []))
    except (ValueError, KeyError, TypeError, AttributeError):
        return [], "output is not backlint's JSON report"
    return found, f"{len(found)} findings" + (f", {errors} file errors" if errors else "")


def measure_pylint(tree: Path, repeat: int) -> Row:
    row = Row(*_OTHER_ROWS["pylint"])
    exe = tool("pylint", path_fallback=False)
    if exe is None:
        row.status = "not installed"
        return row
    symbols = pylint_symbols(tree, exe)
    if not symbols:
        row.status = "error: pylint lists none of backlint's messages (plugin not loadable?)"
        return row
    cmd = [exe, "--load-plugins=backlint.checkers", "--disable=all",
           f"--enable={','.join(symbols)}", "-j", "2", "--recursive=y", "--score=n", "."]
    m = best_of(repeat, lambda _: run_measured(cmd, tree))
    # pylint's exit status is a bit mask: 1 fatal, 32 usage error; the others mean messages.
    fill(row, m, ok_codes=(m.returncode,) if m.returncode & 33 == 0 else ())
    row.note = f"{len(symbols)} messages enabled"
    return row


def pylint_symbols(tree: Path, pylint: str) -> list[str]:
    """backlint's message symbols that pylint actually knows once the plugin is loaded."""
    wanted = list(FALLBACK_SYMBOLS)
    exe = tool("backlint", path_fallback=True)
    if exe:
        listed = run_measured([exe, "rules", "--format", "json"], tree, timeout=60)
        try:
            found = sorted(set(_symbols_in(json.loads(listed.stdout))))
        except ValueError:
            found = []
        wanted = found or wanted
    msgs = run_measured([pylint, "--load-plugins=backlint.checkers", "--list-msgs"], tree,
                        timeout=120).stdout
    return [s for s in wanted if re.search(rf":{re.escape(s)} \(", msgs)]


def _symbols_in(data: object) -> list[str]:
    """Every value of a "symbol" key anywhere in a JSON document (its shape is not fixed yet)."""
    if isinstance(data, dict):
        found = [data["symbol"]] if isinstance(data.get("symbol"), str) else []
        return found + [s for value in data.values() for s in _symbols_in(value)]
    if isinstance(data, list):
        return [s for item in data for s in _symbols_in(item)]
    return []


def measure_flake8(tree: Path, repeat: int) -> Row:
    row = Row(*_OTHER_ROWS["flake8"])
    exe = tool("flake8", path_fallback=False)
    if exe is None:
        row.status = "not installed"
        return row
    version = run_measured([exe, "--version"], tree, timeout=60).stdout
    if "backlint" not in version.lower():
        row.status = "error: backlint's flake8 plugin is not registered"
        return row
    m = best_of(repeat, lambda _: run_measured([exe, "--select=BKL", "."], tree))
    fill(row, m)
    row.note = f"{len(m.stdout.splitlines())} findings"
    return row


def measure_semgrep(tree: Path, repeat: int, rules: Path) -> Row:
    row = Row(*_OTHER_ROWS["semgrep"])
    exe = tool("semgrep", path_fallback=True)
    if exe is None:
        row.status = "not installed"
        return row
    if not (rules.is_file() or any(rules.rglob("*.y*ml"))):
        row.status = f"skipped: no rules at {rules}"
        return row
    # Without this semgrep waits ~90 s on a network version check that cannot succeed here.
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    cmd = [exe, "scan", "--config", str(rules), "--metrics=off", "--json", "."]
    m = best_of(repeat, lambda _: run_measured(cmd, tree, env=env))
    fill(row, m)
    try:
        row.note = f"{len(json.loads(m.stdout).get('results', []))} findings"
    except ValueError:
        pass
    return row


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------

def fmt(value: float | None, pattern: str) -> str:
    """`value` formatted with `pattern` ("9.2f"), or a dash in the same width."""
    return format(value, pattern) if value is not None else "-".rjust(int(pattern.split(".")[0]))


def print_table(rows: list[Row], floor: Row) -> None:
    print(f"{'':3}{'tool':31}{'wall s':>9}{'peak MB':>10}{'x floor':>9}  status / note")
    for row in rows:
        ratio = row.wall / floor.wall if row.measured and floor.measured and floor.wall else None
        status = row.status if row.status != "ok" else row.note
        print(f"({row.key}) {row.label:29}{fmt(row.wall if row.measured else None, '9.2f')}"
              f"{fmt(row.peak_mb if row.measured else None, '10.0f')}{fmt(ratio, '9.2f')}"
              f"  {status}")


def print_planted_vs_found(manifest: dict[str, object], cold: Row) -> None:
    if not cold.measured or not cold.findings:
        return
    planted = {(v["path"], v["line"], v["code"]) for v in manifest["violations"]}
    found = set(cold.findings)
    codes = sorted({code for _, _, code in planted | found})
    print("\nplanted vs found (backlint cold; 'at planted line' = same path, line and code):")
    for code in codes:
        p = {v for v in planted if v[2] == code}
        f = {v for v in found if v[2] == code}
        print(f"  {code}  planted {len(p):5}  found {len(f):5}  at planted line {len(p & f):5}")


def target(label: str, value: float | None, limit: float,
           unit: str = "x") -> tuple[str, bool | None]:
    if value is None:
        return f"SKIP  {label} (not measured)", None
    passed = value <= limit
    verdict = "PASS" if passed else "FAIL"
    return f"{verdict}  {label}: {value:.2f}{unit} (limit {limit}{unit})", passed


def check_targets(rows: dict[str, Row]) -> list[bool | None]:
    def ratio(a: str, b: str) -> float | None:
        ok = rows[a].measured and rows[b].measured and rows[b].wall
        return rows[a].wall / rows[b].wall if ok else None

    peaks = [rows[k].peak_mb for k in "bcd" if rows[k].measured]
    checks = [target("cold <= 3.0x floor", ratio("b", "a"), 3.0),
              target("warm, nothing changed <= 0.15x cold", ratio("c", "b"), 0.15),
              target("one file changed <= 0.25x cold", ratio("d", "b"), 0.25),
              target(f"backlint peak memory <= {MB_LIMIT} MB", max(peaks) if peaks else None,
                     MB_LIMIT, " MB"),
              target("cold faster than pylint (e): cold / pylint < 1", ratio("b", "e"), 0.999),
              target("cold faster than semgrep (g): cold / semgrep < 1", ratio("b", "g"), 0.999)]
    print("\ntargets:")
    for text, _ in checks:
        print("  " + text)
    return [passed for _, passed in checks]


def scaling(sizes: list[int], base: int, base_rows: dict[str, Row], base_lines: int, work: Path,
            seed: int, repeat: int) -> bool | None:
    """Floor and backlint cold for each size; True/False for the linear-growth target.

    A tool error in a scaling run is added to `base_rows` (as "s<size>") so it sets the exit code.
    """
    results: dict[int, tuple[Row, Row, int]] = {}
    for size in sizes:
        if size == base:
            results[size] = (base_rows["a"], base_rows["b"], base_lines)
            continue
        tree = work / f"scale-{size}"
        manifest = generate.generate(tree, size, seed)
        floor = measure_floor(tree, repeat)
        cold = measure_cold_only(tree, work / f"scale-cache-{size}", repeat)
        results[size] = (floor, cold, manifest["lines"])
        base_rows[f"s{size}"] = cold
        shutil.rmtree(tree, ignore_errors=True)
    print(f"\nscaling (backlint cold vs floor):\n{'files':>8}{'lines':>10}{'floor s':>10}"
          f"{'cold s':>10}{'cold MB':>10}{'x floor':>9}")
    for size in sizes:
        floor, cold, lines = results[size]
        ratio = cold.wall / floor.wall if cold.measured and floor.measured else None
        print(f"{size:8}{int(lines):10}{fmt(floor.wall if floor.measured else None, '10.2f')}"
              f"{fmt(cold.wall if cold.measured else None, '10.2f')}"
              f"{fmt(cold.peak_mb if cold.measured else None, '10.0f')}{fmt(ratio, '9.2f')}"
              + ("" if cold.status == "ok" else f"  {cold.status}"))
    small, big = (2000, 8000) if {2000, 8000} <= set(sizes) else (sorted(sizes)[-2:] + [0, 0])[:2]
    if not small or not big or big == small:
        return None
    limit = round(1.1 * big / small, 2)  # linear growth plus 10%: 4.4 for 2,000 -> 8,000
    cold_small, cold_big = results[small][1], results[big][1]
    value = cold_big.wall / cold_small.wall if cold_small.measured and cold_big.measured else None
    text, passed = target(f"{big:,} files <= {limit}x the {small:,}-file cold time", value, limit)
    floor_small, floor_big = results[small][0], results[big][0]
    if floor_small.measured and floor_big.measured:
        text += f"; the floor grew {floor_big.wall / floor_small.wall:.2f}x"
    print("  " + text)
    return passed


def measure_cold_only(tree: Path, cache: Path, repeat: int) -> Row:
    row = Row("b", "backlint cold")
    exe = tool("backlint", path_fallback=True)
    if exe is None:
        row.status = "not installed"
        return row
    runs = [run_measured([exe, "check", ".", "--cache-dir", f"{cache}-{i}", "--format", "json"],
                         tree) for i in range(repeat)]
    fill(row, pick_best(runs))
    require_json_report(row, runs)
    return row


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------

def measure_others(tree: Path, repeat: int, semgrep_rules: Path, without: set[str]) -> list[Row]:
    """Rows (e)-(g); a tool named in `without` is a skipped row, not a silent gap."""
    measures = {"pylint": lambda: measure_pylint(tree, repeat),
                "flake8": lambda: measure_flake8(tree, repeat),
                "semgrep": lambda: measure_semgrep(tree, repeat, semgrep_rules)}
    return [Row(*_OTHER_ROWS[tool], status="skipped: --without") if tool in without else measure()
            for tool, measure in measures.items()]


def benchmark(files: int, seed: int, repeat: int, work: Path,
              semgrep_rules: Path, without: set[str]) -> tuple[dict[str, Row], dict]:
    tree = work / "tree"
    manifest = generate.generate(tree, files, seed)
    print(f"tree: {manifest['files']} files, {manifest['lines']} lines, "
          f"{len(manifest['violations'])} planted violations ({tree})")
    print(f"tools from: {Path(sys.executable).parent} (then PATH for backlint, semgrep)\n")
    rows = [measure_floor(tree, repeat)]
    rows += measure_backlint(tree, work, repeat)
    rows += measure_others(tree, repeat, semgrep_rules, without)
    by_key = {row.key: row for row in rows}
    print_table(rows, by_key["a"])
    print_planted_vs_found(manifest, by_key["b"])
    return by_key, manifest


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--scaling", default="200,2000,8000",
                        help="comma-separated tree sizes for the scaling table ('' for none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; best wall kept")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_FILES}-file tree, no targets, no scaling (smoke test)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--semgrep-rules", type=Path, default=REPO / "semgrep-rules" / "python",
                        help="semgrep config for row (g) (default: the pack's Python rules)")
    parser.add_argument("--without", default="",
                        help="comma-separated tools not to run: pylint, flake8, semgrep")
    args = parser.parse_args(argv)
    args.without = {tool.strip() for tool in args.without.split(",") if tool.strip()}
    unknown = args.without - _OTHER_ROWS.keys()
    if unknown:
        parser.error(f"--without: unknown tool {', '.join(sorted(unknown))}")
    if args.quick:
        args.files, args.scaling = QUICK_FILES, ""
    args.sizes = [int(s) for s in args.scaling.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="backlint-bench-"))
    try:
        rows, manifest = benchmark(args.files, args.seed, max(1, args.repeat), work,
                                   args.semgrep_rules, args.without)
        verdicts: list[bool | None] = []
        if not args.quick:
            verdicts = check_targets(rows)
            if args.sizes:
                verdicts.append(scaling(args.sizes, args.files, rows, manifest["lines"], work,
                                        args.seed, max(1, args.repeat)))
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if any(row.status.startswith("error") for row in rows.values()):
        return 2
    return 1 if False in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
