"""The catalog keeps every rule's documentation true: its sections exist, its Example triggers it,
its Use instead is clean, its options are documented, and its identifiers are consistent."""
from __future__ import annotations

import re

import pytest

from backlint.rules import Settings, analyse_source
from backlint.rules.catalog import all_rules
from backlint.rules.docstring import SECTIONS, TS_SECTION
from backlint.rules.project import project_findings

RULES = all_rules()


_FILE_HEADING = re.compile(r"^# ([\w./-]+\.py)$", re.MULTILINE)


def _files_of(source: str, heading=_FILE_HEADING, default="app/example.py") -> dict[str, str]:
    """A code block is one file, or several each under a `# app/db.py` heading line."""
    headings = list(heading.finditer(source))
    if not headings:
        return {default: source}
    ends = [heading.start() for heading in headings[1:]] + [len(source)]
    return {heading.group(1): source[heading.end():end]
            for heading, end in zip(headings, ends)}


def _codes_found(source: str, rule) -> list[str]:
    settings = Settings(root=".", extend_select=(rule.code,))  # rules off by default too
    results = [analyse_source(text, path, settings) for path, text in _files_of(source).items()]
    for result in results:
        assert result.error is None, result.error
    findings = [finding for result in results for finding in result.findings]
    findings += project_findings(results, settings)
    return [finding.code for finding in findings if finding.code == rule.code]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_docstring_has_every_section(rule):
    missing = [section for section in SECTIONS if not rule.doc.sections.get(section, "").strip()]
    assert not missing, f"{rule.code} docstring lacks: {missing}"
    assert rule.doc.title


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_example_triggers_the_rule(rule):
    example = rule.doc.code_block("Example")
    assert example, f"{rule.code}: Example has no code block"
    assert _codes_found(example, rule), f"{rule.code}: its Example does not trigger it"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_use_instead_is_clean(rule):
    fixed = rule.doc.code_block("Use instead")
    assert fixed, f"{rule.code}: Use instead has no code block"
    assert not _codes_found(fixed, rule), f"{rule.code}: its Use instead still triggers it"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_options_are_documented(rule):
    documented = set(re.findall(r"^- `([a-z0-9-]+)`", rule.doc.sections["Options"], re.MULTILINE))
    assert documented == {option.name for option in rule.options}


def test_identifiers_are_unique_and_consistent():
    codes = [rule.code for rule in RULES]
    symbols = [rule.symbol for rule in RULES]
    assert len(set(codes)) == len(codes) and len(set(symbols)) == len(symbols)
    for rule in RULES:
        assert re.fullmatch(r"BKL\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.symbol)
        # pylint ids share the family digit and the last two digits: BKL101 -> E9101.
        assert rule.pylint_id[0] in "EWCRI" and rule.pylint_id[1:] == "9" + rule.code[3:]
        assert rule.severity in ("error", "warning")


# ----- the TypeScript/JavaScript side, documented in the same docstring -----
_TS_FILE_HEADING = re.compile(r"^// ([\w./\[\]()-]+\.(?:ts|tsx|js|jsx|mjs|cjs))$", re.MULTILINE)
TS_RULES = [rule for rule in RULES if TS_SECTION in rule.doc.sections]


def _ts_codes_found(source: str, rule, tmp_path) -> list[str]:
    from backlint.rules.ts.engine import analyse_script

    settings = Settings(root=str(tmp_path), extend_select=(rule.code,))  # default-off TS sides
    results = []
    for relative, text in _files_of(source, _TS_FILE_HEADING, "src/example.ts").items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        results.append(analyse_script(text.encode(), str(path), settings))
    for result in results:
        assert result.error is None, result.error
    findings = [finding for result in results for finding in result.findings]
    findings += project_findings(results, settings)
    return [finding.code for finding in findings if finding.code == rule.code]


def test_rules_with_a_ts_side_document_it():
    from backlint.rules.ts.catalog import ts_codes

    documented = {rule.code for rule in TS_RULES}
    assert documented == set(ts_codes()), "a TS rule without its docstring section, or the reverse"


@pytest.mark.parametrize("rule", TS_RULES, ids=lambda rule: rule.code)
def test_ts_example_triggers_the_rule(rule, tmp_path):
    example = rule.doc.code_block("Example", "ts")
    assert example, f"{rule.code}: Example has no ```ts block"
    assert _ts_codes_found(example, rule, tmp_path), f"{rule.code}: its TS Example does not " \
                                                     "trigger it"


@pytest.mark.parametrize("rule", TS_RULES, ids=lambda rule: rule.code)
def test_ts_use_instead_is_clean(rule, tmp_path):
    fixed = rule.doc.code_block("Use instead", "ts")
    assert fixed, f"{rule.code}: Use instead has no ```ts block"
    assert not _ts_codes_found(fixed, rule, tmp_path), f"{rule.code}: its TS Use instead " \
                                                       "still triggers it"
