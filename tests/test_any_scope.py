"""BKL401's scope option and what counts as a service, lib or repository module."""
from __future__ import annotations

import pytest

from backlint.rules import Settings, analyse_source
from backlint.rules.api_surface import is_layer_module
from backlint.rules.settings import ConfigError, parse_table

BODY_ANY = "from typing import Any, cast\n\n\ndef _f(x: object) -> int:\n    return cast(Any, x)\n"


@pytest.mark.parametrize(("path", "layer"), [
    ("app/services/orders.py", True), ("users/user_service.py", True), ("lib/paging.py", True),
    ("app/db/repositories.py", True), ("app/crud.py", True), ("acme/utils/ids.py", True),
    ("app/routers/orders.py", False), ("app/models.py", False), ("app/librarian.py", False),
])
def test_layer_modules(path: str, layer: bool) -> None:
    assert is_layer_module(path) is layer


def test_everywhere_reports_what_the_default_scope_leaves() -> None:
    default = analyse_source(BODY_ANY, "app/services/x.py", Settings(root="."))
    everywhere = parse_table({"explicit-any-scope": "everywhere"}, root=".", source="t")
    assert default.findings == []
    assert [f.line for f in analyse_source(BODY_ANY, "app/services/x.py", everywhere).findings] \
        == [5]


def test_an_unknown_scope_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="explicit-any-scope.*'api', 'everywhere'"):
        parse_table({"explicit-any-scope": "all"}, root=".", source="pyproject.toml")
