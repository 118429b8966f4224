"""Stopping a tool cleanly on Ctrl-C or SIGTERM: the handler raises KeyboardInterrupt,
which unwinds through the atomic writers (nothing half-written is left) to the tool's
"interrupted" message."""
import signal

from . import atomic


def _stop(signum, frame):
    atomic.interrupted = True      # checked again before a directory is renamed into place
    raise KeyboardInterrupt


def install():
    """SIGTERM always stops the tool. SIGINT does too, unless the tool was started with it
    ignored: a background job of a non-interactive shell (`scripts/bench &` in a script)
    is meant to be immune to Ctrl-C at the terminal, as every Unix tool keeps it; its
    child processes inherit that, and SIGTERM still stops it cleanly."""
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _stop)
