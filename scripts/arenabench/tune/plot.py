"""The sweep as a figure: time per run, blocks, committed bytes and waste against the
initial capacity, one line per growth factor; the recommendation and the arena's own
suggestion marked. Headless (Agg), PNG and SVG, the report's colours and number format."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import atomic, catalogue, fmt, stats  # noqa: E402

GROWTH_COLOURS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#303030"]


def _cap(r, default_capacity):
    return r.setting.capacity if r.setting.capacity is not None else default_capacity


def _label_choices(rec_ax, sugg_ax, recommended, colour, suggested, suggestion_name):
    """Names the recommended capacity at the top of rec_ax and, if there is one, the
    allocator's suggestion at the top of sugg_ax (their lines are drawn by the caller)."""
    rec_ax.annotate(f"recommended: {fmt.nbytes(recommended)}", (recommended, 1.0),
                    xycoords=("data", "axes fraction"), textcoords="offset points",
                    xytext=(4, -12), fontsize=8, color=colour)
    if suggested:
        sugg_ax.annotate(f"{suggestion_name}: {fmt.nbytes(suggested)}", (suggested, 1.0),
                         xycoords=("data", "axes fraction"), textcoords="offset points",
                         xytext=(-4, -12), fontsize=8, color="#555555", ha="right")


def plot_sweep(results, rec, suggested, default_capacity, title, out_dir, stem="tune"):
    """Writes out_dir/stem.png and .svg; returns their paths."""
    cat = catalogue.load()
    arena_colour = cat.colour(cat.arena)
    by_growth = {}
    for r in results:
        by_growth.setdefault(r.setting.growth, []).append(r)
    fig, axes = plt.subplots(3, 1, figsize=(8.5, 8.0), sharex=True)
    for i, (growth, rs) in enumerate(sorted(by_growth.items(), key=lambda kv: kv[0] or 0)):
        rs = sorted(rs, key=lambda r: _cap(r, default_capacity))
        caps = [_cap(r, default_capacity) for r in rs]
        med = [r.median_ns / 1e6 for r in rs]
        lo = [m - min(r.times_ns) / 1e6 for m, r in zip(med, rs)]
        hi = [max(r.times_ns) / 1e6 - m for m, r in zip(med, rs)]
        c = GROWTH_COLOURS[i % len(GROWTH_COLOURS)] if len(by_growth) > 1 else arena_colour
        lab = "growth factor " + (f"{growth:g}" if growth is not None else "default (2)")
        axes[0].errorbar(caps, med, yerr=[lo, hi], color=c, marker="o", markersize=3, capsize=2,
                         label=lab)
        axes[1].plot(caps, [r.stats.get("blocks", 0) for r in rs], color=c, marker="o", markersize=3)
        axes[2].plot(caps, [r.stats.get("committed_bytes", 0) / 2 ** 20 for r in rs], color=c,
                     marker="o", markersize=3)
        axes[2].plot(caps, [r.stats.get("waste_bytes", 0) / 2 ** 20 for r in rs], color=c,
                     marker="x", markersize=4, linestyle="--")
    band = rec.best_time_ns * (1 + stats.TOLERANCE) / 1e6
    axes[0].axhline(band, color="#888888", linewidth=0.8, linestyle=":")
    axes[0].annotate(f"best + {100 * stats.TOLERANCE:g} %", (1.0, band),
                     xycoords=("axes fraction", "data"),
                     textcoords="offset points", xytext=(-4, 3), ha="right", fontsize=7,
                     color="#555555")
    for ax in axes:
        ax.axvline(rec.capacity, color=arena_colour, linestyle="--", linewidth=1.0)
        if suggested:
            ax.axvline(suggested, color="#555555", linestyle=":", linewidth=1.0)
        ax.set_xscale("log", base=2)
        ax.grid(True, alpha=0.3)
    _label_choices(axes[0], axes[1], rec.capacity, arena_colour, suggested, "arena's suggestion")
    axes[0].set_ylabel("time per run (ms)\nmedian, min-max")
    axes[1].set_ylabel("blocks")
    axes[2].set_ylabel("MiB: committed (o)\nwaste (x, dashed)")
    caps = sorted({_cap(r, default_capacity) for r in results} | ({suggested} if suggested else set()))
    # Labels closer than a factor 1.4 overlap: keep the suggestion's, drop its neighbour's.
    kept = []
    for c in caps:
        if kept and c / kept[-1] < 1.4:
            if c == suggested:
                kept[-1] = c
            continue
        kept.append(c)
    caps = kept
    committed = [r.stats.get("committed_bytes", 0) for r in results]
    if min(committed, default=0) > 0 and max(committed) / min(committed) > 30:
        axes[2].set_yscale("log")
    axes[2].set_xticks(caps)
    axes[2].set_xticklabels([fmt.nbytes(c) for c in caps], rotation=35, ha="right", fontsize=7)
    axes[2].minorticks_off()
    axes[2].set_xlabel("initial capacity")
    axes[0].set_title(title, fontsize=10)
    axes[0].legend(loc="best", fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, stem)


def save(fig, out_dir, stem):
    """Writes out_dir/stem.png and .svg, each atomically (atomic.write_atomic); closes the
    figure; returns the paths."""
    paths = []
    try:
        for ext in ("png", "svg"):
            path = os.path.join(out_dir, f"{stem}.{ext}")
            metadata = {"Software": None} if ext == "png" else {"Date": None}
            atomic.write_atomic(path, lambda f: fig.savefig(f, format=ext, dpi=100, metadata=metadata),
                                binary=True)
            paths.append(path)
    finally:
        plt.close(fig)
    return paths


def plot_program_sweep(sites, title, out_dir, stem="tune-run"):
    """--run --sweep: per site (a row) the wall time of the whole program (median,
    min-max) and its peak RSS against the site's capacity; the setting as the code asks
    as a hollow marker, the recommendation and the library's suggestion as lines.
    sites: [(summary, items, Recommendation)] (run.analyse_site)."""
    cat = catalogue.load()
    colour = cat.colour(cat.arena)
    fig, axes = plt.subplots(len(sites), 2, figsize=(10.0, 2.8 * len(sites) + 0.6), squeeze=False)
    for row, (summary, items, rec) in zip(axes, sites):
        swept = sorted((i for i in items if i["override"] is not None), key=lambda i: i["capacity"])
        asked = [i for i in items if i["override"] is None]
        caps = [i["capacity"] for i in swept]
        med = [i["median_ns"] / 1e6 for i in swept]
        row[0].errorbar(caps, med, yerr=[[m - min(i["times_ns"]) / 1e6 for m, i in zip(med, swept)],
                                         [max(i["times_ns"]) / 1e6 - m for m, i in zip(med, swept)]],
                        color=colour, marker="o", markersize=3, capsize=2)
        row[1].plot(caps, [stats.median(i["rss_bytes"]) / 2 ** 20 for i in swept], color=colour,
                    marker="o", markersize=3)
        for i in asked:
            row[0].plot([i["capacity"]], [i["median_ns"] / 1e6], marker="o", markersize=6,
                        markerfacecolor="none", color="#555555", linestyle="none",
                        label="as the code asks")
            row[1].plot([i["capacity"]], [stats.median(i["rss_bytes"]) / 2 ** 20], marker="o",
                        markersize=6, markerfacecolor="none", color="#555555", linestyle="none")
        sugg = summary["suggested_initial_capacity"]
        ticks = sorted(set(caps + [i["capacity"] for i in asked]))
        for ax in row:
            ax.axvline(rec.capacity, color=colour, linestyle="--", linewidth=1.0)
            if sugg:
                ax.axvline(sugg, color="#555555", linestyle=":", linewidth=1.0)
            ax.set_xscale("log", base=2)
            ax.set_xticks(ticks)
            ax.set_xticklabels([fmt.nbytes(c) for c in ticks], rotation=35, ha="right", fontsize=7)
            ax.minorticks_off()
            ax.grid(True, alpha=0.3)
            ax.set_xlabel(f"initial capacity of {summary['site']}", fontsize=8)
        row[0].set_ylabel("wall time (ms)\nmedian, min-max", fontsize=8)
        row[1].set_ylabel("peak RSS (MiB)\nmedian", fontsize=8)
        _label_choices(row[0], row[1], rec.capacity, colour, sugg, "library's suggestion")
        where = summary["location"] or summary["site"]
        row[0].set_title(f"{summary['site']} ({where})" if where != summary["site"]
                         else summary["site"], fontsize=9)
        if asked:
            row[0].legend(loc="best", fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save(fig, out_dir, stem)
