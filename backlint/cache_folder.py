"""The cache folder, confined: nothing is read, written or deleted outside it.

A cache folder can come with the checked repository (committed, or planted by whoever wrote the
code under review), so it is treated as hostile. The folder itself must not be a symbolic link;
it is opened once and every later operation is relative to that open folder (`dir_fd`), so
swapping the folder for a link mid-run changes nothing. Entries are opened with O_NOFOLLOW and
O_NONBLOCK (a FIFO named like a pack cannot block the run), must be regular files by `fstat`, and
are read up to a bound; links, FIFOs, devices and oversized files are reported as damaged, which
makes the cache unlink them (unlinking a link removes the link, never its target). Temporary
files left by killed runs are removed once old, judged by `lstat` (a link's own time).
"""
from __future__ import annotations

import os
import secrets
import stat
import time
import weakref
from collections.abc import Iterable
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
TEMPORARY_PREFIX = ".tmp-"
_RELATIVE = {os.open, os.unlink, os.replace, os.stat} <= os.supports_dir_fd \
    and os.scandir in os.supports_fd


class FolderRefused(OSError):
    """The folder is not one the cache may use (a symbolic link, not a folder)."""


class Folder:
    """One open cache folder; names passed to its methods are plain file names in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        if _RELATIVE:
            self._fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
            weakref.finalize(self, os.close, self._fd)

    @classmethod
    def open(cls, path: Path) -> Folder:
        """Create the folder if needed and open it; FolderRefused or OSError if impossible."""
        if path.is_symlink():
            raise FolderRefused(f"{path} is a symbolic link")
        path.mkdir(parents=True, exist_ok=True)
        folder = cls(path)
        mode = os.stat(folder._name("."), **folder._at()).st_mode
        if not stat.S_ISDIR(mode):
            raise FolderRefused(f"{path} is not a folder")
        return folder

    def _at(self, argument: str = "dir_fd") -> dict[str, int]:
        return {} if self._fd is None else {argument: self._fd}

    def _name(self, name: str) -> str:
        return name if self._fd is not None else os.path.join(self.path, name)

    def names(self, prefix: str) -> list[tuple[str, bool]]:
        """(name, is a regular file) for every entry whose name starts with `prefix`, sorted."""
        found = []
        with os.scandir(self._fd if self._fd is not None else self.path) as listing:
            for entry in listing:
                if entry.name.startswith(prefix):
                    found.append((entry.name, entry.is_file(follow_symlinks=False)))
        return sorted(found)

    def read(self, name: str, limit: int) -> bytes | None:
        """The bytes of a regular file of at most `limit` bytes, else None; never blocks."""
        try:
            handle = os.open(self._name(name), os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
                             | _BINARY, **self._at())
        except OSError:
            return None
        try:
            status = os.fstat(handle)
            if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
                return None
            data = _read_at_most(handle, limit + 1)
        except OSError:
            return None
        finally:
            os.close(handle)
        return data if len(data) <= limit else None

    def write_new(self, name: str, chunks: Iterable[bytes]) -> None:
        """Write a file under a fresh temporary name, then rename it to `name` in one step."""
        temporary = f"{TEMPORARY_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
        handle = self._create(temporary, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
            os.replace(self._name(temporary), self._name(name), **self._at("src_dir_fd"),
                       **self._at("dst_dir_fd"))
        except BaseException:
            self.remove(temporary)
            raise

    def remove_stale_temporaries(self, older_than: float) -> None:
        """Unlink temporary files (or links named like them) not modified for `older_than`
        seconds: those of killed runs; a running one's is younger."""
        cutoff = time.time() - older_than
        for name, _ in self.names(TEMPORARY_PREFIX):
            try:
                status = os.stat(self._name(name), follow_symlinks=False, **self._at())
            except OSError:
                continue
            kind = stat.S_IFMT(status.st_mode)
            if kind in (stat.S_IFREG, stat.S_IFLNK) and status.st_mtime < cutoff:
                self.remove(name)

    def write_if_missing(self, name: str, text: str) -> None:
        """Create a small file unless something (even a dangling link) already has the name."""
        try:
            handle = self._create(name, 0o644)
        except FileExistsError:
            return
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)

    def _create(self, name: str, mode: int) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
        return os.open(self._name(name), flags, mode, **self._at())

    def remove(self, name: str) -> None:
        """Unlink a file or link in the folder (a folder in it is left alone)."""
        try:
            os.unlink(self._name(name), **self._at())
        except OSError:
            pass  # another run removed it first, or it cannot go: a stale pack is only a miss


def _read_at_most(handle: int, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.read(handle, min(size, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
