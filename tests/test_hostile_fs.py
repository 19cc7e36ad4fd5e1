"""A hostile tree: FIFOs, sockets, devices, symlink loops, dangling and escaping links,
unreadable files. Nothing that is no regular file is opened, nothing hangs, nothing is dropped
without a word."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from backlint.rules import Settings
from backlint.runner import analyse_files
from backlint.safe_files import TooLarge, read_bounded
from test_cli import ANY_MODULE, codes, deny_open, run_json, write

# Generous: a walk or read that blocks on a FIFO never ends; a working run takes seconds.
HANG_BOUND = 120


def _hostile_tree(root: Path, outside: Path) -> Path:
    write(root, {"app/types.py": ANY_MODULE, "app/clean.py": "x = 1\n"})
    write(outside, {"elsewhere.py": ANY_MODULE})
    os.mkfifo(root / "app/fifo.py")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(root / "app/sock.py"))
    (root / "app/zero.py").symlink_to("/dev/zero")
    (root / "app/loop_a.py").symlink_to(root / "app/loop_b.py")
    (root / "app/loop_b.py").symlink_to(root / "app/loop_a.py")
    (root / "app/gone.py").symlink_to(root / "app/missing.py")
    (root / "app/outside").symlink_to(outside, target_is_directory=True)
    (root / "app/outside.py").symlink_to(outside / "elsewhere.py")
    return root


EXPECTED_NOTICES = {
    "app/fifo.py": "skipped: a FIFO, not a regular file; never opened",
    "app/gone.py": "skipped: broken symlink",
    "app/loop_a.py": "skipped: symlink loop",
    "app/loop_b.py": "skipped: symlink loop",
    "app/sock.py": "skipped: a socket, not a regular file; never opened",
    "app/zero.py": "skipped: a device, not a regular file; never opened",
}


def _check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backlint", "check", "--format", "json",
                           "--no-semgrep", "--no-cache", *args], cwd=root, capture_output=True,
                          text=True, timeout=HANG_BOUND, check=False)


@pytest.mark.parametrize("with_git", [False, True])
def test_a_hostile_tree_is_walked_without_opening_anything_odd(
        tmp_path: Path, tmp_path_factory, with_git: bool) -> None:
    root = _hostile_tree(tmp_path, tmp_path_factory.mktemp("outside"))
    if with_git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    completed = _check(root, "app")
    assert "Traceback" not in completed.stderr
    document = json.loads(completed.stdout)
    assert codes(document) == [("app/types.py", "BKL401", 4)]
    errors = {item["path"]: item["message"] for item in document["errors"]}
    outside = errors.pop("app/outside")
    assert outside.startswith("skipped: symlink to ") and "not followed" in outside
    assert errors.pop("app/outside.py").startswith("skipped: symlink to ")
    # git lists no FIFO or socket, so those are only seen in a walk
    expected = {path: message for path, message in EXPECTED_NOTICES.items()
                if not with_git or path not in ("app/fifo.py", "app/sock.py")}
    assert errors == expected
    assert completed.returncode == 1


def test_escaping_symlinks_are_followed_when_asked(tmp_path: Path, tmp_path_factory) -> None:
    root = _hostile_tree(tmp_path, tmp_path_factory.mktemp("outside"))
    document = json.loads(_check(root, "--follow-symlinks", "app").stdout)
    assert codes(document) == [("app/outside.py", "BKL401", 4),
                               ("app/outside/elsewhere.py", "BKL401", 4),
                               ("app/types.py", "BKL401", 4)]


def test_a_fifo_and_a_device_named_on_the_command_line_are_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "named.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    completed = _check(tmp_path, "named.py", "zero.py")
    document = json.loads(completed.stdout)
    assert document["errors"] == [
        {"path": "named.py", "message": EXPECTED_NOTICES["app/fifo.py"]},
        {"path": "zero.py", "message": EXPECTED_NOTICES["app/zero.py"]}]


def test_one_unreadable_named_file_is_one_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"secret.py": ANY_MODULE, "types.py": ANY_MODULE})
    deny_open(monkeypatch, "secret.py")
    _, document = run_json(tmp_path, "--jobs", "1", "secret.py", "types.py")
    assert codes(document) == [("types.py", "BKL401", 4)]
    assert document["errors"] == [{"path": "secret.py",
                                   "message": "cannot read this file: Permission denied"}]


def test_reads_stop_at_max_file_bytes_even_if_the_file_claims_to_be_small(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * 10_000)
    real_fstat = os.fstat
    monkeypatch.setattr("os.fstat", lambda fd: os.stat_result(
        (*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))  # st_size: 10
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr("os.read", lambda fd, size: (read.append(size), real_read(fd, size))[1])
    with pytest.raises(TooLarge):
        read_bounded(str(big), 1_000)
    assert sum(read) == 1_001


def test_an_oversize_file_is_reported_without_being_read(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"big.py": "x = 1\n" * 1_000})
    monkeypatch.setattr("os.read", lambda *_args: pytest.fail("read an oversize file"))
    settings = Settings(root=str(tmp_path), max_file_bytes=100)
    analysis = analyse_files([str(tmp_path / "big.py")], settings)
    assert [error.message for error in analysis.errors] == [
        "skipped: 6,000 bytes is over max-file-bytes (100); raise it in [tool.backlint] to check "
        "this file, or exclude it"]


def _no_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.open", lambda *_args, **_kwargs: pytest.fail("opened an odd file"))
    monkeypatch.setattr("builtins.open", lambda *_args, **_kwargs: pytest.fail("opened a file"))


def test_the_generated_code_check_opens_only_regular_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backlint.generated import generated_reason
    os.mkfifo(tmp_path / "fifo.js")
    (tmp_path / "zero.js").symlink_to("/dev/zero")
    _no_open(monkeypatch)
    for name in ("fifo.js", "zero.js"):
        assert generated_reason(str(tmp_path / name), script=True) is None


def test_the_generated_code_check_reads_only_the_head_and_the_tail(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backlint import generated
    bundle = tmp_path / "app.js"
    bundle.write_bytes(b"var a = 1;\n" * 100_000 + b"//# sourceMappingURL=app.js.map\n")
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr("os.read", lambda fd, size: (read.append(size), real_read(fd, size))[1])
    monkeypatch.setattr("builtins.open", lambda *_args, **_kwargs: pytest.fail("open()"))
    assert generated.generated_reason(str(bundle), script=True) == (
        "a bundle with a sourceMappingURL")
    assert sum(read) == generated.HEAD_BYTES + generated.TAIL_BYTES
    small = tmp_path / "small.js"
    small.write_bytes(b"var a=1;\n//# sourceMappingURL=small.js.map\n")
    assert generated.generated_reason(str(small), script=True) == (
        "a bundle with a sourceMappingURL")


def test_the_pylint_adapter_reads_files_as_the_cli_does(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from pylint.lint import PyLinter

    from backlint.checkers import pylint_checker
    checker = pylint_checker._checker_class("4")(PyLinter())
    write(tmp_path, {"types.py": ANY_MODULE,
                     "pyproject.toml": "[tool.backlint]\nmax-file-bytes = 10\n"})
    os.mkfifo(tmp_path / "fifo.py")
    monkeypatch.setattr(pylint_checker, "_last_analysis", {"key": None, "result": None})
    oversize = checker._analyse(str(tmp_path / "types.py"), None)
    assert oversize.error.message.startswith("skipped: ") and "over max-file-bytes (10)" in (
        oversize.error.message) and not oversize.findings
    monkeypatch.setattr("os.open", lambda *_args, **_kwargs: pytest.fail("opened the FIFO"))
    fifo = checker._analyse(str(tmp_path / "fifo.py"), None)
    assert fifo.error.message == "skipped: a FIFO, not a regular file; never opened"
    assert pylint_checker._lines_of(str(tmp_path / "fifo.py")) == []
