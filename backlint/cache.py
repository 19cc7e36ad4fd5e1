"""The on-disk cache: per-file results keyed by everything that decides them, stored in packs.

A file's key is the sha256 of (backlint version and rule code, settings fingerprint, the file's
path relative to the project root, the file's bytes). Entries live in pack files, each written
once (to a temporary file, then renamed into place) and never modified, so concurrent runs never
see half a pack and at worst both write one. A run writes one pack with its new entries; when packs
pile up, or one is damaged, it writes a merged pack and deletes the ones it read. One file per
entry was measured slower: creating 2,000 small files costs 0.4-0.8 s on ext4, one pack ~20 ms.

Every pack is checked on read (its format tag, the classes it may contain, each entry's type and
path) and anything else is treated as a miss and rewritten: the cache is never trusted.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

from backlint import __version__
from backlint.rules import FileResult, Settings
from backlint.rules.engine import import_path

CACHE_DIR_NAME = ".backlint_cache"
_FORMAT = "backlint-cache-3"
_PACK_PREFIX, _PACK_SUFFIX = "pack-", ".pickle"
_MAX_PACKS = 8
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by backlint.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n")
_SAFE_BUILTINS = frozenset({"set", "frozenset", "tuple", "list", "dict", "bytes", "str", "int",
                            "float", "complex", "bool", "slice", "range"})
_SAFE_MODULE_PREFIX = "backlint.rules"


class CacheUnavailable(Exception):
    """The cache folder cannot be created or written; the run goes on without a cache."""


class Cache:
    """Look up results by key (all packs are read on the first look-up); `save` writes new ones."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self.settings = settings
        self._root_prefix = os.path.join(os.path.abspath(settings.root), "")
        self._salt = "\0".join((_FORMAT, _code_fingerprint(), settings.fingerprint())).encode()
        self._stored: dict[str, FileResult] | None = None
        self._packs_read: list[Path] = []
        self._damaged = False
        self._used: set[str] = set()
        self._new: dict[str, FileResult] = {}

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
        """The entry name of this file's content at this place under these settings."""
        digest = hashlib.sha256(self._salt)
        digest.update(b"\0" + self._relative(path).encode("utf-8", "surrogateescape"))
        # The module name a file gets depends on project markers around it (engine.import_path).
        digest.update(b"\0" + (import_path(path) or "").encode("utf-8", "surrogateescape"))
        digest.update(b"\0" + source)
        return digest.hexdigest()

    def _relative(self, path: str) -> str:
        # abspath/relpath per file cost more than the hash on warm runs; most paths are below root.
        if os.sep == "/" and path.startswith(self._root_prefix):
            return path[len(self._root_prefix):]
        return self.settings.relative(path)

    def get(self, key: str, path: str) -> FileResult | None:
        """The stored result for this key and path, or None."""
        if self._stored is None:
            self._stored = self._read_packs()
        result = self._stored.get(key)
        # Findings carry the path they were found under; a moved checkout is a miss.
        if result is None or result.path != path:
            return None
        self._used.add(key)
        return result

    def put(self, key: str, result: FileResult) -> None:
        self._new[key] = result

    def save(self) -> None:
        """Write this run's new entries as one pack; merge the packs if they pile up.

        Raises CacheUnavailable if the folder cannot be written."""
        stored = self._stored or {}
        compact = self._damaged or len(self._packs_read) >= _MAX_PACKS
        if not self._new and not compact:
            return
        entries = dict(self._new)
        if compact:
            entries = {**_kept(stored, self._used), **entries}
        try:
            self._write_pack(entries)
        except OSError as error:
            raise CacheUnavailable(f"cannot write to the cache folder {self.directory}: "
                                   f"{error.strerror or error}") from None
        if compact:
            for pack in self._packs_read:
                _remove(pack)

    def _read_packs(self) -> dict[str, FileResult]:
        stored: dict[str, FileResult] = {}
        for pack in sorted(self.directory.glob(f"{_PACK_PREFIX}*{_PACK_SUFFIX}")):
            entries = _load_pack(pack)
            self._packs_read.append(pack)
            if entries is None:
                self._damaged = True
            else:
                stored.update(entries)
        return stored

    def _write_pack(self, entries: dict[str, FileResult]) -> None:
        """A header `(format, count)`, then one pickle per entry: pickling entry by entry keeps
        the pickler's memo (and the run's peak memory) the size of one file's facts."""
        name = f"{_PACK_PREFIX}{time.time_ns():020d}-{os.getpid()}{_PACK_SUFFIX}"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump((_FORMAT, len(entries)), stream, protocol=pickle.HIGHEST_PROTOCOL)
                for entry in entries.items():
                    pickle.dump(entry, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.directory / name)
        except BaseException:
            _remove(Path(temporary))
            raise


def _kept(stored: dict[str, FileResult], used: set[str]) -> dict[str, FileResult]:
    """Entries to carry into a merged pack: all of them, unless most are stale by now."""
    if len(stored) <= 2 * len(used) + 1000:
        return stored
    return {key: stored[key] for key in used}


def _load_pack(pack: Path) -> dict[str, FileResult] | None:
    """A pack's entries, or None if it is damaged or not backlint's."""
    try:
        stream = io.BytesIO(pack.read_bytes())
        header = _SafeUnpickler(stream).load()
        if not (isinstance(header, tuple) and len(header) == 2 and header[0] == _FORMAT
                and isinstance(header[1], int)):
            return None
        entries = dict(_SafeUnpickler(stream).load() for _ in range(header[1]))
    except Exception:  # pylint: disable=broad-exception-caught  # any damage means "not cached"
        return None
    if stream.read(1) or not all(isinstance(key, str) and isinstance(result, FileResult)
                                 for key, result in entries.items()):
        return None
    return entries


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


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # another run removed it first, or it is read-only: a stale pack is only a miss


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
