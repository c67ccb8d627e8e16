"""Writing files atomically: a temporary file beside the target, renamed into place.

A reader never sees a half-written file under the final name, and a failed
or killed writer leaves the previous file (or none) there.

Temporary files and folders carry their owner's process id in their name
(``.NAME.dedup-PID-XXXXXXXX.tmp``, with ``.gz`` or ``.zst`` after it for a
compressed output, and ``dedup-PID-XXXXXXXX``: ``XXXXXXXX`` is the 8
random characters ``tempfile`` picks) and the owner holds a lock
(``flock``) on them while it lives; a work folder also holds a marker file
(:data:`LOCK`) that names its process. A run killed with ``kill -9``
cannot remove its own; the next run that writes the same output (or uses
the same work folder) removes those whose owner is gone: the process id is
not alive and the lock is free (:func:`reclaim`). Nothing else is ever
removed: not a file or folder of another name, nor a folder without the
marker.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no reclaiming
    fcntl = None  # type: ignore[assignment]

_held: dict[str, int] = {}  # temporary path -> the open descriptor holding its lock
_RANDOM = "[a-z0-9_]{8}"  # the random part of a name tempfile makes (mkstemp, mkdtemp)
_FOLDER = re.compile(rf"dedup-(\d+)-{_RANDOM}")
LOCK = ".dedup-work"  # the marker and lock file inside a work folder
_MAGIC = "dedup work folder, process "  # the marker's text, then the process id and a line break


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _lock(fd: int) -> bool:
    """Take the exclusive lock of ``fd`` without waiting; False if another process holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _dead_owner(path: Path, pid: int) -> bool:
    """True when the owner ``pid`` of ``path`` (a regular file, not a
    symbolic link) is gone: not alive, and the file's lock free."""
    if fcntl is None or _alive(pid):  # pragma: no cover - platform
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd)
    finally:
        os.close(fd)


def _marked(folder: Path, pid: int) -> bool:
    """Whether ``folder`` holds the marker :func:`work_folder` writes, naming ``pid``."""
    try:
        fd = os.open(folder / LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, 100) == f"{_MAGIC}{pid}\n".encode()
    finally:
        os.close(fd)


def _is(path: Path, kind: int) -> bool:
    """Whether ``path`` itself (a symbolic link not followed) is of ``kind``
    (``stat.S_IFREG``, ``stat.S_IFDIR``)."""
    try:
        return stat.S_IFMT(os.lstat(path).st_mode) == kind
    except OSError:
        return False


def reclaim(folder: str | os.PathLike, output: str | None = None, suffix: str = "") -> list[Path]:
    """Remove from ``folder`` what dead runs left (killed with ``kill -9``,
    say): with ``output`` (a file name), the temporary files that
    :func:`temp_beside` made for that output with ``suffix``
    (``.OUTPUT.dedup-PID-XXXXXXXX.tmpSUFFIX``); without it, the work folders
    that :func:`work_folder` made (``dedup-PID-XXXXXXXX`` holding a marker
    that names the same process). Only those whose process is not alive and
    whose lock is free go; nothing of any other name, and no folder without
    its marker. Returns what was removed. Never raises: what cannot be
    checked stays."""
    removed: list[Path] = []
    if output is not None:
        pattern = re.compile(rf"\.{re.escape(output)}\.dedup-(\d+)-{_RANDOM}\.tmp{re.escape(suffix)}")
    else:
        pattern = _FOLDER
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m is None:
            continue
        path = Path(folder) / name
        pid = int(m.group(1))
        try:
            if output is not None:
                if _is(path, stat.S_IFREG) and str(path) not in _held and _dead_owner(path, pid):
                    path.unlink()
                    removed.append(path)
            elif _is(path, stat.S_IFDIR) and _marked(path, pid) and _dead_owner(path / LOCK, pid):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            continue
    return removed


def temp_beside(path: Path, suffix: str = "") -> Path:
    """A new empty file ``.NAME.dedup-PID-XXXXXXXX.tmpSUFFIX`` in ``path``'s
    folder, with ordinary permissions (mkstemp makes files private; outputs
    should not be), locked by this process until :func:`discard`. Dead
    runs' temporary files for the same ``path`` are removed first
    (:func:`reclaim`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    reclaim(path.parent, path.name, suffix)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.dedup-{os.getpid()}-", suffix=f".tmp{suffix}")
    _lock(fd)
    _held[tmp] = fd
    try:
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        discard(Path(tmp))
        raise
    return Path(tmp)


def discard(tmp: Path) -> None:
    """Remove ``tmp`` if it is still there (renamed into place: nothing to
    remove) and release its lock."""
    try:
        tmp.unlink(missing_ok=True)
    finally:
        fd = _held.pop(str(tmp), None)
        if fd is not None:
            os.close(fd)


def work_folder(workdir: str | os.PathLike | None = None) -> Path:
    """A new private folder ``dedup-PID-XXXXXXXX`` under ``workdir``
    (default: the system's temporary folder), holding the marker file
    :data:`LOCK` (naming this process), which this process keeps locked
    until :func:`remove_work_folder`. Dead runs' work folders there are
    removed first."""
    parent = Path(workdir) if workdir is not None else Path(tempfile.gettempdir())
    reclaim(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"dedup-{os.getpid()}-", dir=parent))
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _lock(fd)
    _held[str(folder / LOCK)] = fd
    try:
        os.write(fd, f"{_MAGIC}{os.getpid()}\n".encode())
    except BaseException:
        remove_work_folder(folder)
        raise
    return folder


def remove_work_folder(folder: Path) -> None:
    """Remove a folder made by :func:`work_folder`, and release its lock."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        fd = _held.pop(str(folder / LOCK), None)
        if fd is not None:
            os.close(fd)


@contextlib.contextmanager
def replacing(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``path`` if the block
    succeeds, remove it if not."""
    path = Path(path)
    tmp = temp_beside(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        discard(tmp)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file: the same file on disk (hard or
    symbolic links too), or the same path once symbolic links are resolved."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:  # one of them does not exist (yet)
        pass
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
