"""Writing results so that a reader never sees half of them (every tool writes through
here): a file written beside its target, flushed to disk and renamed over it, and a
directory built beside its target and renamed into place. On any failure (or Ctrl-C) the
temporary file or directory is removed and the target is left as it was."""
import contextlib
import json
import os
import shutil
import tempfile

from .errors import InputError

# Set by a tool's SIGINT/SIGTERM handler. The handler also raises KeyboardInterrupt, but
# Python drops exceptions raised while a finalizer runs, so the flag is checked again right
# before the rename: an interrupted directory is never put in place.
interrupted = False

# mkstemp creates files readable by their owner only; a written result gets the mode any
# new file of this process would get (0666 less the umask).
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path, write, binary=False):
    """Calls write(f) on a temporary file beside path (text, or bytes when binary), flushes
    it to disk, then renames it over path: readers see the old file or the new one, never a
    partial one. On any failure (or Ctrl-C) the temporary file is removed and path is left
    as it was."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path, document):
    """The JSON of document (indented), written atomically (write_atomic)."""
    def write(f):
        json.dump(document, f, indent=1)
        f.write("\n")
    write_atomic(path, write)


def write_text_atomic(path, text):
    write_atomic(path, lambda f: f.write(text))


def check_target(out):
    """Refuses an unusable output directory before any work is done (InputError)."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(out, "output path exists and is not a directory")
    parent = os.path.dirname(out)
    existing = parent
    while existing and not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise InputError(out, f"cannot create the output directory: {existing} is not a "
                              f"directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(out, f"cannot write the output directory: {existing} is not "
                              f"writable")
    return out


@contextlib.contextmanager
def atomic_dir(out):
    """Yields a temporary directory beside `out`; on normal exit it becomes `out` (an
    existing `out` is replaced only then)."""
    out = check_target(out)
    parent = os.path.dirname(out)
    created = []
    p = parent
    while not os.path.exists(p):
        created.append(p)
        p = os.path.dirname(p)
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.tmp-", dir=parent)
    except OSError as e:
        raise InputError(out, f"cannot create the output directory: {e.strerror or e}")
    try:
        yield tmp
        if interrupted:
            raise KeyboardInterrupt
        os.chmod(tmp, 0o755)
        old = None
        if os.path.isdir(out):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.old-", dir=parent)
            os.rename(out, os.path.join(old, "previous"))
        try:
            os.rename(tmp, out)
        except OSError:
            if old:                              # put the previous directory back
                os.rename(os.path.join(old, "previous"), out)
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for d in created:                       # parents we made, innermost first
            with contextlib.suppress(OSError):
                os.rmdir(d)
        raise
