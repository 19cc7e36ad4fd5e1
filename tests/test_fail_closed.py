"""A run that could not check what it was asked to never exits 0, and never hangs.

Workers are killed, forks fail, files get stuck and the main process is interrupted or
terminated through test hooks (patched analysis functions, inherited by forked workers, and a
driver script for the signal tests); no test measures time. The bounds on waits are generous:
they only stop a broken build from hanging the suite.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backlint import parallel
from backlint.rules import all_rules
from test_cli import fake_semgrep_fixture  # noqa: F401  # the fixture, for this module too
from test_cli import ANY_MODULE, CLEAN_MODULE, LEAKY_ROUTE, codes, run, run_json, write

BOUND = 120  # seconds; a working run takes a few
MAIN_PID = os.getpid()


def _many_files(root: Path, extra: dict[str, str] | None = None) -> Path:
    """Enough files for the CLI to start worker processes with --jobs 2."""
    kinds = (ANY_MODULE, LEAKY_ROUTE, CLEAN_MODULE)
    files = {f"pkg/module_{index:02}.py": kinds[index % 3] for index in range(48)}
    return write(root, {**files, **(extra or {})})


def _hook(monkeypatch: pytest.MonkeyPatch, name: str, action) -> None:
    """Run `action(in_worker)` instead of analysing files named `name`."""
    real = parallel.analyse_source

    def hooked(source, path, settings):
        if path.endswith(name):
            return action(os.getpid() != MAIN_PID, lambda: real(source, path, settings))
        return real(source, path, settings)
    monkeypatch.setattr(parallel, "analyse_source", hooked)


def _kill_worker(in_worker: bool, analyse):
    if in_worker:
        os.kill(os.getpid(), signal.SIGKILL)
    return analyse()


def _reference(root: Path) -> str:
    return run(root, "check", "--format", "json", "--no-semgrep", "--no-cache", "--jobs", "1"
               ).stdout


# Item 2: fail closed -----------------------------------------------------------------------

def test_a_killed_worker_is_retried_in_the_main_process(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _many_files(tmp_path)
    expected = _reference(tmp_path)
    _hook(monkeypatch, "module_05.py", _kill_worker)
    result = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "-j", "2")
    assert result.stdout == expected
    assert result.exit_code == 1  # the findings of the fixture files, as with --jobs 1
    assert "a worker process failed (BrokenProcessPool" in result.stderr
    assert "checked again in the main process" in result.stderr


def test_a_file_that_fails_in_the_worker_and_in_the_retry_fails_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _many_files(tmp_path)

    def kill_then_crash(in_worker: bool, _analyse):
        if in_worker:
            os.kill(os.getpid(), signal.SIGKILL)
        raise MemoryError("no room")
    _hook(monkeypatch, "module_05.py", kill_then_crash)
    result = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "-j", "2",
                 "--exit-zero")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [item["path"] for item in document["errors"]] == ["pkg/module_05.py"]
    assert len(codes(document)) == 32  # every other file was checked
    assert result.stderr.endswith("backlint: error: 1 file could not be checked because of an "
                                  "internal error: pkg/module_05.py\n")


def test_a_failed_fork_falls_back_to_the_main_process(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _many_files(tmp_path)
    expected = _reference(tmp_path)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    result = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "-j", "2")
    assert result.stdout == expected and result.exit_code == 1
    assert result.stderr == (
        "backlint: warning: cannot start worker processes ([Errno 11] Resource temporarily "
        "unavailable); checking the remaining files in the main process\n")


@pytest.mark.parametrize("failure", [
    "semgrep did not finish within 600 s; pass --no-semgrep to skip it",
    "semgrep failed (exit code -9): no output",
])
def test_a_failed_js_engine_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          fake_semgrep, failure: str) -> None:
    monkeypatch.setattr(fake_semgrep, "run_semgrep", lambda *_args, **_kwargs: type(
        "SemgrepResult", (), {"findings": [], "errors": [], "unavailable": None,
                              "failed": failure})())
    write(tmp_path, {"app/clean.py": CLEAN_MODULE, "web/api.ts": "leak\n"})
    result = run(tmp_path, "check", "--exit-zero")
    assert result.exit_code == 2
    assert result.stderr == (
        f"<semgrep>: error: internal error: {failure}; 1 JS/TS file not checked\n"
        f"backlint: error: the JS/TS engine failed, its files were not checked: {failure}\n")
    sarif = json.loads(run(tmp_path, "check", "--format", "sarif").stdout)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [note["message"]["text"] for note in invocation["toolExecutionNotifications"]] == [
        f"internal error: {failure}; 1 JS/TS file not checked"]


def test_file_errors_fail_the_gate_unless_tolerated(tmp_path: Path) -> None:
    write(tmp_path, {"syntax.py": "def broken(:\n", "latin1.py": b"name = '\xe9t\xe9'\n",
                     "clean.py": CLEAN_MODULE})
    exit_code, document = run_json(tmp_path)
    assert exit_code == 1 and document["findings"] == []
    assert [item["path"] for item in document["errors"]] == ["latin1.py", "syntax.py"]
    assert run_json(tmp_path, "--exit-zero")[0] == 0
    write(tmp_path, {"pyproject.toml": "[tool.backlint]\ntolerate-file-errors = true\n"})
    assert run_json(tmp_path) == (0, document)


def test_notices_alone_do_not_fail_the_run(tmp_path: Path) -> None:
    write(tmp_path, {"clean.py": CLEAN_MODULE, "big.py": "x = 1\n" * 100,
                     "pyproject.toml": "[tool.backlint]\nmax-file-bytes = 100\n"})
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    exit_code, document = run_json(tmp_path)
    assert exit_code == 0
    assert [item["path"] for item in document["errors"]] == ["big.py", "gone.py"]


@pytest.mark.parametrize(("args", "config", "named"), [
    (("--select", "BKL999"), "", "BKL999"),
    (("--ignore", "BKL401,BKL110"), "", "BKL110"),
    (("--extend-select", "BKL5"), "", "BKL5"),
    ((), 'select = ["BKL1", "BKL7"]\n', "BKL7"),
    ((), 'ignore = ["BKL40"]\nper-file-ignores = { "a/*" = ["BKL0"] }\n', "BKL0"),
])
def test_an_unknown_rule_code_is_a_usage_error_naming_it(
        tmp_path: Path, args: tuple[str, ...], config: str, named: str) -> None:
    write(tmp_path, {"types.py": ANY_MODULE})
    if config:
        write(tmp_path, {"pyproject.toml": "[tool.backlint]\n" + config})
    result = run(tmp_path, "check", "--no-semgrep", *args)
    assert result.exit_code == 2
    assert f"`{named}` is not a backlint code or code prefix" in result.stderr
    assert "BKL101" in result.stderr  # the known codes are listed


def test_known_codes_and_prefixes_are_accepted(tmp_path: Path) -> None:
    write(tmp_path, {"types.py": ANY_MODULE})
    # BKL203 is checked by the semgrep pack; BKL4 and BKL40 are prefixes of BKL401.
    exit_code, document = run_json(tmp_path, "--select", "BKL4,BKL203", "--ignore", "BKL203")
    assert exit_code == 1 and codes(document) == [("types.py", "BKL401", 4)]
    assert run_json(tmp_path, "--ignore", "BKL40")[0] == 0


# Item 3: never hang -----------------------------------------------------------------------

def _stuck(_in_worker: bool, _analyse):
    while True:  # an analysis that never ends; only the deadline can stop it
        time.sleep(0.01)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stuck_file_is_reported_by_name_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    _many_files(tmp_path, {"pyproject.toml": "[tool.backlint]\nfile-timeout = 2\n"})
    all_rules()  # the rules are imported before the clock runs (in workers too: they fork)
    _hook(monkeypatch, "module_08.py", _stuck)
    result = run(tmp_path, "check", "--format", "json", "--no-semgrep", "--no-cache", "-j", jobs)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["errors"] == [{"path": "pkg/module_08.py", "message": (
        "internal error: checking this file took over 2 s (file-timeout); not checked. Raise "
        "file-timeout in [tool.backlint] or exclude the file, and please report it")}]
    assert len(codes(document)) == 32


DRIVER = """
import os, signal, sys, time
from backlint import parallel
from backlint.rules import all_rules
from backlint.cli import main

# As in a terminal: a suite started in the background inherits SIGINT ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)

real = parallel.analyse_source

def stuck(source, path, settings):
    if path.endswith("module_08.py"):
        with open(sys.argv[1], "a") as mark:
            mark.write(f"{os.getpid()}\\n")
        while True:
            time.sleep(0.01)
    return real(source, path, settings)

parallel.analyse_source = stuck
main(sys.argv[2:])
"""


def _start_stuck_run(root: Path, jobs: str) -> tuple[subprocess.Popen, int]:
    """A run whose analysis of one file never ends; returns it and the stuck process's id."""
    _many_files(root)
    (root / "driver.py").write_text(DRIVER, encoding="utf-8")
    mark = root / "stuck.pid"
    process = subprocess.Popen(
        [sys.executable, "driver.py", str(mark), "check", "--no-semgrep", "--no-cache", "-j", jobs,
         "pkg"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    for _ in range(BOUND * 20):
        if mark.exists() and mark.read_text().endswith("\n"):
            return process, int(mark.read_text().split()[0])
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"the run never got stuck: {process.communicate()}")


def _gone(pid: int) -> bool:
    """True once `pid` has ended (a zombie waiting for a reaper counts as ended)."""
    for _ in range(BOUND * 20):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("jobs", "send", "code", "message"), [
    ("1", "group-SIGINT", 130, "backlint: interrupted\n"),
    ("2", "group-SIGINT", 130, "backlint: interrupted\n"),
    ("2", "SIGTERM", 143, "backlint: terminated (SIGTERM); worker processes ended\n"),
    ("2", "SIGKILL", -9, ""),
])
def test_signals_end_the_run_and_its_workers(tmp_path: Path, jobs: str, send: str, code: int,
                                             message: str) -> None:
    process, stuck = _start_stuck_run(tmp_path, jobs)
    if send == "group-SIGINT":  # Ctrl-C reaches the whole process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(getattr(signal, send))
    _, stderr = process.communicate(timeout=BOUND)
    assert process.returncode == code
    assert stderr == message
    assert _gone(stuck), "a worker outlived the run"


@pytest.mark.parametrize("failure", ["crash", "stuck"])
def test_a_failing_in_process_ts_engine_fails_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    write(tmp_path, {"app/clean.py": CLEAN_MODULE, "web/api.ts": "export const x = 1;\n",
                     "pyproject.toml": "[tool.backlint]\nfile-timeout = 2\n"})

    class BrokenEngine:
        @staticmethod
        def analyse_script(_source, _path, _settings):
            if failure == "stuck":
                _stuck(False, None)
            raise RuntimeError("grammar failed to load")
    monkeypatch.setattr(parallel, "_script_engine", lambda: BrokenEngine)
    exit_code, document = run_json(tmp_path, "--exit-zero")
    assert exit_code == 2
    assert [item["path"] for item in document["errors"]] == ["web/api.ts"]
    assert document["errors"][0]["message"].startswith("internal error")
