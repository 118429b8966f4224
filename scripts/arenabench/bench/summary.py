"""What scripts/bench prints at the end of a run: what a user decides from.

The headline (the report's own code), the seed table's verdicts one line per measured
feature, whether the allocators' checksums agree, where the report is, and how long the
run took. The development targets (targets.py) are printed only with --targets.
"""
import os

from .. import results
from ..report import claims, environment
from ..report.dataset import group_by_machine
from ..report.headline import headline


def _plain(line):
    """A Markdown line for the console: no code backticks."""
    return line.replace("`", "")


def checksum_line(md):
    """'checksums agree across N allocators on M workloads', or what disagrees."""
    bad = environment.checksum_mismatches(md)
    if bad:
        cases = ", ".join(f"{w}/{p}" if p else w for w, p, _ in bad)
        return (f"CHECKSUM MISMATCH: allocators computed different results on {cases}: "
                f"those comparisons are not valid")
    allocs, wls = set(), set()
    for w, p, a in md.benchmarks():
        if md.value(w, p, a, "checksum") is not None:
            allocs.add(a)
            wls.add(w)
    if not allocs:
        return "checksums: none recorded (nothing to compare)"
    return (f"checksums agree across {len(allocs)} allocator{'s' if len(allocs) != 1 else ''} "
            f"on {len(wls)} workload{'s' if len(wls) != 1 else ''}")


def seed_lines(md):
    """One line per measured feature of the seed's table: the verdict per column."""
    cat = md.catalogue
    columns = (("arena", cat.label(cat.arena) if cat.arena else "arena"),
               ("gc", cat.label(cat.gc) if cat.gc else "garbage collector"),
               ("manual", "general-purpose heaps"))
    table = claims.Evaluator(md).table()
    width = max((len(f.name) for f, _, _ in table if f.measurable), default=0)
    out = []
    for f, _, summary in table:
        if not f.measurable:
            continue
        verdicts = " · ".join(f"{label}: {summary[role][1]}" for role, label in columns)
        out.append(f"{f.name:<{width}}  {verdicts}")
    return out


def summary(results_path, report_dir, seconds, build_seconds, benchmarks, kind):
    """The end-of-run lines for results_path (already written) and the report in
    report_dir (None when it could not be written)."""
    md = group_by_machine([results.load_results(results_path)])[0]
    out = ["== summary"]
    out += ["  " + _plain(line) for line in headline(md)]
    seed = seed_lines(md)
    if seed:
        out.append("  The seed's table, measured (verdicts):")
        out += ["    " + line for line in seed]
    out.append("  " + checksum_line(md))
    html = os.path.join(report_dir, "report.html") if report_dir else None
    if html and os.path.exists(html):
        out.append(f"  report: {html}")
    else:
        out.append("  report: not written (see the message above)")
    out.append(f"  results: {results_path}")
    out.append(f"  {kind} run: {benchmarks} benchmarks in {_duration(seconds)} "
               f"(build {_duration(build_seconds)})")
    return out


def _duration(seconds):
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"

