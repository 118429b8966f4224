"""Running a program linked with libarena under ARENA_STATS (and ARENA_CAPACITY), and
reading what it wrote: one process per run, its wall time, peak RSS and page faults
(os.wait4), and the library's per-creation-site statistics (the arena-stats JSON, version
1, documented with the library's ARENA_STATS).

The program's own failure (exit status, signal) is never hidden: ProgramFailed."""
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass

from ..errors import Failure

STATS_FORMAT = "arena-stats"
STATS_VERSION = 1
ENV_VARS = ("ARENA_STATS", "ARENA_CAPACITY", "ARENA_CAPACITY_CHILDREN")
# The site fields the tuner reads (the library writes more).
SITE_FIELDS = {"site": str, "object": str, "offset": str, "kind": str, "arenas": int,
               "upstream_allocations": int, "committed_bytes": int, "abandoned_bytes": int,
               "peak_used_since_reset": int, "suggested_initial_capacity": int,
               "upstream_allocations_avoided": int, "capacity_used": int}


class ProgramFailed(Failure):
    """The program exited with a non-zero status or was killed (exit status 1)."""


@dataclass
class Run:
    wall_ns: int
    maxrss_bytes: int
    page_faults: int
    stats: dict               # the arena-stats document of the program's own process
    other_processes: int      # children that wrote statistics too (not used)


def describe_status(code):
    """Popen-style return code -> words."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown signal"
        return f"was killed by signal {-code} ({name})"
    return f"exited with status {code}"


def environment(capacity=None, children=False, stats_path=None):
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    if stats_path is not None:
        env["ARENA_STATS"] = stats_path
    if capacity is not None:
        env["ARENA_CAPACITY"] = capacity
    if children:
        env["ARENA_CAPACITY_CHILDREN"] = "1"
    return env


def check_stats(doc, where):
    """Validates an arena-stats document (Failure naming `where` if it is not one)."""
    def bad(why):
        return Failure(f"{where}: not arena statistics this tuner reads ({why})")
    if not isinstance(doc, dict) or doc.get("format") != STATS_FORMAT:
        raise bad(f'"format" is not "{STATS_FORMAT}"')
    if doc.get("version") != STATS_VERSION:
        raise bad(f"version {doc.get('version')!r}, expected {STATS_VERSION}")
    sites = doc.get("sites")
    if not isinstance(sites, list):
        raise bad('no "sites" list')
    for i, s in enumerate(sites):
        for k, t in SITE_FIELDS.items():
            if not isinstance(s, dict) or not isinstance(s.get(k), t) or isinstance(s.get(k), bool):
                raise bad(f"site {i}: {k!r} missing or not {t.__name__}")
    return doc


def load_stats(path):
    import json
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise Failure(f"cannot read the arena statistics {path}: {e}") from None
    return check_stats(doc, path)


GNU_TIME = "/usr/bin/time"
_gnu_time = None


def gnu_time():
    """GNU time's path if it is there and takes -f/-o, else None. Peak RSS is read from
    it: a process forked from the tuner starts with the tuner's own peak RSS (Linux keeps
    the high-water mark across exec), which would hide a program smaller than the tuner;
    GNU time is small, and reports its child's figures alone."""
    global _gnu_time
    if _gnu_time is None:
        ok = False
        if os.access(GNU_TIME, os.X_OK):
            try:
                ok = subprocess.run([GNU_TIME, "-f", "%M", "-o", os.devnull, "true"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    timeout=30).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        _gnu_time = GNU_TIME if ok else ""
    return _gnu_time or None


def _timed(path):
    """(exit code as Popen gives it, peak RSS KiB, page faults) from GNU time's -o file
    written with -f '%x %M %R %F', or None."""
    try:
        with open(path) as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return None
    if not lines:
        return None
    try:
        x, rss, minor, major = (int(v) for v in lines[-1].split())
    except ValueError:
        return None
    for line in lines[:-1]:
        if line.startswith("Command terminated by signal "):
            x = -int(line.rsplit(" ", 1)[1])
    return x, rss, minor + major


def _pid_max():
    try:
        with open("/proc/sys/kernel/pid_max") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 1 << 22


def run_once(cmd, capacity=None, children=False, what="the program"):
    """Runs cmd once with ARENA_STATS set (and ARENA_CAPACITY=capacity); returns a Run.
    The program's stdout and stderr are kept aside (the tail of stderr is shown when it
    fails)."""
    with tempfile.TemporaryDirectory(prefix="arena-tune-run-") as tmp:
        pattern = os.path.join(tmp, "stats-%p.json")
        timed = os.path.join(tmp, "time")
        wrapper = gnu_time()
        full = ([wrapper, "-f", "%x %M %R %F", "-o", timed] if wrapper else []) + list(cmd)
        with open(os.path.join(tmp, "stdout"), "wb") as out, \
                open(os.path.join(tmp, "stderr"), "wb+") as err:
            start = time.perf_counter_ns()
            try:
                p = subprocess.Popen(full, env=environment(capacity, children, pattern),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            except OSError as e:
                raise Failure(f"cannot run {cmd[0]}: {e.strerror or e}", 2) from None
            _, status, usage = os.wait4(p.pid, 0)
            wall = time.perf_counter_ns() - start
            p.returncode = code = os.waitstatus_to_exitcode(status)
            maxrss_kib, faults = usage.ru_maxrss, usage.ru_minflt + usage.ru_majflt
            got = _timed(timed) if wrapper else None
            if got is not None:
                code, maxrss_kib, faults = got
            if code != 0:
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-8:]
                raise ProgramFailed(f"{' '.join(cmd)} {describe_status(code)}"
                                    + (f" ({what})" if capacity else "")
                                    + (":\n  " + "\n  ".join(tail) if tail else ""))
        # The program's own file: its pid is the wrapper's (GNU time's) or the first one
        # after it; processes the program forks come later (modulo pid wrap-around).
        written = {}
        for f in os.listdir(tmp):
            if f.startswith("stats-") and f.endswith(".json") and f[6:-5].isdigit():
                written[int(f[6:-5])] = os.path.join(tmp, f)
        if not written:
            raise Failure(f"{' '.join(cmd)} wrote no arena statistics (ARENA_STATS): does it "
                          f"link libarena and create an arena?")
        own = written[min(written, key=lambda pid: (pid - p.pid) % _pid_max())]
        others = len(written) - 1
        doc = load_stats(own)
    return Run(wall, maxrss_kib * 1024, faults, doc, others)


# ---- symbolisation ----------------------------------------------------------------------------

def _load_base(path):
    """The address an object's offsets (return address - dli_fbase) are relative to, as
    addr2line wants them: 0 for a shared object or PIE, the first PT_LOAD page of a
    fixed-address executable (ET_EXEC)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 52 or head[:4] != b"\x7fELF":
                return None
            end = "<" if head[5] == 1 else ">"
            is64 = head[4] == 2
            (e_type,) = struct.unpack_from(end + "H", head, 16)
            if e_type != 2:                       # ET_DYN (PIE, .so): offsets are addresses
                return 0
            if is64:
                phoff, = struct.unpack_from(end + "Q", head, 32)
                phentsize, phnum = struct.unpack_from(end + "HH", head, 54)
            else:
                phoff, = struct.unpack_from(end + "I", head, 28)
                phentsize, phnum = struct.unpack_from(end + "HH", head, 42)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
    except OSError:
        return None
    vaddrs = []
    for i in range(phnum):
        ph = table[i * phentsize:(i + 1) * phentsize]
        if len(ph) < 16:
            break
        p_type, = struct.unpack_from(end + "I", ph, 0)
        vaddr, = struct.unpack_from(end + ("Q" if is64 else "I"), ph, 16 if is64 else 8)
        if p_type == 1:
            vaddrs.append(vaddr)
    return (min(vaddrs) & ~0xFFF) if vaddrs else 0


def source_line(obj, offset, vaddr=None):
    """(file:line, function) of a call site with addr2line (binutils), or None when the
    object has no debug information (or addr2line is missing). vaddr: the return address
    as linked (the library writes it); else offset (the return address minus the
    object's load base) is turned into it here. The call is at that address - 1."""
    if not shutil.which("addr2line") or not os.path.isfile(obj):
        return None
    try:
        if vaddr:
            addr = int(vaddr, 16) - 1
        else:
            base = _load_base(obj)
            if base is None:
                return None
            addr = int(offset, 16) + base - 1
    except ValueError:
        return None
    if addr < 0:
        return None
    try:
        r = subprocess.run(["addr2line", "-f", "-C", "-e", obj, hex(addr)], capture_output=True,
                           text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = r.stdout.splitlines()
    if r.returncode != 0 or len(lines) < 2:
        return None
    loc = lines[1].split(" (discriminator")[0].strip()
    if loc.startswith("??") or loc.endswith(":0") or loc.endswith(":?"):
        return None
    path, _, line = loc.rpartition(":")
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    return f"{path}:{line}", lines[0]


# ---- ARENA_CAPACITY ---------------------------------------------------------------------------

def size_text(n):
    """Bytes as ARENA_CAPACITY reads them (K/M/G: powers of 1024), exact."""
    for suffix, unit in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def capacity_name(site):
    """The name ARENA_CAPACITY matches the site by: its symbolised name, or
    object+offset (the object's basename) when it has none or the name would not
    survive the variable's syntax."""
    name = site["site"]
    if "+0x" in name or any(c in name for c in ",= \t") or not name:
        return f"{os.path.basename(site['object'])}+{site['offset']}"
    return name


def site_key(site):
    """Identifies a site across runs (the address is the same every run of one build)."""
    return (site["object"], site["offset"])
