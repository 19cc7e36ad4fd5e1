"""The `backlint` command: check, rules, explain."""
from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import click

from backlint import __version__, baseline, narrowing
from backlint.add_noqa import add_noqa
from backlint.baseline import BaselineError
from backlint.cache import CACHE_DIR_NAME, Cache, CacheUnavailable
from backlint.discovery import Discovered, discover
from backlint.git import GitError, run_git
from backlint.gitdiff import DiffError
from backlint.environment import describe as describe_environment_error
from backlint.environment import reader_went_away, silence_stdout
from backlint.reporters import (Report, Row, catalog_rules, code_frame, format_json,
                                format_sarif, format_skipped, format_statistics, format_text,
                                format_text_errors)
from backlint.rules import ConfigError, FileError, Finding, Settings, all_rules, rule_by_code
from backlint.rules.catalog import turn_on_hint
from backlint.rules.codes import pack_ids
from backlint.rules.settings import find_pyproject, load_pyproject, settings_for, with_codes
from backlint.outcome import (EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED,
                              exit_code, internal_failures)
from backlint.progress import Progress
from backlint.ts_grammars import grammar_problem
from backlint.progress import wanted as progress_wanted
from backlint.safe_text import for_terminal
from backlint.show_settings import format_settings, unmatched_patterns
from backlint.supervision import Terminated
from backlint import runner
from backlint.runner import (Analysis, ScriptAnalysis, analyse_files, analyse_scripts,
                             default_jobs, read_lines)

Command = TypeVar("Command", bound=Callable[..., object])

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _guarded(command: Command) -> Command:
    """Configuration mistakes and crashes become one `backlint: error:` line and exit code 2."""
    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (ConfigError, BaselineError, DiffError) as error:
            _fail(str(error))
        except KeyboardInterrupt:
            click.echo("backlint: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            click.echo("backlint: terminated (SIGTERM); worker processes ended", err=True)
            raise click.exceptions.Exit(EXIT_TERMINATED) from None
        except OSError as error:
            if isinstance(error, BrokenPipeError):
                gone = reader_went_away()
                silence_stdout()
                if gone:  # `| head`: end quietly, as Unix tools do
                    raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
            _fail(describe_environment_error(error))
        except Exception as error:  # pylint: disable=broad-exception-caught  # never a traceback
            if os.environ.get("BACKLINT_DEBUG") == "1":
                traceback.print_exc()
            _fail(f"internal error: {type(error).__name__}: {error} (run with BACKLINT_DEBUG=1 "
                  "for the traceback, and please report it)")
        return None
    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> None:
    _error(message)
    raise click.exceptions.Exit(EXIT_ERROR)


def _warn(message: str) -> None:
    click.echo(f"backlint: warning: {for_terminal(message)}", err=True)


@click.group(context_settings=_CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="backlint")
def cli() -> None:
    """Check a backend repository against the Backend Architect guide.

    \b
    Commands:
      backlint check [PATH...]     report findings (exit 0: none, 1: some, 2: error)
      backlint rules               list the rules
      backlint explain BKL101      a rule's documentation and options

    Configuration is read from the nearest .backlint.toml or backlint.toml (keys at top
    level), or pyproject.toml with a [tool.backlint] table.
    """


_CHECK_HELP = """Check the Python and TypeScript/JavaScript files under PATH (default: `.`).

\b
Exit codes:
  0    no findings, and every file was checked
  1    findings, or files that cannot be read or parsed (--exit-zero, or
       tolerate-file-errors = true, exits 0 on both)
  2    usage or configuration error (an unknown code too), or backlint failed: a file's
       analysis crashed or took over file-timeout seconds, a worker died twice, the JS/TS
       engine failed or its grammars cannot be loaded
  130  interrupted; 141 the output's reader went away (| head), quietly; 143 terminated
Problem files are reported (on stderr in text output, under "errors" in JSON and SARIF) and the
run goes on. FIFOs, sockets, devices, broken symlinks, files over max-file-bytes and symlinks
out of the checked folders are skipped with a notice and do not fail the run.

\b
Configuration:
  each file's nearest .backlint.toml or backlint.toml (keys at top level), or pyproject.toml with
  a [tool.backlint] table (a sub-folder with its own is its own project), or --config FILE for
  all: select, ignore, per-file-ignores,
  exclude, extend-exclude, check-tests, max-file-bytes, semgrep, and each rule's options
  (`backlint explain CODE`).
  --select/--ignore on the command line apply on top of it. `.gitignore`d files, hidden folders
  and the usual build, virtualenv and vendor folders are skipped (vendored and generated files
  are counted; --show-files lists them); files named on the command line are checked unless
  --force-exclude. Results are cached per file in <project root>/.backlint_cache.
  docs/configuration.md lists every key; --show-settings PATH prints what applies there.

\b
Adopting it, and CI:
  --write-baseline FILE once, then --baseline FILE (or `baseline` in the configuration)
  reports only new findings; --diff REF only findings on lines changed since REF;
  --add-noqa writes `# noqa: CODE` on every current finding instead.
  --format github | junit | gitlab | sarif for CI services; docs/ci.md has the pipelines.

\b
Examples:
  backlint check
  backlint check src/ --select BKL1 --ignore BKL105
  backlint check --format json > backlint.json
  backlint check --format sarif -o backlint.sarif    # for GitHub code scanning
  backlint check --diff origin/main --format github  # a pull request's new findings
  backlint check --jobs 1 --no-cache app/routes.py
"""


@cli.command(help=_CHECK_HELP, context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, readable=False, path_type=str))
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "sarif", "github", "junit", "gitlab"]),
              help="Output format: text for people; json; sarif for code scanning; github "
                   "(annotations in a GitHub Actions log); junit; gitlab (Code Quality).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--statistics", is_flag=True, help="Also print the number of findings per rule.")
@click.option("--fail-on", type=click.Choice(["warning", "error"]), default="warning",
              show_default=True, help="Lowest severity that makes the run exit 1.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Record every current finding in FILE (fixed ones drop out) and exit 0.")
@click.option("--add-noqa", is_flag=True,
              help="Write `# noqa: CODE` on the line of every current finding and exit 0.")
@click.option("--diff", "diff_ref", metavar="REF", default=None,
              help="Report only findings on lines changed since the git REF (the whole project "
                   "is still read); e.g. --diff origin/main.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes or prefixes, comma-separated (e.g. BKL1,BKL401).")
@click.option("--extend-select", multiple=True, metavar="CODES",
              help="Add these codes or prefixes to the configured selection.")
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
@click.option("--show-source/--no-show-source", default=None,
              help="Print the source around each finding (default: on a terminal).")
@click.option("--force-exclude", is_flag=True,
              help="Apply the excludes to files named on the command line too (pre-commit).")
@click.option("--show-files", is_flag=True, help="List the files that would be checked; exit.")
@click.option("--show-settings", is_flag=True,
              help="Print which configuration applies to each PATH, and every setting; exit.")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symlinks that lead out of the checked folders (default: skip them).")
@_guarded
def check(paths: tuple[str, ...], **options: object) -> None:
    _check(paths or (".",), CheckOptions(**options))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckOptions:
    """The options of `backlint check`, as click parses them."""

    output_format: str
    output: Path | None
    statistics: bool
    fail_on: str
    baseline: Path | None
    write_baseline: Path | None
    add_noqa: bool
    diff_ref: str | None
    select: tuple[str, ...]
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    jobs: int | None
    cache_dir: Path | None
    no_cache: bool
    no_semgrep: bool
    exit_zero: bool
    config: Path | None
    show_source: bool | None
    force_exclude: bool
    show_files: bool
    show_settings: bool
    follow_symlinks: bool


def _check(paths: tuple[str, ...], options: CheckOptions) -> None:
    settings = _settings(paths, options)
    found = discover(paths, settings, force_exclude=options.force_exclude,
                     follow_symlinks=options.follow_symlinks)
    if options.show_files or options.show_settings:
        _show(paths, found, settings, options)
        return
    if not (found.python or found.scripts or found.errors or options.force_exclude):
        # Silent success on nothing is how a gate pointed at the wrong folder passes for months;
        # under --force-exclude (pre-commit) every named file being excluded is normal.
        _warn(f"no Python or JS/TS files to check under {', '.join(paths)} (excludes, hidden "
              "folders and .gitignore leave none); --show-files lists what is skipped")
    for pattern in unmatched_patterns(paths, settings, [*found.python, *found.scripts]):
        _warn(f"per-file-ignores pattern `{pattern}` in {settings.source} matches no checked "
              "file; check its spelling (globs are relative to the project root)")
    analysis = _analyse_files(sorted(found.python + found.scripts), settings, options)
    for warning in analysis.warnings:
        _warn(warning)
    scripts = ScriptAnalysis()
    if found.scripts and settings.semgrep and not options.no_semgrep and _pack_only_codes():
        scripts = analyse_scripts(found.scripts, settings, engine_codes=_ts_engine_codes())
        if scripts.unavailable:
            _warn(scripts.unavailable)
    show_source = _use_color() if options.show_source is None else options.show_source
    report = _report(analysis, scripts, found.errors, show_source,
                     described=options.output_format in _DESCRIBED)
    report.skipped = [(_display(path), reason) for path, reason in found.skipped]
    report = _narrowed(report, settings, options, paths[0])
    if options.write_baseline or options.add_noqa:
        _rewrite(report, options)
        return
    _print(report, options)
    raise click.exceptions.Exit(_exit_code(report, scripts, settings, options))


def _analyse_files(files: list[str], settings: Settings, options: CheckOptions) -> Analysis:
    """Python and JS/TS files through the core (the TS/JS engine for scripts), per project."""
    analysis = Analysis()
    meter = Progress(len(files), shown=progress_wanted(len(files)))
    warned: set[str] = set()  # an unusable key is the same for every project: one warning
    grammars = functools.cache(_require_grammars)  # once a run, and only if a script is parsed
    try:
        for project_settings, members in _by_project(files, settings, options).items():
            cache = None if options.no_cache else _open_cache(options.cache_dir or Path(
                settings.root) / CACHE_DIR_NAME, project_settings, warned)
            analysis.add(analyse_files(members, project_settings,
                                       options.jobs or default_jobs(), cache, meter.advance,
                                       before_scripts=grammars))
    finally:
        meter.close()
    return analysis


def _require_grammars() -> None:
    """A broken tree-sitter install ends the run (exit 2) before any JS/TS file is parsed."""
    problem = grammar_problem()
    if problem:
        _fail(problem)


def _exit_code(report: Report, scripts: ScriptAnalysis, settings: Settings,
               options: CheckOptions) -> int:
    """The contract in backlint/outcome.py; a run that failed closed says why, last."""
    failing = internal_failures(report.errors)
    if failing:
        _error(f"{len(failing):,} file{'s' if len(failing) != 1 else ''} could not be checked "
               f"because of an internal error: {', '.join(failing)}")
    if scripts.failed:
        _error(f"the JS/TS engine failed, its files were not checked: {scripts.failed}")
    findings = narrowing.fails(report.rows, options.fail_on) and not options.exit_zero
    return exit_code(findings, (message for _, message in report.errors), bool(scripts.failed),
                     options.exit_zero or settings.tolerate_file_errors)


def _error(message: str) -> None:
    click.echo(f"backlint: error: {for_terminal(message)}", err=True)


# Formats that describe each rule (its documentation).
_DESCRIBED = ("sarif",)
# Formats that carry each finding's fingerprint (and SARIF's repository-relative URIs); the
# others skip computing them, which a warm run with thousands of findings would feel.
_FINGERPRINTED = ("sarif", "gitlab")


def _narrowed(report: Report, settings: Settings, options: CheckOptions, start: str) -> Report:
    """The report without baselined findings and, with --diff, findings off the changed lines;
    rows carry fingerprints for the formats that use them."""
    lines = functools.lru_cache(maxsize=256)(read_lines)
    if options.output_format in _FINGERPRINTED:
        report = narrowing.with_fingerprints(replace(report, base=_repository_root(start)),
                                             lines)
    baseline_file = options.baseline or (
        Path(settings.root) / settings.baseline if settings.baseline else None)
    if baseline_file is not None and not options.write_baseline:
        report, hidden = narrowing.without_baselined(report, baseline_file, lines)
        if hidden:
            _note(f"{hidden:,} finding{'s' if hidden != 1 else ''} in the baseline "
                  f"{_display(str(baseline_file))} not shown", options)
    if options.diff_ref is not None:
        report, hidden = narrowing.only_changed(report, options.diff_ref, start)
        if hidden:
            _note(f"{hidden:,} finding{'s' if hidden != 1 else ''} on lines not changed since "
                  f"{options.diff_ref} not shown", options)
    return report


def _rewrite(report: Report, options: CheckOptions) -> None:
    """--write-baseline and --add-noqa: record the findings instead of failing on them."""
    if options.write_baseline:
        lines = functools.lru_cache(maxsize=256)(read_lines)
        entries = narrowing.baseline_entries(report, options.write_baseline, lines)
        baseline.write(options.write_baseline, entries)
        click.echo(f"Wrote {len(entries):,} finding{'s' if len(entries) != 1 else ''} to "
                   f"{_display(str(options.write_baseline))}.", err=True)
    if options.add_noqa:
        edits = add_noqa((row.path, row.line, row.code) for row in report.rows)
        click.echo(f"Added noqa comments to {edits.lines:,} line(s) in {edits.files:,} file(s).",
                   err=True)
        for path, line in edits.skipped:
            _warn(f"{path}:{line}: inside a multi-line string; add the noqa comment by hand")


def _note(message: str, options: CheckOptions) -> None:
    if options.output_format == "text":
        click.echo(f"backlint: {for_terminal(message)}", err=True)


def _repository_root(start: str) -> str:
    """The git work tree's top folder (what code scanning and CI annotations resolve paths
    against), or the current folder outside git."""
    folder = os.path.abspath(start)
    try:
        top = run_git(folder if os.path.isdir(folder) else os.path.dirname(folder),
                      ["rev-parse", "--show-toplevel"])
    except GitError:
        return os.getcwd()
    return top.decode("utf-8", "surrogateescape").strip() or os.getcwd()


def _pack_only_codes() -> frozenset[str]:
    """Codes of the semgrep pack that the TS/JS engine does not check. Empty today: the engine
    covers the whole pack, so `backlint check` never starts semgrep (slow, and one more thing
    that can fail); the pack stays a product for teams that run semgrep themselves."""
    pack = {code for code, _ in pack_ids(runner.semgrep_rules_dir())}
    return frozenset(pack - _ts_engine_codes())


def _ts_engine_codes() -> frozenset[str]:
    """Codes the in-process TS/JS engine checks; semgrep reports only the others."""
    from backlint.rules.ts.catalog import ts_codes
    return ts_codes()


def _settings(paths: Sequence[str], options: CheckOptions) -> Settings:
    # Read the configuration afresh on every run, also when one process runs several (tests).
    settings_for.cache_clear()
    config = options.config
    settings = load_pyproject(config.resolve()) if config else settings_for(
        os.path.abspath(paths[0]))
    return _with_cli_codes(settings, options)


def _with_cli_codes(settings: Settings, options: CheckOptions) -> Settings:
    return with_codes(settings, select=_codes(options.select), ignore=_codes(options.ignore),
                      extend_select=_codes(options.extend_select))


def _show(paths: tuple[str, ...], found: Discovered, settings: Settings,
          options: CheckOptions) -> None:
    """--show-files / --show-settings: what a run would check, and with which configuration."""
    if options.show_files:
        for path in [*found.python, *found.scripts]:
            click.echo(for_terminal(_display(path)))
        for error in found.errors:
            click.echo(for_terminal(f"{_display(error.path)}: {error.message}"), err=True)
        click.echo(format_skipped([(_display(path), why) for path, why in found.skipped]),
                   nl=False, err=True)
    if options.show_settings:
        for path in paths:
            folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
            click.echo(format_settings(_display(path), _folder_settings(folder, settings, options)))


def _by_project(files: Sequence[str], settings: Settings,
                options: CheckOptions) -> dict[Settings, list[str]]:
    """Files grouped by the project whose configuration applies to them, as flake8 and pylint
    see them: a sub-folder with its own [tool.backlint] is its own project (its settings, and its
    own universe for the cross-file rules). --config applies one configuration to everything."""
    groups: dict[Settings, list[str]] = {}
    by_folder: dict[str, Settings] = {}
    memo: dict[str, Path | None] = {}  # folder -> its configuration, shared by all folders
    for path in files:
        folder = os.path.dirname(path)
        if folder not in by_folder:
            by_folder[folder] = _folder_settings(folder, settings, options, memo)
        groups.setdefault(by_folder[folder], []).append(path)
    return groups


def _folder_settings(folder: str, settings: Settings, options: CheckOptions,
                     memo: dict[str, Path | None] | None = None) -> Settings:
    nearest = None if options.config else find_pyproject(folder, memo)
    if nearest is None or str(nearest) == settings.source:
        return settings
    return _with_cli_codes(settings_for(str(nearest.parent)), options)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",")
                 if code.strip())


def _open_cache(directory: Path, settings: Settings, warned: set[str]) -> Cache | None:
    try:
        return Cache.open(directory, settings)
    except CacheUnavailable as error:
        if str(error) not in warned:
            warned.add(str(error))
            _warn(f"{error}; continuing without the cache")
        return None


def _report(analysis: Analysis, scripts: ScriptAnalysis, discovery_errors: list[FileError],
            show_source: bool, described: bool = False) -> Report:
    """The report; with `described`, the rules' documentation too (SARIF carries it; reading it
    imports every rule)."""
    lines = functools.lru_cache(maxsize=256)(read_lines) if show_source else None
    findings = sorted(analysis.findings + scripts.findings)
    # Per run (the current folder may change between runs in one process): thousands of
    # findings share a few hundred paths and a dozen rules.
    display, rule_of = functools.cache(_display), functools.cache(_rule_identity(analysis))
    rows = sorted(_row(finding, scripts.described, lines, display, rule_of)
                  for finding in findings)
    errors = sorted({(_display(error.path), error.message)
                     for error in [*discovery_errors, *analysis.errors, *scripts.errors]})
    checked = len(analysis.results) - len(analysis.errors)
    return Report(version=__version__, rows=rows, errors=errors, checked=checked,
                  rules=catalog_rules() if described else [])


def _rule_identity(analysis: Analysis) -> Callable[[str], tuple[str, str] | None]:
    """A code's (symbol, severity): from the cache's catalog when it has one (a warm run then
    imports no rule), else from the rules."""
    def identity(code: str) -> tuple[str, str] | None:
        if code in analysis.catalog:
            return analysis.catalog[code]
        rule = rule_by_code(code)
        return (rule.symbol, rule.severity) if rule is not None else None
    return identity


def _row(finding: Finding, described: dict[str, tuple[str, str]],
         lines: Callable[[str], list[str]] | None, display: Callable[[str], str],
         rule_of: Callable[[str], tuple[str, str] | None]) -> Row:
    symbol, severity = rule_of(finding.code) or described.get(finding.code, ("", "warning"))
    row = Row(path=display(finding.path), line=finding.line, column=finding.column,
              code=finding.code, symbol=symbol, severity=severity, message=finding.message,
              end_line=finding.end_line, end_column=finding.end_column)
    if lines is None:
        return row
    return replace(row, source=code_frame(lines(finding.path), row))


def _display(path: str) -> str:
    """A path relative to the current folder, with forward slashes."""
    if path.startswith("<"):
        return path
    here = os.path.join(os.getcwd(), "")
    # The common case (a normalised path below the current folder) without relpath's cost.
    if os.sep == "/" and path.startswith(here) and os.path.normpath(path) == path:
        return path[len(here):]
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


_FORMATS: dict[str, Callable[[Report], str]] = {"json": format_json, "sarif": format_sarif}


def _formatter(output_format: str) -> Callable[[Report], str]:
    if output_format in _FORMATS:
        return _FORMATS[output_format]
    # The CI formats import xml and friends: only runs that print them pay for that.
    from backlint import ci_formats
    return getattr(ci_formats, f"format_{output_format}")


def _print(report: Report, options: CheckOptions) -> None:
    to_file = options.output is not None
    if not to_file and sys.stdout is None:
        _fail("standard output is closed: nowhere to print the report (or use --output FILE)")
    if options.output_format == "text":
        click.echo(format_text_errors(report), nl=False, err=True)
        text = format_text(report, color=not to_file and _use_color())
    else:
        text = _formatter(options.output_format)(report)
    if options.statistics:
        click.echo(format_statistics(report), nl=False, err=options.output_format != "text")
    if to_file:
        _write_output(options.output, text)
    else:
        click.echo(text, nl=False)


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        _fail(f"cannot write the report to {path}: {error.strerror or error}")


def _use_color() -> bool:
    stdout = sys.stdout and click.get_text_stream("stdout")  # None when stdout is closed
    return not os.environ.get("NO_COLOR") and bool(stdout) and stdout.isatty()


@cli.command("rules", context_settings=_CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_guarded
def rules_command(output_format: str) -> None:
    """List the rules: code, symbol, pylint id, severity and what each one reports.

    \b
    Codes are used with --select/--ignore, in [tool.backlint] and in `# noqa: BKL101`;
    symbols with `# pylint: disable=explicit-any`. Codes marked "semgrep" are checked in
    JS/TS files by the semgrep pack only; rules marked "off by default" run only where
    their exact code is selected (`extend-select = ["BKL101"]`).

    \b
    Examples:
      backlint rules
      backlint rules --format json
    """
    listed = [{"code": rule.code, "symbol": rule.symbol, "pylint_id": rule.pylint_id,
               "severity": rule.severity, "summary": rule.doc.summary(), "engine": "python",
               "default_enabled": rule.default_enabled}
              for rule in all_rules()]
    known = {entry["code"] for entry in listed}
    listed += [{"code": code, "symbol": symbol, "pylint_id": "", "severity": "",
                "summary": "checked in JS/TS files by the semgrep pack", "engine": "semgrep",
                "default_enabled": True}
               for code, symbol in _semgrep_only_codes(known)]
    if output_format == "json":
        click.echo(json.dumps(listed, indent=2))
        return
    for entry in listed:
        off = "" if entry["default_enabled"] else "(off by default) "
        click.echo(f"{entry['code']:<7} {entry['symbol']:<28} {entry['pylint_id'] or '-':<6} "
                   f"{entry['severity'] or 'semgrep':<8} {off}{_first_sentence(entry['summary'])}")


_SUMMARY_WIDTH = 90


def _first_sentence(text: str) -> str:
    """The text listing stays one short line per rule; JSON carries the whole summary."""
    end = min((index for index in (text.find(". "), text.find(": ")) if index >= 0),
              default=len(text))
    sentence = text[:end + 1].rstrip(":")
    if len(sentence) <= _SUMMARY_WIDTH:
        return sentence
    return sentence[:_SUMMARY_WIDTH].rsplit(" ", 1)[0] + " ..."


def _semgrep_only_codes(known: set[str]) -> list[tuple[str, str]]:
    """Codes the semgrep pack reports that the Python core does not implement."""
    found: dict[str, str] = {}
    for code, symbol in pack_ids(runner.semgrep_rules_dir()):
        if code not in known:
            found.setdefault(code, symbol)
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
    click.echo(f"pylint: {found.pylint_id} ({found.pylint_name()}); severity: {found.severity}; "
               f"test code: {'checked' if found.applies_to_tests else 'skipped'}")
    if not found.default_enabled:
        click.echo(f"off by default; to run it, {turn_on_hint(found)}")
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
    from backlint import docgen  # only here: every other command starts without it

    try:
        pack = docgen.pack_rules(runner.semgrep_rules_dir())
    except ImportError:  # ruamel.yaml arrives with semgrep; without it, say where the rules are
        folder = runner.semgrep_rules_dir()
        click.echo(f"{code} {codes[code]}: checked by the semgrep pack in {folder}")
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
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="backlint")
    except SystemExit:
        # Click ends its own output (--help) on a closed reader with exit 1: make it the 141 of
        # the commands.
        if isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
            raise SystemExit(EXIT_BROKEN_PIPE) from None
        raise


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
