"""Errors of the machine backlint runs on, not of backlint: a full disk, a deleted working folder,
an output closed by the reader. Each becomes one line naming the cause (exit 2), never
"internal error, please report it"."""
from __future__ import annotations

import errno
import os
import select
import sys


def describe(error: OSError) -> str:
    """One line saying what in the environment failed."""
    if isinstance(error, BrokenPipeError):
        return "the output was closed before the report was written (broken pipe)"
    if _working_folder_is_gone():
        return "the current folder no longer exists (deleted?); run backlint from an existing one"
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device{where}"
    return f"{error.strerror or error}{where}"


def _working_folder_is_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the interpreter's last flush does not
    fail again with a second message (the recipe of Python's signal documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def reader_went_away() -> bool:
    """Whether stdout is a pipe whose reader has closed it (`backlint rules | head -1`), rather
    than some other pipe of the run that broke."""
    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() here, stdout gone or replaced
        return False
