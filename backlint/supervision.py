"""Keeping a run finite and its worker processes tied to it.

Each file's analysis has a deadline (SIGALRM, where the platform has it and only on a process's
main thread: the CLI and its workers, never a host's thread). Workers ignore SIGINT (the main
process reports the interruption once) and die with the main process (Linux's parent-death
signal), and the main process turns SIGTERM into an exception so that it can end its workers
before it exits: no orphans, no traceback.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # multiprocessing and ctypes cost a warm run (no pool) 30 ms to import
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


class FileTimeout(BaseException):
    """One file's analysis ran out of time. A BaseException, so that no `except Exception` in
    the analysis can swallow it."""


class Terminated(BaseException):
    """The main process received SIGTERM."""


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise FileTimeout in the block after `seconds`; no limit where SIGALRM is unavailable."""
    if not hasattr(signal, "setitimer") or not _on_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _time_is_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _time_is_up(_signum: int, _frame: object) -> None:
    raise FileTimeout


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While workers run, SIGTERM raises Terminated in the main process (then it ends them)."""
    if not _on_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def init_worker(parent: int) -> None:
    """Worker start-up: Ctrl-C is the main process's to report; die when the main process does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    import ctypes.util  # pylint: disable=import-outside-toplevel  # in workers only
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc to ask: the pool's own checks remain
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (running tasks included) and release the pool."""
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        process.join(timeout=5)
