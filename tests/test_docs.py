"""The rule reference in docs/rules/ is generated from the catalog and kept in step with it."""
from backlint import docgen

from expectations import REPO


def test_generated_rule_docs_are_current():
    assert docgen.main(["--check", str(REPO / "docs" / "rules")]) == 0, (
        "docs/rules is stale: run `.venv/bin/python -m backlint.docgen`")


def test_check_mode_notices_a_stale_page(tmp_path):
    assert docgen.main([str(tmp_path)]) == 0
    page = next(tmp_path.glob("BKL*.md"))
    page.write_text(page.read_text() + "edited by hand\n")
    assert docgen.main(["--check", str(tmp_path)]) == 1
