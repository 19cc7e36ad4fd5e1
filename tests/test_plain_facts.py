"""Cross-file facts survive a JSON round trip (the cache's format): the findings of the client and
response-shape rules are the same from facts read back as JSON."""
from __future__ import annotations

import dataclasses
import json

import pytest

from backlint.rules import analyse_source, settings_for
from backlint.rules.project import project_findings

from expectations import FIXTURES, expectations_in, python_files

PROJECTS = sorted(path.parent for code in ("BKL103", "BKL201", "BKL202")
                  for path in (FIXTURES / "rules" / code).rglob("pyproject.toml"))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_findings_from_json_facts_are_the_same(project):
    settings = settings_for(str(project))
    results = [analyse_source(path.read_bytes(), str(path), settings)
               for path in python_files(project)]
    round_tripped = [dataclasses.replace(result, facts=json.loads(json.dumps(result.facts)))
                     for result in results]
    expected = _described(project_findings(results, settings))
    expects = any(expectations_in(path) for path in python_files(project))
    assert bool(expected) == expects, "cross-file findings exactly where fixtures expect some"
    assert _described(project_findings(round_tripped, settings)) == expected


def _described(findings) -> list[tuple]:
    return [(finding.path, finding.line, finding.column, finding.code, finding.message)
            for finding in findings]
