"""What discovery leaves out on purpose: hidden folders, and vendored or generated files.

Hidden folders (`.github/`, `.semgrep/`, `.tox/`...) hold tools' own files and other tools' test
cases, so they are not walked unless the user names them, as ruff and flake8 users expect.
Vendored and generated files are left out too, but each is kept with its reason, so a run can say
how many it skipped and `--show-files` can list them. The flake8 and pylint adapters get their
file lists from the host tool; `set_aside` applies the same choices there.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from backlint.generated import generated_reason
from backlint.rules import Settings
from backlint.rules.globs import matches, matches_any
from backlint.rules.settings import VENDORED_PATTERNS


def is_hidden(name: str) -> bool:
    """A hidden file or folder name (`.github`), not `.` or `..`."""
    return name.startswith(".") and name not in (".", "..")


def in_hidden_folder(relative: str, is_dir: bool = False) -> bool:
    """True if a '/'-separated path below a named root lies in (or, for a folder, is) a hidden
    folder."""
    parts = relative.strip("/").split("/")
    folders = parts if is_dir else parts[:-1]
    return any(is_hidden(part) for part in folders)


def vendored_reason(settings: Settings, relative: str) -> str | None:
    """Why an excluded path counts as vendored ("vendored: matches `vendor`"), or None when it
    is not vendored or the user's (or the default) excludes leave it out anyway."""
    if not settings.exclude_generated:
        return None
    if matches_any(relative, settings.exclude + settings.extend_exclude):
        return None
    for pattern in VENDORED_PATTERNS:
        if matches(relative, pattern):
            return f"vendored: matches `{pattern}`"
    return None


def set_aside(path: str, settings: Settings) -> bool:
    """Whether `backlint check` of the project leaves this file out: excluded by the settings
    (vendored folders and bundles included), in a hidden folder, or generated. The host tools
    apply this to the files they name too, as `--force-exclude` does for the CLI."""
    relative = settings.relative(path)
    if settings.is_excluded(relative) or in_hidden_folder(relative):
        return True
    return settings.exclude_generated and generated_reason(
        path, settings.generated_markers, not path.endswith((".py", ".pyi"))) is not None


def generated(reason: str) -> str:
    """The reason a file was set aside as generated or minified, as reported."""
    return f"generated: {reason}"


def files_below(folder: str, wanted: Callable[[str], object]) -> Iterator[str]:
    """Files under `folder` that `wanted(name)` accepts, hidden folders and symlinks left out
    (only counted: nothing here is read)."""
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not is_hidden(name)
                            and not os.path.islink(os.path.join(current, name)))
        for name in sorted(files):
            path = os.path.join(current, name)
            if wanted(name) and not os.path.islink(path):
                yield path


def skipped_summary(count: int) -> str:
    """The line a text report ends with when files were skipped."""
    noun = "file" if count == 1 else "files"
    return f"{count:,} {noun} skipped as generated or vendored; --show-files lists them."
