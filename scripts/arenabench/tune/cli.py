"""scripts/tune: arguments, the sweep, the table, tune.json and the plot."""
import argparse
import json
import os
import re
import shutil
import sys
import time

from .. import atomic, cmake, fmt
from ..errors import Failure, InputError
from . import analysis, plot, runner
from .runner import Result, Setting, TuneError

UNITS = {"": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20,
         "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30}
TRACE_MAGIC = b"ARNTRACE"


def parse_size(text):
    m = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).upper() not in UNITS:
        raise ValueError(f"bad size {text!r} (a number of bytes, or with K, M or G)")
    v = int(m.group(1)) * UNITS[m.group(2).upper()]
    if v <= 0 or v > 1 << 40:
        raise ValueError(f"size {text!r} out of range (1 byte to 1 TiB)")
    return v


def parse_growth(text):
    try:
        g = float(text)
    except ValueError:
        raise ValueError(f"bad growth factor {text!r}") from None
    if not 1.0 <= g <= 16.0:
        raise ValueError(f"growth factor {text!r} out of range (1 to 16, as arena_create_ex)")
    return g


def parse_args(argv):
    argv = list(argv)
    command = None
    if "--" in argv:                 # scripts/tune --run [options] -- PROGRAM ARGS...
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(
        prog="scripts/tune",
        usage="%(prog)s WORKLOAD [options]\n"
              "       %(prog)s --trace FILE [options]\n"
              "       %(prog)s --replot DIR/tune.json [--out DIR]\n"
              "       %(prog)s --run [--sweep [--global] [--site NAME]...] [options] "
              "-- PROGRAM [ARGS...]",
        description="Sweeps the arena's initial capacity (and growth factor) on a workload or a "
                    "recorded allocation trace, or (--run) a program linked with libarena; "
                    "recommends from the noise-free figures (upstream allocations, committed "
                    "and abandoned bytes), passing over a setting only when another is "
                    "significantly faster (U test); writes DIR/tune.json and DIR/tune.png/.svg "
                    "(--run --sweep: DIR/tune-run.json and DIR/tune-run.png/.svg).")
    p.add_argument("workload", nargs="?",
                   help="a workload (mixed_sizes, scheme_reader, ...) or a full benchmark name "
                        "(small_fixed/arena/64)")
    p.add_argument("--trace", help="a recorded trace (scripts/record-trace) to replay instead")
    p.add_argument("--variant", choices=["arena", "arena_phase_reset"], default="arena",
                   help="with --trace: the plain arena, or the one resetting at phase boundaries")
    p.add_argument("--capacities", help="comma-separated sizes (4K,64K,1M...); default: powers "
                                        "of 4 from 4 KiB to 4x the arena's suggestion, and the "
                                        "suggestion (--run --sweep: from 1/64 of each site's "
                                        "suggestion, at least 4 KiB, to 4x it)")
    p.add_argument("--growth", help="comma-separated growth factors (default: as the code asks, 2)")
    p.add_argument("--children", action="store_true",
                   help="impose the setting on child arenas too (default: top-level arenas only; "
                        "--run --sweep: ARENA_CAPACITY_CHILDREN=1, and child sites are swept)")
    p.add_argument("--repetitions", type=int, default=3,
                   help="repetitions per process (default 3; --run --sweep: runs of the program "
                        "per setting in each round)")
    p.add_argument("--rounds", type=int, default=3,
                   help="processes per setting, run in rounds over all settings so that "
                        "machine noise hits every setting alike (default 3)")
    p.add_argument("--min-time", type=float, default=0.05, help="seconds per repetition")
    p.add_argument("--scale", choices=["smoke", "quick", "full"], default="quick",
                   help="problem sizes of the workloads (traces are replayed whole)")
    p.add_argument("--out", default="tune", help="output directory (default: tune)")
    p.add_argument("--build-dir", default=cmake.DEFAULT_BUILD_DIR,
                   help="CMake build directory of the tuning binary (default: build/bench)")
    p.add_argument("--replot", metavar="TUNE_JSON",
                   help="only re-analyse and re-plot an earlier tune.json")
    g = p.add_argument_group("a program linked with libarena (after --: the program and its "
                             "arguments)")
    g.add_argument("--run", action="store_true",
                   help="run the program once with ARENA_STATS; print per arena creation site "
                        "its source line (addr2line, with debug information), the observed "
                        "peak, the library's suggested initial capacity and the call to write "
                        "(arena_create(N)); writes DIR/tune-run.json")
    g.add_argument("--sweep", action="store_true",
                   help="with --run: then run it again under ARENA_CAPACITY at each capacity, "
                        "--rounds x --repetitions times, measuring wall time and peak RSS; "
                        "recommend a capacity per site; plot DIR/tune-run.png/.svg")
    g.add_argument("--global", dest="global_capacity", action="store_true",
                   help="with --sweep: one capacity for every top-level arena at once "
                        "(ARENA_CAPACITY=N) instead of one site at a time (NAME=N)")
    g.add_argument("--site", action="append", metavar="NAME",
                   help="with --sweep: sweep only this site (its name or object+offset, as "
                        "--run prints it); repeatable")
    args = p.parse_args(argv)
    args.command = command
    if args.run:
        if args.workload is not None or args.trace is not None or args.replot:
            p.error("--run takes the program after --, not a workload, --trace or --replot")
        if not command:
            p.error("--run needs the program: scripts/tune --run [options] -- PROGRAM [ARGS...]")
        if args.growth:
            p.error("--growth does not apply to --run (ARENA_CAPACITY sets the initial capacity)")
        if shutil.which(command[0]) is None:
            p.error(f"{command[0]}: no such program (or not executable)")
    else:
        if command is not None:
            p.error("a program after -- needs --run")
        for opt, given in (("--sweep", args.sweep), ("--global", args.global_capacity),
                           ("--site", args.site)):
            if given:
                p.error(f"{opt} needs --run")
    if (args.global_capacity or args.site) and not args.sweep:
        p.error("--global and --site need --sweep")
    if args.global_capacity and args.site:
        p.error("--global sets every site at once; --site chooses sites to sweep one at a time")
    if args.replot:
        return args
    if args.run:
        return _check_common(p, args)
    if (args.workload is None) == (args.trace is None):
        p.error("give a workload name or --trace FILE (one of them)")
    if args.trace is not None:
        try:
            with open(args.trace, "rb") as f:
                magic = f.read(len(TRACE_MAGIC))
        except OSError as e:
            p.error(f"cannot read trace {args.trace}: {e.strerror}")
        if magic != TRACE_MAGIC:
            p.error(f"{args.trace} is not an allocation trace (see workloads/trace/FORMAT.md)")
    return _check_common(p, args)


def _check_common(p, args):
    if args.repetitions < 1 or args.repetitions > 100:
        p.error("--repetitions must be 1 to 100")
    if args.rounds < 1 or args.rounds > 20:
        p.error("--rounds must be 1 to 20")
    if not 0 < args.min_time <= 60:
        p.error("--min-time must be above 0 and at most 60 seconds")
    try:
        args.capacity_list = ([parse_size(t) for t in args.capacities.split(",") if t.strip()]
                              if args.capacities else None)
        args.growth_list = ([parse_growth(t) for t in args.growth.split(",") if t.strip()]
                            if args.growth else [None])
    except ValueError as e:
        p.error(str(e))
    if args.capacity_list == [] or args.growth_list == []:
        p.error("empty --capacities or --growth list")
    return args


def result_dict(r):
    return {"capacity": r.setting.capacity, "growth": r.setting.growth, "times_ns": r.times_ns,
            "median_ns": r.median_ns, "ns_per_alloc": r.ns_per_alloc, "stats": r.stats,
            "extra": r.extra}


def result_from(d):
    return Result(Setting(d["capacity"], d["growth"]), list(d["times_ns"]), list(d["ns_per_alloc"]),
                  dict(d["stats"]), dict(d.get("extra", {})))


def table(results, rec, suggested, default):
    lines = ["%-12s %-7s %12s %8s %7s %12s %12s %8s" % ("capacity", "growth", "median time",
                                                         "spread", "blocks", "committed", "waste",
                                                         "faults"),
             "-" * 85]

    def row(label, growth, r, mark):
        sp = analysis.spread(r.times_ns)
        faults = r.extra.get("page_faults")
        return "%-12s %-7s %12s %8s %7s %12s %12s %8s %s" % (
            label, "default" if growth is None else f"{growth:g}", fmt.ns(r.median_ns),
            "" if sp != sp else "±" + fmt.pct(sp), fmt.count(r.stats.get("blocks", 0)),
            fmt_bytes(r.stats.get("committed_bytes", 0)), fmt_bytes(r.stats.get("waste_bytes", 0)),
            "?" if faults is None else fmt.count(faults), mark)

    if default is not None:
        lines.append(row("(as asked)", None, default, "  the code's own setting"))
    for r in sorted(results, key=lambda r: (r.setting.growth or 0, r.setting.capacity)):
        marks = []
        if r.setting.capacity == rec.capacity and r.setting.growth == rec.growth:
            marks.append("<- recommended")
        if suggested and r.setting.capacity == suggested:
            marks.append("(the arena's suggestion)")
        lines.append(row(fmt_bytes(r.setting.capacity), r.setting.growth, r, " ".join(marks)))
    return "\n".join(lines)


fmt_bytes = fmt.nbytes


def report(doc, out_dir):
    """Analysis, table and plot of a sweep document (tune.json); returns the text printed."""
    results = [result_from(d) for d in doc["settings"]]
    default = result_from(doc["default"]) if doc.get("default") else None
    suggested = doc.get("suggested_capacity_bytes") or 0
    rec = analysis.recommend(results, default_capacity=None)
    agrees, why = analysis.compare_with_suggestion(rec, suggested, results, None)
    doc["recommendation"] = {"capacity": rec.capacity, "growth": rec.growth,
                             "median_ns": rec.time_ns, "best_median_ns": rec.best_time_ns,
                             "best_capacity": rec.best_capacity,
                             "committed_bytes": rec.committed_bytes,
                             "noise_free_capacity": rec.noise_free_capacity,
                             "passed_over": [{"capacity": c, "faster": by, "p": p}
                                             for c, by, p in rec.passed_over],
                             "rule": analysis.RULE}
    doc["agreement"] = {"within_factor_two": agrees, "explanation": why}
    title = f"{doc['benchmark']}: arena initial-capacity sweep ({doc.get('scale', '?')} scale)"
    doc["plots"] = plot.plot_sweep(results, rec, suggested, None, title, out_dir)
    text = [table(results, rec, suggested, default), "",
            f"recommended initial capacity: {fmt_bytes(rec.capacity)} ({rec.capacity} bytes)"
            + ("" if rec.growth is None else f", growth factor {rec.growth:g}")
            + f"; median {fmt.ns(rec.time_ns)}, lowest median {fmt.ns(rec.best_time_ns)} "
              f"at {fmt_bytes(rec.best_capacity)}",
            "why: " + rec.explanation(),
            "rule: " + analysis.RULE,
            f"the arena's own suggested_initial_capacity: {fmt_bytes(suggested)} ({suggested} bytes)",
            ("agreement: " if agrees else "difference: ") + why]
    return "\n".join(text)


def _shown(path):
    """A path as printed: relative when under the working directory."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out_dir = os.path.abspath(args.out)
    try:
        if args.run:
            try:
                out_dir = atomic.check_target(out_dir)
            except InputError as e:
                print(f"scripts/tune: {e}", file=sys.stderr)
                return 2
            from . import run
            return run.main_run(args, args.command, out_dir)
        if args.replot:
            try:
                with open(args.replot) as f:
                    doc = json.load(f)
                if not isinstance(doc, dict) or not doc.get("settings"):
                    raise ValueError("no settings in it")
            except (OSError, ValueError) as e:
                print(f"scripts/tune: cannot use {args.replot}: {e}", file=sys.stderr)
                return 2
            os.makedirs(out_dir, exist_ok=True)
            print(report(doc, out_dir))
            atomic.write_json_atomic(os.path.join(out_dir, "tune.json"), doc)
            return 0
        started = time.monotonic()
        binary = runner.build(os.path.abspath(args.build_dir))
        names = runner.list_benchmarks(binary, args.scale, args.trace)
        bench = runner.resolve_benchmark(names, args.workload, args.trace, args.variant)
        print(f"== tuning {bench} ({args.scale} scale, {args.rounds} rounds of "
              f"{args.repetitions} repetitions, min time {args.min_time:g} s)", flush=True)
        run = lambda s: runner.run_setting(binary, bench, s, args.scale, args.repetitions,
                                           args.min_time, args.trace, args.children)
        default = run(Setting(None, None))
        suggested = int(default.stats.get("suggested_capacity_bytes", 0))
        print(f"   as the code asks: {fmt.ns(default.median_ns)}; the arena suggests "
              f"{fmt_bytes(suggested)}", flush=True)
        caps = args.capacity_list or analysis.default_sweep(suggested)
        settings = [Setting(cap, growth) for growth in args.growth_list for cap in caps]
        merged = {}
        for rnd in range(args.rounds):
            # Each round visits every setting, starting at a different one.
            shift = (rnd * len(settings)) // args.rounds
            for s in settings[shift:] + settings[:shift]:
                r = run(s)
                key = (s.capacity, s.growth)
                if key in merged:
                    merged[key].times_ns += r.times_ns
                    merged[key].ns_per_alloc += r.ns_per_alloc
                else:
                    merged[key] = r
                print("   round %d/%d  %-10s growth %-7s %10s  blocks %d" % (
                    rnd + 1, args.rounds, fmt_bytes(s.capacity),
                    "default" if s.growth is None else f"{s.growth:g}", fmt.ns(r.median_ns),
                    r.stats.get("blocks", 0)), flush=True)
        results = [merged[(s.capacity, s.growth)] for s in settings]
        sums = {r.extra.get("checksum") for r in results + [default]}
        if len(sums) > 1:
            raise TuneError(f"checksums differ between settings ({sorted(sums)}): a broken run")
        doc = {"benchmark": bench, "trace": os.path.abspath(args.trace) if args.trace else None,
               "scale": args.scale, "repetitions": args.repetitions, "rounds": args.rounds,
               "min_time": args.min_time,
               "children": args.children, "command": "scripts/tune " + " ".join(
                   sys.argv[1:] if argv is None else argv),
               "default": result_dict(default), "suggested_capacity_bytes": suggested,
               "settings": [result_dict(r) for r in results]}
        os.makedirs(out_dir, exist_ok=True)
        print()
        print(report(doc, out_dir))
        atomic.write_json_atomic(os.path.join(out_dir, "tune.json"), doc)
        print(f"\nwrote {os.path.join(args.out, 'tune.json')}, "
              f"{', '.join(_shown(p) for p in doc['plots'])} "
              f"in {time.monotonic() - started:.0f} s")
        return 0
    except Failure as e:             # TuneError, or a build that failed
        print(f"scripts/tune: {e}", file=sys.stderr)
        return e.status
