"""`python -m backlint` runs the CLI.

With `-m`, Python puts the current folder first on sys.path, so a `click.py` (or `json.py`) in
the checked repository would be imported by the CLI and run: the folder is dropped before
anything else is imported. A `backlint.py` or `backlint/` in the current folder is imported by
Python itself before this file runs; the `backlint` command, `python -P -m backlint` or
PYTHONSAFEPATH=1 are safe from that too.
"""
import os
import sys


def _drop_current_folder() -> None:
    if sys.path and not getattr(sys.flags, "safe_path", False):
        first = sys.path[0]
        if first == "" or os.path.realpath(first) == os.path.realpath(os.getcwd()):
            del sys.path[0]


_drop_current_folder()

from backlint.cli import main  # noqa: E402  # pylint: disable=wrong-import-position

main()
