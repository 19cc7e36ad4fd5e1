"""Looking at and reading files of a tree backlint does not trust.

Only regular files are ever opened: a FIFO named `x.py` would block the reader forever, a device
(`/dev/zero` behind a symlink) never ends, and opening some devices has side effects. Each read is
bounded by max-file-bytes before any byte is read, and again while reading (a file may grow).
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from backlint.rules import FileError, Settings
from backlint.rules.engine import oversize_error

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_READ_SIZE = 1 << 20
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISDIR, "a folder"))


class Unreadable(Exception):
    """A file that is not read, and why ("skipped: ..." for a notice, else an error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(Unreadable):
    def __init__(self, size: int) -> None:
        super().__init__(f"skipped: {size:,} bytes")
        self.size = size


def problem_of(path: str) -> str | None:
    """Why `path` (followed if it is a symlink) is no regular file, as a "skipped: ..." notice;
    None for a regular file. Nothing is opened."""
    try:
        status = os.stat(path)
    except OSError as error:
        return _stat_problem(path, error)
    return _kind_problem(status.st_mode)


def _stat_problem(path: str, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "skipped: symlink loop"
    if error.errno == errno.ENOENT and os.path.islink(path):
        return "skipped: broken symlink"
    return f"cannot read this file: {error.strerror or error}"


def _kind_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"skipped: {kind}, not a regular file; never opened"


def read_bounded(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises `Unreadable` (or its
    `TooLarge`) without reading more than `limit` + 1 bytes, and never opens anything else."""
    with _opened_regular(path) as (descriptor, status):
        if status.st_size > limit:
            raise TooLarge(status.st_size)
        chunk = _read_up_to(descriptor, limit + 1)
        if len(chunk) > limit:
            raise TooLarge(max(len(chunk), status.st_size))
        return chunk


def read_ends(path: str, head: int, tail: int) -> tuple[bytes, bytes, int]:
    """The first `head` and the last `tail` bytes of a regular file, and its size: what can be
    told of a file without reading it whole. Raises `Unreadable` as `read_bounded` does."""
    with _opened_regular(path) as (descriptor, status):
        first = _read_up_to(descriptor, head)
        if not tail or status.st_size <= len(first):
            return first, first[-tail:] if tail else b"", status.st_size
        try:
            os.lseek(descriptor, max(0, status.st_size - tail), os.SEEK_SET)
        except OSError as error:
            raise Unreadable(f"cannot read this file: {error.strerror or error}") from None
        return first, _read_up_to(descriptor, tail), status.st_size


def read_source(path: str, settings: Settings) -> bytes | FileError:
    """A file's bytes for analysis, or the error reporting why it was not read."""
    try:
        return read_bounded(path, settings.max_file_bytes)
    except TooLarge as error:
        return oversize_error(path, error.size, settings)
    except Unreadable as error:
        return FileError(path, error.message)


@contextmanager
def _opened_regular(path: str) -> Iterator[tuple[int, os.stat_result]]:
    """A descriptor of `path` and its status, if it is a regular file (checked before opening,
    and again on what was opened: the file may have been replaced in between)."""
    problem = problem_of(path)
    if problem is not None:
        raise Unreadable(problem)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise Unreadable(_stat_problem(path, error)) from None
    try:
        status = os.fstat(descriptor)
        problem = _kind_problem(status.st_mode)
        if problem is not None:
            raise Unreadable(problem)
        yield descriptor, status
    finally:
        os.close(descriptor)


def _read_up_to(descriptor: int, size: int) -> bytes:
    """At most `size` bytes, fewer only at the end of the file."""
    chunks, total = [], 0
    while total < size:
        try:
            chunk = os.read(descriptor, min(_READ_SIZE, size - total))
        except OSError as error:
            raise Unreadable(f"cannot read this file: {error.strerror or error}") from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
