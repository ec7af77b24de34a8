"""Files that lose nothing: atomic writes, output paths checked before a long run, and .npz
reading whose every failure is one line naming the file.

A write goes to a temporary file in the target's own folder, is flushed to disk (fsync) and only
then renamed over the target (os.replace is atomic on one file system), so Ctrl-C, a full disk or
a killed process leaves the previous file intact and no temporary file behind. Imports numpy and
the standard library only; every module that writes or reads a user's file goes through here.
"""

import os
import secrets
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def atomic_write(path, mode="wb"):
    """Yield a file object whose content replaces path only when the block ends without error.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_write(target, "w") as f:
    ...     _ = f.write("kept")
    >>> try:
    ...     with atomic_write(target, "w") as f:
    ...         _ = f.write("half a file")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('kept', ['notes.txt'])
    """
    path = Path(path)
    fd, tmp = _temporary_beside(path)
    try:
        if path.exists():  # a replaced file keeps its permissions
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # Ctrl-C included: the half-written file must not stay behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(path.parent)


def _temporary_beside(path):
    """(fd, name) of a new file in path's folder, made as open() makes one: 0o666 less the umask
    (tempfile.mkstemp's are 0600, so every save would come out private)."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # Windows
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # another writer drew the same name: draw again
            continue
    raise FileExistsError(f"save: cannot create a temporary file beside {path}")

def _sync_folder(folder):
    """fsync the folder, so the rename itself survives a power cut (POSIX only; best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder: its rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def npz_path(path):
    """Where an .npz is written: numpy's rule, .npz added unless the name ends with it.

    >>> npz_path("net"), npz_path("net.npz")
    (PosixPath('net.npz'), PosixPath('net.npz'))
    """
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def check_output(path, what):
    """path as a Path if a file can be written there (its folder may still be missing), else an
    OSError or ValueError that names the path and the problem; creates nothing.

    Run before a long computation, so a typo fails in a second and not after an hour.
    """
    path = Path(path).expanduser()
    if path.name in ("", ".", ".."):
        raise ValueError(f"{what}: {str(path)!r} is not a file name; give one, e.g. out/model.npz")
    if path.is_dir():
        raise IsADirectoryError(f"{what}: {path} is a folder; give a file name inside it, "
                                f"e.g. {path / ('model' + (path.suffix or '.npz'))}")
    folder = path.parent
    while not folder.exists():  # the first folder that exists must be one we can write into
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(f"{what}: cannot write {path}: {folder} is a file, not a "
                                 "folder; choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"{what}: cannot write {path}: the folder {folder} is not "
                              "writable; choose a path in a folder of yours")
    return path


def save_npz(path, arrays, what):
    """Write arrays (a dict) to the .npz at path (numpy's .npz rule) atomically; return the path.

    A folder is refused as it is, not turned into folder.npz beside it."""
    path = check_output(npz_path(check_output(path, what)), what)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        np.savez(f, **arrays)
    return path


def read_npz(path, what, hint):
    """{name: array} from the .npz at path, or one error that names the file and says what to do.

    hint is the way out, e.g. "write it again with Module.save"; pickled objects are refused.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{what}: {path} is a folder, not an .npz file; {hint}")
    if not path.is_file():
        raise FileNotFoundError(f"{what}: no such file: {path}; {hint}")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            head = f.read(512).lstrip()
        if head.startswith(b"PK\x03\x04"):  # a zip's first bytes without its end: cut short
            raise ValueError(f"{what}: {path} is damaged: it starts like an .npz file but is "
                             f"truncated (an interrupted copy or download?); {hint}")
        looks = ("; it looks like an HTML page (a failed download saved under this name?)"
                 if head.startswith(b"<") else "")
        raise ValueError(f"{what}: {path} is not an .npz file (not a zip archive){looks}; {hint}")
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except ValueError as e:
        if "allow_pickle" not in str(e):
            raise ValueError(f"{what}: {path} is damaged ({e}); {hint}") from None
        raise ValueError(f"{what}: {path} holds pickled Python objects, not plain arrays; they "
                         f"are never loaded (unpickling can run any code); {hint}") from None
    except (zipfile.BadZipFile, EOFError, KeyError, OSError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ValueError(f"{what}: {path} is damaged ({type(e).__name__}: {reason}); "
                         f"{hint}") from None
