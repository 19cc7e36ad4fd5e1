"""The semgrep rule pack: it validates, its annotated rule tests pass, every rule carries
backlint's metadata, and over the TypeScript fixture backends it reports exactly the lines
marked `// expect: BKLnnn` (missing and unexpected findings are listed apart).

semgrep is slow to start, so each semgrep command runs once per session. The tests skip only
when semgrep is not installed."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from backlint.semgrep_runner import find_semgrep, run_semgrep
from expectations import compare, expectations_in

REPO = Path(__file__).resolve().parent.parent
PACK = REPO / "semgrep-rules"
FIXTURE_BACKENDS = [REPO / "fixtures" / "express-backend", REPO / "fixtures" / "nextjs-backend"]
SCRIPT_SUFFIXES = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"}
OFFLINE = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
COMMON_FLAGS = ["--metrics=off", "--disable-version-check"]
# DESIGN.md's rule table: a code, once released, never changes meaning.
DESIGN_SYMBOLS = {
    "BKL101": "leaked-exception-detail", "BKL102": "debug-mode-enabled",
    "BKL103": "inconsistent-response-shape", "BKL104": "error-with-success-status",
    "BKL105": "unlogged-error-response", "BKL201": "per-request-client",
    "BKL202": "duplicate-client", "BKL203": "hardcoded-credential", "BKL204": "missing-timeout",
    "BKL205": "vendor-sdk-in-route", "BKL301": "fat-route-handler",
    "BKL302": "service-imports-route", "BKL401": "explicit-any",
    "BKL402": "untyped-parameter", "BKL403": "unvalidated-request-body",
}
# Codes whose rules point at a weakness in the CWE list.
CWE_EXPECTED = {"BKL101": "CWE-209", "BKL203": "CWE-798", "BKL204": "CWE-400"}
RULE_ID = re.compile(r"^backlint\.(typescript|javascript|python)\.(?P<symbol>[a-z0-9-]+)$")
TEST_SUFFIXES = {"typescript": (".ts", ".js"), "javascript": (".js", ".ts"), "python": (".py",)}
RULE_FILES = sorted(PACK.glob("*/*.yaml"))


# --- semgrep, once per session ---------------------------------------------------------------

@pytest.fixture(scope="session")
def semgrep() -> str:
    executable = find_semgrep()
    if executable is None:
        pytest.skip("semgrep is not installed (pip install semgrep)")
    return executable


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **OFFLINE}, cwd=REPO)


@pytest.fixture(scope="session")
def validation(semgrep: str) -> dict:
    """`semgrep scan --validate` downloads p/semgrep-rule-lints from semgrep.dev, so it cannot
    run offline; a strict scan parses and validates every rule (schema and semgrep-core) the
    same way and reports each invalid rule as an error."""
    targets = [str(path) for path in sorted(PACK.glob("*/*")) if path.suffix != ".yaml"
               and path.name != "README.md"]
    completed = _run([semgrep, "scan", "--config", str(PACK), "--strict", "--json", "--quiet",
                      "--no-git-ignore", *COMMON_FLAGS, "--", *targets])
    return _json(completed)


@pytest.fixture(scope="session")
def rule_tests(semgrep: str) -> dict:
    completed = _run([semgrep, "scan", "--test", "--json", *COMMON_FLAGS, str(PACK)])
    return _json(completed)


@pytest.fixture(scope="session")
def fixture_findings(semgrep: str) -> dict[str, list[dict]]:
    paths = [str(path) for backend in FIXTURE_BACKENDS for path in sorted(backend.rglob("*"))
             if path.suffix in SCRIPT_SUFFIXES and "node_modules" not in path.parts]
    outcome = run_semgrep(paths, PACK)
    assert outcome.unavailable is None, outcome.unavailable
    assert not outcome.errors, outcome.errors
    found: dict[str, list[dict]] = {path: [] for path in paths}
    for finding in outcome.findings:
        found.setdefault(str(Path(finding["path"]).resolve()), []).append(finding)
    return found


def _json(completed: subprocess.CompletedProcess) -> dict:
    try:
        return json.loads(completed.stdout)
    except ValueError:
        pytest.fail(f"semgrep exited {completed.returncode} without JSON: "
                    f"{completed.stderr[-2000:]}")


def test_every_rule_is_valid(validation: dict) -> None:
    problems = [error.get("long_msg") or error.get("message") for error in validation["errors"]]
    assert not problems, "\n".join(str(problem) for problem in problems)


def test_annotated_rule_tests_pass(rule_tests: dict) -> None:
    assert not rule_tests["config_with_errors"], rule_tests["config_with_errors"]
    assert not rule_tests["config_missing_tests"], rule_tests["config_missing_tests"]
    checked = failures = 0
    report = []
    for config, result in rule_tests["results"].items():
        for rule_id, check in result["checks"].items():
            checked += 1
            if check["passed"]:
                continue
            failures += 1
            for target, lines in check["matches"].items():
                missed = sorted(set(lines["expected_lines"]) - set(lines["reported_lines"]))
                extra = sorted(set(lines["reported_lines"]) - set(lines["expected_lines"]))
                report.append(f"{rule_id} ({Path(config).name} on {Path(target).name}): "
                              f"missed lines {missed}, unexpected lines {extra}")
    assert checked == len(RULE_FILES), f"{checked} rule tests ran for {len(RULE_FILES)} rules"
    assert not failures, "\n".join(report)


# --- metadata, without running semgrep -------------------------------------------------------

def _load_yaml(path: Path) -> dict:
    try:
        import yaml
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except ImportError:
        pass
    try:
        from ruamel.yaml import YAML
    except ImportError:
        pytest.skip("reading the rules needs PyYAML or ruamel.yaml (installed with semgrep)")
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _rules() -> list[tuple[Path, dict]]:
    return [(path, rule) for path in RULE_FILES for rule in _load_yaml(path)["rules"]]


def test_pack_is_not_empty() -> None:
    assert {path.parent.name for path in RULE_FILES} == {"typescript", "python"}
    assert len(RULE_FILES) >= 12


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_rule_metadata(path: Path) -> None:
    rules = _load_yaml(path)["rules"]
    assert len(rules) == 1, "one rule per code per language, one rule per file"
    rule = rules[0]
    match = RULE_ID.match(rule["id"])
    assert match, f"id {rule['id']!r} is not backlint.<typescript|javascript|python>.<symbol>"
    assert match.group("symbol") == path.stem, "the file is named after the rule's symbol"
    folder_languages = {"typescript": {"typescript", "javascript"}, "python": {"python"}}
    assert rule["id"].split(".")[1] in folder_languages[path.parent.name]
    metadata = rule["metadata"]
    code = metadata["backlint-id"]
    assert re.fullmatch(r"BKL\d{3}", code)
    assert DESIGN_SYMBOLS.get(code) == path.stem, f"{code} is {DESIGN_SYMBOLS.get(code)!r}"
    assert metadata.get("symbol", path.stem) == path.stem
    assert metadata["confidence"] in {"HIGH", "MEDIUM", "LOW"}
    assert metadata["category"]
    assert metadata["engine-note"], "say what backlint's core sees that semgrep cannot"
    references = metadata["references"]
    assert isinstance(references, list) and references
    assert any(str(ref).endswith(f"docs/rules/{code}.md") for ref in references)
    if code in CWE_EXPECTED:
        assert any(str(cwe).startswith(CWE_EXPECTED[code]) for cwe in metadata["cwe"])
    assert rule["severity"] in {"ERROR", "WARNING", "INFO"}
    assert set(rule["languages"]) <= {"typescript", "javascript", "python"}
    message = " ".join(rule["message"].split())
    assert len(message) > 60 and re.search(
        r"\b(instead|[Uu]se|[Mm]ove|[Cc]reate|[Pp]ass|[Ss]et|[Rr]ead|[Ll]og|[Tt]ype|[Aa]nnotate|"
        r"[Kk]eep|[Rr]eturn|[Ss]end)\b", message), "the message names the fix"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_rule_has_annotated_test_file(path: Path) -> None:
    rule = _load_yaml(path)["rules"][0]
    language = rule["id"].split(".")[1]
    candidates = [path.with_suffix(suffix) for suffix in TEST_SUFFIXES[language]]
    tests = [candidate for candidate in candidates if candidate.is_file()]
    assert tests, f"no test file beside {path.name} ({', '.join(c.name for c in candidates)})"
    text = tests[0].read_text(encoding="utf-8")
    assert f"ruleid: {rule['id']}" in text, "at least one line the rule must report"
    assert f"ok: {rule['id']}" in text, "at least one near miss the rule must not report"


def test_pack_readme_lists_every_rule() -> None:
    readme = (PACK / "README.md").read_text(encoding="utf-8")
    for path, rule in _rules():
        assert rule["id"] in readme, f"{rule['id']} ({path.name}) is not in the README"


# --- the fixture backends ---------------------------------------------------------------------

def _fixture_files() -> list[Path]:
    return [path for backend in FIXTURE_BACKENDS for path in sorted(backend.rglob("*"))
            if path.suffix in SCRIPT_SUFFIXES and "node_modules" not in path.parts]


def test_fixture_backends_plant_every_typescript_code() -> None:
    planted = {item.code for path in _fixture_files() for item in expectations_in(path)}
    typescript = {_load_yaml(path)["rules"][0]["metadata"]["backlint-id"]
                  for path in RULE_FILES if path.parent.name == "typescript"}
    assert typescript <= planted, f"no fixture line expects {sorted(typescript - planted)}"


# The pack's BKL301 reports each query; the engine's (the fixtures' expectations) reports each fat
# handler once. The pack's rule keeps its annotated test in semgrep-rules/.
_PER_HANDLER_IN_THE_ENGINE = frozenset({"BKL301"})


@pytest.mark.parametrize("backend", FIXTURE_BACKENDS, ids=lambda path: path.name)
def test_fixture_findings_match_expectations(backend: Path,
                                             fixture_findings: dict[str, list[dict]]) -> None:
    missing, unexpected = [], []
    for path in _fixture_files():
        if backend not in path.parents:
            continue
        actual = [(item["code"], item["line"], item["column"])
                  for item in fixture_findings.get(str(path.resolve()), [])
                  if item["code"] not in _PER_HANDLER_IN_THE_ENGINE]
        lost, extra = compare(actual, [item for item in expectations_in(path)
                                       if item.code not in _PER_HANDLER_IN_THE_ENGINE])
        relative = path.relative_to(REPO)
        missing += [f"{relative}:{item.line} {item.code}" for item in lost]
        unexpected += [f"{relative}:{line} {code}" for code, line, _ in extra]
    assert not missing and not unexpected, (
        "missing (expected, not reported):\n  " + "\n  ".join(missing or ["none"])
        + "\nunexpected (reported, not expected):\n  " + "\n  ".join(unexpected or ["none"]))


def test_runner_reports_unavailable_semgrep_without_raising(monkeypatch) -> None:
    import backlint.semgrep_runner as runner
    monkeypatch.setattr(runner, "find_semgrep", lambda: None)
    target = str(_fixture_files()[0])
    outcome = runner.run_semgrep([target], PACK)
    assert outcome.findings == [] and "semgrep is not installed" in outcome.unavailable


def test_runner_reports_missing_files_as_errors() -> None:
    outcome = run_semgrep([str(REPO / "fixtures" / "no-such-file.ts")], PACK)
    assert outcome.unavailable is None and outcome.findings == []
    assert outcome.errors and outcome.errors[0]["message"] == "file not found"


# --- the pack and the engine agree -------------------------------------------------------------

def _engine_findings(backend: Path) -> dict[str, list[tuple[str, int]]]:
    """(code, line) per file of a fixture backend through the TS engine and the project pass."""
    from backlint.rules import settings_for
    from backlint.rules.project import merge_findings, project_findings
    from backlint.rules.ts.engine import analyse_script

    files = [path for path in _fixture_files() if backend in path.parents]
    results = [analyse_script(path.read_bytes(), str(path), settings_for(str(path)))
               for path in files]
    merged = merge_findings([finding for result in results for finding in result.findings],
                            project_findings(results, settings_for(str(backend))))
    found: dict[str, list[tuple[str, int]]] = {}
    for finding in merged:
        found.setdefault(str(Path(finding.path).resolve()), []).append(
            (finding.code, finding.line))
    return found


@pytest.mark.parametrize("backend", FIXTURE_BACKENDS, ids=lambda path: path.name)
def test_engine_finds_what_the_pack_finds(backend: Path,
                                          fixture_findings: dict[str, list[dict]]) -> None:
    """Teams that run the pack themselves and teams that run backlint see the same problems: on
    the shared fixture backends every pack finding of a code the engine checks is an engine
    finding too (same file, code and line). BKL301 is left out: the pack reports every query in
    a handler, the engine only fat handlers, once each (the pack's known false positives)."""
    from backlint.rules.ts.catalog import ts_codes

    engine = _engine_findings(backend)
    lost = []
    for path, items in fixture_findings.items():
        if backend not in Path(path).parents:
            continue
        for item in items:
            code, line = item["code"], item["line"]
            if code not in ts_codes() or code == "BKL301":
                continue
            if (code, line) not in engine.get(str(Path(path).resolve()), []):
                lost.append(f"{Path(path).relative_to(REPO)}:{line} {code}")
    assert not lost, "the pack reports, the engine does not:\n  " + "\n  ".join(lost)
