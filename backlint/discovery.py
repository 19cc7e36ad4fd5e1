"""Which files to check: Python and JS/TS files under the given paths, minus excluded ones.

Inside a git work tree one `git ls-files` call per root lists the files, so `.gitignore` is honoured
exactly as git reads it; elsewhere (or if git fails) the folders are walked. Problems (unreadable
folders, symlink loops, broken symlinks, FIFOs, sockets and devices, which are never opened) are
collected as `FileError`s and the walk goes on. Symlinks that lead out of the folders being
checked are not followed unless asked (`follow_symlinks`); paths named by the user always are.
Hidden folders are not entered below a named path; vendored and generated files are set aside
with their reason (backlint/skipped.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from backlint.generated import generated_reason
from backlint.git import GitError, run_git
from backlint.rules import FileError, Settings
from backlint.safe_files import problem_of
from backlint.skipped import files_below, generated, in_hidden_folder, is_hidden, vendored_reason

SCRIPT_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_NOT_SCRIPTS = (".d.ts", ".d.mts", ".d.cts", ".min.js")


@dataclass
class Discovered:
    """Files to check, absolute and sorted, and the paths that could not be looked at."""

    python: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # Skipped as vendored, generated or minified (exclude-generated), with the reason.
    skipped: list[tuple[str, str]] = field(default_factory=list)


def kind_of(path: str) -> str | None:
    """"python", "script" (JS/TS) or None for any other file name."""
    name = path.lower()
    if name.endswith(".py"):
        return "python"
    if name.endswith(SCRIPT_SUFFIXES) and not name.endswith(_NOT_SCRIPTS):
        return "script"
    return None


def is_minified_name(name: str) -> bool:
    return name.lower().endswith(".min.js")


def _counted(name: str) -> bool:
    """A file that would be checked, or a minified script: counted when skipped as vendored."""
    return kind_of(name) is not None or is_minified_name(name)


def discover(paths: Sequence[str], settings: Settings, force_exclude: bool = False,
             follow_symlinks: bool = False) -> Discovered:
    """Files under `paths`; a file named in `paths` is checked even when excluded, unless
    `force_exclude` (what pre-commit needs: it names every staged file)."""
    walker = _Walker(settings, force_exclude, follow_symlinks)
    walker.trees = [os.path.realpath(path) for path in paths if os.path.isdir(path)]
    for path in paths:
        walker.add_root(os.path.abspath(path))
    return walker.result()


class _Walker:
    def __init__(self, settings: Settings, force_exclude: bool = False,
                 follow_symlinks: bool = False) -> None:
        self.settings = settings
        self.force_exclude = force_exclude
        self.follow_symlinks = follow_symlinks
        # Real paths of the folders named: symlinks leading elsewhere are not followed.
        self.trees: list[str] = []
        self.files: dict[str, str] = {}
        self.errors: list[FileError] = []
        self.skipped: dict[str, str] = {}
        # Real paths of folders already walked: each folder is read once, however it is reached.
        self.walked: set[str] = set()
        self.linked_dirs: list[str] = []
        self.root_prefix = os.path.join(os.path.abspath(settings.root), "")

    def result(self) -> Discovered:
        while self.linked_dirs:
            self._follow_link(self.linked_dirs.pop(0))
        found = Discovered(errors=sorted(self.errors, key=lambda error: error.path),
                           skipped=sorted(self.skipped.items()))
        for path in sorted(self.files):
            (found.python if self.files[path] == "python" else found.scripts).append(path)
        return found

    def add_root(self, path: str) -> None:
        if not os.path.isdir(path):
            if self.force_exclude and (self._excluded(path) or self._hidden(path)):
                return
            # Named explicitly: checked whatever the excludes say, if it is a file at all.
            is_script = path.lower().endswith(SCRIPT_SUFFIXES)
            self._add_file(path, "script" if is_script else "python", named=True)
            return
        listed = _git_files(path)
        if listed is None:
            self._walk(path, os.path.realpath(path))
        else:
            self._add_listed(path, listed)

    def _add_listed(self, root: str, listed: Iterable[str]) -> None:
        real_root = os.path.realpath(root)
        for name in listed:
            folder = os.path.dirname(name.rstrip("/"))
            self.walked.add(os.path.normpath(os.path.join(real_root, folder)))
        for name in listed:
            path = os.path.join(root, name.rstrip("/"))
            kind = kind_of(name)
            if in_hidden_folder(name, is_dir=kind is None):
                continue
            if kind is not None:
                self._add_listed_file(path, kind)
            elif is_minified_name(name):
                self._excluded(path)  # never checked; counted when vendored
            elif (name.endswith("/") or os.path.isdir(path)) and not self._excluded(path):
                # A nested repository ("sub/") or a symlink to a folder; git does not enter them.
                self._add_dir_entry(path, os.path.islink(path))

    def _add_listed_file(self, path: str, kind: str) -> None:
        if self._excluded(path):
            return
        if os.path.islink(path):
            self._add_linked_file(path, kind)
        elif os.path.lexists(path):  # git lists files deleted since they were staged
            self._add_file(path, kind)

    def _add_file(self, path: str, kind: str, named: bool = False) -> None:
        problem = problem_of(path)
        if problem is not None and problem.startswith("skipped:"):
            self.errors.append(FileError(path, problem))
        elif named and not self.force_exclude:
            self.files[path] = kind  # named explicitly: checked even if generated
        else:  # a regular file, or one the reader will report (no permission)
            self._add_found(path, kind)

    def _add_found(self, path: str, kind: str) -> None:
        """A file to check, unless it is generated or minified (set aside with the reason)."""
        if self.settings.exclude_generated:
            reason = generated_reason(path, self.settings.generated_markers, kind == "script")
            if reason is not None:
                self.skipped[path] = generated(reason)
                return
        self.files[path] = kind

    def _add_linked_file(self, path: str, kind: str | None) -> None:
        """A symlink found in a walk: followed if it stays in the checked tree."""
        problem = problem_of(path)
        if problem == "skipped: symlink loop" or (problem is not None and kind is not None):
            self.errors.append(FileError(path, problem))
        elif kind is not None and problem is None and not self._may_follow(path):
            self.errors.append(FileError(path, self._outside_message(path)))
        elif kind is not None:
            self._add_found(path, kind)

    def _walk(self, directory: str, real: str) -> None:
        self.walked.add(real)
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            self.errors.append(FileError(directory, f"skipped: cannot read this folder: "
                                                    f"{error.strerror or error}"))
            return
        for entry in entries:
            self._walk_entry(entry, real)

    def _walk_entry(self, entry: os.DirEntry[str], parent_real: str) -> None:
        try:
            is_link = entry.is_symlink()
            is_dir = not is_link and entry.is_dir()
        except OSError:
            return
        if is_link:
            is_dir = os.path.isdir(entry.path)  # False for a loop or a dangling link
        if (is_dir and is_hidden(entry.name)) or self._excluded(entry.path, is_dir and not is_link):
            return
        if is_dir and is_link:
            self.linked_dirs.append(entry.path)
        elif is_dir:
            real = os.path.join(parent_real, entry.name)
            if real not in self.walked:
                self._walk(entry.path, real)
        elif is_link:
            self._add_linked_file(entry.path, kind_of(entry.name))
        else:
            self._add_walked_file(entry)

    def _add_walked_file(self, entry: os.DirEntry[str]) -> None:
        kind = kind_of(entry.name)
        if kind is None:
            return
        try:
            regular = entry.is_file(follow_symlinks=False)  # from the folder listing: no stat
        except OSError:
            regular = False
        if regular:
            self._add_found(entry.path, kind)
        else:
            self._add_file(entry.path, kind)

    def _add_dir_entry(self, path: str, is_link: bool) -> None:
        if is_link:
            self.linked_dirs.append(path)
        elif os.path.realpath(path) not in self.walked:
            self.add_root(path)

    def _follow_link(self, link: str) -> None:
        """Walk a symlinked folder once; a link back to one of its own ancestors is a loop."""
        target = os.path.realpath(link)
        home = os.path.realpath(os.path.dirname(link))
        if home == target or home.startswith(target.rstrip(os.sep) + os.sep):
            self.errors.append(FileError(link, f"skipped: symlink loop back to {target}"))
        elif not self._may_follow(link):
            self.errors.append(FileError(link, self._outside_message(link)))
        elif target not in self.walked:
            self._walk(link, target)

    def _may_follow(self, link: str) -> bool:
        if self.follow_symlinks:
            return True
        target = os.path.realpath(link)
        return any(target == tree or target.startswith(os.path.join(tree, ""))
                   for tree in self.trees)

    @staticmethod
    def _outside_message(link: str) -> str:
        return (f"skipped: symlink to {os.path.realpath(link)}, outside the checked folders; "
                "not followed (--follow-symlinks follows it)")

    def _excluded(self, path: str, walk_dir: bool = False) -> bool:
        """Excluded by the settings; a vendored file (or the files of a vendored folder about
        to be walked) is set aside with the reason."""
        relative = self._relative(path)
        if not self.settings.is_excluded(relative):
            return False
        reason = vendored_reason(self.settings, relative)
        if reason is not None and walk_dir:
            self.skipped.update((below, reason) for below in files_below(path, _counted))
        elif reason is not None and _counted(path):
            self.skipped[path] = reason
        return True

    def _hidden(self, path: str) -> bool:
        return in_hidden_folder(self._relative(path))

    def _relative(self, path: str) -> str:
        # The common case without abspath/relpath, which cost more than the pattern matching.
        if os.sep == "/" and path.startswith(self.root_prefix):
            return path[len(self.root_prefix):]
        return self.settings.relative(path)


def _git_files(directory: str) -> list[str] | None:
    """Files git would not ignore under `directory`, relative to it; None outside a work tree."""
    try:
        output = run_git(directory, ["ls-files", "--cached", "--others", "--exclude-standard",
                                     "-z"])
    except GitError:
        return None
    names = output.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})
