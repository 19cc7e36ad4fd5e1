"""The `backlint` command: check, rules, explain."""
from __future__ import annotations

import functools
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click

from backlint import __version__, docgen
from backlint.cache import CACHE_DIR_NAME, Cache, CacheUnavailable
from backlint.discovery import discover
from backlint.reporters import (Report, Row, catalog_rules, format_json, format_sarif, format_text,
                                format_text_errors)
from backlint.rules import ConfigError, FileError, Finding, Settings, all_rules, rule_by_code
from backlint.rules.settings import find_pyproject, load_pyproject, settings_for, with_codes
from backlint.runner import (Analysis, ScriptAnalysis, analyse_files, analyse_scripts,
                             default_jobs, read_lines, semgrep_rules_dir)

Command = TypeVar("Command", bound=Callable[..., object])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _guarded(command: Command) -> Command:
    """Configuration mistakes and crashes become one `backlint: error:` line and exit code 2."""
    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ConfigError as error:
            _fail(str(error))
        except Exception as error:  # pylint: disable=broad-exception-caught  # never a traceback
            if os.environ.get("BACKLINT_DEBUG") == "1":
                traceback.print_exc()
            _fail(f"internal error: {type(error).__name__}: {error} (run with BACKLINT_DEBUG=1 "
                  "for the traceback, and please report it)")
        return None
    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> None:
    click.echo(f"backlint: error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_ERROR)


def _warn(message: str) -> None:
    click.echo(f"backlint: warning: {message}", err=True)


@click.group(context_settings=_CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="backlint")
def cli() -> None:
    """Check a backend repository against the Backend Architect guide.

    \b
    Commands:
      backlint check [PATH...]     report findings (exit 0: none, 1: some, 2: error)
      backlint rules               list the rules
      backlint explain BKL101      a rule's documentation and options

    Configuration is read from [tool.backlint] in the nearest pyproject.toml.
    """


_CHECK_HELP = """Check Python (and, with semgrep, JS/TS) files under PATH (default: `.`).

\b
Exit codes:
  0  no findings
  1  findings (use --exit-zero to always exit 0)
  2  usage or configuration error, or an internal error of backlint
A file that cannot be checked (unreadable, not UTF-8, a syntax error, a symlink loop) is reported
(on stderr in text output, under "errors" in JSON and SARIF) and the run goes on; such files do
not change the exit code by themselves.

\b
Configuration:
  [tool.backlint] in each file's nearest pyproject.toml that has the table (a sub-folder with its
  own table is its own project), or --config FILE for all: select, ignore, per-file-ignores,
  exclude, extend-exclude, check-tests, max-file-bytes, semgrep, and each rule's options
  (`backlint explain CODE`).
  --select/--ignore on the command line apply on top of it. `.gitignore`d files and the usual
  build, virtualenv and vendor folders are skipped; files named on the command line are always
  checked. Results are cached per file in <project root>/.backlint_cache.

\b
Examples:
  backlint check
  backlint check src/ --select BKL1 --ignore BKL105
  backlint check --format json > backlint.json
  backlint check --format sarif > backlint.sarif     # for GitHub code scanning
  backlint check --jobs 1 --no-cache app/routes.py
"""


@cli.command(help=_CHECK_HELP, context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]),
              default="text", show_default=True, help="Output format.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes or prefixes, comma-separated (e.g. BKL1,BKL401).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Skip these codes or prefixes, comma-separated.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parallel processes (default: the number of CPUs).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Cache folder (default: <project root>/{CACHE_DIR_NAME}).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--no-semgrep", is_flag=True, help="Do not run semgrep on JS/TS files.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even if there are findings.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Use this pyproject.toml instead of the nearest one.")
@click.option("--show-source", is_flag=True, help="Print the source line under each finding.")
@_guarded
def check(paths: tuple[str, ...], **options: object) -> None:
    _check(paths or (".",), CheckOptions(**options))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckOptions:
    """The options of `backlint check`, as click parses them."""

    output_format: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    jobs: int | None
    cache_dir: Path | None
    no_cache: bool
    no_semgrep: bool
    exit_zero: bool
    config: Path | None
    show_source: bool


def _check(paths: tuple[str, ...], options: CheckOptions) -> None:
    settings = _settings(paths, options.config, options.select, options.ignore)
    found = discover(paths, settings)
    analysis = Analysis()
    for project_settings, files in _by_project(found.python, settings, options).items():
        cache = None if options.no_cache else _open_cache(options.cache_dir or Path(
            settings.root) / CACHE_DIR_NAME, project_settings)
        analysis.add(analyse_files(files, project_settings, options.jobs or default_jobs(), cache))
    for warning in analysis.warnings:
        _warn(warning)
    scripts = ScriptAnalysis()
    if found.scripts and settings.semgrep and not options.no_semgrep:
        scripts = analyse_scripts(found.scripts, settings)
        if scripts.unavailable:
            _warn(scripts.unavailable)
    report = _report(analysis, scripts, found.errors, options.show_source)
    _print(report, options.output_format)
    failed = report.rows and not options.exit_zero
    raise click.exceptions.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _settings(paths: Sequence[str], config: Path | None, select: tuple[str, ...],
              ignore: tuple[str, ...]) -> Settings:
    # Read the configuration afresh on every run, also when one process runs several (tests).
    settings_for.cache_clear()
    settings = load_pyproject(config.resolve()) if config else settings_for(
        os.path.abspath(paths[0]))
    return with_codes(settings, select=_codes(select), ignore=_codes(ignore))


def _by_project(files: Sequence[str], settings: Settings,
                options: CheckOptions) -> dict[Settings, list[str]]:
    """Files grouped by the project whose configuration applies to them, as flake8 and pylint
    see them: a sub-folder with its own [tool.backlint] is its own project (its settings, and its
    own universe for the cross-file rules). --config applies one configuration to everything."""
    groups: dict[Settings, list[str]] = {}
    by_folder: dict[str, Settings] = {}
    for path in files:
        folder = os.path.dirname(path)
        if folder not in by_folder:
            by_folder[folder] = _folder_settings(folder, settings, options)
        groups.setdefault(by_folder[folder], []).append(path)
    return groups


def _folder_settings(folder: str, settings: Settings, options: CheckOptions) -> Settings:
    nearest = None if options.config else find_pyproject(folder)
    if nearest is None or str(nearest) == settings.source:
        return settings
    return with_codes(settings_for(str(nearest.parent)), select=_codes(options.select),
                      ignore=_codes(options.ignore))


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",")
                 if code.strip())


def _open_cache(directory: Path, settings: Settings) -> Cache | None:
    try:
        return Cache.open(directory, settings)
    except CacheUnavailable as error:
        _warn(f"{error}; continuing without the cache")
        return None


def _report(analysis: Analysis, scripts: ScriptAnalysis, discovery_errors: list[FileError],
            show_source: bool) -> Report:
    lines = functools.lru_cache(maxsize=256)(read_lines) if show_source else None
    findings = sorted(analysis.findings + scripts.findings)
    rows = sorted(_row(finding, scripts.described, lines) for finding in findings)
    errors = sorted({(_display(error.path), error.message)
                     for error in [*discovery_errors, *analysis.errors, *scripts.errors]})
    checked = len(analysis.results) - len(analysis.errors) + scripts.checked
    return Report(version=__version__, rows=rows, errors=errors, checked=checked,
                  rules=catalog_rules())


def _row(finding: Finding, described: dict[str, tuple[str, str]],
         lines: Callable[[str], list[str]] | None) -> Row:
    rule = rule_by_code(finding.code)
    symbol, severity = (rule.symbol, rule.severity) if rule else described.get(
        finding.code, ("", "warning"))
    source = ""
    if lines is not None:
        text = lines(finding.path)
        source = text[finding.line - 1] if 0 < finding.line <= len(text) else ""
    return Row(path=_display(finding.path), line=finding.line, column=finding.column,
               code=finding.code, symbol=symbol, severity=severity, message=finding.message,
               end_line=finding.end_line, end_column=finding.end_column, source=source)


def _display(path: str) -> str:
    """A path relative to the current folder, with forward slashes."""
    if path.startswith("<"):
        return path
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _print(report: Report, output_format: str) -> None:
    if output_format == "json":
        click.echo(format_json(report), nl=False)
    elif output_format == "sarif":
        click.echo(format_sarif(report), nl=False)
    else:
        click.echo(format_text_errors(report), nl=False, err=True)
        click.echo(format_text(report, color=_use_color()), nl=False)


def _use_color() -> bool:
    return not os.environ.get("NO_COLOR") and click.get_text_stream("stdout").isatty()


@cli.command("rules", context_settings=_CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_guarded
def rules_command(output_format: str) -> None:
    """List the rules: code, symbol, pylint id, severity and what each one reports.

    \b
    Codes are used with --select/--ignore, in [tool.backlint] and in `# noqa: BKL101`;
    symbols with `# pylint: disable=explicit-any`. Codes marked "semgrep" are checked in
    JS/TS files by the semgrep pack only.

    \b
    Examples:
      backlint rules
      backlint rules --format json
    """
    listed = [{"code": rule.code, "symbol": rule.symbol, "pylint_id": rule.pylint_id,
               "severity": rule.severity, "summary": rule.doc.summary(), "engine": "python"}
              for rule in all_rules()]
    known = {entry["code"] for entry in listed}
    listed += [{"code": code, "symbol": symbol, "pylint_id": "", "severity": "",
                "summary": "checked in JS/TS files by the semgrep pack", "engine": "semgrep"}
               for code, symbol in _semgrep_only_codes(known)]
    if output_format == "json":
        click.echo(json.dumps(listed, indent=2))
        return
    for entry in listed:
        click.echo(f"{entry['code']:<7} {entry['symbol']:<28} {entry['pylint_id'] or '-':<6} "
                   f"{entry['severity'] or 'semgrep':<8} {_first_sentence(entry['summary'])}")


_SUMMARY_WIDTH = 90


def _first_sentence(text: str) -> str:
    """The text listing stays one short line per rule; JSON carries the whole summary."""
    end = min((index for index in (text.find(". "), text.find(": ")) if index >= 0),
              default=len(text))
    sentence = text[:end + 1].rstrip(":")
    if len(sentence) <= _SUMMARY_WIDTH:
        return sentence
    return sentence[:_SUMMARY_WIDTH].rsplit(" ", 1)[0] + " ..."


_PACK_ID = re.compile(r"backlint-id:\s*['\"]?(BKL\d{3})")
_PACK_SYMBOL = re.compile(r"^\s*symbol:\s*['\"]?([a-z0-9-]+)", re.MULTILINE)


def _semgrep_only_codes(known: set[str]) -> list[tuple[str, str]]:
    """Codes the semgrep pack reports that the Python core does not implement."""
    folder = semgrep_rules_dir()
    if folder is None:
        return []
    found: dict[str, str] = {}
    for rule_file in sorted(folder.rglob("*.yaml")):
        text = rule_file.read_text(encoding="utf-8", errors="replace")
        symbols = _PACK_SYMBOL.findall(text)
        for position, code in enumerate(_PACK_ID.findall(text)):
            if code not in known:
                found.setdefault(code, symbols[position] if position < len(symbols) else "")
    return sorted(found.items())


@cli.command(context_settings=_CONTEXT)
@click.argument("rule")
@_guarded
def explain(rule: str) -> None:
    """Print a rule's documentation: what it reports, why, an example, the fix, its options.

    RULE is a code (BKL101) or a symbol (leaked-exception-detail).

    \b
    Examples:
      backlint explain BKL101
      backlint explain explicit-any
    """
    found = rule_by_code(rule)
    if found is None and _explain_pack_rule(rule):
        return
    if found is None:
        known = ", ".join(f"{each.code} ({each.symbol})" for each in all_rules())
        _fail(f"unknown rule `{rule}`. Known rules: {known}. `backlint rules` lists them.")
        return
    click.echo(f"{found.code} {found.symbol}: {found.doc.title}")
    click.echo(f"pylint: {found.pylint_id} ({found.symbol}); severity: {found.severity}; "
               f"test code: {'checked' if found.applies_to_tests else 'skipped'}")
    for name, text in found.doc.sections.items():
        click.echo(f"\n## {name}\n{text}")
    if found.options:
        click.echo("\n## Settings ([tool.backlint] in pyproject.toml)")
        for option in found.options:
            click.echo(f"{option.name} = {_toml_value(option.default)}  # {option.help}")


def _explain_pack_rule(rule: str) -> bool:
    """Codes only the semgrep pack checks are documented by the pack's own rule files."""
    wanted = rule.strip()
    codes = dict(_semgrep_only_codes({each.code for each in all_rules()}))
    code = next((code for code, symbol in codes.items()
                 if wanted.upper() == code or wanted == symbol), None)
    if code is None:
        return False
    try:
        pack = docgen.pack_rules(semgrep_rules_dir())
    except ImportError:  # ruamel.yaml arrives with semgrep; without it, say where the rules are
        click.echo(f"{code} {codes[code]}: checked by the semgrep pack in {semgrep_rules_dir()}")
        return True
    page = docgen.semgrep_page(code, pack[code])
    click.echo(page.split("\n", 2)[2].strip())
    return True


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="backlint")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
