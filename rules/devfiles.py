"""Files meant for development only (`settings/dev.py`, `local_settings.py`, `demos/`): their
debug switches and credentials never reach a deployment (BKL102, BKL203)."""
from __future__ import annotations

import re
from pathlib import PurePosixPath

DEV_WORDS = frozenset({"dev", "develop", "development", "local", "debug", "test", "tests",
                       "testing", "unittest", "unittests", "ci", "examples", "samples", "demo",
                       "demos"})
_WORD = re.compile(r"[a-z]+")


def words(name: str) -> list[str]:
    """`DevelopmentConfig` -> [development, config]; `local_settings` -> [local, settings]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return _WORD.findall(spaced.lower())


def is_dev_path(relative_path: str) -> bool:
    """A file or folder named `dev`, `local`, `development_kube` ... (a word of its name)."""
    parts = PurePosixPath(relative_path).with_suffix("").parts
    return any(word in DEV_WORDS for part in parts for word in words(part))
