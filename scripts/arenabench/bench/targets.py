"""scripts/targets: the suite's performance targets, evaluated on one results.json
(ratios within one run).

small_fixed (16..80 B): arena's ns_per_alloc against each competitor:
    speedup = competitor ns_per_alloc / arena ns_per_alloc, which must be at
    least: malloc 5, mimalloc 5, mimalloc_heap 3, boehm 10, pmr_monotonic 1.5,
    ideal_bump 0.9 (arena within 10% of the physical lower bound).
reset_cycles (warm): arena page_faults == 0 and sys_allocs_per_cycle == 0
    per cycle; arena lat_p999_ns lowest of all allocators but ideal_bump,
    whose lat_max_ns is reported as the machine's noise floor.
Arena libraries (the catalogue's role peer; "best peer" is the best of them on the
figure): ours must be the fastest on small_fixed (every size), mixed_sizes, aligned
(every alignment; ns_per_alloc) and reset_cycles (fill + reset per cycle), with the
lowest lat_p999_ns on reset_cycles, zero upstream allocations per warm cycle, the
smallest footprint_peak_bytes on reset_cycles and mixed_sizes, and the lowest
end_to_end_ns on compiler_nested and request_reset: measured = best peer / arena,
goal > 1x, the detail gives both figures and by how much.
Counts and locality (counts_targets.py): on a counts result only its own targets
(instructions per allocation on small_fixed/64 against ideal_bump and every real
allocator, D1 misses per node on locality); on a timed one also the locality time.
Values are medians over repetitions (the "_median" aggregate rows), or the
single iteration row when there are no aggregates.
"""

import argparse
import sys

from .. import atomic
from .. import catalogue as catalogue_mod
from .. import fmt
from ..errors import InputError
from ..names import split_name
from ..results import TIME_UNITS_NS, read_json
from . import counts_targets

SMALL_FIXED_SIZES = ("16", "32", "64", "80")
SPEEDUP_TARGETS = (
    ("malloc", 5.0), ("mimalloc", 5.0), ("mimalloc_heap", 3.0),
    ("boehm", 10.0), ("pmr_monotonic", 1.5), ("ideal_bump", 0.9),
)


def medians(benchmarks):
    """{run_name: row} using median aggregates where present."""
    rows = {}
    for row in benchmarks:
        if row.get("error_occurred"):
            continue
        run_name = row.get("run_name", row.get("name"))
        if row.get("run_type") == "aggregate":
            if row.get("aggregate_name") == "median":
                rows[run_name] = row
        elif run_name not in rows:
            rows[run_name] = row
    return rows


def evaluate(document):
    """Returns a list of result dicts: {"target", "measured", "goal", "status",
    "detail"}; status is "pass", "miss" or "n/a" (not measured)."""
    rows = medians(document.get("benchmarks", []))
    if counts_targets.is_counts(document):      # counts: their own targets only
        return counts_targets.counts(rows, _catalogue(document))
    out = []

    def get(name, counter):
        row = rows.get(name)
        return None if row is None else row.get(counter)

    for allocator, goal in SPEEDUP_TARGETS:
        for size in SMALL_FIXED_SIZES:
            arena = get("small_fixed/arena/" + size, "ns_per_alloc")
            other = get("small_fixed/%s/%s" % (allocator, size), "ns_per_alloc")
            target = "small_fixed/%s: arena vs %s" % (size, allocator)
            if not arena or other is None:
                out.append(_result(target, None, ">= %.1fx" % goal, "n/a", "not measured"))
                continue
            ratio = other / arena
            out.append(_result(target, ratio, ">= %.1fx" % goal,
                               "pass" if ratio >= goal else "miss",
                               "%.2f ns vs %.2f ns per allocation" % (arena, other)))

    faults = get("reset_cycles/arena", "page_faults")
    out.append(_check("reset_cycles: arena page faults per cycle", faults, "== 0", faults == 0
                      if faults is not None else None))
    sys_allocs = get("reset_cycles/arena", "sys_allocs_per_cycle")
    out.append(_check("reset_cycles: arena upstream allocations per cycle", sys_allocs, "== 0",
                      sys_allocs == 0 if sys_allocs is not None else None))

    p999 = {}
    for name, row in rows.items():
        workload, allocator, params = split_name(name)
        if workload == "reset_cycles" and not params and "lat_p999_ns" in row:
            p999[allocator] = row["lat_p999_ns"]
    arena = p999.get("arena")
    others = {a: v for a, v in p999.items() if a not in ("arena", "ideal_bump")}
    if arena is None or not others:
        out.append(_result("reset_cycles: arena lat_p999_ns lowest but ideal_bump", None, "lowest",
                           "n/a", "not measured"))
    else:
        best_other = min(others, key=others.get)
        detail = ", ".join("%s %.0f" % (a, v) for a, v in sorted(p999.items(), key=lambda kv: kv[1]))
        floor = get("reset_cycles/ideal_bump", "lat_max_ns")
        if floor is not None:
            detail += "; ideal_bump lat_max_ns (noise floor) %.0f" % floor
        out.append(_result("reset_cycles: arena lat_p999_ns lowest but ideal_bump", arena,
                           "< %s (%.0f ns)" % (best_other, others[best_other]),
                           "pass" if arena < others[best_other] else "miss", detail))
    out += arena_library_targets(rows, _catalogue(document))
    out += counts_targets.timed(rows, _catalogue(document))
    return out


def _result(target, measured, goal, status, detail):
    return {"target": target, "measured": measured, "goal": goal, "status": status, "detail": detail}


def _check(target, measured, goal, ok):
    if ok is None:
        return _result(target, None, goal, "n/a", "not measured")
    return _result(target, measured, goal, "pass" if ok else "miss", "")


# ---- ours against the other arena libraries -------------------------------------------------
# (workload, counter, what the detail calls it, unit formatter, words for lower / higher);
# one target per parameter set of the workload
_TIME, _BYTES, _LATENCY = ("faster", "slower"), ("smaller", "larger"), ("lower", "higher")
PEER_FIGURES = (
    ("small_fixed", "ns_per_alloc", "per allocation", fmt.ns, _TIME),
    ("mixed_sizes", "ns_per_alloc", "per allocation", fmt.ns, _TIME),
    ("aligned", "ns_per_alloc", "per allocation", fmt.ns, _TIME),
    ("reset_cycles", "cycle_ns", "per cycle (fill + reset)", fmt.ns, _TIME),
    ("reset_cycles", "lat_p999_ns", "p99.9", fmt.ns, _LATENCY),
    ("reset_cycles", "footprint_peak_bytes", "peak footprint", fmt.nbytes, _BYTES),
    ("mixed_sizes", "footprint_peak_bytes", "peak footprint", fmt.nbytes, _BYTES),
    ("compiler_nested", "end_to_end_ns", "end to end", fmt.ns, _TIME),
    ("request_reset", "end_to_end_ns", "end to end", fmt.ns, _TIME),
)
PEER_GOAL = "> 1.00x"


def _catalogue(document):
    """The catalogue the run recorded (context.arena_suite.catalogue), else the file's."""
    suite = (document.get("context") or {}).get("arena_suite") or {}
    if isinstance(suite, dict) and suite.get("catalogue"):
        try:
            return catalogue_mod.from_context(suite["catalogue"], "results")
        except catalogue_mod.CatalogueError:
            pass
    return catalogue_mod.load()


def _figure(row, counter):
    """A row's counter; cycle_ns is one reset_cycles cycle: the timed fill (real_time, in
    the row's time unit) plus the reset (release_ns)."""
    if row is None:
        return None
    if counter != "cycle_ns":
        return row.get(counter)
    fill, reset = row.get("real_time"), row.get("release_ns")
    unit = TIME_UNITS_NS.get(row.get("time_unit", "ns"))
    if fill is None or reset is None or unit is None:
        return None
    return fill * unit + reset


def _percent(a, b):
    """How far a is from b, relative to b: '12.5 %'."""
    return "%.1f %%" % (abs(a / b - 1) * 100)


def arena_library_targets(rows, cat):
    """Ours against every other arena library (role peer) in one run."""
    peers = cat.peer_arenas
    present = {split_name(name)[1] for name in rows}
    if not any(p in present for p in peers):
        return [_result("arena libraries: arena vs best peer arena", None, PEER_GOAL, "n/a",
                        "no peer arena library measured")]
    out = []
    for workload, counter, what, unit, words in PEER_FIGURES:
        params = sorted({split_name(n)[2] for n in rows
                         if split_name(n)[:2] == (workload, "arena")},
                        key=lambda p: (len(p), p))
        for p in params:
            bench = workload + ("/" + p if p else "")
            target = "%s: arena vs best peer arena, %s" % (bench, counter)
            ours = _figure(rows.get("%s/arena%s" % (workload, "/" + p if p else "")), counter)
            theirs = {a: _figure(rows.get("%s/%s%s" % (workload, a, "/" + p if p else "")),
                                 counter) for a in peers if a in present}
            unmeasured = sorted(a for a, v in theirs.items() if v is None)
            theirs = {a: v for a, v in theirs.items() if v is not None}
            if ours is None or not theirs:
                out.append(_result(target, None, PEER_GOAL, "n/a",
                                   "arena not measured" if ours is None else
                                   "no peer arena library measured"))
                continue
            best = min(theirs, key=theirs.get)
            detail = "arena %s vs %s %s %s" % (unit(ours), best, unit(theirs[best]), what)
            if ours < theirs[best]:
                detail += ": arena %s %s" % (_percent(ours, theirs[best]), words[0])
            elif ours > theirs[best]:
                detail += ": arena %s %s" % (_percent(ours, theirs[best]), words[1])
            if unmeasured:
                detail += "; not measured: " + ", ".join(unmeasured)
            ratio = theirs[best] / ours if ours else float("inf")
            out.append(_result(target, ratio, PEER_GOAL,
                               "pass" if ours < theirs[best] else "miss", detail))
    # zero upstream allocations per warm cycle, with every peer's figure beside ours
    ours = _figure(rows.get("reset_cycles/arena"), "sys_allocs_per_cycle")
    figures = ", ".join("%s %s" % (a, fmt.count(_figure(rows.get("reset_cycles/" + a),
                                                          "sys_allocs_per_cycle")))
                        for a in peers if a in present)
    target = "reset_cycles: arena upstream allocations per warm cycle (arena libraries)"
    if ours is None:
        out.append(_result(target, None, "== 0", "n/a", "arena not measured; " + figures))
    else:
        out.append(_result(target, ours, "== 0", "pass" if ours == 0 else "miss",
                           "peers: " + figures))
    return out


def format_table(results):
    """A plain-text (also Markdown) table of evaluate()'s results."""
    lines = ["| target | measured | goal | status | detail |", "|---|---|---|---|---|"]
    for r in results:
        m = r["measured"]
        if m is None:
            measured = "-"
        elif "vs" in r["target"]:
            measured = "%.2fx" % m
        else:
            measured = "%.4g" % m
        lines.append("| %s | %s | %s | %s | %s |" % (r["target"], measured, r["goal"],
                                                      r["status"].upper(), r["detail"]))
    passed = sum(r["status"] == "pass" for r in results)
    missed = sum(r["status"] == "miss" for r in results)
    lines.append("")
    lines.append("%d passed, %d missed, %d not measured" % (passed, missed, len(results) - passed - missed))
    return "\n".join(lines)


def prog_name():
    """The command as the user typed it (scripts/targets, or its alias targets.py)."""
    return "targets.py" if sys.argv[0].endswith("targets.py") else "targets"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=prog_name(),
        description="Prints the target table (ratios within one run) of a results.json.")
    parser.add_argument("results", help="results.json written by scripts/bench")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    try:
        document = read_json(args.results)
        if not isinstance(document, dict) or not isinstance(document.get("benchmarks"), list):
            raise InputError(args.results, "no 'benchmarks' list: not a results.json of "
                                           "scripts/bench")
    except InputError as e:
        print("%s: error: %s" % (prog_name(), e), file=sys.stderr)
        return 2
    table = format_table(evaluate(document))
    print(table)
    if args.markdown:
        atomic.write_text_atomic(args.markdown, table + "\n")
    return 0
