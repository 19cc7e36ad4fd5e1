"""Wall time and peak memory of one command and every process it starts.

Why not `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` deltas: that figure is a maximum over
every child this process has ever waited for, so after one large run it hides all smaller ones,
and it is the largest *single* process, not the sum of a pool of workers. Instead each command:

- runs in its own session (so a timeout can kill the whole tree) and is reaped with `os.wait4`,
  whose rusage is that child's alone: its `ru_maxrss` is the largest single process of *this*
  command's tree (the child or any descendant it waited for);
- is sampled from a thread while it runs: the sum of the proportional set size (PSS, from
  /proc/PID/smaps_rollup; shared pages are split between the processes sharing them, so forked
  workers are not counted twice) over the whole process tree.

The reported peak is the larger of the two. Sampling every 20 ms can miss a spike shorter than
that; `ru_maxrss` catches the single-process part of such spikes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass
class Measurement:
    wall: float  # seconds
    peak_mb: float  # MiB
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu: float = 0.0  # user + system seconds of the command and the children it reaped


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
                 timeout: float = 1800.0) -> Measurement:
    """Run `cmd` to completion and measure it; output is captured to files, never piped.

    Tools run as installed ones do, with bytecode caching on: pip writes .pyc files at install,
    while an environment that sets PYTHONDONTWRITEBYTECODE recompiles every module on every start
    (0.15 s of a 0.5 s warm run), which no user pays.
    """
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        sampler = TreeSampler(proc.pid, start + timeout)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        _kill_group(proc.pid)  # leftovers (daemonised helpers) must not outlive the measurement
        out.seek(0)
        err.seek(0)
        peak_kb = max(sampler.peak_kb, usage.ru_maxrss)  # ru_maxrss is in KiB on Linux
        return Measurement(wall, peak_kb / 1024, proc.returncode,
                           out.read().decode("utf-8", "replace"),
                           err.read().decode("utf-8", "replace"), sampler.timed_out,
                           usage.ru_utime + usage.ru_stime)


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until stopped; kills it after the deadline."""

    def __init__(self, root_pid: int, deadline: float) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.deadline = deadline
        self.peak_kb = 0
        self.timed_out = False
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, tree_memory_kb(self.root_pid))
            if time.perf_counter() > self.deadline:
                self.timed_out = True
                _kill_group(self.root_pid)
                return
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tree_memory_kb(root_pid: int) -> int:
    return sum(process_memory_kb(pid) for pid in descendants(root_pid))


def descendants(root_pid: int) -> list[int]:
    """The root and every process below it, from the parent links in /proc/PID/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # exited between listdir and read
        # The command name is in parentheses and may contain spaces: parse after the last ')'.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def process_memory_kb(pid: int) -> int:
    """PSS of one process in KiB (RSS where smaps_rollup is unavailable); 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
