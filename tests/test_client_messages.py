"""What the client and response-shape rules say: the singleton, home or envelope to follow."""
from __future__ import annotations

from pathlib import Path

import pytest

from backlint.rules import analyse_source, settings_for
from backlint.rules.project import project_findings

from expectations import FIXTURES, python_files


def _messages(project: Path, code: str) -> dict[tuple[str, int], str]:
    settings = settings_for(str(project))
    results = [analyse_source(path.read_bytes(), str(path), settings)
               for path in python_files(project)]
    return {(Path(finding.path).relative_to(project).as_posix(), finding.line): finding.message
            for finding in project_findings(results, settings) if finding.code == code}


@pytest.fixture(scope="module")
def memo() -> dict[tuple[str, int], str]:
    return _messages(FIXTURES / "rules" / "BKL201" / "memo", "BKL201")


def test_engine_and_its_session_factory_are_one_finding(memo):
    assert "SQLAlchemy engine and the session factory bound to it" in memo[("svc/routes.py", 17)]
    assert not any("session factory on every" in message for message in memo.values())


def test_singleton_from_tuple_unpacking_is_named(memo):
    assert "like svc.db.engine (svc/db.py:14)" in memo[("svc/routes.py", 17)]


def test_singleton_named_is_importable_application_code(memo):
    message = memo[("svc/routes.py", 32)]
    assert "svc.clients.redis_client() (svc/clients.py:27)" in message
    assert "warm_redis" not in message and "scripts" not in message
    assert not any("probe" in message for message in memo.values())


def test_home_for_clients_is_named():
    messages = _messages(FIXTURES / "rules" / "BKL202" / "home", "BKL202")
    assert messages[("shop/routes/orders.py", 8)] == (
        "a redis client is created here, but the project keeps its clients in shop/store.py: "
        "reuse shop.store.cache (shop/store.py:7) or add this one beside it there")
    assert not any(path.startswith((".semgrep", "shop/store", "shop/config"))
                   for path, _ in messages)


def test_duplicate_engine_and_its_session_factory_are_one_finding():
    messages = _messages(FIXTURES / "rules" / "BKL202" / "programs", "BKL202")
    assert messages[("shop/ledger.py", 8)] == (
        "a SQLAlchemy engine already exists: use shop.db.engine (shop/db.py:9) instead of "
        "creating another; the same goes for the session factory bound to it (line 9)")
    assert ("shop/ledger.py", 9) not in messages
    assert not any(path == "shop/reporting.py" for path, _ in messages)


def test_envelope_message_gives_the_evidence_of_its_sub_application():
    messages = _messages(FIXTURES / "rules" / "BKL103" / "inferred", "BKL103")
    assert messages[("shop/views.py", 20)] == (
        "response body has keys {success, data}; the handlers under shop/ return {ok, result} "
        "(6 of 12 bodies in 3 modules): wrap it the same way")
    users = messages[("app/routers/users.py", 40)]
    assert "the handlers under app/ return {success, data}" in users
