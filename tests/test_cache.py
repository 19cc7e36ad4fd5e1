"""The on-disk cache: warm runs, edits, damaged and foreign entries, --no-cache, concurrency."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backlint import parallel, runner
from backlint.cache import Cache
from backlint.discovery import SCRIPT_SUFFIXES
from backlint.rules import FileResult, Settings, all_rules, settings_for

from test_cli import ANY_MODULE, CLEAN_MODULE, LEAKY_ROUTE, run, write


@pytest.fixture(name="project")
def project_fixture(tmp_path: Path) -> Path:
    kinds = (ANY_MODULE, LEAKY_ROUTE, CLEAN_MODULE)
    files: dict[str, str | bytes] = {f"app/module_{index}.py": kinds[index % 3]
                                     for index in range(9)}
    files["app/broken.py"] = "def broken(:\n"
    return write(tmp_path, files)


def check(project: Path, *args: str) -> str:
    result = run(project, "check", "--format", "json", "--no-semgrep", "--jobs", "1", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def entries(project: Path) -> list[Path]:
    return sorted(path for path in (project / ".backlint_cache").iterdir()
                  if not path.name.startswith((".", "CACHEDIR")))


def no_analysis(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record files the core is asked to analyse (a warm run asks for none)."""
    analysed: list[str] = []
    real = parallel.analyse_source

    def recording(source, path, settings):
        analysed.append(Path(path).name)
        return real(source, path, settings)
    monkeypatch.setattr(parallel, "analyse_source", recording)
    return analysed


def test_cold_run_fills_a_tagged_ignored_cache(project: Path) -> None:
    check(project)
    folder = project / ".backlint_cache"
    assert (folder / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert [entry.name.startswith("pack-") for entry in entries(project)] == [True]


def test_warm_run_gives_identical_output_without_analysing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold
    assert analysed == []
    assert len(json.loads(cold)["findings"]) == 6 and len(json.loads(cold)["errors"]) == 1


def test_an_edited_file_is_analysed_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check(project)
    analysed = no_analysis(monkeypatch)
    (project / "app/module_2.py").write_text(ANY_MODULE, encoding="utf-8")
    document = json.loads(check(project))
    assert analysed == ["module_2.py"]
    assert "app/module_2.py" in {item["path"] for item in document["findings"]}


def test_other_settings_do_not_reuse_entries(project: Path) -> None:
    check(project)
    selected = json.loads(check(project, "--select", "BKL4"))
    assert {item["code"] for item in selected["findings"]} == {"BKL401"}
    write(project, {"pyproject.toml": '[tool.backlint]\nignore = ["BKL4"]\n'})
    configured = json.loads(check(project))
    assert {item["code"] for item in configured["findings"]} == {"BKL101"}


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05\x95truncated"])
def test_damaged_entries_are_ignored_and_rewritten(project: Path, damage: bytes,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    for entry in entries(project):
        entry.write_bytes(damage)
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold
    assert len(analysed) == 10
    assert all(entry.read_bytes() != damage for entry in entries(project))
    analysed.clear()
    assert check(project) == cold and analysed == []


def test_an_entry_is_only_used_for_its_own_file(project: Path, tmp_path: Path) -> None:
    settings = Settings(root=str(project))
    writer = Cache.open(tmp_path / "cache", settings)
    source = (project / "app/module_0.py").read_bytes()
    key = writer.key(source, str(project / "app/module_0.py"))
    writer.put(key, FileResult(str(project / "app/module_0.py")))
    writer.save()
    reader = Cache.open(tmp_path / "cache", settings)
    assert reader.get(key, str(project / "app/module_0.py")) is not None
    # Same bytes under another path: another key; the old key under another path: a miss.
    assert reader.key(source, str(project / "app/module_3.py")) != key
    assert reader.get(key, str(project / "app/module_3.py")) is None
    other = Cache.open(tmp_path / "cache", Settings(root=str(project), select=("BKL4",)))
    assert other.key(source, str(project / "app/module_0.py")) != key


def test_packs_are_merged_when_they_pile_up(project: Path) -> None:
    expected = check(project, "--no-cache")
    for round_number in range(12):
        (project / "app/module_2.py").write_text(CLEAN_MODULE + f"# {round_number}\n",
                                                 encoding="utf-8")
        check(project)
        assert len(entries(project)) <= 9
    (project / "app/module_2.py").write_text(CLEAN_MODULE, encoding="utf-8")
    assert check(project) == expected


def test_no_cache_writes_nothing(project: Path) -> None:
    check(project, "--no-cache")
    assert not (project / ".backlint_cache").exists()


def test_cache_dir_option(project: Path, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("elsewhere") / "cache"
    cold = check(project, "--cache-dir", str(folder))
    assert not (project / ".backlint_cache").exists()
    assert len(list(folder.iterdir())) == 3  # one pack, the tag and .gitignore
    assert check(project, "--cache-dir", str(folder)) == cold


def test_unusable_cache_dir_warns_once_and_runs(project: Path) -> None:
    (project / "a-file").write_text("", encoding="utf-8")
    result = run(project, "check", "--no-semgrep", "--cache-dir", "a-file/cache")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 2  # the warning and the syntax-error file
    assert result.stderr.startswith("backlint: warning: cannot use the cache folder")


def test_concurrent_runs_do_not_corrupt_the_cache(project: Path) -> None:
    expected = check(project, "--no-cache")
    command = [sys.executable, "-m", "backlint", "check", "--format", "json", "--no-semgrep",
               "--jobs", "2"]
    runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in runs]
    assert all(stdout == expected for stdout, _ in outputs), outputs
    assert not [path for path in (project / ".backlint_cache").iterdir()
                if path.name.startswith(".tmp-")]
    assert check(project) == expected


def test_a_new_project_marker_invalidates_the_entries_it_renames(tmp_path):
    """Module names (and so cross-file facts) change when a marker file makes a folder a project
    root; the cache key follows them."""
    from backlint.cache import Cache
    from backlint.rules import Settings

    package = tmp_path / "server" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    module = package / "orders.py"
    module.write_text("x = 1\n")
    cache = Cache.open(tmp_path / ".cache", Settings(root=str(tmp_path)))
    before = cache.key(module.read_bytes(), str(module))
    (tmp_path / "server" / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    from backlint.rules.engine import _import_root
    _import_root.cache_clear()
    assert cache.key(module.read_bytes(), str(module)) != before


DUPLICATE_REDIS = ('import os\n\nfrom redis import Redis\n\n'
                   'redis = Redis.from_url(os.environ["REDIS_URL"])\n')


def test_cross_file_findings_are_reused_only_while_no_file_changes(tmp_path, monkeypatch):
    tree = write(tmp_path, {"app/__init__.py": "", "app/db.py": DUPLICATE_REDIS,
                            "app/cache.py": DUPLICATE_REDIS})

    def codes(output: str) -> list[str]:
        return [item["code"] for item in json.loads(output)["findings"]]

    assert codes(check(tree)) == ["BKL202"]
    reduced: list[int] = []
    real = runner.project_findings
    monkeypatch.setattr(runner, "project_findings",
                        lambda *args, **kwargs: (reduced.append(1), real(*args, **kwargs))[1])
    assert codes(check(tree)) == ["BKL202"] and not reduced  # warm: served from the cache
    (tree / "app" / "cache.py").write_text("from app.db import redis\n")
    assert codes(check(tree)) == [] and reduced == [1]  # one file changed: reduced again


def test_facts_the_cache_cannot_hold_cost_only_their_file(project: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check(project, "--no-cache")
    real = parallel.analyse_source

    def storing_a_path(source, path, settings):
        result = real(source, path, settings)
        if path.endswith("module_0.py"):
            result.facts["BKL999"] = {"where": Path(path)}
        return result
    monkeypatch.setattr(parallel, "analyse_source", storing_a_path)
    result = run(project, "check", "--format", "json", "--no-semgrep", "--jobs", "1")
    assert result.stdout == expected
    assert "cannot cache the results of 1 file(s)" in result.stderr
    assert "module_0.py: pathlib.PosixPath is not plain data" in result.stderr
    assert "facts['BKL999']['where']" in result.stderr
    monkeypatch.undo()
    analysed = no_analysis(monkeypatch)
    assert check(project) == expected and analysed == ["module_0.py"]


def test_a_warm_run_on_a_ts_tree_hits_the_cache_for_every_file(tmp_path: Path) -> None:
    project = tmp_path / "express-backend"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "express-backend", project)
    files = sorted(str(path) for path in project.rglob("*") if path.suffix in SCRIPT_SUFFIXES)
    settings = settings_for(str(project))
    folder = project / ".backlint_cache"
    cold = runner.analyse_files(files, settings, 1, Cache.open(folder, settings))
    warm = runner.analyse_files(files, settings, 1, Cache.open(folder, settings))
    assert len(files) > 10 and cold.findings and cold.cache_hits == 0
    assert warm.cache_hits == len(files)
    assert warm.results == cold.results and warm.project == cold.project


def test_rule_identities_come_back_from_the_cache(project: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm run names each finding's rule from the cache (importing no rule module): the
    symbols and severities are the rules' own."""
    cold = check(project)
    monkeypatch.setattr("backlint.cli.rule_by_code", _no_rule_lookup)
    assert check(project) == cold
    settings = settings_for(str(project))
    catalog = Cache.open(project / ".backlint_cache", settings).rule_catalog()
    assert catalog == {rule.code: (rule.symbol, rule.severity) for rule in all_rules()}


def _no_rule_lookup(code: str) -> None:
    raise AssertionError(f"{code}: a warm run looked its rule up")
