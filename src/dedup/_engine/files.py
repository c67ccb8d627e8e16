"""Writing files atomically: a temporary file beside the target, renamed into place.

A reader never sees a half-written file under the final name, and a failed
or killed writer leaves the previous file (or none) there.

Temporary files and folders carry their owner's process id in their name
(``.NAME.dedup-PID-XXXX.tmp``, ``dedup-PID-XXXX``) and the owner holds a
lock (``flock``) on them while it lives. A run killed with ``kill -9``
cannot remove its own; the next run that writes in the same folder (or
uses the same work folder) removes those whose owner is gone: the process
id is not alive and the lock is free (:func:`reclaim`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no reclaiming
    fcntl = None  # type: ignore[assignment]

_held: dict[str, int] = {}  # temporary path -> the open descriptor holding its lock
_TEMP = re.compile(r"^\..+\.dedup-(\d+)-[^/]*\.tmp[^/]*$")
_FOLDER = re.compile(r"^dedup-(\d+)-[^/]+$")
LOCK = ".lock"  # the lock file inside a work folder


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
    """True when the owner ``pid`` of ``path`` (a file) is gone: not alive, and its lock free."""
    if fcntl is None or _alive(pid):  # pragma: no cover - platform
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return _lock(fd)
    finally:
        os.close(fd)


def _dead_folder(folder: Path, pid: int) -> bool:
    """A work folder's owner is gone: its lock file's lock is free, or (killed
    before making it) there is none, and the process id is not alive."""
    if (folder / LOCK).is_file():
        return _dead_owner(folder / LOCK, pid)
    return fcntl is not None and not _alive(pid)


def reclaim(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files (``.NAME.dedup-PID-*.tmp*``) and work
    folders (``dedup-PID-*``) in ``folder`` that a
    process no longer alive left behind (killed with ``kill -9``, say).
    Returns what was removed. Never raises: what cannot be checked stays."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        path = Path(folder) / name
        m = _TEMP.match(name)
        try:
            if m and path.is_file() and str(path) not in _held and _dead_owner(path, int(m.group(1))):
                path.unlink()
                removed.append(path)
                continue
            m = _FOLDER.match(name)
            if m and path.is_dir() and _dead_folder(path, int(m.group(1))):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            continue
    return removed


def temp_beside(path: Path, suffix: str = "") -> Path:
    """A new empty file in ``path``'s folder, with ordinary permissions
    (mkstemp makes files private; outputs should not be), locked by this
    process until :func:`discard`. Leftovers of dead runs in that folder are
    removed first (:func:`reclaim`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    reclaim(path.parent)
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
    """A new private folder ``dedup-PID-XXXX`` under ``workdir`` (default:
    the system's temporary folder), holding a lock file this process keeps
    locked until :func:`remove_work_folder`. Dead runs' folders there are
    removed first."""
    parent = Path(workdir) if workdir is not None else Path(tempfile.gettempdir())
    reclaim(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"dedup-{os.getpid()}-", dir=parent))
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _lock(fd)
    _held[str(folder / LOCK)] = fd
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
