"""Front-end adapters. `pylint --load-plugins=backlint.checkers` calls `register` below."""
from __future__ import annotations


def register(linter) -> None:
    """pylint's plugin entry point: one checker per family of backlint codes."""
    from .pylint_checker import register_checkers  # pylint only: flake8 never imports it

    register_checkers(linter)
