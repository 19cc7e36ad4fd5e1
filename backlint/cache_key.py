"""The secret that authenticates cache packs: one per user, kept outside every checked repository.

The cache folder sits in the checked tree, so whoever wrote the code under review can write a pack
too; with a plain checksum, a planted pack of valid entries under the right keys would hide
findings. So every pack ends with an HMAC under a key only this user can read, in the user cache
folder ($XDG_CACHE_HOME/backlint/key, else ~/.cache/backlint/key, %LOCALAPPDATA% on Windows). A
pack made anywhere else (another machine, another user, committed to the repository) is a miss.

The key is created once, atomically: written to a private temporary file, then hard-linked to its
name, which fails rather than replaces when another run got there first. It is refused when it is
a symbolic link or not a regular file, not this user's, open to others, not what this module
writes, or inside the checked project (HOME set to a checkout, as some CI jobs do).
"""
from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_KEY_TEXT = re.compile(rb"[0-9a-f]{64}\n")
_KEY_BYTES = 65


class KeyUnavailable(Exception):
    """No usable key: the run goes on without the cache."""


def key_path() -> Path:
    """Where this user's key lives (relative XDG paths are ignored, as the specification says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.environ.get("LOCALAPPDATA", "") if os.name == "nt" else ""
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError as error:
            raise KeyUnavailable(f"no home folder to keep the cache key in ({error})") from None
    return Path(base) / "backlint" / "key"


def user_key(project_root: str) -> bytes:
    """This user's key, created if missing; KeyUnavailable says why it cannot be used."""
    path = key_path()
    _require_outside(path, project_root)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _require_outside(path, project_root)  # the folders may be links made before mkdir
        text = _read(path)
        if text is None:
            _create(path)
            text = _read(path)
    except OSError as error:
        raise KeyUnavailable(f"cannot use the cache key {path}: "
                             f"{error.strerror or error}") from None
    if text is None:
        raise KeyUnavailable(f"cannot create the cache key {path}")
    return bytes.fromhex(text.decode("ascii"))


def _require_outside(path: Path, project_root: str) -> None:
    folder = os.path.realpath(path.parent)
    root = os.path.join(os.path.realpath(project_root), "")
    if os.path.join(folder, "").startswith(root):
        raise KeyUnavailable(f"the cache key {path} would be inside the checked project "
                             f"{project_root}, which could have planted it")


def _read(path: Path) -> bytes | None:
    """The key's text, None if there is no file; KeyUnavailable if the file is not trustworthy."""
    try:
        handle = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
    except FileNotFoundError:
        return None
    except OSError:
        if path.is_symlink():
            raise KeyUnavailable(f"the cache key {path} is a symbolic link") from None
        raise
    try:
        status = os.fstat(handle)
        _require_private(path, status)
        text = os.read(handle, _KEY_BYTES + 1)
    finally:
        os.close(handle)
    if _KEY_TEXT.fullmatch(text) is None:
        raise KeyUnavailable(f"the cache key {path} is not a key backlint wrote; delete it to "
                             "get a new one")
    return text


def _require_private(path: Path, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise KeyUnavailable(f"the cache key {path} is not a regular file")
    if os.name == "nt":
        return  # no POSIX owner or mode bits; the profile folder is private already
    if status.st_uid != os.geteuid():
        raise KeyUnavailable(f"the cache key {path} belongs to another user")
    if status.st_mode & 0o077:
        raise KeyUnavailable(f"the cache key {path} is open to others (mode "
                             f"{stat.S_IMODE(status.st_mode):04o}); make it 0600 or delete it")


def _create(path: Path) -> None:
    """Write a new key unless another run wrote one first (then that one is used)."""
    temporary = path.with_name(f".key-{os.getpid()}-{secrets.token_hex(8)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    handle = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_hex(32).encode("ascii") + b"\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass
