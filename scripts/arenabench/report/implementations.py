"""The report's "Arena implementations" section: every region-style allocator in the results
(ours, the other arena libraries, mimalloc heap, std::pmr monotonic, and ideal bump as the
limit) on the figures a user choosing an arena library compares, as one table and one plot
(speed against footprint, one panel per workload).

Cells are medians over the repetitions with their spread, as in the rest of the report. The
best value of each column is marked; the limit is shown for scale and never ranked. A value
the results lack is "not measured", never 0. matplotlib is imported only when the plot is
drawn (the report checks its input first).
"""
from dataclasses import dataclass, field

from .. import fmt
from .doc import Bullets, Heading, Image, Note, Para, Table


@dataclass(frozen=True)
class Column:
    key: str                  # short name (tests)
    workload: str
    params: str | None        # fixed parameters, or None: the workload's representative ones
    metric: str
    what: str                 # the header's second line


COLUMNS = [
    Column("small_fixed", "small_fixed", "64", "ns_per_alloc", "ns per allocation"),
    Column("mixed_sizes", "mixed_sizes", None, "ns_per_alloc", "ns per allocation"),
    Column("aligned", "aligned", "64", "ns_per_alloc", "ns per allocation"),
    Column("reset", "reset_cycles", None, "release_ns", "reset per cycle (release_ns)"),
    Column("sys_allocs", "reset_cycles", None, "sys_allocs_per_cycle",
           "upstream allocations per warm cycle"),
    Column("p999", "reset_cycles", None, "lat_p999_ns", "p99.9 allocation latency"),
    Column("max", "reset_cycles", None, "lat_max_ns", "max allocation latency"),
    Column("overhead", "mixed_sizes", None, "overhead_ratio", "overhead (footprint / live)"),
    Column("compiler_nested", "compiler_nested", None, "end_to_end_ns",
           "end to end (end_to_end_ns)"),
    Column("request_reset", "request_reset", None, "end_to_end_ns",
           "end to end (end_to_end_ns)"),
]

# What each column's counter means here (said under the table).
MEANINGS = [
    "**ns per allocation**: `ns_per_alloc`, the timed fill divided by its allocations, in the "
    "steady state after warm-up fills (release excluded).",
    "**reset per cycle**: `release_ns` on `reset_cycles`, the time of the reset that ends each "
    "cycle (one benchmark iteration is one fill of 16–256 B objects and its reset, after 3 "
    "warm-up cycles); the fill itself is not in it.",
    "**upstream allocations per warm cycle**: `sys_allocs_per_cycle` on `reset_cycles`, the "
    "blocks the allocator obtained from its upstream (malloc, mmap, its own allocator) per "
    "cycle after warm-up; 0 means a reset gives the memory back for reuse without new "
    "upstream calls. Absent where the adapter cannot count them.",
    "**p99.9 / max allocation latency**: `lat_p999_ns` and `lat_max_ns` on `reset_cycles`, "
    "single allocations timed one by one in the latency pass.",
    "**overhead**: `overhead_ratio` on `mixed_sizes`, peak footprint (the allocator's own "
    "introspection) over the live bytes at the peak; 1 means no overhead.",
    "**end to end**: `end_to_end_ns` of the realistic workloads, fill and release of one "
    "iteration (warm-up excluded).",
]

# Plot panels: (workload, fixed params or None, y metric, y label).
PANELS = [("small_fixed", "64", "ns_per_alloc", "ns per allocation"),
          ("mixed_sizes", None, "ns_per_alloc", "ns per allocation"),
          ("reset_cycles", None, "ns_per_alloc", "ns per allocation"),
          ("compiler_nested", None, "end_to_end_ns", "end to end per iteration"),
          ("request_reset", None, "end_to_end_ns", "end to end per iteration")]
X_METRIC = "overhead_ratio"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "d"]


@dataclass
class ImplTable:
    """The section's table as data: columns with the parameters used, rows of Stats."""
    columns: list                                   # [(Column, params)]
    rows: list                                      # [(allocator, [Stat or None per column])]
    best: dict = field(default_factory=dict)        # column key -> set of allocators
    limit: str | None = None
    peers: list = field(default_factory=list)       # peer arena libraries present
    peers_absent: list = field(default_factory=list)   # catalogued peers without any row
    not_run: list = field(default_factory=list)     # workloads of a column not in the results


def region_allocators(md):
    """Region-style allocators present, in the section's order: ours, the peer arena
    libraries, the other region-style allocators, then the limit (catalogue order within each
    group). Variants (arena_phase_reset, ...) are left out: they are not libraries."""
    cat, present = md.catalogue, set(md.allocators())
    groups = [[cat.arena], cat.peer_arenas, cat.region_peers, [cat.limit]]
    return [a for g in groups for a in g if a and a in present]


def params_for(md, workload, fixed, metric):
    """The parameters a column or panel uses: the fixed ones when measured, else the
    workload's representative parameters for the metric; None when the workload is absent."""
    if workload not in md.workloads():
        return None
    if fixed is not None and fixed in md.params(workload):
        return fixed
    return md.representative_params(workload, metric)


def build_table(md):
    cat = md.catalogue
    allocs = region_allocators(md)
    columns, not_run = [], []
    for c in COLUMNS:
        p = params_for(md, c.workload, c.params, c.metric)
        if p is None:
            if c.workload not in not_run:
                not_run.append(c.workload)
            continue
        columns.append((c, p))
    rows = [(a, [md.stat(c.workload, p, a, c.metric) for c, p in columns]) for a in allocs]
    best = {}
    for i, (c, _) in enumerate(columns):
        vals = {a: s[i].value for a, s in rows if a != cat.limit and s[i] is not None}
        if vals:
            low = min(vals.values())
            best[c.key] = {a for a, v in vals.items() if v <= low}
    present = set(md.allocators())
    return ImplTable(columns, rows, best, cat.limit if cat.limit in allocs else None,
                     [a for a in cat.peer_arenas if a in present],
                     [a for a in cat.peer_arenas if a not in present], not_run)


def _header(c, p):
    return f"`{c.workload}/{p}`\n{c.what}" if p else f"`{c.workload}`\n{c.what}"


def section(doc, md, mi, suffix, outdir, prefix=""):
    """Adds the section (folded) to doc; draws its plot into outdir/plots."""
    from .build import _with_spread         # build imports this module: import at call time
    cat = md.catalogue
    t = build_table(md)
    doc.add(Heading(2, f"Arena implementations{suffix}", f"implementations{mi}", fold=True))
    doc.add(Para("Every region-style allocator measured, side by side: ours, the other arena "
                 "libraries, mimalloc heap and std::pmr monotonic; ideal bump (a bump pointer "
                 "over one buffer sized in advance) is the limit, shown for scale and never "
                 "ranked. Each cell is the median over the repetitions with its spread "
                 "(`±x% sd` for times and averages, `[lo–hi]` of the repetitions for tail "
                 "latencies where the results keep them). **Bold (best)**: the lowest value "
                 "of the column, the limit excluded. *not measured*: the results have no "
                 "such figure (the benchmark was not run or failed, or the allocator cannot "
                 "count it); it is never shown as 0."))
    if not t.peers:
        doc.add(Note("No peer arena library was measured in these results: the table shows "
                     "ours against the other region-style allocators only."))
    elif t.peers_absent:
        doc.add(Note("Arena libraries of the catalogue without any figure in these results: "
                     + ", ".join(cat.label(a) for a in t.peers_absent) + "."))
    if not t.rows or not t.columns:
        doc.add(Note("None of the section's workloads (" +
                     ", ".join(dict.fromkeys(c.workload for c in COLUMNS)) +
                     ") was run for a region-style allocator."))
        return t
    rows = []
    for a, stats in t.rows:
        name = cat.label(a)
        if a == cat.arena:
            name = f"**{name}**"
        elif a == t.limit:
            name = f"*{name}*, not ranked"
        cells = [name]
        for (c, _), s in zip(t.columns, stats):
            text = _with_spread(c.metric, s)
            if s is not None and a in t.best.get(c.key, ()):
                text = f"**{text}** (best)"
            cells.append(text)
        rows.append(cells)
    doc.add(Table(["allocator"] + [_header(c, p) for c, p in t.columns], rows))
    if t.not_run:
        doc.add(Para("Not in these results (the workload was not run): " +
                     ", ".join(f"`{w}`" for w in t.not_run) + "."))
    doc.add(Bullets(MEANINGS))
    if not t.peers:
        return t
    plot = speed_footprint_plot(md, outdir, prefix)
    if plot.skipped:
        doc.add(Note(f"Plot skipped: {plot.skipped}."))
    else:
        png = next(f for f in plot.files if f.endswith(".png"))
        svg = next(f for f in plot.files if f.endswith(".svg"))
        doc.add(Image(png, svg, plot.title, plot.caption))
        if plot.notes:
            doc.add(Bullets(plot.notes))
    return t


def speed_footprint_plot(md, outdir, prefix=""):
    """Speed against footprint, one small panel per workload, one point per region-style
    allocator (catalogue colours, one marker shape each); the limit hatched grey with a dashed
    line at its time. Lower left is better."""
    from . import plots                      # sets the Agg backend first
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    cat = md.catalogue
    plot = plots.Plot("arena_implementations", "Arena implementations: speed against footprint",
                      "One point per region-style allocator and workload: x = median "
                      "overhead_ratio (peak footprint / live bytes), y = median ns_per_alloc "
                      "(synthetic workloads) or end_to_end_ns (realistic ones); error bars "
                      "are the spread of each (±1 sd, or the range over runs). Lower left is "
                      "better. The hatched grey square is ideal bump, the limit; the dashed "
                      "line marks its time.")
    allocs = region_allocators(md)
    panels, missing = [], {}
    for w, fixed, metric, ylabel in PANELS:
        p = params_for(md, w, fixed, metric)
        if p is None:
            plot.missing.append((w, f"{metric} (arena implementations plot)"))
            continue
        points = []
        for a in allocs:
            x, y = md.stat(w, p, a, X_METRIC), md.stat(w, p, a, metric)
            if x is None or y is None or x.value <= 0 or y.value <= 0:
                missing.setdefault(a, []).append(f"`{w}/{p}`" if p else f"`{w}`")
                continue
            points.append((a, x, y))
        if points:
            panels.append((f"{w}/{p}" if p else w, ylabel, metric, points))
    if not panels:
        plot.skipped = ("no region-style allocator has both overhead_ratio and a time on "
                        "the plot's workloads")
        return plot
    markers = {a: MARKERS[i % len(MARKERS)] for i, a in
               enumerate(a for a in allocs if a not in (cat.arena, cat.limit))}
    markers[cat.arena] = "*"
    ncols = 3
    nrows = (len(panels) + 1 + ncols - 1) // ncols        # one cell for the legend
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 3.5 * nrows), squeeze=False)
    cells = list(axes.flat)
    p_ = plots.Plotter(md, outdir, prefix)
    for ax, (title, ylabel, metric, points) in zip(cells, panels):
        for a, x, y in points:
            colour = cat.colour(a, p_.allocs)
            ax.errorbar(x.value, y.value, xerr=[[x.lo], [x.hi]], yerr=[[y.lo], [y.hi]],
                        fmt="none", ecolor="#555555", elinewidth=0.7, capsize=1.5, zorder=2)
            if a == cat.limit:
                ax.scatter([x.value], [y.value], marker="s", s=70, facecolor="#DDDDDD",
                           edgecolor="#555555", hatch="////", linewidth=0.8, zorder=3)
                ax.axhline(y.value, color="#888888", linestyle="--", linewidth=0.8, zorder=1)
            elif a == cat.arena:
                ax.scatter([x.value], [y.value], marker="*", s=260, color=colour,
                           edgecolor="black", linewidth=0.8, zorder=5)
            else:
                ax.scatter([x.value], [y.value], marker=markers[a], s=60, color=colour,
                           edgecolor="#333333", linewidth=0.6, zorder=4)
        xs = [x.value for _, x, _ in points]
        ys = [y.value for _, _, y in points]
        if p_._want_log(ys):
            plots._log_axis(ax, ys)
        else:
            ax.set_ylim(0, max(y.value + y.hi for _, _, y in points) * 1.12)
            ax.yaxis.set_major_formatter(plots._PLAIN)
        if p_._want_log(xs):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(plots._PLAIN)
        else:
            lo, hi = min(xs), max(x.value + x.hi for _, x, _ in points)
            pad = max(0.05, (hi - lo) * 0.12)
            ax.set_xlim(max(0.0, lo - pad), hi + pad)
        if metric.endswith("_ns") and max(ys) >= 1e4:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.ns(v)))
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("peak footprint / live bytes")
    legend_ax = cells[len(panels)]
    for ax in cells[len(panels) + 1:]:
        ax.set_visible(False)
    legend_ax.axis("off")
    drawn = {a for _, _, _, pts in panels for a, _, _ in pts}
    handles = []
    for a in allocs:
        if a not in drawn:
            continue
        if a == cat.limit:
            h = Line2D([], [], marker="s", linestyle="--", color="#888888",
                       markerfacecolor="#DDDDDD", markeredgecolor="#555555", markersize=8)
        elif a == cat.arena:
            h = Line2D([], [], marker="*", linestyle="none", color=cat.colour(a, p_.allocs),
                       markeredgecolor="black", markersize=14)
        else:
            h = Line2D([], [], marker=markers[a], linestyle="none",
                       color=cat.colour(a, p_.allocs), markeredgecolor="#333333", markersize=8)
        h.set_label(cat.label(a))
        handles.append(h)
    legend_ax.legend(handles=handles, loc="center", frameon=False, fontsize=9,
                     title="lower left is better", title_fontsize=9)
    fig.suptitle("Arena implementations: speed against footprint", y=1.0)
    for a, where in missing.items():
        plot.notes.append(f"{cat.label(a)}: not drawn on {', '.join(where)} "
                          f"(overhead_ratio or the time not measured)")
    return p_._save(fig, plot, top=0.97)
