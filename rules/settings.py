"""`[tool.backlint]` in pyproject.toml: found, read and checked once, shared by every front end."""
from __future__ import annotations

import difflib
import json
import os
import stat
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from .catalog import all_options, all_rules
from .codes import implemented_listing, is_implemented, is_known, known_codes
from .globs import matches, matches_any

# rules/ is standard library only; tomli is tomllib's own backport (the same parser, upstreamed
# in 3.11), a declared dependency on 3.10 only. Reading stays here so every front end (CLI,
# flake8, pylint) finds and checks the configuration by one code path.
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "*.egg-info", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".backlint_cache", "node_modules",
    "site-packages", "build", "dist", "_build", ".next", "out", "coverage", "__pypackages__",
)
# Vendored and bundled code: skipped unless `exclude-generated = false` (backlint/generated.py
# also skips files whose first lines say they are generated, and minified bundles).
VENDORED_PATTERNS = ("vendor", "vendors", "third_party", "third-party", "*.min.js", "*.min.mjs",
                     "*.min.css", "*-min.js", "*.bundle.js")
TEST_PATTERNS = (
    "tests", "test", "__tests__", "testing", "test_*.py", "*_test.py", "tests.py", "conftest.py",
    "*.test.*", "*.spec.*",
)


class ConfigError(Exception):
    """A configuration mistake, worded so the user can fix it; the CLI exits 2 on it."""


@dataclass(frozen=True)
class Settings:
    root: str = "."
    select: tuple[str, ...] = ("BKL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    check_tests: bool = False
    exclude_generated: bool = True
    generated_markers: tuple[str, ...] = ()
    max_file_bytes: int = 5_000_000
    # Seconds one file's analysis may take before it is abandoned (and the run fails).
    file_timeout: float = 60.0
    # Unreadable and unparsable files are reported but do not fail the run.
    tolerate_file_errors: bool = False
    semgrep: bool = True
    rule_options: tuple[tuple[str, object], ...] = ()
    # A baseline file (relative to the configuration's folder); see `backlint check --baseline`.
    baseline: str = ""
    source: str = field(default="defaults", compare=False)

    @property
    def config_place(self) -> str:
        """Where this project's settings are written, for messages that say what to change."""
        if self.source != "defaults" and _is_backlint_toml(Path(self.source)):
            return Path(self.source).name
        return "[tool.backlint]"

    def option(self, name: str) -> object:
        for key, value in self.rule_options:
            if key == name:
                return value
        return all_options()[name].default

    def code_enabled(self, code: str) -> bool:
        selected = _longest_prefix(code, self.select + self.extend_select)
        ignored = _longest_prefix(code, self.ignore)
        own_options = _default_off_codes().get(code)
        if own_options is not None and selected < len(code) \
                and not any(key in own_options for key, _ in self.rule_options):
            return False  # off by default: its full code in a selection, or its options, turn it on
        return selected > ignored

    def enabled_codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in all_rules() if self.code_enabled(rule.code))

    @cached_property
    def enabled_code_set(self) -> frozenset[str]:
        """Computed once per settings object: every file asks, and the answer is the same."""
        return frozenset(self.enabled_codes())

    def ignored_in_file(self, relative_path: str) -> tuple[str, ...]:
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores:
            if matches(relative_path, pattern):
                codes.extend(ignored)
        return tuple(codes)

    def is_excluded(self, relative_path: str) -> bool:
        vendored = VENDORED_PATTERNS if self.exclude_generated else ()
        return matches_any(relative_path, self.exclude + self.extend_exclude + vendored)

    def is_test_path(self, relative_path: str) -> bool:
        return not self.check_tests and matches_any(relative_path, TEST_PATTERNS)

    def relative(self, path: str | os.PathLike[str]) -> str:
        """A path relative to the project root, '/'-separated, for pattern matching."""
        absolute = os.path.abspath(path)
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # another drive on Windows
            return Path(absolute).as_posix()
        return Path(absolute if relative.startswith("..") else relative).as_posix()

    def fingerprint(self) -> str:
        """Stable text of everything that changes findings, for cache keys."""
        return json.dumps([self.select, self.extend_select, self.ignore, self.per_file_ignores,
                           self.check_tests,
                           self.max_file_bytes, self.rule_options], sort_keys=True, default=str)


@lru_cache(maxsize=None)
def _default_off_codes() -> dict[str, frozenset[str]]:
    """Rules off by default, with the names of their options (configuring one turns it on)."""
    return {rule.code: frozenset(option.name for option in rule.options)
            for rule in all_rules() if not rule.default_enabled}


def _longest_prefix(code: str, prefixes: tuple[str, ...]) -> int:
    return max((len(prefix) for prefix in prefixes if code.startswith(prefix)), default=-1)


def with_codes(settings: Settings, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
               extend_select: tuple[str, ...] = ()) -> Settings:
    """Settings with command-line --select / --extend-select / --ignore applied on top of the
    file's (--select replaces the file's selection; the other two add to it)."""
    for code in select + ignore + extend_select:
        _check_code(code, "the command line")
    for code in select + extend_select:
        _check_selectable(code, "the command line")
    return replace(settings, select=select or settings.select,
                   extend_select=settings.extend_select + extend_select,
                   ignore=settings.ignore + ignore)


# Looked for in each folder, in this order; the first one found configures the project.
# `backlint.toml` / `.backlint.toml` hold the keys of [tool.backlint] at their top level.
CONFIG_FILES = (".backlint.toml", "backlint.toml", "pyproject.toml")


def find_pyproject(start: str | os.PathLike[str],
                   memo: dict[str, Path | None] | None = None) -> Path | None:
    """The nearest configuration file at or above `start`: a `.backlint.toml` or `backlint.toml`,
    or a pyproject.toml that sets `tool.backlint`. ConfigError for one that cannot be read.
    `memo` (folder -> answer), kept by a caller asking for many folders of one tree, saves
    looking at the same folders again."""
    directory = Path(start).resolve()
    if not directory.is_dir():  # a file, a FIFO, a name that does not exist (yet)
        directory = directory.parent
    visited: list[str] = []
    found: Path | None = None
    for candidate in (directory, *directory.parents):
        key = str(candidate)
        if memo is not None and key in memo:
            found = memo[key]
            break
        visited.append(key)
        found = _config_in(candidate)
        if found is not None:
            break
    if memo is not None:
        memo.update(dict.fromkeys(visited, found))
    return found


def _config_in(folder: Path) -> Path | None:
    for name in CONFIG_FILES:
        config = folder / name
        status = _config_status(config)
        if status is not None and (name != "pyproject.toml" or _has_backlint_table(
                config, status.st_mtime_ns, status.st_size)):
            return config
    return None


def _is_backlint_toml(path: Path) -> bool:
    return path.name in CONFIG_FILES[:2]


def _config_status(config: Path) -> os.stat_result | None:
    """The file's status; None if there is none (or a folder has the name). A configuration that
    exists but cannot be read is an error: skipping it would check with settings nobody wrote."""
    try:
        status = config.stat()
    except (FileNotFoundError, NotADirectoryError):
        if not os.path.lexists(config):
            return None
        raise ConfigError(f"{config}: cannot read it: a symbolic link to nothing") from None
    except OSError as error:
        raise ConfigError(f"{config}: cannot read it: {error.strerror or error}") from None
    if stat.S_ISDIR(status.st_mode):
        return None
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(f"{config}: cannot read it: not a regular file")
    return status


@lru_cache(maxsize=256)
def _has_backlint_table(pyproject: Path, _mtime: int, _size: int) -> bool:
    """Whether the TOML sets `tool.backlint`, in any spelling TOML allows ([tool.backlint],
    [tool] with `backlint = {...}`, dotted keys, spaced or quoted headers). Not valid TOML: an
    error if it mentions backlint, else it is not backlint's file to judge."""
    try:
        data = pyproject.read_bytes()
    except OSError as error:
        raise ConfigError(f"{pyproject}: cannot read it: {error.strerror or error}") from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        if b"backlint" in data:
            raise ConfigError(f"{pyproject}: cannot read it as TOML: {error}") from None
        return False
    tool = document.get("tool")
    return isinstance(tool, dict) and "backlint" in tool


@lru_cache(maxsize=64)
def settings_for(start: str) -> Settings:
    """Settings of the project that contains `start` (a file or folder); defaults if none."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        root = Path(start).resolve()
        return Settings(root=str(root if root.is_dir() else root.parent))
    return load_pyproject(pyproject)


def load_pyproject(pyproject: Path) -> Settings:
    if _config_status(pyproject) is None:
        raise ConfigError(f"{pyproject}: no such file")
    try:
        with open(pyproject, "rb") as stream:
            document = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read it as TOML: {error}") from None
    table = document if _is_backlint_toml(pyproject) else _backlint_table(document, pyproject)
    return parse_table(table, root=str(pyproject.parent), source=str(pyproject))


def _backlint_table(document: dict[str, object], pyproject: Path) -> dict[str, object]:
    tool = document.get("tool", {})
    table = tool.get("backlint", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: `tool.backlint` must be a table (`[tool.backlint]`), "
                          f"not {_toml_kind(table)}")
    return table


def _toml_kind(value: object) -> str:
    if isinstance(value, list):
        tables = value and all(isinstance(item, dict) for item in value)
        return "an array of tables (`[[tool.backlint]]`)" if tables else "an array"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, (int, float)) else "a date or time"


_TOP_KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude",
             "extend-exclude", "check-tests", "max-file-bytes", "semgrep", "baseline",
             "exclude-generated", "generated-markers", "file-timeout",
             "tolerate-file-errors")


def parse_table(table: dict[str, object], root: str, source: str) -> Settings:
    """Validate a [tool.backlint] table, naming the key and the fix for every mistake."""
    where = source if _is_backlint_toml(Path(source)) else f"[tool.backlint] in {source}"
    fields: dict[str, object] = {}
    rule_options: dict[str, object] = {}
    for key, raw in table.items():
        if key in _TOP_KEYS:
            fields[key.replace("-", "_")] = _parse_top(key, raw, where)
        elif key in all_options():
            try:
                rule_options[key] = all_options()[key].parse(raw)
            except ValueError as error:
                raise ConfigError(f"{where}: {error} (got {raw!r})") from None
        else:
            raise ConfigError(_unknown_key_message(key, where))
    return Settings(root=root, source=source, rule_options=tuple(sorted(rule_options.items())),
                    **fields)


def _unknown_key_message(key: str, where: str) -> str:
    known = sorted((*_TOP_KEYS, *all_options()))
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"{where}: unknown key `{key}`.{hint} Known keys: {', '.join(known)}."


def _parse_top(key: str, raw: object, where: str) -> object:
    if key in ("check-tests", "semgrep", "exclude-generated", "tolerate-file-errors"):
        if not isinstance(raw, bool):
            raise ConfigError(f"{where}: `{key}` takes true or false (got {raw!r})")
        return raw
    if key == "max-file-bytes":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            raise ConfigError(f"{where}: `{key}` takes a positive whole number (got {raw!r})")
        return raw
    if key == "file-timeout":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw < 1e6:
            raise ConfigError(f"{where}: `{key}` takes a positive number of seconds (got {raw!r})")
        return float(raw)
    if key == "per-file-ignores":
        return _parse_per_file_ignores(raw, where)
    if key == "baseline":
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(f"{where}: `baseline` takes a file path (got {raw!r})")
        return raw
    values = _string_list(key, raw, where)
    if key in ("select", "extend-select", "ignore"):
        _check_codes(key, values, where)
    return values


def _string_list(key: str, raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigError(f"{where}: `{key}` takes a list of strings (got {raw!r})")
    return tuple(raw)


def _parse_per_file_ignores(raw: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: `per-file-ignores` takes a table of "glob" = ["BKL101"]')
    parsed = []
    for pattern, codes in raw.items():
        codes = _string_list(f"per-file-ignores.{pattern}", codes, where)
        for code in codes:
            _check_code(code, where)
        parsed.append((pattern, codes))
    return tuple(parsed)


def _check_code(code: str, where: str) -> None:
    if not is_known(code):
        raise ConfigError(f"{where}: `{code}` is not a backlint code or code prefix; known codes: "
                          f"{', '.join(known_codes())} (or a prefix such as BKL1); "
                          "`backlint rules` lists them")


def _check_codes(key: str, values: tuple[str, ...], where: str) -> None:
    for code in values:
        _check_code(code, where)
    if key == "select" and not values:
        raise ConfigError(f"{where}: `select = []` selects no rule, so nothing would be checked; "
                          "remove it to check every rule")
    if key != "ignore":
        for code in values:
            _check_selectable(code, where)


def _check_selectable(code: str, where: str) -> None:
    """Selecting what no rule checks would check nothing and pass: say so instead."""
    if not is_implemented(code):
        what = "code" if len(code) == 6 else "prefix"
        raise ConfigError(f"{where}: `{code}` is not implemented yet: no rule of this release "
                          f"checks this {what}; implemented codes: "
                          f"{implemented_listing()} (`backlint rules` lists them)")
