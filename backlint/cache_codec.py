"""The cache's on-disk encoding: FileResults as JSON of plain values, decoded by fixed code.

Nothing read back resolves a name: the decoder is `json.loads` plus a table of four one-key
tags, and every entry is checked against the FileResult schema before it is used. A pack is

    backlint-cache-5\\n               the format tag (a pack of any other format is ignored)
    [key, path, findings, error, facts]\\n   one JSON line per entry
    end COUNT HMAC\\n                 the entry count and the HMAC-SHA256 of everything above

so a truncated, concatenated or edited pack fails the check and is ignored as a whole. The HMAC's
key is this user's secret (backlint/cache_key.py): a pack written under any other key, such as one
committed to the checked repository, fails it too.

What a fact value may contain (rules store facts in `ctx.facts[name]`; the cache gives them back
exactly, so the cross-file reduce sees on a warm run what it saw on the cold one): dict, list,
tuple, set, frozenset, str, int, float, bool and None, nested freely, dict keys of any of those
that are hashable. Nothing else: no dataclasses, enums, NamedTuples, Paths or subclasses of the
builtins (types are compared exactly, because a subclass would come back as its base).
`encode_entry` raises NotPlainData naming the place of anything else.

JSON has no tuple or set, and its keys are strings, so those are tagged: a tuple is
`{"~t": [...]}`, a set `{"~s": [...]}`, a frozenset `{"~f": [...]}`, and a dict whose keys are
not all strings, or whose one key is a tag, `{"~d": [[key, value], ...]}`.
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from backlint.rules import FileError, FileResult, Finding

FORMAT_LINE = b"backlint-cache-5\n"
_TRAILER = re.compile(rb"end (\d{1,12}) ([0-9a-f]{64})\n")
_KEY = re.compile(r"[0-9a-f]{64}")
_ATOMS = frozenset({str, int, float, bool, type(None)})
_STRING_KEYS = frozenset({str})


class NotPlainData(TypeError):
    """A rule stored a fact the cache cannot give back exactly (a bug in that rule)."""


class InvalidEntry(ValueError):
    """Bytes that are not an entry this version wrote."""


def encode_pack(entries: Iterable[tuple[str, FileResult]], skipped: list[str],
                secret: bytes) -> Iterator[bytes]:
    """The pack's lines, trailer (authenticated with `secret`) last; entries whose facts are not
    plain data are left out, and why is appended to `skipped`."""
    digest = hmac.new(secret, FORMAT_LINE, hashlib.sha256)
    count = 0
    yield FORMAT_LINE
    with _collector_paused():
        for key, result in entries:
            try:
                line = encode_entry(key, result)
            except NotPlainData as error:
                skipped.append(f"{result.path}: {error}")
                continue
            digest.update(line)
            count += 1
            yield line
    yield b"end %d %s\n" % (count, digest.hexdigest().encode())


def decode_pack(data: bytes, secret: bytes) -> dict[str, FileResult] | None:
    """The entries of a whole pack, or None if any byte of it is not what this version wrote
    with this secret."""
    body = _checked_body(data, secret)
    if body is None:
        return None
    entries: dict[str, FileResult] = {}
    with _collector_paused():
        try:
            for line in body.split(b"\n")[:-1]:
                key, result = decode_entry(line)
                entries[key] = result
        except InvalidEntry:
            return None
    # The entries live until the run ends: keeping the collector from rescanning them on every
    # full collection made the cross-file reduce after an edit a quarter faster (measured).
    gc.freeze()
    return entries


def _checked_body(data: bytes, secret: bytes) -> bytes | None:
    if not data.startswith(FORMAT_LINE) or not data.endswith(b"\n"):
        return None
    end = data.rfind(b"\n", 0, len(data) - 1) + 1
    trailer = _TRAILER.fullmatch(data, end)
    if end < len(FORMAT_LINE) or trailer is None:
        return None
    expected = hmac.new(secret, data[:end], hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, trailer.group(2)):
        return None
    body = data[len(FORMAT_LINE):end]
    if body.count(b"\n") != int(trailer.group(1)):
        return None
    return body


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Encoding and decoding allocate millions of small containers that all stay alive; the
    cyclic collector would rescan the growing heap over and over (measured: 4x the decode)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Encoding ----------------------------------------------------------------------------------

def encode_entry(key: str, result: FileResult) -> bytes:
    """One pack line (with its newline) for this result; NotPlainData if a fact is not plain."""
    findings = [_finding_row(finding, result.path) for finding in result.findings]
    error = None if result.error is None else [result.error.path, result.error.message]
    try:
        facts = _plain_facts(result.facts)
    except RecursionError:
        raise NotPlainData("a fact is nested too deeply to store") from None
    document = [key, result.path, findings, error, facts]
    return json.dumps(document, separators=(",", ":")).encode("ascii") + b"\n"


def _finding_row(finding: Finding, path: str) -> list[object]:
    row: list[object] = [finding.line, finding.column, finding.code, finding.message,
                         finding.end_line, finding.end_column]
    # Almost every finding is in the file of its entry; the cross-file entry's are not.
    return row if finding.path == path else [finding.path, *row]


def _plain_facts(facts: dict[str, object]) -> dict[str, object]:
    if not isinstance(facts, dict) or not set(map(type, facts)) <= _STRING_KEYS:
        raise NotPlainData("the facts of a file must be a dict with string keys")
    try:
        return {name: _plain(value) for name, value in facts.items()}
    except NotPlainData as error:
        raise NotPlainData(f"{error} in {_locate(facts)}") from None


def _plain(value: object) -> object:
    """`value` with its tuples, sets and awkward dicts tagged; leaves are inlined (no call per
    string or number: most of a fact's nodes are leaves, and encoding runs on every cold run)."""
    kind = type(value)
    if kind is dict:
        return _plain_dict(value)
    if kind is list:
        return [item if type(item) in _ATOMS else _plain(item) for item in value]
    if kind in _ATOMS:
        return value
    tag = _COLLECTION_TAGS.get(kind)
    if tag is None:
        raise NotPlainData(f"{kind.__module__}.{kind.__qualname__} is not plain data "
                           f"(see backlint/cache_codec.py for what facts may hold)")
    return {tag: [item if type(item) in _ATOMS else _plain(item) for item in value]}


def _plain_dict(value: dict[object, object]) -> object:
    if set(map(type, value)) <= _STRING_KEYS and not _only_key_is_a_tag(value):
        return {key: item if type(item) in _ATOMS else _plain(item) for key, item in value.items()}
    return {"~d": [[_plain(key), _plain(item)] for key, item in value.items()]}


def _only_key_is_a_tag(value: dict[object, object]) -> bool:
    return len(value) == 1 and next(iter(value)) in _DECODERS


def _locate(value: object, where: str = "facts") -> str:
    """Where in the facts the first value that is not plain data sits, for the error message."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            found = _locate(key, f"a key of {where}") or _locate(item, f"{where}[{key!r}]")
            if found:
                return found
        return ""
    if kind in (list, tuple, set, frozenset):
        for index, item in enumerate(value):
            found = _locate(item, f"{where}[{index}]")
            if found:
                return found
        return ""
    return "" if kind in _ATOMS else where


_COLLECTION_TAGS: dict[type, str] = {tuple: "~t", set: "~s", frozenset: "~f"}


# Decoding ----------------------------------------------------------------------------------

def decode_entry(line: bytes) -> tuple[str, FileResult]:
    """The (key, result) of one pack line; InvalidEntry unless it has exactly the schema.

    json.loads makes only dict, list, str, int, float, bool and None, and `_untag` only tuple,
    set, frozenset and dict, so isinstance checks are exact here, but for bool being an int."""
    try:
        document = json.loads(line, object_hook=_untag)
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidEntry(str(error)) from None
    _require(isinstance(document, list) and len(document) == 5, "entry")
    key, path, findings, error, facts = document
    _require(isinstance(key, str) and _KEY.fullmatch(key) is not None, "key")
    _require(isinstance(path, str), "path")
    _require(isinstance(findings, list), "findings")
    _require(isinstance(facts, dict) and _all_strings(facts), "facts")
    result = FileResult(path, findings=[_finding(row, path) for row in findings],
                        facts=facts, error=_error(error))
    return key, result


def _finding(row: object, path: str) -> Finding:
    _require(isinstance(row, list) and len(row) in (6, 7), "finding")
    if len(row) == 7:
        path, *row = row
    line, column, code, message, end_line, end_column = row
    _require(_all_strings((path, code, message)), "finding text")
    _require(all(isinstance(number, int) and not isinstance(number, bool)
                 for number in (line, column, end_line, end_column)), "finding position")
    return Finding(path, line, column, code, message, end_line, end_column)


def _error(value: object) -> FileError | None:
    if value is None:
        return None
    _require(isinstance(value, list) and len(value) == 2 and _all_strings(value), "error")
    return FileError(value[0], value[1])


def _all_strings(values: Iterable[object]) -> bool:
    return all(isinstance(value, str) for value in values)


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise InvalidEntry(f"malformed {what}")


def _untag(document: dict[str, object]) -> object:
    if len(document) != 1:
        return document
    ((tag, items),) = document.items()
    decode = _DECODERS.get(tag)
    if decode is None:
        return document
    _require(isinstance(items, list), tag)
    return decode(items)  # TypeError for unhashable members


def _pairs(items: list[object]) -> dict[object, object]:
    _require(all(isinstance(pair, list) and len(pair) == 2 for pair in items), "~d")
    return dict(items)


_DECODERS: dict[str, Callable[[list[object]], object]] = {
    "~t": tuple, "~s": set, "~f": frozenset, "~d": _pairs}
