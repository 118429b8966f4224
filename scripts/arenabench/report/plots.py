"""Every figure of the report: headless (Agg), PNG and SVG, fixed allocator order and colours.

Each plot function takes a dataset.MachineData and returns a Plot: the files written,
a caption, and notes (what was not measured, what was derived). A plot with no data is
not drawn: it comes back with `skipped` set to the reason, which the report prints.
"""
import math
import os
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from .. import fmt, stats  # noqa: E402
from . import claims  # noqa: E402
from .dataset import Stat  # noqa: E402

plt.rcParams.update({
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8.5,
    "axes.grid": True, "grid.alpha": 0.3, "axes.axisbelow": True,
    "svg.hashsalt": "arena-report",          # reproducible SVG ids
    "svg.fonttype": "none",                  # text stays text: smaller, searchable SVGs
    "axes.formatter.limits": (-30, 30),      # linear axes: plain digits, never "1e-9" or "1e6"
    "axes.formatter.useoffset": False,
})
def _plain(v, _pos=None):
    """Tick labels without exponents: 0.5, 20, 5000, 20k, 1M."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if abs(v) >= scale:
            k = 1e3 if suffix == "k" else scale
            return f"{fmt.plain(v / k, 6)}{suffix}"
    return fmt.plain(v, 6)


_PLAIN = FuncFormatter(_plain)


def _log_axis(ax, values):
    """Log y axis with plain numbers; 1-2-5 ticks when the values span under 3 decades."""
    ax.set_yscale("log")
    pos = [v for v in values if v and v > 0]
    if pos and max(pos) / min(pos) < 1000:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(_PLAIN)
DPI = 100
LOG_RANGE = 30.0          # use a log axis when max/min of the plotted values exceeds this
DETERMINISM_WORKLOADS = ["reset_cycles", "small_fixed", "request_reset"]
MAX_LATENCY_PANELS = 4


@dataclass
class Plot:
    stem: str
    title: str
    caption: str = ""
    files: list = field(default_factory=list)    # paths relative to the report directory
    skipped: str = ""
    notes: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # (workload, what) left out: said once, by
                                                 # the report (build.not_measured), not per plot


def _shrink_png(path):
    """Plots use a few flat colours: a 256-colour palette PNG is a third of the size and looks
    the same (it also keeps the embedding report.html small). Skipped without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _panel_grid(n, ncols, panel_height):
    """A grid for n panels in ncols columns, each 6 in wide and panel_height tall, plus 0.9 in
    for the legend; the cells left over are hidden. Returns (fig, the n axes, rows)."""
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.0 * ncols, panel_height * nrows + 0.9),
                             squeeze=False)
    cells = list(axes.flat)
    for ax in cells[n:]:
        ax.set_visible(False)
    return fig, cells[:n], nrows


def _group_ticks(ax, labels):
    """One tick per group, slanted when there are many."""
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=0 if len(labels) < 7 else 30,
                       ha="center" if len(labels) < 7 else "right")


class Plotter:
    def __init__(self, md, outdir, prefix="", allocs=None):
        self.md = md
        self.cat = md.catalogue                    # order, labels, colours, roles
        self.outdir = outdir
        self.prefix = prefix                       # per-machine file prefix ("" or "m1-")
        self.allocs = allocs or md.allocators()    # fixes colours of unknown allocators
        os.makedirs(os.path.join(outdir, "plots"), exist_ok=True)

    # ---- helpers ------------------------------------------------------------------------
    def _save(self, fig, plot, top=None):
        """Lays the figure out (below `top`, a fraction of its height, when a legend or title
        sits above), writes PNG and SVG and closes it."""
        fig.tight_layout(rect=(0, 0, 1, top) if top is not None else None)
        # the tight bounding box is computed once for both formats (it is the costly part)
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.08)
        for ext in ("png", "svg"):
            rel = f"plots/{self.prefix}{plot.stem}.{ext}"
            meta = {"Software": None} if ext == "png" else {"Date": None}
            fig.savefig(os.path.join(self.outdir, rel), dpi=DPI, metadata=meta,
                        bbox_inches=bbox)
            if ext == "png":
                _shrink_png(os.path.join(self.outdir, rel))
            plot.files.append(rel)
        plt.close(fig)
        return plot

    def _legend(self, fig, allocs, extra=()):
        """The allocators' colours, in the fixed order, above the plot."""
        allocs = [a for a in self.allocs if a in set(allocs)]
        handles = [Patch(facecolor=self.cat.colour(a, self.allocs), hatch=self.cat.hatch(a),
                         edgecolor="#555555", label=self.cat.label(a)) for a in allocs]
        handles += list(extra)
        fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 5),
                   frameon=False, bbox_to_anchor=(0.5, 1.0))

    @staticmethod
    def _want_log(values):
        pos = [v for v in values if v is not None and v > 0]
        return len(pos) >= 2 and max(pos) / min(pos) > LOG_RANGE

    def _bars(self, ax, groups, allocs, log=None, scale=1.0):
        """Grouped bars with error bars: groups = [(label, {alloc: Stat})]."""
        values = [s.value * scale for _, d in groups for s in d.values() if s is not None]
        if log is None:
            log = self._want_log(values)
        n = max(1, len(allocs))
        width = 0.8 / n
        trans = blended_transform_factory(ax.transData, ax.transAxes)
        for i, a in enumerate(allocs):
            xs, ys, lo, hi = [], [], [], []
            for g, (_, d) in enumerate(groups):
                x = g - 0.4 + width * (i + 0.5)
                s = d.get(a)
                if s is None:
                    if any(d.values()) and a in self.cat:   # variants are not expected everywhere
                        ax.text(x, 0.01, "n/m", transform=trans, rotation=90, fontsize=6,
                                ha="center", va="bottom", color="#888888")
                    continue
                v = s.value * scale
                if log and v <= 0:
                    ax.text(x, 0.01, "0", transform=trans, fontsize=6, ha="center",
                            va="bottom", color="#555555")
                    continue
                xs.append(x)
                ys.append(v)
                low = s.lo * scale
                lo.append(min(low, v * 0.95) if log else low)
                hi.append(s.hi * scale)
            if xs:
                ax.bar(xs, ys, width, yerr=[lo, hi], color=self.cat.colour(a, self.allocs),
                       hatch=self.cat.hatch(a), edgecolor="#444444", linewidth=0.4,
                       capsize=1.5, error_kw={"elinewidth": 0.8, "ecolor": "#222222"})
        _group_ticks(ax, [g for g, _ in groups])
        ax.set_xlim(-0.5, len(groups) - 0.5)
        if log:
            _log_axis(ax, values)
        return log

    def _groups_by_workload(self, metric, workloads=None, exclude=("capacity_sweep",)):
        """One group per workload (representative parameters): [(label, {alloc: Stat})]."""
        groups = []
        for w in workloads or self.md.workloads():
            if w in exclude:
                continue
            p = self.md.representative_params(w, metric)
            if p is None:
                continue
            d = {a: self.md.stat(w, p, a, metric) for a in self.md.allocators_of(w, p)}
            if any(s is not None for s in d.values()):
                groups.append((f"{w}/{p}" if p else w, d))
        return groups

    def _present(self, groups):
        present = {a for _, d in groups for a, s in d.items() if s is not None}
        return [a for a in self.allocs if a in present]

    # ---- plots --------------------------------------------------------------------------
    def speed(self):
        plot = Plot("speed", "Allocation speed per workload",
                    "Median ns_per_alloc per allocator; error bars: "
                    "±1 stddev over repetitions (or the range over runs). Lower is better. "
                    "n/m: not measured.")
        panels = []
        for w in self.md.workloads():
            if w == "capacity_sweep":
                continue
            groups = []
            for p in self.md.params(w):
                d = {a: self.md.stat(w, p, a, "ns_per_alloc") for a in self.md.allocators_of(w, p)}
                if any(s is not None for s in d.values()):
                    groups.append((p or w, d))
            if groups:
                panels.append((w, groups))
            else:
                plot.missing.append((w, "ns_per_alloc"))
        if not panels:
            plot.skipped = "no benchmark has an ns_per_alloc counter"
            return plot
        fig, axes, nrows = _panel_grid(len(panels), 1 if len(panels) <= 3 else 2, 2.5)
        allocs = []
        for ax, (w, groups) in zip(axes, panels):
            present = self._present(groups)
            allocs += present
            log = self._bars(ax, groups, present)
            ax.set_title(w)
            ax.set_ylabel("ns per allocation" + (" (log)" if log else ""))
        self._legend(fig, allocs)
        fig.suptitle("Allocation speed: median ns per allocation (lower is better)",
                     y=1.0 + 0.35 / (2.5 * nrows))
        return self._save(fig, plot, top=1 - 0.55 / (2.5 * nrows + 0.9))

    def overview(self):
        plot = Plot("overview", "Time per iteration relative to glibc malloc",
                    "End-to-end time of one benchmark iteration (allocate, use, release) "
                    "divided by glibc malloc's on the same benchmark; below 1 is faster than "
                    "malloc. Representative parameters per workload; error bars scaled the "
                    "same way.")
        ref = "malloc" if "malloc" in self.allocs else None
        if ref is None:
            plot.skipped = "glibc malloc (the reference) was not measured"
            return plot
        groups = []
        for w in self.md.workloads():
            if w == "capacity_sweep":
                continue
            p = self.md.representative_params(w, "real_time_ns")
            if p is None:
                continue
            base = self.md.value(w, p, ref, "real_time_ns")
            if not base:
                plot.missing.append((w, "a glibc malloc run (the reference of the time-ratio plot)"))
                continue
            d = {}
            for a in self.md.allocators_of(w, p):
                s = self.md.stat(w, p, a, "real_time_ns")
                if s is not None:
                    d[a] = Stat(s.value / base, s.lo / base, s.hi / base)
            groups.append((f"{w}/{p}" if p else w, d))
        if not groups:
            plot.skipped = "no workload has both real_time and a glibc malloc run"
            return plot
        present = self._present(groups)
        fig, ax = plt.subplots(figsize=(max(8.0, 0.9 * len(groups) + 3), 4.4))
        self._bars(ax, groups, present, log=True)
        ax.axhline(1.0, color="#303030", linewidth=1.0, linestyle="--")
        ax.set_ylabel("time / glibc malloc's time (log)")
        ax.set_title("Time per iteration relative to glibc malloc (lower is faster)")
        self._legend(fig, present)
        return self._save(fig, plot, top=0.86)

    def _workload_panel_plot(self, plot, metric, ylabel, title, hlines=(), scale=1.0, log=None,
                             markers_metric=None):
        groups = self._groups_by_workload(metric)
        if not groups:
            plot.skipped = f"no benchmark has a {metric} counter"
            return plot
        measured = {g for g, _ in groups}
        for w in self.md.workloads():
            if w != "capacity_sweep" and not any(g.split("/")[0] == w for g in measured):
                plot.missing.append((w, metric))
        present = self._present(groups)
        fig, ax = plt.subplots(figsize=(max(8.0, 0.9 * len(groups) + 3), 4.4))
        used_log = self._bars(ax, groups, present, log=log, scale=scale)
        extra = []
        if markers_metric:
            n = len(present)
            width = 0.8 / max(1, n)
            for g, (glabel, _) in enumerate(groups):
                w, _, p = glabel.partition("/")
                for i, a in enumerate(present):
                    v = self.md.value(w, p, a, markers_metric)
                    if v and (v > 0 or not used_log):
                        ax.plot([g - 0.4 + width * i, g - 0.4 + width * (i + 1)], [v * scale] * 2,
                                color="black", linewidth=1.2)
            extra.append(Line2D([], [], color="black", linewidth=1.2,
                                label=markers_metric.replace("_", " ")))
        for y, text, style in hlines:
            ax.axhline(y, color="#555555", linewidth=0.9, linestyle=style)
            extra.append(Line2D([], [], color="#555555", linewidth=0.9, linestyle=style,
                                label=text))
        ax.set_ylabel(ylabel + (" (log)" if used_log else ""))
        ax.set_title(title)
        self._legend(fig, present, extra)
        return self._save(fig, plot, top=0.86)

    def release(self):
        plot = Plot("release", "Release time",
                    "Median release_ns: the time to release everything one iteration allocated "
                    "(arena destroy or reset, per-object free for the malloc family, dropping the "
                    "root and collecting for Boehm). Lower is better.")
        return self._workload_panel_plot(plot, "release_ns", "release time (ns)",
                                         "Release time per iteration (lower is better)")

    def footprint(self):
        plot = Plot("footprint", "Peak footprint",
                    "Median footprint_peak_bytes (memory the allocator held, from its own "
                    "introspection) in MiB; black ticks: live_peak_bytes (bytes requested and "
                    "live at the peak). The gap between bar and tick is the overhead.")
        return self._workload_panel_plot(plot, "footprint_peak_bytes", "peak footprint (MiB)",
                                         "Peak footprint (bars) against live data (ticks)",
                                         scale=1 / 2 ** 20, markers_metric="live_peak_bytes")

    def overhead(self):
        plot = Plot("overhead", "Memory overhead",
                    "Median overhead_ratio = footprint_peak_bytes / live_peak_bytes; 1 means no "
                    "overhead. Dashed lines: the report's Low / High thresholds.")
        values = [s.value for _, d in self._groups_by_workload("overhead_ratio")
                  for s in d.values() if s is not None and s.value > 0]
        log = bool(values) and max(values) / min(values) > 4    # ratios: log once they spread
        return self._workload_panel_plot(
            plot, "overhead_ratio", "footprint / live", "Memory overhead (lower is better)",
            log=log,
            hlines=[(1.0, "1 (no overhead)", "-"),
                    (claims.LOW_OVERHEAD, f"Low ≤ {claims.LOW_OVERHEAD:g}", "--"),
                    (claims.HIGH_OVERHEAD, f"High ≥ {claims.HIGH_OVERHEAD:g}", ":")])

    def fragmentation(self):
        plot = Plot("fragmentation", "Fragmentation",
                    "Median fragmentation = 1 − live/footprint at the peak, in percent. Dashed "
                    "lines: the report's Low / High thresholds.")
        return self._workload_panel_plot(
            plot, "fragmentation", "fragmentation (%)", "Fragmentation at the peak (lower is better)",
            scale=100.0, log=False,
            hlines=[(100 * claims.LOW_FRAG, f"Low ≤ {100 * claims.LOW_FRAG:.0f} %", "--"),
                    (100 * claims.HIGH_FRAG, f"High ≥ {100 * claims.HIGH_FRAG:.0f} %", ":")])

    def latency_cdf(self):
        plot = Plot("latency_cdf", "Allocation latency percentiles",
                    "Latency of single allocations by percentile (HdrHistogram style: the x axis "
                    "stretches the tail). Solid lines: the full distribution recorded by the "
                    "harness (series.latency_cdf); dashed lines with markers: derived from the "
                    "lat_p50/p99/p999/max counters only.")
        # the determinism workloads; others (with a recorded distribution) only to fill up to
        # MAX_LATENCY_PANELS when some of those were not run
        workloads = [w for w in DETERMINISM_WORKLOADS if w in self.md.workloads()]
        workloads += [w for w in self.md.workloads() if w not in workloads and any(
            self.md.series("latency_cdf", w, p, a) is not None
            for p in self.md.params(w) for a in self.md.allocators_of(w, p))]
        workloads = workloads[:max(MAX_LATENCY_PANELS,
                                   len([w for w in workloads if w in DETERMINISM_WORKLOADS]))]
        panels = []
        derived_any = False
        for w in workloads:
            p = self.md.representative_params(w, "lat_p50_ns")
            if p is None:
                p = self.md.representative_params(w)
            curves = []
            for a in self.md.allocators_of(w, p):
                s = self.md.series("latency_cdf", w, p, a)
                if s is not None:
                    curves.append((a, s["percentile"], s["ns"], False))
                    continue
                pts = [(q, self._lat(w, p, a, k)) for q, k in
                       ((50, "p50"), (99, "p99"), (99.9, "p999"), (100, "max"))]
                pts = [(q, v) for q, v in pts if v is not None]
                if len(pts) >= 2:
                    curves.append((a, [q for q, _ in pts], [v for _, v in pts], True))
                    derived_any = True
            if curves:
                panels.append((f"{w}/{p}" if p else w, curves))
        if not panels:
            plot.skipped = ("no latency measured: neither series.latency_cdf nor the "
                            "lat_p50_ns/lat_p99_ns/lat_p999_ns/lat_max_ns counters")
            return plot
        if derived_any:
            plot.notes.append("some curves derived from the four percentile counters "
                              "(the harness wrote no series.latency_cdf for them)")
        fig, axes, nrows = _panel_grid(len(panels), 1 if len(panels) == 1 else 2, 3.4)
        ticks = [50, 90, 99, 99.9, 99.99]
        xmax = 5.3
        present, kinds = set(), set()
        for ax, (title, curves) in zip(axes, panels):
            for a, ps, ns, derived in curves:
                xs, ys = [], []
                for q, v in zip(ps, ns):
                    if v <= 0:
                        continue
                    x = xmax if q >= 100 else -math.log10(1 - q / 100)
                    xs.append(x)
                    ys.append(v)
                if not xs:
                    continue
                present.add(a)
                kinds.add(derived)
                ax.plot(xs, ys, color=self.cat.colour(a, self.allocs),
                        linestyle="--" if derived else "-", marker="o" if derived else None,
                        markersize=3, linewidth=1.4 if a == self.cat.arena else 1.0)
            _log_axis(ax, [v for _, _, ns, _ in curves for v in ns])
            ax.set_xticks([-math.log10(1 - q / 100) for q in ticks] + [xmax])
            ax.set_xticklabels([f"p{q:g}" for q in ticks] + ["max"])
            ax.set_xlim(0, xmax + 0.2)
            ax.set_ylabel("latency (ns, log)")
            ax.set_title(title)
        extra = []
        if False in kinds:
            extra.append(Line2D([], [], color="#555555", label="full distribution"))
        if True in kinds:
            extra.append(Line2D([], [], color="#555555", linestyle="--", marker="o",
                                markersize=3, label="from 4 counters"))
        self._legend(fig, present, extra)
        return self._save(fig, plot, top=1 - 0.55 / (3.4 * nrows + 0.9))

    def _lat(self, w, p, a, which):
        for prefix in ("lat_", "req_lat_"):
            v = self.md.value(w, p, a, f"{prefix}{which}_ns")
            if v is not None:
                return v
        return None

    def gc_pauses(self):
        plot = Plot("gc_pauses", "Boehm collection pauses",
                    "Boehm GC's collections per workload: the longest pause (gc_pause_max_ns) and "
                    "the mean pause (gc_pause_total_ns / gc_count), with the number of "
                    "collections above the bars; the arena's worst single-allocation latency "
                    "(lat_max_ns) on the same benchmark for scale.")
        if self.cat.gc not in self.allocs:
            plot.skipped = "Boehm GC was not measured"
            return plot
        rows = []
        for w in self.md.workloads():
            p = self.md.representative_params(w, "gc_count")
            if p is None:
                continue
            cnt = self.md.value(w, p, self.cat.gc, "gc_count")
            mx = self.md.value(w, p, self.cat.gc, "gc_pause_max_ns")
            tot = self.md.value(w, p, self.cat.gc, "gc_pause_total_ns")
            if cnt is None and mx is None:
                continue
            mean = tot / cnt if (tot is not None and cnt) else None
            rows.append((f"{w}/{p}" if p else w, cnt, mx, mean, self.md.value(w, p, self.cat.arena, "lat_max_ns")))
        if not rows or not any((r[2] or 0) > 0 for r in rows):
            plot.skipped = "no Boehm collection pause recorded (gc_pause_max_ns missing or 0)"
            return plot
        gc_colour, arena_colour = self.cat.colour(self.cat.gc), self.cat.colour(self.cat.arena)
        fig, ax = plt.subplots(figsize=(max(8.0, 0.9 * len(rows) + 3), 4.2))
        width = 0.27
        for i, (g, cnt, mx, mean, arena_max) in enumerate(rows):
            if mx:
                ax.bar(i - width, mx, width, color=gc_colour, edgecolor="#444444", linewidth=0.4)
                ax.text(i - width, mx, f"{fmt.count(cnt)}×" if cnt is not None else "", ha="center",
                        va="bottom", fontsize=7)
            if mean:
                ax.bar(i, mean, width, color=gc_colour, alpha=0.5, edgecolor="#444444",
                       linewidth=0.4)
            if arena_max:
                ax.bar(i + width, arena_max, width, color=arena_colour, edgecolor="#444444",
                       linewidth=0.4)
        _log_axis(ax, [v for r in rows for v in r[2:] if v])
        _group_ticks(ax, [r[0] for r in rows])
        ax.set_ylabel("pause (ns, log)")
        ax.set_title("Boehm GC pauses (number of collections above the bars)")
        handles = [Patch(facecolor=gc_colour, label="Boehm: longest pause"),
                   Patch(facecolor=gc_colour, alpha=0.5, label="Boehm: mean pause"),
                   Patch(facecolor=arena_colour, label="arena: max allocation latency")]
        fig.legend(handles=handles, loc="upper center", ncol=3, frameon=False)
        return self._save(fig, plot, top=0.9)

    def capacity_sweep(self):
        plot = Plot("capacity_sweep", "Arena capacity sweep",
                    "The arena on one fixed workload with initial capacities from small to large: "
                    "time per allocation, number of blocks, and bytes wasted (padding and abandoned "
                    "block tails). The recommended capacity is the smallest within 5 % of the best "
                    "time (the tuner's rule); where the harness reports the arena's own "
                    "suggested_capacity_bytes, it is marked too.")
        w = "capacity_sweep"
        if w not in self.md.workloads():
            plot.skipped = "the capacity_sweep workload was not run"
            return plot
        lines = {}
        for a in self.md.allocators_of(w):
            pts = []
            for p in self.md.params(w):
                cap = self.md.value(w, p, a, "initial_capacity")
                if cap is None:
                    nums = [t.split(":")[-1] for t in p.split("/")]
                    nums = [int(t) for t in nums if t.isdigit()]
                    cap = float(nums[0]) if nums else None
                if cap is None:
                    continue
                t = self.md.stat(w, p, a, "ns_per_alloc") or self.md.stat(w, p, a, "real_time_ns")
                pts.append((cap, t, self.md.value(w, p, a, "blocks"),
                            self.md.value(w, p, a, "waste_bytes"),
                            self.md.value(w, p, a, "suggested_capacity_bytes")))
            if pts:
                lines[a] = sorted(pts, key=lambda x: x[0])
        if not lines:
            plot.skipped = "capacity_sweep rows carry no initial capacity (counter or parameter)"
            return plot
        fig, axes = plt.subplots(3, 1, figsize=(8.5, 7.6), sharex=True)
        rec_text = []
        for a, pts in lines.items():
            c = self.cat.colour(a, self.allocs)
            caps = [p[0] for p in pts]
            times = [p[1] for p in pts]
            tv = [t.value if t else float("nan") for t in times]
            axes[0].errorbar(caps, tv, yerr=[[t.lo if t else 0 for t in times],
                                             [t.hi if t else 0 for t in times]],
                             color=c, marker="o", markersize=3, capsize=2, label=self.cat.label(a))
            axes[1].plot(caps, [p[2] if p[2] is not None else float("nan") for p in pts],
                         color=c, marker="o", markersize=3)
            axes[2].plot(caps, [p[3] / 1024 if p[3] is not None else float("nan") for p in pts],
                         color=c, marker="o", markersize=3)
            valid = [(cap, t) for cap, t in zip(caps, tv) if not math.isnan(t)]
            if valid:
                (rec, _), (_, best) = stats.smallest_near_best(
                    valid, time=lambda pt: pt[1], size=lambda pt: pt[0])
                for ax in axes:
                    ax.axvline(rec, color=c, linestyle="--", linewidth=1.0)
                axes[0].annotate(f"recommended: {fmt.nbytes(rec)}", (rec, 0.95),
                                 xycoords=("data", "axes fraction"), textcoords="offset points",
                                 xytext=(4, 0), fontsize=8, color=c, ha="left", va="top",
                                 bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85,
                                       "pad": 1.5})
                rec_text.append(f"{self.cat.label(a)}: recommended initial capacity {fmt.nbytes(rec)} "
                                f"(best time {fmt.ns(best)})")
            sugg = [p[4] for p in pts if p[4]]
            if sugg:
                s = sorted(sugg)[len(sugg) // 2]
                for ax in axes:
                    ax.axvline(s, color="#555555", linestyle=":", linewidth=1.0)
                axes[1].annotate(f"arena's suggested capacity: {fmt.nbytes(s)}", (s, 0.9),
                                 xycoords=("data", "axes fraction"), textcoords="offset points",
                                 xytext=(6, 0), fontsize=8, color="#555555", va="top",
                                 bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85,
                                       "pad": 1.5})
                rec_text.append(f"{self.cat.label(a)}: the arena's own suggested_capacity_bytes "
                                f"{fmt.nbytes(s)}")
        axes[0].set_ylabel("ns per allocation")
        axes[1].set_ylabel("blocks")
        axes[2].set_ylabel("waste (KiB)")
        for ax in axes:
            ax.set_xscale("log", base=2)
        blocks = [p[2] for pts in lines.values() for p in pts if p[2]]
        waste = [p[3] / 1024 for pts in lines.values() for p in pts if p[3]]
        if self._want_log(blocks):
            _log_axis(axes[1], blocks)
        if self._want_log(waste):
            _log_axis(axes[2], waste)
        ticks = sorted({p[0] for pts in lines.values() for p in pts})
        axes[2].set_xticks(ticks)
        axes[2].set_xticklabels([fmt.nbytes(t) for t in ticks], rotation=30, ha="right")
        axes[2].set_xlabel("initial capacity")
        axes[0].set_title("Arena initial-capacity sweep")
        axes[0].legend(loc="upper right")
        axes[0].set_ylim(bottom=0)
        plot.notes += rec_text
        return self._save(fig, plot)

    def memory_timeline(self):
        plot = Plot("memory_timeline", "Memory over time",
                    "Footprint sampled during one iteration of the run (series.memory_timeline): "
                    "how each allocator's held memory grows and what it gives back at release.")
        panels = []
        for w in self.md.workloads():
            for p in self.md.params(w):
                curves = []
                for a in self.md.allocators_of(w, p):
                    s = self.md.series("memory_timeline", w, p, a)
                    if s is not None:
                        curves.append((a, s))
                if curves:
                    panels.append((f"{w}/{p}" if p else w, curves))
        if not panels:
            plot.skipped = ("the results contain no series.memory_timeline (an older harness, "
                            "or series were not recorded): memory over time cannot be drawn")
            return plot
        panels = panels[:4]
        fig, axes, nrows = _panel_grid(len(panels), 1 if len(panels) == 1 else 2, 3.3)
        present = set()
        for ax, (title, curves) in zip(axes, panels):
            for a, s in curves:
                key = "footprint_bytes" if "footprint_bytes" in s else "rss_bytes"
                present.add(a)
                ax.plot([t / 1e6 for t in s["t_ns"]], [v / 2 ** 20 for v in s[key]],
                        color=self.cat.colour(a, self.allocs), linewidth=1.6 if a == self.cat.arena else 1.0,
                        drawstyle="steps-post")
            ax.set_xlabel("time (ms)")
            ax.set_ylabel("footprint (MiB)")
            ax.set_title(title)
        self._legend(fig, present)
        return self._save(fig, plot, top=1 - 0.7 / (3.3 * nrows + 0.9))

    def all(self):
        return [self.overview(), self.speed(), self.release(), self.footprint(), self.overhead(),
                self.fragmentation(), self.latency_cdf(), self.gc_pauses(),
                self.capacity_sweep(), self.memory_timeline()]


def machines_plot(mds, outdir, metric="ns_per_alloc", workload="small_fixed"):
    """Several machines side by side on one benchmark (the spread between machines)."""
    plot = Plot("machines", "Machines compared",
                f"Median {metric} on {workload} (representative parameters) per machine; "
                f"error bars: spread over that machine's runs or repetitions.")
    groups = []
    allocs = []
    for i, md in enumerate(mds):
        if workload not in md.workloads():
            continue
        p = md.representative_params(workload, metric)
        d = {a: md.stat(workload, p, a, metric) for a in md.allocators_of(workload, p)}
        groups.append((f"machine {i + 1}", d))
        allocs += md.allocators()
    if len(groups) < 2:
        plot.skipped = f"fewer than two machines measured {workload}"
        return plot
    p = Plotter(mds[0], outdir, "", mds[0].catalogue.order(allocs))
    present = p._present(groups)
    fig, ax = plt.subplots(figsize=(max(7.0, 2.2 * len(groups) + 3), 4.2))
    log = p._bars(ax, groups, present)
    ax.set_ylabel(metric + (" (log)" if log else ""))
    ax.set_title(f"{workload}: {metric} by machine")
    p._legend(fig, present)
    return p._save(fig, plot, top=0.86)


