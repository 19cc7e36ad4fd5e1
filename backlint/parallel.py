"""Analysing files in worker processes, failing closed.

Files go to a process pool in chunks (fewer, larger messages) or, for `jobs=1` or a handful of
files, are analysed in-process. Whatever happens to a worker, every file gets a result:
- a worker that dies (killed, out of memory, BrokenProcessPool) or a pool that cannot start
  (fork fails) costs a warning: its files are analysed again in the main process;
- one file's analysis has `file-timeout` seconds (in a worker or in-process); a file that takes
  longer is an internal error naming it, and the run goes on;
- a worker stuck where the deadline cannot reach it is given up after the deadline of every
  file of its chunk, its files are reported as timed out, and the pool is ended.
Internal errors fail the run (exit 2); they are never cached.
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from backlint.discovery import kind_of
from backlint.rules import FileError, FileResult, Settings, analyse_source
from backlint.supervision import FileTimeout, deadline, init_worker, kill_workers

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_CHUNK_FILES = 16
_CHUNK_BYTES = 512 * 1024
# Below this many files to analyse, starting worker processes costs more than it saves.
_MIN_PARALLEL_FILES = 24
# Beyond its files' deadlines, how long a chunk may take to come back (start-up, messages).
_CHUNK_GRACE_SECONDS = 60.0

Pending = tuple[str, bytes, "str | None"]
Fresh = list[tuple[FileResult, "str | None"]]


class Batches:
    """Collects files into chunks and hands full chunks to a process pool started on demand."""

    def __init__(self, settings: Settings, jobs: int,
                 progress: Callable[[int], None] | None = None,
                 scripts: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.scripts = scripts  # the run's JS/TS files: their grammars are prepared before a fork
        self.jobs = max(1, jobs)
        self.progress = progress or _no_progress
        self.pool: ProcessPoolExecutor | None = None
        self.chunk: list[Pending] = []
        self.chunk_bytes = 0
        self.waiting: list[Pending] = []
        self.futures: list[tuple[Future[list[FileResult]], list[Pending]]] = []
        self.warnings: list[str] = []

    def add(self, item: Pending) -> None:
        if self.jobs == 1:
            self.waiting.append(item)
            return
        self.chunk.append(item)
        self.chunk_bytes += len(item[1])
        if len(self.chunk) >= _CHUNK_FILES or self.chunk_bytes >= _CHUNK_BYTES:
            self._flush()

    def _flush(self) -> None:
        self.waiting.extend(self.chunk)
        self.chunk, self.chunk_bytes = [], 0
        if self.jobs == 1 or (self.pool is None and len(self.waiting) < _MIN_PARALLEL_FILES):
            return
        while self.waiting:
            items = self.waiting[:_CHUNK_FILES]
            payload = [(path, source) for path, source, _ in items]
            try:
                if self.pool is None:
                    self.pool = _start_pool(self.jobs, self.scripts, self.settings)
                future = self.pool.submit(analyse_chunk, payload, self.settings)
            except (OSError, RuntimeError) as error:  # fork failed, or the pool already broke
                self._give_up_pool(f"cannot start worker processes ({error})")
                return
            self.futures.append((future, items))
            del self.waiting[:_CHUNK_FILES]

    def _give_up_pool(self, why: str) -> None:
        """Analyse everything not yet handed out in this process from now on."""
        self._warn_once(f"{why}; checking the remaining files in the main process")
        self.jobs = 1
        self.abort()

    def _warn_once(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def finish(self) -> Fresh:
        """Every result with its cache key: the pool's, then whatever is left, in-process."""
        self._flush()
        fresh: Fresh = []
        for future, items in self.futures:
            fresh.extend(zip(self._chunk_results(future, items), (key for _, _, key in items)))
            self.progress(len(items))
        for path, source, key in self.waiting:
            fresh.append((analyse_one(path, source, self.settings), key))
            self.progress(1)
        return fresh

    def _chunk_results(self, future: Future[list[FileResult]],
                       items: list[Pending]) -> list[FileResult]:
        bound = self.settings.file_timeout * len(items) + _CHUNK_GRACE_SECONDS
        try:
            return future.result(timeout=None if self.pool is None else bound)
        except FutureTimeout:
            self._give_up_pool(f"a worker process did not answer within {bound:g} s")
            return [timed_out(path, self.settings) for path, _, _ in items]
        except Exception as error:  # pylint: disable=broad-exception-caught  # a worker died
            self._warn_once(f"a worker process failed ({type(error).__name__}: {error}); its "
                            "files were checked again in the main process")
            return [analyse_one(path, source, self.settings) for path, source, _ in items]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """End the workers now: the run is over (interrupted, terminated) or the pool is lost."""
        if self.pool is not None:
            kill_workers(self.pool)
            self.pool = None


def _start_pool(jobs: int, scripts: tuple[str, ...], settings: Settings) -> ProcessPoolExecutor:
    # Imported here: multiprocessing costs a run whose files are all cache hits 20 ms.
    # pylint: disable-next=import-outside-toplevel
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing  # pylint: disable=import-outside-toplevel
    if scripts and multiprocessing.get_start_method() == "fork":
        # Forked workers inherit what the main process has built: the TS engine's queries are
        # compiled once here instead of once in every worker (0.1-0.4 s a grammar).
        try:
            _script_engine().prepare(scripts, settings)
        except Exception:  # pylint: disable=broad-exception-caught  # a warm-up, nothing more
            pass
    return ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(os.getpid(),))


def _no_progress(_count: int) -> None:
    """What `Batches` reports progress to when nobody watches."""


def analyse_chunk(items: list[tuple[str, bytes]], settings: Settings) -> list[FileResult]:
    """A worker's task: several files in one message each way."""
    return [analyse_one(path, source, settings) for path, source in items]


def analyse_one(path: str, source: bytes, settings: Settings) -> FileResult:
    """The core's result for one file; a bug in a rule or a stuck file costs that file."""
    try:
        with deadline(settings.file_timeout):
            if kind_of(path) == "script":
                return _script_engine().analyse_script(source, path, settings)
            return analyse_source(source, path, settings)
    except FileTimeout:
        return timed_out(path, settings)
    except Exception as error:  # pylint: disable=broad-exception-caught  # see docstring
        return FileResult(path, error=FileError(path, (
            f"internal error in backlint while checking this file: {type(error).__name__}: "
            f"{error}; please report it")))


def _script_engine():
    """The TS/JS engine, imported on the first JS/TS file: checking Python never loads it."""
    return importlib.import_module("backlint.rules.ts.engine")


def timed_out(path: str, settings: Settings) -> FileResult:
    return FileResult(path, error=FileError(path, (
        f"internal error: checking this file took over {settings.file_timeout:g} s "
        f"(file-timeout); not checked. Raise file-timeout in {settings.config_place} or exclude "
        "the file, and please report it")))
