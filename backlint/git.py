"""Running git on a repository backlint checks, so that nothing of that repository runs.

A checked-out repository can carry its own `.git/config`: `core.fsmonitor`, hooks, diff and
filter drivers are commands git would run for it. backlint only ever asks git for plain data
(file lists, blobs, the top folder), switches off every command-running setting it can name, and
never uses commands that apply filters or external diff tools.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

GIT_TIMEOUT = 60
_SAFE_CONFIG = (
    "core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat", "diff.external=",
    "core.untrackedCache=false", "protocol.allow=never", "core.askPass=", "credential.helper=",
)


class GitError(Exception):
    """git is missing, failed, or the folder is not in a work tree; the message says which."""


def git_environment() -> dict[str, str]:
    """The environment without GIT_* variables (which could point git at other configuration)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environment.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0",
                       GIT_NO_REPLACE_OBJECTS="1")
    return environment


def git_command(directory: str, arguments: Sequence[str]) -> list[str]:
    safe = [part for setting in _SAFE_CONFIG for part in ("-c", setting)]
    return ["git", "--no-pager", *safe, "-C", directory, *arguments]


def run_git(directory: str, arguments: Sequence[str], stdin: bytes | None = None) -> bytes:
    """git's standard output; GitError naming the cause when it cannot run or fails."""
    try:
        completed = subprocess.run(git_command(directory, arguments), input=stdin,
                                   capture_output=True, timeout=GIT_TIMEOUT, check=False,
                                   env=git_environment())
    except FileNotFoundError as error:
        raise GitError("git is not installed or not on PATH") from error
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(f"git failed to run: {error}") from error
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git exited with {completed.returncode}")
    return completed.stdout
