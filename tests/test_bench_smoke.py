"""The benchmark cannot rot: its generator is deterministic and honest, and its runner runs.

Speed itself is asserted by `python bench/run.py`, never by timed tests.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is scripts, not a package)

# What a planted line of each code must look like: proof the manifest points at the violation.
PLANTED_SHAPES = {
    "BKL101": re.compile(r"str\(exc\)|traceback\.format_exc\(\)"),
    "BKL103": re.compile(r'return .*\{"(result|ok|items)": '),
    "BKL201": re.compile(r"= (httpx\.Client|redis\.Redis\.from_url|create_engine)\("),
    "BKL202": re.compile(r"^\w+ = (httpx\.Client|redis\.Redis\.from_url|create_engine)\("),
    "BKL301": re.compile(r"^def \w+_report_\d+\("),
    "BKL401": re.compile(r"\b(Any|AnyValue|t\.Any|typing\.Any)\)"),
}


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "tree"
    generate.generate(root, files=30, seed=0)
    return root


def test_generation_is_deterministic(small_tree: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, files=30, seed=0)
    assert tree_bytes(again) == tree_bytes(small_tree)


def test_another_seed_gives_another_tree(small_tree: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate.generate(other, files=30, seed=1)
    assert tree_bytes(other) != tree_bytes(small_tree)


def test_exact_file_count_and_every_file_parses(small_tree: Path) -> None:
    files = sorted(small_tree.rglob("*.py"))
    assert len(files) == 30
    for path in files:
        ast.parse(path.read_bytes(), filename=str(path))
    assert (small_tree / "pyproject.toml").is_file()


@pytest.mark.parametrize("files", [1, 9, 17, 23, 250])
def test_any_size_is_exact(tmp_path: Path, files: int) -> None:
    generate.generate(tmp_path / "t", files=files, seed=3)
    assert len(list((tmp_path / "t").rglob("*.py"))) == files


def test_manifest_lists_real_violations(tmp_path: Path) -> None:
    # 300 files so that every code is planted at least once.
    root = tmp_path / "tree"
    manifest = generate.generate(root, files=300, seed=0)
    on_disk = json.loads((root / "bench_manifest.json").read_text())
    assert on_disk == manifest
    violations = manifest["violations"]
    assert {v["code"] for v in violations} == set(PLANTED_SHAPES)
    counts: dict[str, int] = {}
    for v in violations:
        line = (root / v["path"]).read_text().splitlines()[v["line"] - 1]
        assert PLANTED_SHAPES[v["code"]].search(line.strip()), (v, line)
        assert "noqa" not in line and "bench" not in line
        counts[v["code"]] = counts.get(v["code"], 0) + 1
    assert counts == manifest["counts"]


def test_clean_code_has_no_unplanted_any(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    manifest = generate.generate(root, files=300, seed=0)
    planted = {(v["path"], v["line"]) for v in manifest["violations"] if v["code"] == "BKL401"}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"\bAny\b|AnyValue\)", line) and not line.startswith(("from ", "import ")):
                assert (rel, number) in planted, (rel, number, line)


def test_quick_benchmark_runs() -> None:
    backlint = Path(sys.executable).parent / "backlint"
    if not backlint.exists():
        pytest.skip(f"no backlint executable next to {sys.executable}: install the project first")
    # pylint and semgrep are exercised by their own tests; here they would cost 30 s for nothing
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick",
                             "--without", "pylint,semgrep"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"tool\s+wall s\s+peak MB\s+x floor", result.stdout), result.stdout
    assert "(b) backlint cold" in result.stdout
    assert re.search(r"\(e\) pylint.*skipped: --without", result.stdout), result.stdout


def test_findings_benchmark_finds_what_it_plants():
    """bench/findings.py (warm runs with thousands of findings) runs and counts honestly."""
    completed = subprocess.run([sys.executable, str(BENCH / "findings.py"), "--files", "12",
                                "--repeat", "1"], capture_output=True, text=True, timeout=600)
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    assert "12 files, 48 planted findings, 48 found" in completed.stdout


# --- the TS/JS benchmark ---------------------------------------------------------------------

import ts_generate  # noqa: E402  (bench/ is scripts, not a package)

TS_PLANTED_SHAPES = {
    "BKL301": re.compile(r"^(router\.get\(|export (async function GET|const handle\d))"),
    "BKL401": re.compile(r"Record<string, any>"),
}


def test_ts_generation_is_deterministic_and_plants_real_violations(tmp_path: Path) -> None:
    manifest = ts_generate.generate(tmp_path / "one", files=120, seed=0)
    ts_generate.generate(tmp_path / "two", files=120, seed=0)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
    assert {item["code"] for item in manifest["violations"]} == set(TS_PLANTED_SHAPES)
    for item in manifest["violations"]:
        line = (tmp_path / "one" / item["path"]).read_text().splitlines()[item["line"] - 1]
        assert TS_PLANTED_SHAPES[item["code"]].search(line), (item, line)


def test_ts_quick_benchmark_finds_exactly_what_it_plants() -> None:
    result = subprocess.run([sys.executable, str(BENCH / "ts_run.py"), "--quick"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"40 files, (\d+) planted findings, \1 found, 0 not planted", result.stdout)
    assert re.search(r"^floor .*\n^cold .*\n^warm ", result.stdout, re.MULTILINE)
