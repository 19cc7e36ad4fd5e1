"""Rules below the precision bar ship off: only their full code in a selection turns them on."""
from __future__ import annotations

from dataclasses import replace

from backlint.rules import Settings
from backlint.rules.catalog import all_rules
from backlint.rules.settings import parse_table, with_codes

OFF = [rule.code for rule in all_rules() if not rule.default_enabled]


def test_inconsistent_response_shape_is_off_by_default():
    assert "BKL103" in OFF
    assert "BKL103" not in Settings().enabled_codes()
    assert "BKL101" in Settings().enabled_codes()


def test_a_prefix_does_not_turn_it_on():
    assert not Settings(select=("BKL1",)).code_enabled("BKL103")
    assert not Settings(select=("BKL10",)).code_enabled("BKL103")


def test_its_code_turns_it_on_in_every_way_of_selecting():
    assert Settings(select=("BKL", "BKL103")).code_enabled("BKL103")
    assert Settings(extend_select=("BKL103",)).code_enabled("BKL103")
    assert with_codes(Settings(), select=("BKL103",)).code_enabled("BKL103")
    assert with_codes(Settings(), extend_select=("BKL103",)).code_enabled("BKL103")
    configured = parse_table({"extend-select": ["BKL103"]}, ".", "pyproject.toml")
    assert configured.code_enabled("BKL103") and configured.code_enabled("BKL101")


def test_configuring_its_own_option_turns_it_on():
    configured = parse_table({"response-envelope": ["data"]}, ".", "pyproject.toml")
    assert configured.code_enabled("BKL103")
    assert not parse_table({"check-tests": True}, ".", "pyproject.toml").code_enabled("BKL103")


def test_ignore_still_wins():
    settings = replace(Settings(extend_select=("BKL103",)), ignore=("BKL103",))
    assert not settings.code_enabled("BKL103")
