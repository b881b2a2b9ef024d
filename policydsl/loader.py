"""Read policy files and notices from disk: once each, only inside the project, only regular
files, never more than a bounded number of bytes.

Policies refer to each other (`使用`, `修订`, `遵循`) and to their notice by a path relative
to the file that names it, so a policy folder can be moved or copied whole.  Whoever opens a
pull request controls those paths, and diagnostics show the lines of the files read, so a
path may not lead out of the project:

- the *project root* of a folder is `--root` when given; otherwise the nearest folder at or
  above it holding `.git` or `pyproject.toml`; otherwise the folder named on the command
  line that holds it (for a file named there, the folder it is in);
- a file is read only if its real path (symbolic links resolved) lies inside the project
  root of the folder it is named from: the folder of the policy naming it, the folder
  searched, or — for a file named on the command line — its own folder;
- an absolute path written in a policy is refused;
- only regular files are read (never a device, pipe, socket or folder), checked on the open
  descriptor and read no further than the size limit plus one byte, so `/dev/zero` or an
  endless pipe is refused at once instead of filling memory.

A refusal is a diagnostic naming the path as written, the same whether the file exists or
not, and never shows a line of the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import attrs

from . import ast, parser
from .diagnostics import Diagnostic, SourceFile, Span

MAX_FILE_BYTES = parser.MAX_FILE_CHARS * 4  # a character takes at most 4 bytes in UTF-8
PROJECT_MARKERS = (".git", "pyproject.toml")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class ReadError(Exception):
    """Why a file cannot be read; the message names the file.  `code` is the diagnostic code:
    E001 (cannot be read) or E003 (too large)."""

    def __init__(self, message: str, code: str = "E001", hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.hint = hint


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def real_path(path: Path) -> Path:
    """The path with every symbolic link resolved; a loop is left unresolved (opening it then
    fails with ELOOP) instead of raising RuntimeError as `Path.resolve` does."""
    return Path(os.path.realpath(path))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES, shown: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or ReadError.

    The file is opened without blocking (a pipe answers at once) and checked on the open
    descriptor, so what is checked is what is read; a file larger than the limit is refused
    by its size, one that grows while read after `limit + 1` bytes.
    """
    shown = shown or display_path(path)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        reason = "it is a loop of symbolic links" if err.errno == errno.ELOOP else err.strerror
        raise ReadError(f"cannot read {shown}: {reason}") from None
    except ValueError:  # a NUL character, or a name the file system cannot encode
        raise ReadError(f"cannot read {shown}: the path is not a valid file name") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise ReadError(f"cannot read {shown}: it is {_kind(info.st_mode)}, not a regular file")
    with os.fdopen(descriptor, "rb") as file:
        size = info.st_size
        data = b"" if size > limit else file.read(limit + 1)
    if size > limit or len(data) > limit:
        raise ReadError(f"{shown} is {max(size, len(data)):,} bytes or more; policydsl reads files "
                        f"of at most {limit:,} bytes", "E003")
    return data


def read_text(path: Path, cited_at: Span | None = None,
              shown: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a diagnostic saying why it cannot be read as UTF-8 text."""
    shown = shown or display_path(path)
    span = cited_at or Span(shown, 1, 1, 1, 2)
    try:
        data = read_bytes(path, shown=shown)
    except ReadError as err:
        return None, Diagnostic(err.code, str(err), span, err.hint)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, Diagnostic("E001", f"{shown} is not UTF-8 text (byte {err.start})",
                                span, "save the file as UTF-8")
    if "\x00" in text:
        return None, Diagnostic("E001", f"{shown} contains NUL bytes: it is not text", span)
    return text, None


def find_project_root(folder: Path) -> Path | None:
    """The nearest folder, from `folder` upward, holding .git or pyproject.toml."""
    for candidate in (folder, *folder.parents):
        if any(os.path.lexists(candidate / marker) for marker in PROJECT_MARKERS):
            return candidate
    return None


def _below(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies under it, comparing the parts as written."""
    return path.parts[: len(folder.parts)] == folder.parts


class Loader:
    """Parses each policy file once; `load` returns its source, its AST and the diagnostics.

    `root` is `--root`: when given, nothing outside it is read.  `name(path)` tells the loader
    of a file or folder named on the command line (or by an editor): its folder is where the
    paths of the files below it start.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = real_path(root) if root is not None else None
        self._parsed: dict[Path, tuple[SourceFile, ast.PolicyFile | None, list[Diagnostic]]] = {}
        self._by_display: dict[str, SourceFile] = {}
        self._named: list[Path] = []  # folders named, as written (absolute)
        self._read_from: set[Path] = set()  # folders of the files read, as written (absolute)
        self._roots: dict[Path, Path | None] = {}  # real folder → its project root

    # ------------------------------------------------------------ where a file may be read
    def name(self, path: Path) -> None:
        """A file or folder the user named: paths below it are read from there."""
        absolute = path.absolute()
        self._named.append(absolute if os.path.isdir(absolute) else absolute.parent)

    def project_root(self, folder: Path) -> Path | None:
        """The project root of a (real) folder: `--root`, the nearest folder with .git or
        pyproject.toml, or the outermost named folder that holds it.  None only when none of
        these exists: a library caller that named nothing, outside any project."""
        if self.root is not None:
            return self.root
        if folder not in self._roots:
            holding = [n for n in map(real_path, self._named) if folder.is_relative_to(n)]
            self._roots[folder] = find_project_root(folder) or min(
                holding, key=lambda n: len(n.parts), default=None)
        return self._roots[folder]

    def _starts(self, path: Path) -> list[Path]:
        """The known folders `path` starts from: named ones and those of the files read so far
        (every policy is read before it names anything), else those of a subclass's sources
        (an editor's open files)."""
        starts = [folder for folder in (*self._named, *self._read_from) if _below(path, folder)]
        if starts:
            return starts
        shown = {Path(os.path.abspath(p)).parent for p in self.sources()}
        return [folder for folder in shown if _below(path, folder)]

    def admit(self, path: Path) -> Path | Diagnostic:
        """The real path to read `path` from, or a diagnostic saying why it may not be read.

        The compiler joins a written path to the folder of the policy naming it, keeping its
        `..` parts, so that folder is the longest known folder the path starts with; a path
        below no known folder was written absolute.  (The first file of a loader told of no
        folder — a library caller's — is read from its own folder.)
        """
        absolute = path.absolute()
        starts = self._starts(absolute)
        if not starts and (self._named or self._read_from or self.sources()):
            return self._refusal(path, f"{path} is an absolute path",
                                 "write the path relative to the policy that names it")
        start = max(starts, key=lambda f: len(f.parts)) if starts else absolute.parent
        real = real_path(absolute)
        root = self.project_root(real_path(start))
        if root is not None and not real.is_relative_to(root):
            written = Path(*absolute.parts[len(start.parts):])
            link = Path(os.path.normpath(absolute)).is_relative_to(root)
            return self._refusal(
                path, f"{written} {'is a link to a file' if link else 'leads'} outside the project "
                f"root {os.path.join(display_path(root), '')}",
                "a policy may name only files inside its project: the nearest folder holding "
                ".git or pyproject.toml (or the folder given with --root)")
        return real

    @staticmethod
    def _refusal(path: Path, message: str, hint: str) -> Diagnostic:
        return Diagnostic("E001", message, Span(display_path(path), 1, 1, 1, 2), hint)

    # ------------------------------------------------------------ reading
    def load(self, path: Path) -> tuple[SourceFile, ast.PolicyFile | None, list[Diagnostic]]:
        name = display_path(path)
        real = self.admit(path)
        if isinstance(real, Diagnostic):
            return SourceFile(name, ""), None, [real]
        self._read_from.add(path.absolute().parent)
        if real not in self._parsed:
            text, problem = read_text(real, shown=name)
            if problem is not None:
                self._parsed[real] = (SourceFile(name, ""), None, [problem])
            else:
                assert text is not None
                source = SourceFile(name, text)
                tree, diags = parser.parse(source)
                self._parsed[real] = (source, tree, diags)
        return self._parsed[real]

    def read_notice(self, path: Path, cited_at: Span) -> tuple[str | None, Diagnostic | None]:
        """A notice's text (a subclass may serve it from an editor's memory)."""
        real = self.admit(path)
        if isinstance(real, Diagnostic):
            return None, attrs.evolve(real, span=cited_at)
        return read_text(real, cited_at, shown=display_path(path))

    def sources(self) -> dict[str, SourceFile]:
        return {source.path: source for source, _, _ in self._parsed.values()}

    def source(self, display: str) -> SourceFile | None:
        """A loaded file by the path messages show."""
        if display not in self._by_display:
            self._by_display = self.sources()
        return self._by_display.get(display)
