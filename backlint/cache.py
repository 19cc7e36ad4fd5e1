"""The on-disk cache: one entry per checked file, keyed by everything that decides its result.

An entry's name is the sha256 of (backlint version and rule code, settings fingerprint, the file's
path relative to the project root, the file's bytes), so a hit needs one hash and one small read.
Entries are written to a temporary file and renamed into place, so concurrent runs never see half
an entry. Every entry is checked on read (its own key, the classes it may contain) and anything
else is treated as a miss and rewritten: the cache is never trusted.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

from backlint import __version__
from backlint.rules import FileResult, Settings

CACHE_DIR_NAME = ".backlint_cache"
_FORMAT = b"backlint-cache-1"
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by backlint.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n")
_SAFE_BUILTINS = frozenset({"set", "frozenset", "tuple", "list", "dict", "bytes", "str", "int",
                            "float", "complex", "bool", "slice", "range"})
_SAFE_MODULE_PREFIX = "backlint.rules"


class CacheUnavailable(Exception):
    """The cache folder cannot be created or written; the run goes on without a cache."""


class Cache:
    """Read and write per-file results under one folder."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self.settings = settings
        self._salt = b"\0".join((_FORMAT, _code_fingerprint().encode(),
                                 settings.fingerprint().encode()))

    @classmethod
    def open(cls, directory: Path, settings: Settings) -> Cache:
        """Create the folder (tagged and git-ignored) if needed; CacheUnavailable if impossible."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _write_if_missing(directory / "CACHEDIR.TAG", _CACHEDIR_TAG)
            _write_if_missing(directory / ".gitignore", "# Created by backlint.\n*\n")
        except OSError as error:
            raise CacheUnavailable(f"cannot use the cache folder {directory}: "
                                   f"{error.strerror or error}") from None
        if not os.access(directory, os.W_OK | os.X_OK):
            raise CacheUnavailable(f"cannot write to the cache folder {directory}")
        return cls(directory, settings)

    def key(self, source: bytes, path: str) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(b"\0" + self.settings.relative(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0" + source)
        return digest.hexdigest()

    def get(self, key: str, path: str) -> FileResult | None:
        """The stored result for this key and path, or None for a miss or an untrustworthy entry."""
        try:
            with open(self.directory / key, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        try:
            entry = _SafeUnpickler(io.BytesIO(data)).load()
        except Exception:  # pylint: disable=broad-exception-caught  # any damage means "not cached"
            return None
        return _checked(entry, key, path)

    def put(self, key: str, result: FileResult) -> None:
        """Store a result atomically; CacheUnavailable if the folder stopped being writable."""
        data = pickle.dumps((_FORMAT, key, result), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, self.directory / key)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            raise CacheUnavailable(f"cannot write to the cache folder {self.directory}: "
                                   f"{error.strerror or error}") from None


def _checked(entry: object, key: str, path: str) -> FileResult | None:
    if not (isinstance(entry, tuple) and len(entry) == 3):
        return None
    stored_format, stored_key, result = entry
    if stored_format != _FORMAT or stored_key != key or not isinstance(result, FileResult):
        return None
    # Findings carry the path they were found under; a moved checkout is a miss, not a rewrite.
    return result if result.path == path else None


class _SafeUnpickler(pickle.Unpickler):
    """Loads only backlint's own records and plain builtins: a foreign pickle runs no code."""

    def find_class(self, module: str, name: str) -> object:
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if module == _SAFE_MODULE_PREFIX or module.startswith(_SAFE_MODULE_PREFIX + "."):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a backlint cache entry")


def _write_if_missing(path: Path, text: str) -> None:
    if not path.exists():
        path.write_text(text, encoding="utf-8")


def _code_fingerprint() -> str:
    """backlint's version plus the size and time of each rule module, so that editing a rule in
    a development checkout (same version number) does not serve stale results."""
    rules_dir = Path(sys.modules["backlint.rules"].__file__ or "").parent
    stamps = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for module in sorted(rules_dir.glob("*.py")):
        try:
            stat = module.stat()
        except OSError:
            continue
        stamps.append(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(stamps)
