"""What the messages of BKL102, BKL203, BKL204, BKL205 and BKL302 say: the fix, the project's own
answer where it has one, and never the secret itself."""
from __future__ import annotations

from backlint.rules import Settings, analyse_source
from backlint.rules.project import merge_findings, project_findings

SECRET = "sk_live_51Hx9QbLk2mP8vR4tYwZ6aNc3"


def _messages(files: dict[str, str], code: str) -> list[str]:
    settings = Settings(root=".")
    results = [analyse_source(text, path, settings) for path, text in files.items()]
    per_file = [finding for result in results for finding in result.findings]
    merged = merge_findings(per_file, project_findings(results, settings))
    return [finding.message for finding in merged if finding.code == code]


def test_bkl203_never_repeats_the_secret():
    messages = _messages({"app/billing.py": f"import stripe\nstripe.api_key = {SECRET!r}\n"},
                         "BKL203")
    assert len(messages) == 1 and SECRET not in messages[0] and "api_key" in messages[0]
    assert "environment" in messages[0]


def test_bkl205_names_the_projects_wrapper():
    files = {
        "app/services/payments.py": "import stripe\n\ndef charge():\n    return stripe.Charge\n",
        "app/routers/orders.py": (
            "import stripe\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.post('/pay')\ndef pay():\n    return stripe.Charge\n"),
    }
    assert _messages(files, "BKL205") == [
        "`import stripe` uses the Stripe SDK in a route module: call the project's wrapper in "
        "app.services.payments (app/services/payments.py:1) instead"]


def test_bkl302_names_the_route_module():
    files = {
        "app/routers/users.py": ("from fastapi import APIRouter\n\nrouter = APIRouter()\nLIMIT = 5"
                                 "\n\n\n@router.get('/u')\ndef users():\n    return []\n"),
        "app/services/users.py": "from app.routers.users import LIMIT\n",
    }
    messages = _messages(files, "BKL302")
    assert len(messages) == 1 and "route module app.routers.users" in messages[0]


def test_bkl204_says_a_session_has_no_default():
    source = ("import requests\n\ns = requests.Session()\n\n"
              "def f():\n    return s.get('https://x')\n")
    messages = _messages({"app/client.py": source}, "BKL204")
    assert len(messages) == 1 and "Session has no default" in messages[0]


def test_bkl102_debug_settings_need_no_override_beside_them():
    files = {"site/settings/base.py": "DEBUG = True\nINSTALLED_APPS = []\n"}
    assert len(_messages(files, "BKL102")) == 1
    files["site/settings/production.py"] = "DEBUG = False\n"
    assert _messages(files, "BKL102") == []
