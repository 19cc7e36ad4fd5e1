"""The engine: one walk per file, shared collectors run once for all the rules that read them."""
from __future__ import annotations

from dataclasses import replace

from backlint.rules import Settings, analyse_source
from backlint.rules.client_index import ClientFacts

SOURCE = """
import os

import httpx
from fastapi import APIRouter
from redis import Redis

router = APIRouter()
cache = Redis.from_url(os.environ["REDIS_URL"])


@router.get("/rates")
async def rates():
    async with httpx.AsyncClient() as client:
        return (await client.get("https://rates.example.com")).json()
"""


def _analyse(select: tuple[str, ...]):
    return analyse_source(SOURCE, "app/routes.py", replace(Settings(root="."), select=select))


def test_client_facts_are_collected_once_for_both_client_rules(monkeypatch):
    calls = []
    original = ClientFacts.finish_file
    monkeypatch.setattr(ClientFacts, "finish_file",
                        lambda self: (calls.append(self), original(self))[1])
    result = _analyse(("BKL201", "BKL202"))
    assert len(calls) == 1
    assert set(result.facts) == {ClientFacts.name}
    assert [finding.code for finding in result.findings] == ["BKL201"]


def test_a_collector_runs_for_any_one_rule_that_reads_it():
    assert ClientFacts.name in _analyse(("BKL202",)).facts
    assert ClientFacts.name not in _analyse(("BKL401",)).facts
