"""scripts/tune --run [--sweep] -- PROGRAM ARGS...: the arenas of a real program.

--run: one run with ARENA_STATS; per creation site its source line (addr2line), the
observed peak, the library's suggested initial capacity and the call to write.
--sweep: then the program again and again under ARENA_CAPACITY, per site (one site's
capacity changed at a time, the others as the code asks) or, with --global, every
top-level arena at once; every setting in every round (--rounds), --repetitions runs
each per round, so that machine noise hits every setting alike. Each run gives its wall
time and peak RSS (os.wait4) and the library's noise-free figures per site (upstream
allocations, committed and abandoned bytes); the recommendation per site is
analysis.choose()'s (the suite tuner's rule). Writes DIR/tune-run.json (and with --sweep
DIR/tune-run.png/.svg), atomically, only when every run succeeded."""
import math
import os
import statistics
import sys
import time

from .. import atomic, fmt
from . import analysis, plot, program
from .program import capacity_name, site_key, size_text

DOC_FORMAT = "arena-tune-run"
DOC_VERSION = 1


def site_summary(site):
    """What --run prints and records per site."""
    loc = program.source_line(site["object"], site["offset"], site.get("vaddr"))
    sugg = site["suggested_initial_capacity"]
    child = site["kind"] == "child"
    return {"site": site["site"], "object": site["object"], "offset": site["offset"],
            "kind": site["kind"], "location": loc[0] if loc else None,
            "function": loc[1] if loc else None, "arenas": site["arenas"],
            "alive_at_exit": site.get("alive_at_exit", 0), "resets": site.get("resets", 0),
            "blocks": site.get("blocks"), "peak_used_since_reset": site["peak_used_since_reset"],
            "committed_bytes": site["committed_bytes"],
            "upstream_allocations": site["upstream_allocations"],
            "capacity_used": site["capacity_used"], "suggested_initial_capacity": sugg,
            "upstream_allocations_avoided": site["upstream_allocations_avoided"],
            "call": f"arena_create_child(parent, {sugg})" if child else f"arena_create({sugg})",
            "try": (("ARENA_CAPACITY_CHILDREN=1 " if child else "")
                    + f"ARENA_CAPACITY={capacity_name(site)}={size_text(sugg)}") if sugg else None}


def shown(path):
    """A path as printed: relative when under the working directory."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def where(s):
    return s["location"] or s["site"]


def print_sites(summaries, run, cmd):
    print(f"== {' '.join(cmd)}: exit 0, {fmt.ns(run.wall_ns)}, peak RSS "
          f"{fmt.nbytes(run.maxrss_bytes)}, {len(summaries)} arena creation site"
          f"{'' if len(summaries) == 1 else 's'}")
    for i, s in enumerate(summaries, 1):
        name = s["site"] if not s["location"] else f"{s['site']} at {s['location']}"
        print(f"\nsite {i}/{len(summaries)}: {name}"
              + ("" if s["kind"] == "top" else f" ({s['kind']} arenas)"))
        alive = f", {s['alive_at_exit']} alive at exit" if s["alive_at_exit"] else ""
        print(f"  arenas {s['arenas']}{alive}, resets {s['resets']}, upstream allocations "
              f"{s['upstream_allocations']}, committed (max) {fmt.nbytes(s['committed_bytes'])}")
        print(f"  observed peak   {fmt.nbytes(s['peak_used_since_reset'])} "
              f"({s['peak_used_since_reset']} bytes, used since reset, max over the arenas); "
              f"the code asks for {fmt.nbytes(s['capacity_used'])}")
        sugg = s["suggested_initial_capacity"]
        print(f"  suggestion      {fmt.nbytes(sugg)}: avoids {s['upstream_allocations_avoided']} "
              f"of {s['upstream_allocations']} upstream allocations")
        print(f"  write           {s['call']}"
              + (f"      (try it first: {s['try']})" if s["try"] else ""))
    if run.other_processes:
        print(f"\n({run.other_processes} other process(es) of the program wrote statistics too; "
              f"only the program's own are shown)")


def sweep_capacities(suggested):
    """Powers of 4 from about 1/64 of the suggestion (at least 4 KiB) to about 4x it,
    and the suggestion itself."""
    s = max(int(suggested or 0), 4096)
    k = round(math.log(s, 4))
    caps = {4 ** j for j in range(k - 3, k + 2) if 4 ** j >= 4096} | {s}
    return sorted(caps)


def _setting_label(setting):
    site, cap = setting
    if cap is None:
        return "as asked"
    return (f"{site}={size_text(cap)}" if site else f"all={size_text(cap)}")


def _spec(setting):
    site, cap = setting
    if cap is None:
        return None
    return f"{site}={size_text(cap)}" if site else size_text(cap)


def sweep(cmd, tuned, args, log=print):
    """Runs every setting args.rounds x args.repetitions times; returns
    {setting: [Run, ...]}. tuned: the sites' summaries (with their capacity names)."""
    settings = [(None, None)]
    if args.global_capacity:
        caps = args.capacity_list or sweep_capacities(
            max(s["suggested_initial_capacity"] for s in tuned))
        settings += [(None, c) for c in caps]
    else:
        for s in tuned:
            caps = args.capacity_list or sweep_capacities(s["suggested_initial_capacity"])
            settings += [(s["capacity_name"], c) for c in caps]
    runs = {st: [] for st in settings}
    for rnd in range(args.rounds):
        # Each round visits every setting, starting at a different one.
        shift = (rnd * len(settings)) // args.rounds
        for st in settings[shift:] + settings[:shift]:
            for _ in range(args.repetitions):
                runs[st].append(program.run_once(cmd, _spec(st), args.children,
                                                 "ARENA_CAPACITY=" + (_spec(st) or "")))
            log("   round %d/%d  %-28s median %10s  peak RSS %10s" % (
                rnd + 1, args.rounds, _setting_label(st),
                fmt.ns(statistics.median(r.wall_ns for r in runs[st][-args.repetitions:])),
                fmt.nbytes(statistics.median(r.maxrss_bytes for r in runs[st][-args.repetitions:]))),
                flush=True)
    return runs


def _site_in(run, key, what):
    for s in run.stats["sites"]:
        if site_key(s) == key:
            return s
    raise program.Failure(f"{what}: the site {key[0]}+{key[1]} is missing from the statistics")


def _median_int(values):
    return int(statistics.median_low(values))


def analyse_site(summary, runs, global_mode):
    """The per-setting figures of one site and its recommendation."""
    key = (summary["object"], summary["offset"])
    items = []
    for (site, cap), rs in runs.items():
        if cap is not None and not global_mode and site != summary["capacity_name"]:
            continue
        per = [_site_in(r, key, _setting_label((site, cap))) for r in rs]
        items.append({
            "setting": "as asked" if cap is None else size_text(cap),
            "override": cap,
            "capacity": _median_int([s["capacity_used"] for s in per]),
            "times_ns": [r.wall_ns for r in rs],
            "median_ns": statistics.median(r.wall_ns for r in rs),
            "rss_bytes": [r.maxrss_bytes for r in rs],
            "page_faults": [r.page_faults for r in rs],
            "upstream_allocations": _median_int([s["upstream_allocations"] for s in per]),
            "committed_bytes": _median_int([s["committed_bytes"] for s in per]),
            "abandoned_bytes": _median_int([s["abandoned_bytes"] for s in per]),
        })
    pick, first, passed = analysis.choose(
        items, lambda i: analysis.noise_free_key(i["upstream_allocations"], i["committed_bytes"],
                                                 i["abandoned_bytes"], i["capacity"],
                                                 0.0 if i["override"] is None else 1.0),
        lambda i: i["times_ns"])
    for i in items:
        i["recommended"] = i is pick
    best = min(items, key=lambda i: i["median_ns"])
    rec = analysis.Recommendation(
        capacity=pick["capacity"], growth=None, time_ns=pick["median_ns"],
        best_time_ns=best["median_ns"], best_capacity=best["capacity"],
        committed_bytes=pick["committed_bytes"], noise_free_capacity=first["capacity"],
        passed_over=[(a["capacity"], b["capacity"], p) for a, b, p in passed],
        runs=min(len(i["times_ns"]) for i in items))
    return items, rec


def site_table(summary, items, rec):
    head = "%-12s %12s %9s %10s %9s %11s %11s %8s" % (
        "capacity", "median time", "spread", "peak RSS", "upstream", "committed", "abandoned",
        "faults")
    lines = [head, "-" * len(head)]
    for i in sorted(items, key=lambda i: (i["override"] is not None, i["capacity"])):
        sp = analysis.spread(i["times_ns"])
        marks = []
        if i["recommended"]:
            marks.append("<- recommended")
        if i["override"] is None:
            marks.append(f"(as the code asks: {fmt.nbytes(i['capacity'])})")
        elif i["capacity"] == summary["suggested_initial_capacity"]:
            marks.append("(the library's suggestion)")
        lines.append("%-12s %12s %9s %10s %9s %11s %11s %8s %s" % (
            "as asked" if i["override"] is None else fmt.nbytes(i["capacity"]),
            fmt.ns(i["median_ns"]), "" if sp != sp else "±" + fmt.pct(sp),
            fmt.nbytes(statistics.median(i["rss_bytes"])), fmt.count(i["upstream_allocations"]),
            fmt.nbytes(i["committed_bytes"]), fmt.nbytes(i["abandoned_bytes"]),
            fmt.count(statistics.median(i["page_faults"])), " ".join(marks)))
    return "\n".join(lines)


def main_run(args, cmd, out_dir):
    """--run (and --sweep). Returns the exit status; raises Failure/InputError."""
    started = time.monotonic()
    base = program.run_once(cmd)
    summaries = [site_summary(s) for s in base.stats["sites"]]
    for s, raw in zip(summaries, base.stats["sites"]):
        s["capacity_name"] = capacity_name(raw)
    print_sites(summaries, base, cmd)
    doc = {"format": DOC_FORMAT, "version": DOC_VERSION, "command": list(cmd),
           "run": {"wall_ns": base.wall_ns, "maxrss_bytes": base.maxrss_bytes,
                   "page_faults": base.page_faults,
                   "rss_from": "GNU time (the program alone)" if program.gnu_time() else
                               "os.wait4 (includes the tuner's own image at fork)"},
           "stats": base.stats, "sites": summaries}
    if not summaries:
        print("\nthe program created no arena: nothing to tune")
    if args.sweep and summaries:
        tuned = [s for s in summaries if s["kind"] == "top" or args.children]
        if args.site:
            known = {s["site"] for s in summaries} | {s["capacity_name"] for s in summaries}
            unknown = [n for n in args.site if n not in known]
            if unknown:
                raise program.Failure(f"--site {', '.join(unknown)}: no such creation site "
                                      f"(sites: {', '.join(sorted(known))})", 2)
            tuned = [s for s in tuned if s["site"] in args.site or s["capacity_name"] in args.site]
        if not tuned:
            raise program.Failure("no site to sweep (child arenas are swept with --children)", 2)
        mode = "global" if args.global_capacity else "per site"
        print(f"\n== sweeping {len(tuned)} site(s) {mode}: {args.rounds} rounds of "
              f"{args.repetitions} runs per setting", flush=True)
        runs = sweep(cmd, tuned, args)
        doc["sweep"] = {"mode": mode, "rounds": args.rounds, "repetitions": args.repetitions,
                        "children": args.children, "rule": analysis.RULE, "sites": []}
        plotted = []
        for s in tuned:
            items, rec = analyse_site(s, runs, args.global_capacity)
            print(f"\nsite {s['site']}" + (f" at {s['location']}" if s["location"] else ""))
            print(site_table(s, items, rec))
            call = (f"arena_create_child(parent, {rec.capacity})" if s["kind"] == "child"
                    else f"arena_create({rec.capacity})")
            print(f"recommended: {call}   ({fmt.nbytes(rec.capacity)}; "
                  f"the library's suggestion {fmt.nbytes(s['suggested_initial_capacity'])})")
            print("why: " + rec.explanation())
            doc["sweep"]["sites"].append({
                "site": s["site"], "location": s["location"],
                "suggested_initial_capacity": s["suggested_initial_capacity"],
                "recommended_capacity": rec.capacity, "call": call,
                "noise_free_capacity": rec.noise_free_capacity,
                "passed_over": [{"capacity": c, "faster": by, "p": p}
                                for c, by, p in rec.passed_over],
                "settings": items})
            plotted.append((s, items, rec))
        print("\nrule: " + analysis.RULE)
        title = f"{os.path.basename(cmd[0])}: arena capacity sweep ({mode})"
        doc["plots"] = plot.plot_program_sweep(plotted, title, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    atomic.write_json_atomic(os.path.join(out_dir, "tune-run.json"), doc)
    written = [os.path.join(out_dir, "tune-run.json")] + doc.get("plots", [])
    print(f"\nwrote {', '.join(shown(p) for p in written)} in "
          f"{time.monotonic() - started:.0f} s")
    sys.stdout.flush()
    return 0
