"""BKL301 says what it counted: each data-access call and computing loop with its line."""
from __future__ import annotations

from backlint.rules import analyse_source, settings_for

from expectations import FIXTURES

SHOP = FIXTURES / "rules" / "BKL301" / "shop"


def messages(name: str) -> dict[int, str]:
    path = SHOP / name
    result = analyse_source(path.read_bytes(), str(path), settings_for(str(path)))
    # Other rules (BKL403 on `request.data`) report in the same fixture; only BKL301 is asked.
    return {finding.line: finding.message for finding in result.findings
            if finding.code == "BKL301"}


def test_exclusive_branches_count_once_and_the_message_lists_the_lines() -> None:
    found = messages("branch_views.py")
    assert found[12].startswith(
        "2 ORM calls (filter line 14, create line 17) in a 5-statement handler; ")
    assert found[20].startswith(
        "2 ORM calls (get line 21, filter line 22) and a computing loop (line 23) in a "
        "3-statement handler; ")
    assert set(found) == {12, 20}
