"""`--diff REF`: which lines of the checked files changed since a git ref.

The old text comes from `git cat-file --batch` (raw blobs: no filter or diff driver of the
repository runs) and is compared with the file on disk here, so uncommitted edits count as
changed and files new since REF are changed everywhere.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from backlint.git import GitError, run_git
from backlint.rules.columns import source_lines

NEW_FILE = frozenset({0})  # marks a file git did not have at REF: every line is new


class DiffError(Exception):
    """--diff cannot be honoured; the message names the ref or folder and says why."""


def changed_lines(ref: str, paths: Iterable[str], start: str) -> dict[str, frozenset[int]]:
    """For each path (absolute), the 1-based lines that differ from REF (NEW_FILE if all)."""
    top = _top_level(start)
    commit = _resolve(ref, top)
    wanted = sorted({os.path.abspath(path) for path in paths})
    if not wanted:
        return {}
    blobs = _blobs(commit, [_in_repository(path, top) for path in wanted], top)
    return {path: _changed(old, path) for path, old in zip(wanted, blobs)}


def is_changed(changed: dict[str, frozenset[int]], path: str, line: int) -> bool:
    lines = changed.get(os.path.abspath(path))
    if lines is None:
        return False
    return lines is NEW_FILE or line in lines


def _top_level(start: str) -> str:
    folder = start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start))
    try:
        output = run_git(folder, ["rev-parse", "--show-toplevel"])
    except GitError as error:
        raise DiffError(f"--diff needs a git work tree, and {folder} is not in one ({error})"
                        ) from error
    return output.decode("utf-8", "surrogateescape").strip()


def _resolve(ref: str, top: str) -> str:
    if ref.startswith("-"):
        raise DiffError(f"--diff {ref}: a ref cannot start with '-'")
    try:
        output = run_git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                               f"{ref}^{{commit}}"])
    except GitError as error:
        raise DiffError(f"--diff {ref}: no such commit, branch or tag in {top}; fetch it "
                        "first (in CI: `git fetch origin main` and `--diff origin/main`)"
                        ) from error
    return output.decode().strip()


def _in_repository(path: str, top: str) -> str:
    real_top = os.path.realpath(top)
    return os.path.relpath(os.path.realpath(path), real_top).replace(os.sep, "/")


def _blobs(commit: str, names: list[str], top: str) -> list[bytes | None]:
    """Each file's bytes at `commit`, None where it did not exist; one git process for all."""
    request = "".join(f"{commit}:{name}\n" for name in names).encode("utf-8", "surrogateescape")
    try:
        output = run_git(top, ["cat-file", "--batch"], stdin=request)
    except GitError as error:
        raise DiffError(f"--diff: cannot read files at {commit[:12]}: {error}") from error
    return _parse_batch(output, len(names))


def _parse_batch(output: bytes, count: int) -> list[bytes | None]:
    blobs: list[bytes | None] = []
    position = 0
    for _ in range(count):
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(output[position:position + size])
            position += size + 1
        else:  # "<name> missing", or a tree/submodule: not a file at that commit
            blobs.append(None)
    return blobs


def _changed(old: bytes | None, path: str) -> frozenset[int]:
    if old is None:
        return NEW_FILE
    try:
        with open(path, "rb") as handle:
            new = handle.read()
    except OSError:
        return frozenset()
    old_lines = source_lines(old.decode("utf-8", "surrogateescape"))
    new_lines = source_lines(new.decode("utf-8", "surrogateescape"))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    changed = set()
    for tag, _, _, first, last in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(first + 1, last + 1))
    return frozenset(changed)
