"""Reading callgrind's output for counts mode (scripts/bench --counts).

A bench binary run with --counts under
  valgrind --tool=callgrind --cache-sim=yes --collect-atstart=no
dumps one part per measured phase (workloads/counts.h). Each part is a file in callgrind's
format: a header with "part: N", "desc:" lines (among them the simulated cache geometry,
"desc: I1 cache: 32768 B, 64 B, 8-way associative", and the trigger,
"desc: Trigger: Client Request: arena-counts <prefix>|<unit>|<n>"), the "events:" line
naming the columns (Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw), a "summary:" line, the cost
lines and "totals:" at the end. The counts are the totals, the sum of the cost lines.
(callgrind 3.19's summary can differ from them by the dozen instructions of the client
request that ends the phase, and after a zeroing it can even wrap below zero, so it is
not used.) Parts of other triggers (the dump at program termination, empty since
collection is off there) are ignored.

A phase becomes three counters, each an exact count divided by the exact n:
  <prefix>instructions_per_<unit>   Ir
  <prefix>d1_misses_per_<unit>      D1mr + D1mw  (simulated level-1 data cache)
  <prefix>ll_misses_per_<unit>      DLmr + DLmw  (simulated last-level cache, data)
Every problem raises InputError naming the file and what is wrong.
"""
import os
import re

from .errors import InputError

TRIGGER = "Client Request: arena-counts "
NEEDED_EVENTS = ("Ir", "D1mr", "D1mw", "DLmr", "DLmw")
CACHES = ("I1", "D1", "LL")
_CACHE = re.compile(r"^desc:\s*(I1|D1|LL) cache:\s*(.+?)\s*$")
_PHASE = re.compile(r"^([a-z0-9_]*)\|([a-z][a-z0-9_]*)\|(\d+)$")


class Part:
    """One dump part: its number, trigger, cache geometry ({"I1": text, ...}) and totals
    ({event: int})."""

    def __init__(self, path, number, trigger, cache, totals):
        self.path, self.number, self.trigger, self.cache, self.totals = (
            path, number, trigger, cache, totals)

    def phase(self):
        """(prefix, unit, n) of an arena-counts part, None for any other trigger."""
        if not self.trigger.startswith(TRIGGER):
            return None
        text = self.trigger[len(TRIGGER):].strip()
        m = _PHASE.match(text)
        if not m:
            raise InputError(self.path, f"part {self.number}: malformed phase description "
                                        f"{text!r} (expected '<prefix>|<unit>|<n>')")
        return m.group(1), m.group(2), int(m.group(3))


def _numbers(path, lineno, key, text, events):
    fields = text.split()
    if len(fields) > len(events):
        raise InputError(path, f"line {lineno}: '{key}:' has {len(fields)} values for "
                               f"{len(events)} events")
    try:
        values = [int(f) for f in fields]
    except ValueError:
        raise InputError(path, f"line {lineno}: '{key}:' holds a value that is not an "
                               f"integer: {text.strip()!r:.60}") from None
    values += [0] * (len(events) - len(values))   # callgrind leaves out trailing zeros
    return dict(zip(events, values))


def parse_part(path):
    """One callgrind output file -> Part. Raises InputError for a file that is not
    callgrind's output or lacks its events or totals."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if not lines or not (lines[0].startswith("# callgrind format") or
                         any(line.startswith("creator: callgrind") for line in lines[:5])):
        raise InputError(path, "not callgrind output (no '# callgrind format' header)")
    number, trigger, events = None, None, None
    cache, totals = {}, None
    for i, line in enumerate(lines, 1):
        if line.startswith("part:"):
            try:
                number = int(line.split(":", 1)[1])
            except ValueError:
                raise InputError(path, f"line {i}: bad 'part:' line {line!r:.60}") from None
        elif line.startswith("desc: Trigger:"):
            trigger = line.split(":", 2)[2].strip()
        elif line.startswith("desc:"):
            m = _CACHE.match(line)
            if m:
                cache[m.group(1)] = m.group(2)
        elif line.startswith("events:"):
            events = line.split(":", 1)[1].split()
        elif line.startswith("totals:"):
            if events is None:
                raise InputError(path, f"line {i}: 'totals:' before the 'events:' line")
            totals = _numbers(path, i, "totals", line.split(":", 1)[1], events)
    if events is None:
        raise InputError(path, "no 'events:' line")
    missing = [e for e in NEEDED_EVENTS if e not in events]
    if missing:
        raise InputError(path, f"events lack {', '.join(missing)} (events: {' '.join(events)}): "
                               f"run callgrind with --cache-sim=yes")
    if totals is None:
        raise InputError(path, "no 'totals:' line: the dump is cut short")
    if trigger is None:
        raise InputError(path, "no 'desc: Trigger:' line")
    return Part(str(path), number if number is not None else 0, trigger, cache, totals)


def dump_files(out_file):
    """The files of one callgrind run given --callgrind-out-file=out_file: out_file itself
    and out_file.<N> (one per dump), in part order."""
    directory, base = os.path.split(out_file)
    found = []
    for name in os.listdir(directory or "."):
        if name == base:
            found.append((0, name))
        elif name.startswith(base + ".") and name[len(base) + 1:].isdigit():
            found.append((int(name[len(base) + 1:]), name))
    return [os.path.join(directory, name) for _, name in sorted(found)]


def phase_counters(parts, where):
    """{counter: value} of the arena-counts parts (see the module's docstring). where names
    the benchmark in errors."""
    counters, seen = {}, {}
    for part in parts:
        phase = part.phase()
        if phase is None:
            continue
        prefix, unit, n = phase
        if (prefix, unit) in seen:
            raise InputError(part.path, f"{where}: phase '{prefix}|{unit}' counted twice "
                                        f"(also in {seen[(prefix, unit)]})")
        seen[(prefix, unit)] = part.path
        if n == 0:
            raise InputError(part.path, f"{where}: phase '{prefix}|{unit}' has n = 0: "
                                        f"nothing to divide by")
        t = part.totals
        counters[f"{prefix}instructions_per_{unit}"] = t["Ir"] / n
        counters[f"{prefix}d1_misses_per_{unit}"] = (t["D1mr"] + t["D1mw"]) / n
        counters[f"{prefix}ll_misses_per_{unit}"] = (t["DLmr"] + t["DLmw"]) / n
    return counters


def geometry(parts, where):
    """The simulated caches ({"I1": "32768 B, 64 B, 8-way associative", "D1": ..., "LL": ...})
    the parts agree on; InputError when one lacks them or they differ."""
    found = None
    for part in parts:
        if sorted(part.cache) != sorted(CACHES):
            raise InputError(part.path, f"{where}: no cache geometry ('desc: I1/D1/LL cache:' "
                                        f"lines): run callgrind with --cache-sim=yes")
        if found is None:
            found = part.cache
        elif part.cache != found:
            raise InputError(part.path, f"{where}: cache geometry {part.cache} differs from "
                                        f"{found} in the same run")
    return found or {}


def read_run(out_file, where, phases=("|alloc", "|release")):
    """(counters, cache geometry) of one benchmark's callgrind run. phases: the phases that
    must be present, as '<prefix>|<unit>'."""
    files = dump_files(out_file)
    if not files:
        raise InputError(out_file, f"{where}: callgrind wrote no output")
    parts = [parse_part(f) for f in files]
    counters = phase_counters(parts, where)
    present = {"%s|%s" % p.phase()[:2] for p in parts if p.phase() is not None}
    missing = [p for p in phases if p not in present]
    if missing:
        raise InputError(out_file, f"{where}: no arena-counts part for {', '.join(missing)} "
                                   f"(was the binary run with --counts?)")
    return counters, geometry(parts, where)
