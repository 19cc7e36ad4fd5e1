"""docs/configuration.md documents every key [tool.backlint] accepts, with its default."""
from __future__ import annotations

import json
import re

import pytest

from backlint.rules.catalog import all_options
from backlint.rules.settings import _TOP_KEYS

from expectations import REPO

DOC = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
_ROW = re.compile(r"^\| `(?P<key>[a-z0-9-]+)` \| (?P<default>[^|]*) \|", re.MULTILINE)
ROWS = {match.group("key"): match.group("default").strip() for match in _ROW.finditer(DOC)}


@pytest.mark.parametrize("key", sorted(_TOP_KEYS))
def test_every_top_level_key_is_documented(key):
    assert key in ROWS, f"docs/configuration.md has no row for `{key}`: add one to its table"


@pytest.mark.parametrize("name", sorted(all_options()))
def test_every_rule_option_is_documented_with_its_default(name):
    assert name in ROWS, f"docs/configuration.md has no row for the rule option `{name}`"
    default = all_options()[name].default
    shown = json.dumps(list(default) if isinstance(default, tuple) else default)
    assert ROWS[name] == f"`{shown}`", (
        f"docs/configuration.md shows {ROWS[name]} as the default of `{name}`; it is `{shown}`")


def test_the_reference_lists_no_key_that_does_not_exist():
    known = set(_TOP_KEYS) | set(all_options())
    assert set(ROWS) <= known, f"documented but unknown: {sorted(set(ROWS) - known)}"
