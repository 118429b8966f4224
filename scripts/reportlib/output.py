"""Atomic output directory: the report is built in a temporary directory next to DIR and
renamed into place only when complete. An existing DIR is replaced only on success; on
any failure (or Ctrl-C) the temporary directory is removed and DIR is untouched."""
import contextlib
import os
import shutil
import tempfile

from .errors import ReportInputError

# Set by report.py's SIGINT/SIGTERM handler. The handler also raises KeyboardInterrupt, but
# Python drops exceptions raised while a finalizer runs, so the flag is checked again right
# before the rename: an interrupted report is never put in place.
interrupted = False


def check_target(out):
    """Refuse an unusable output path before any work is done."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise ReportInputError(out, "output path exists and is not a directory")
    parent = os.path.dirname(out)
    existing = parent
    while existing and not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ReportInputError(out, f"cannot create the output directory: {existing} is not a "
                                    f"directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ReportInputError(out, f"cannot write the output directory: {existing} is not "
                                    f"writable")
    return out


@contextlib.contextmanager
def atomic_dir(out):
    """Yields a temporary directory; on normal exit it becomes `out`."""
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
        raise ReportInputError(out, f"cannot create the output directory: {e.strerror or e}")
    try:
        yield tmp
        if interrupted:
            raise KeyboardInterrupt
        os.chmod(tmp, 0o755)
        old = None
        if os.path.isdir(out):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.old-", dir=parent)
            os.rename(out, os.path.join(old, "report"))
        try:
            os.rename(tmp, out)
        except OSError:
            if old:                              # put the previous report back
                os.rename(os.path.join(old, "report"), out)
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
