"""BKL201 for TypeScript/JavaScript: a client constructed on every request.

Documented with the Python rule (`rules/bkl201_per_request_client.py`). `TsClientFacts` writes
the same facts as the Python collector, so the project pass (functions a handler reaches across
modules, the project's singleton named in the message) is the Python rule's `finish_project`;
this visitor reports, per file, the constructions written directly in a handler.
"""
from __future__ import annotations

from ..bkl201_per_request_client import PerRequestClient, _finding
from ..client_index import ProjectIndex
from .base import TsRule
from .classify import SERVER, file_role
from .client_facts import TsClientFacts


class PerRequestClientTs(TsRule):
    rule = PerRequestClient
    ts_default_enabled = False  # 0.73 sampled precision on new repositories: docs/real-repos.md
    collectors = (TsClientFacts,)

    def finish_file(self) -> None:
        facts = self.ctx.facts.get(TsClientFacts.name)
        if not facts or file_role(self.ctx.model, self.ctx.absolute_path) != SERVER:
            return
        index = ProjectIndex({self.ctx.path: {TsClientFacts.name: facts}})
        for entry_id in index.sorted_entries():
            for site in index.constructs.get(entry_id, ()):
                self.ctx.findings.append(_finding(self.code, index, site, entry_id, entry_id))
