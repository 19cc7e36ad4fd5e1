"""The on-disk cache: per-file results keyed by everything that decides them, stored in packs.

A file's key is the sha256 of (backlint version and rule code, settings fingerprint, the file's
path relative to the project root, the file's bytes). Entries live in pack files, each written
once (to a temporary file, then renamed into place) and never modified, so concurrent runs never
see half a pack and at worst both write one. A run writes one pack with its new entries; when packs
pile up, or one is damaged, it writes a merged pack and deletes the ones it read. One file per
entry was measured slower: creating 2,000 small files costs 0.4-0.8 s on ext4, one pack ~20 ms.

Packs are plain data (backlint/cache_codec.py: JSON lines, a format tag, a strict schema; nothing
read back resolves a name to code), authenticated by an HMAC under this user's secret kept outside
the checked tree (backlint/cache_key.py), in a confined folder (backlint/cache_folder.py: no
symbolic links, only regular files, bounded reads). Anything else is a miss and is rewritten: a
cache committed into a checked repository, or tampered with, is at worst ignored.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from backlint import __version__
from backlint.cache_codec import decode_pack, encode_pack
from backlint.cache_folder import Folder, FolderRefused
from backlint.cache_key import KeyUnavailable, user_key
from backlint.rules import FileResult, Settings, all_rules
from backlint.rules.engine import import_path

CACHE_DIR_NAME = ".backlint_cache"
_FORMAT = "backlint-cache-5"
_PACK_PREFIX, _PACK_SUFFIX = "pack-", ".jsonl"
_MAX_PACKS = 8
_CATALOG_ENTRY = "<rule catalog>"
# A run killed while writing a pack leaves its temporary file; none is written for this long.
_STALE_TEMPORARY_SECONDS = 15 * 60
# A 2,000-file tree's pack is about 15 MB; a bound keeps a planted 10 GB "pack" from being read.
MAX_PACK_BYTES = 512 * 1024 * 1024
_MAX_READ_BYTES = 2 * MAX_PACK_BYTES
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by backlint.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n")


class CacheUnavailable(Exception):
    """The cache folder cannot be created or written; the run goes on without a cache."""


class Cache:
    """Look up results by key (all packs are read on the first look-up); `save` writes new ones."""

    def __init__(self, folder: Folder, settings: Settings, secret: bytes) -> None:
        self.directory = folder.path
        self._folder = folder
        self._secret = secret
        self.settings = settings
        self._root_prefix = os.path.join(os.path.abspath(settings.root), "")
        self._salt = "\0".join((_FORMAT, _code_fingerprint(), settings.fingerprint())).encode()
        self._stored: dict[str, FileResult] | None = None
        self._packs_read: list[str] = []
        self._damaged = False
        self._used: set[str] = set()
        self._new: dict[str, FileResult] = {}

    @classmethod
    def open(cls, directory: Path, settings: Settings) -> Cache:
        """Create the folder (tagged and git-ignored) if needed; CacheUnavailable if impossible."""
        try:
            secret = user_key(settings.root)
        except KeyUnavailable as error:
            raise CacheUnavailable(str(error)) from None
        try:
            folder = Folder.open(directory)
            folder.write_if_missing("CACHEDIR.TAG", _CACHEDIR_TAG)
            folder.write_if_missing(".gitignore", "# Created by backlint.\n*\n")
            folder.remove_stale_temporaries(_STALE_TEMPORARY_SECONDS)
        except FolderRefused as error:
            raise CacheUnavailable(f"cannot use the cache folder: {error}") from None
        except OSError as error:
            raise CacheUnavailable(f"cannot use the cache folder {directory}: "
                                   f"{error.strerror or error}") from None
        if not os.access(directory, os.W_OK | os.X_OK):
            raise CacheUnavailable(f"cannot write to the cache folder {directory}")
        return cls(folder, settings, secret)

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

    def rule_catalog(self) -> dict[str, tuple[str, str]]:
        """Each rule's code -> (symbol, severity), kept in the cache (the key covers the rules'
        code), so that a run whose files are all cache hits need not import the rules."""
        key = hashlib.sha256(self._salt + b"\0" + _CATALOG_ENTRY.encode()).hexdigest()
        hit = self.get(key, _CATALOG_ENTRY)
        table = hit.facts.get("rules") if hit is not None else None
        if isinstance(table, dict) and all(isinstance(value, list) and len(value) == 2 and all(
                isinstance(part, str) for part in value) for value in table.values()):
            return {code: (value[0], value[1]) for code, value in table.items()}
        catalog = {rule.code: (rule.symbol, rule.severity) for rule in all_rules()}
        self.put(key, FileResult(_CATALOG_ENTRY, facts={
            "rules": {code: list(value) for code, value in catalog.items()}}))
        return catalog

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
        skipped: list[str] = []
        name = f"{_PACK_PREFIX}{time.time_ns():020d}-{os.getpid()}{_PACK_SUFFIX}"
        try:
            self._folder.write_new(name, encode_pack(entries.items(), skipped, self._secret))
        except OSError as error:
            raise CacheUnavailable(f"cannot write to the cache folder {self.directory}: "
                                   f"{error.strerror or error}") from None
        if compact:
            for pack in self._packs_read:
                self._folder.remove(pack)
        if skipped:
            raise CacheUnavailable(f"cannot cache the results of {len(skipped)} file(s), a bug in "
                                   f"backlint (please report it): {skipped[0]}")

    def _read_packs(self) -> dict[str, FileResult]:
        stored: dict[str, FileResult] = {}
        budget = _MAX_READ_BYTES
        for name, regular in self._folder.names(_PACK_PREFIX):
            self._packs_read.append(name)
            data = self._folder.read(name, min(budget, MAX_PACK_BYTES)) if regular else None
            entries = None if data is None else decode_pack(data, self._secret)
            if entries is None:
                self._damaged = True  # rewritten without it, and it is removed
                continue
            budget -= len(data or b"")
            stored.update(entries)
        return stored


def _kept(stored: dict[str, FileResult], used: set[str]) -> dict[str, FileResult]:
    """Entries to carry into a merged pack: all of them, unless most are stale by now."""
    if len(stored) <= 2 * len(used) + 1000:
        return stored
    return {key: stored[key] for key in used}


def _code_fingerprint() -> str:
    """backlint's version plus the size and time of each rule module, so that editing a rule in
    a development checkout (same version number) does not serve stale results."""
    rules_dir = Path(sys.modules["backlint.rules"].__file__ or "").parent
    stamps = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for module in sorted(rules_dir.rglob("*.py")):  # the TS front end in rules/ts/ too
        try:
            stat = module.stat()
        except OSError:
            continue
        stamps.append(f"{module.relative_to(rules_dir).as_posix()}:{stat.st_size}:"
                      f"{stat.st_mtime_ns}")
    return "|".join(stamps)
