"""A cache that came with the checked repository is hostile: it runs nothing, is read only inside
its folder, and anything in it that this version did not write is ignored and rewritten."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from backlint import cache as cache_module
from backlint.cache_codec import FORMAT_LINE
from backlint.cache_key import user_key

from test_cache import check, entries, no_analysis, project_fixture  # noqa: F401  # a fixture

PACK = "pack-00000000000000000001-1.jsonl"


def sealed(*lines: bytes, secret: bytes | None = None) -> bytes:
    """A pack with a correct tag, count and MAC (under this user's key, unless another `secret`
    is given) around these lines: only the schema can reject them."""
    body = FORMAT_LINE + b"".join(line + b"\n" for line in lines)
    mac = hmac.new(secret or user_key("/nonexistent"), body, hashlib.sha256).hexdigest()
    return body + b"end %d %s\n" % (len(lines), mac.encode())


def pack_lines(project: Path) -> list[bytes]:
    (pack,) = entries(project)
    return pack.read_bytes().split(b"\n")[1:-2]


def assert_ignored_and_rewritten(project: Path, cold: str, monkeypatch: pytest.MonkeyPatch,
                                 files: int = 10) -> None:
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold
    assert len(analysed) == files
    analysed.clear()
    assert check(project) == cold and analysed == []


class _Gadget:
    """Unpickling this would run a command; the cache must never unpickle anything."""

    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("name", [PACK, "pack-00000000000000000001-1.pickle"])
def test_an_old_pickle_pack_runs_nothing(project: Path, name: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    for entry in entries(project):
        entry.unlink()
    (project / ".backlint_cache" / name).write_bytes(
        pickle.dumps(("backlint-cache-3", 1)) + pickle.dumps(_Gadget()))
    assert_ignored_and_rewritten(project, cold, monkeypatch)
    assert not (project / "pwned").exists()
    assert not (project / ".backlint_cache" / name).exists()


def _mutations(document: list) -> list[object]:
    key, path, findings, _, facts = document
    row = findings[0] if findings else [1, 0, "BKL401", "m", 1, 1]
    return [
        {"key": key}, document[:4], [key.upper(), *document[1:]], [7, *document[1:]],
        [key, 3, *document[2:]], [key, path, {"0": row}, *document[3:]],
        [key, path, [["1", *row[1:]]], None, facts], [key, path, [[True, *row[1:]]], None, facts],
        [key, path, [row[:5]], None, facts], [key, path, [[0, *row]], None, facts],
        [key, path, findings, ["just a path"], facts], [key, path, findings, "message", facts],
        [key, path, findings, None, [facts]], [key, path, findings, None, {"~t": [1]}],
        [key, path, findings, None, {**facts, "x": {"~s": [[1]]}}],
        [key, path, findings, None, {**facts, "x": {"~d": [[1]]}}],
        [key, path, findings, None, {**facts, "x": {"~t": 5}}],
        [key, path, findings, None, {"~d": [[1, 2]]}],
    ]


def test_entries_of_the_wrong_shape_are_ignored(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    lines = pack_lines(project)
    first = json.loads(lines[0])
    crafted = [sealed(*lines, json.dumps(wrong).encode()) for wrong in _mutations(first)]
    crafted += [sealed(*lines, b"[" * 100_000 + b"]" * 100_000), sealed(*lines, b"\xff\xfe"),
                sealed(*lines, b"not json"), sealed(*lines, b"")]
    for content in crafted:
        for entry in entries(project):
            entry.unlink()
        (project / ".backlint_cache" / PACK).write_bytes(content)
        assert_ignored_and_rewritten(project, cold, monkeypatch)
        monkeypatch.undo()


def test_a_pack_that_fails_its_check_is_ignored(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    (pack,) = entries(project)
    good = pack.read_bytes()
    flipped = good.replace(b'"BKL401"', b'"BKL402"', 1)
    body, trailer = good[:good.rindex(b"end ")], good[good.rindex(b"end "):]
    uncounted = body + pack_lines(project)[0] + b"\n" + trailer
    for content in (good[:len(good) // 2], good[:-1], flipped, good + good, uncounted,
                    good.replace(FORMAT_LINE, b"backlint-cache-4\n")):
        for entry in entries(project):
            entry.unlink()
        (project / ".backlint_cache" / PACK).write_bytes(content)
        assert_ignored_and_rewritten(project, cold, monkeypatch)
        monkeypatch.undo()


def test_entries_under_other_keys_are_misses(project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    lines = [json.loads(line) for line in pack_lines(project)]
    rekeyed = [json.dumps([f"{index:064x}", *line[1:]]).encode()
               for index, line in enumerate(lines)]
    (pack,) = entries(project)
    pack.write_bytes(sealed(*rekeyed))
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold and len(analysed) == 10


def outside_state(folder: Path) -> list[tuple[str, bytes, int]]:
    return sorted((str(path), path.read_bytes(), path.stat().st_mtime_ns)
                  for path in folder.rglob("*") if path.is_file())


def test_a_symlinked_cache_folder_is_not_followed(project: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    cold = check(project, "--no-cache")
    check(project, "--cache-dir", str(outside))  # a real cache there, which it must not use
    (outside / "keep.txt").write_text("precious\n")
    before = outside_state(outside)
    (project / ".backlint_cache").symlink_to(outside, target_is_directory=True)
    result = subprocess.run([sys.executable, "-m", "backlint", "check", "--format", "json",
                             "--no-semgrep", "--jobs", "1"], cwd=project, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.stdout == cold
    assert "cache folder" in result.stderr and "symbolic link" in result.stderr
    assert outside_state(outside) == before


def test_symlinked_entries_are_never_followed(project: Path, tmp_path_factory,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path_factory.mktemp("outside")
    cold = check(project)
    (pack,) = entries(project)
    pack.rename(outside / "valid-pack")  # following the link would give every file a hit
    (outside / "secret").write_text("precious\n")
    before = outside_state(outside)
    folder = project / ".backlint_cache"
    for name in ("CACHEDIR.TAG", ".gitignore"):
        (folder / name).unlink()
        (folder / name).symlink_to(outside / f"created-{name}")  # dangling: O_EXCL refuses
    (folder / PACK).symlink_to(outside / "valid-pack")
    (folder / "pack-00000000000000000002-1.jsonl").symlink_to(outside / "secret")
    assert_ignored_and_rewritten(project, cold, monkeypatch)
    assert outside_state(outside) == before
    assert not (folder / PACK).is_symlink()


def test_a_fifo_entry_neither_blocks_nor_stays(project: Path) -> None:
    cold = check(project)
    for entry in entries(project):
        entry.unlink()
    os.mkfifo(project / ".backlint_cache" / PACK)
    command = [sys.executable, "-m", "backlint", "check", "--format", "json", "--no-semgrep",
               "--jobs", "1"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.stdout == cold, result.stderr
    assert not (project / ".backlint_cache" / PACK).exists()


def test_reads_are_bounded(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check(project)
    (pack,) = entries(project)
    monkeypatch.setattr(cache_module, "MAX_PACK_BYTES", pack.stat().st_size - 1)
    analysed = no_analysis(monkeypatch)
    assert check(project) == cold and len(analysed) == 10  # a valid pack, one byte too big
    monkeypatch.undo()
    for entry in entries(project):
        entry.unlink()
    with open(project / ".backlint_cache" / PACK, "wb") as stream:
        stream.truncate(cache_module.MAX_PACK_BYTES + 1)  # sparse: costs no disk
    assert_ignored_and_rewritten(project, cold, monkeypatch)
