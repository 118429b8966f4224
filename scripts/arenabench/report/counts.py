"""Counts in the report: results of scripts/bench --counts (instructions and simulated cache
misses under callgrind, per allocation, release and node traversed).

A counts result is a results file whose context.arena_suite.mode is "counts". It is given to
scripts/report like a timed one, or beside timed ones with --counts-from: its figures are
never pooled with times (they are kept in their own MachineData). The report then gains a
"Counts" section: where the counts come from, the plot of instructions per allocation per
allocator and workload (the noise-free companion of the speed plot), a table of the counts
on the gated workloads, and, given times too, where the counts and the times disagree.
"""
from .. import fmt
from .claims import TIE
from .dataset import MachineData
from .doc import Bullets, Heading, Image, Note, Para, Table

METRIC = "instructions_per_alloc"
TABLE = [("instructions_per_alloc", "instr/alloc"), ("d1_misses_per_alloc", "D1 misses/alloc"),
         ("ll_misses_per_alloc", "LL misses/alloc"), ("instructions_per_release", "instr/release"),
         ("traverse_d1_misses_per_node", "traverse D1 misses/node")]
TABLE_WORKLOADS = ["small_fixed", "mixed_sizes", "reset_cycles", "locality"]
PREFERRED_PARAMS = {"small_fixed": "64"}     # the size the targets and the gate name
# Where counts and times are compared: (workload or None for every one, count, time, words)
PAIRS = [(None, "instructions_per_alloc", "ns_per_alloc", "instructions per allocation",
          "time per allocation"),
         ("locality", "traverse_d1_misses_per_node", "traverse_ns_per_node",
          "simulated D1 misses per node traversed", "traversal time per node")]
COUNT_MARGIN = 1.01        # counts differ when they differ by more than 1 % (the gate's default)
MAX_DISAGREEMENTS = 15


def is_counts(run):
    return run.suite.get("mode") == "counts"


def split(runs):
    """(timed runs, counts runs) of loaded results files."""
    return [r for r in runs if not is_counts(r)], [r for r in runs if is_counts(r)]


def machine_data(counts_runs, catalogue):
    return MachineData("counts", counts_runs, catalogue) if counts_runs else None


def _settings(run):
    c = run.suite.get("counts")
    if not isinstance(c, dict) or not c:
        return "the simulator settings are not recorded"
    parts = []
    for k, v in c.items():
        if isinstance(v, dict):
            v = ", ".join(f"{kk} {vv}" for kk, vv in v.items())
        elif isinstance(v, list):
            v = " ".join(str(x) for x in v)
        parts.append(f"{k}: {v}")
    return "; ".join(parts)


def _plot(counts_md, outdir, prefix):
    from .plots import Plot, Plotter        # matplotlib, imported only when drawing
    plot = Plot("instructions", "Instructions per allocation (counts)",
                "instructions_per_alloc under callgrind: the instructions the allocator and "
                "the benchmark loop execute per allocation, counted exactly in one run (no "
                "repetitions, no error bars: a second run gives the same figure). The "
                "noise-free companion of the speed plot; lower is better. Representative "
                "parameters per workload.")
    return Plotter(counts_md, outdir, prefix + "counts-")._workload_panel_plot(
        plot, METRIC, "instructions per allocation",
        "Instructions per allocation under callgrind (lower is better)")


def _real(md, w, p, cat):
    return [a for a in md.allocators_of(w, p)
            if a != cat.limit and not (a != cat.arena and a.startswith("arena"))]


def disagreements(timed_md, counts_md):
    """(lines, pairs compared): where the arena's rank against another allocator differs
    between counts and times: fewer instructions (or misses) but slower, or more but
    faster."""
    cat = timed_md.catalogue
    out, compared = [], 0
    for only, cm, tm, cwords, twords in PAIRS:
        for w in timed_md.workloads():
            if (only is not None and w != only) or w not in counts_md.workloads():
                continue
            p = timed_md.representative_params(w, tm)
            if p is None:
                continue
            ac, at = counts_md.value(w, p, cat.arena, cm), timed_md.value(w, p, cat.arena, tm)
            if not ac or not at:
                continue
            for o in _real(timed_md, w, p, cat):
                if o == cat.arena:
                    continue
                oc, ot = counts_md.value(w, p, o, cm), timed_md.value(w, p, o, tm)
                if oc is None or not ot:
                    continue
                compared += 1
                fewer, more = oc > COUNT_MARGIN * ac, ac > COUNT_MARGIN * oc
                slower, faster = at > TIE * ot, ot > TIE * at
                if not ((fewer and slower) or (more and faster)):
                    continue
                name = f"`{w}/{p}`" if p else f"`{w}`"
                t = fmt.ns
                out.append(f"{name}: the arena has {'fewer' if fewer else 'more'} {cwords} than "
                           f"{cat.label(o)} ({fmt.plain(ac, 4)} vs {fmt.plain(oc, 4)}) but "
                           f"{'a longer' if slower else 'a shorter'} {twords} ({t(at)} vs {t(ot)})")
    return out, compared


def section(doc, builder, md, mi, suffix, outdir, prefix):
    """The Counts section for one machine's report: nothing when no counts were given."""
    counts_md = md if all(is_counts(r) for r in md.runs) else builder.counts_md
    if counts_md is None:
        return
    timed_md = None if counts_md is md else md
    doc.add(Heading(2, f"Counts{suffix}", f"counts{mi}", fold=True))
    doc.add(Para("Instructions and simulated cache misses counted under valgrind's callgrind "
                 "(`scripts/bench --counts`), with collection switched on only around the "
                 "measured operations. They are exact and repeatable: the same build on the same "
                 "input gives the same figures, which is why the pull-request gate decides on "
                 "them. They are not times: the cache is simulated (no TLB, no prefetcher, no "
                 "out-of-order execution), and instructions of unequal cost count alike."))
    doc.add(Bullets([f"`{r.path}`: {_settings(r)}" for r in counts_md.runs]))
    p = _plot(counts_md, outdir, prefix)
    if p.skipped:
        doc.add(Note(f"Plot skipped: {p.skipped}."))
    else:
        doc.add(Image(p.files[0], p.files[1], p.title, p.caption))
    rows = []
    for w in [w for w in TABLE_WORKLOADS if w in counts_md.workloads()]:
        params = PREFERRED_PARAMS.get(w)
        if params not in counts_md.params(w):
            params = counts_md.representative_params(w, METRIC)
        for a in counts_md.allocators_of(w, params):
            vals = [counts_md.value(w, params, a, m) for m, _ in TABLE]
            if any(v is not None for v in vals):
                rows.append([f"`{w}/{params}`" if params else f"`{w}`", counts_md.catalogue.label(a)]
                            + [fmt.plain(v, 4) if v is not None else "—" for v in vals])
    if rows:
        doc.add(Table(["benchmark", "allocator"] + [h for _, h in TABLE], rows))
    if timed_md is None:
        doc.add(Para("No timed results were given with these counts: whether counts and times "
                     "agree is not checked (give both: `scripts/report RESULTS.json "
                     "--counts-from COUNTS.json`)."))
        return
    doc.add(Heading(3, f"Where counts and times disagree{suffix}"))
    lines, compared = disagreements(timed_md, counts_md)
    doc.add(Para(f"The arena against each other real allocator, per workload: fewer "
                 f"instructions per allocation (by more than {100 * (COUNT_MARGIN - 1):g} %) but "
                 f"slower (by more than the {100 * (TIE - 1):g} % "
                 f"tie margin), or the reverse; on `locality` the same for D1 misses and time "
                 f"per node. Times also see what counts leave out (the real caches, the TLB, "
                 f"the prefetcher, branch prediction, page faults), so a disagreement says where "
                 f"to look, not which figure is wrong."))
    if not compared:
        doc.add(Para("Not checked: no benchmark has both its counts and its time for the arena "
                     "and another allocator in these results."))
        return
    if not lines:
        doc.add(Para(f"None: on the {compared} pairs measured both ways, counts and times rank "
                     f"the arena against the other allocator the same way."))
        return
    doc.add(Bullets(lines[:MAX_DISAGREEMENTS] +
                    ([f"… {len(lines) - MAX_DISAGREEMENTS} more"] if len(lines) > MAX_DISAGREEMENTS
                     else [])))
