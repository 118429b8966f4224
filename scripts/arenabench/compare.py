"""scripts/compare, the CI regression gate: per benchmark in both files, the change of
the median time (new/old - 1) and Google Benchmark's two-sided Mann-Whitney U test on the repetitions (gbench, from
Debian's libbenchmark-tools). A benchmark is a regression when it is slower by more
than the threshold AND the test says the difference is significant.

Significance is decided on Holm-adjusted p-values by default: a gate tests many
benchmarks at once, and at p < 0.05 each, twenty benchmarks of an unchanged build
would raise a false alarm in most runs. Holm's step-down adjustment (multiply the
i-th smallest of m p-values by m - i + 1, keep the sequence non-decreasing) keeps the
chance of any false alarm at alpha. --correction none decides on gbench's raw p.

The U test, Holm's adjustment and the medians are the shared ones (arenabench.stats).

Count results (scripts/bench --counts: instructions and simulated cache misses under
callgrind, exact) are gated without statistics: countgate.py. Both sides must be of one
kind; a counts result against a timed one is bad input.

Exit status: 0 no regression; 1 at least one regression; 2 bad input or nothing
comparable.
"""
import argparse
import re
import sys

from . import countgate, stats
from .errors import InputError
from .results import repetition_times


def _pvalues(old, new):
    """gbench's U test p-value of real time per benchmark in both runs."""
    try:
        tested = stats.utest_pvalues({n: list(zip(r["real"], r["cpu"])) for n, r in old.items()},
                                     {n: list(zip(r["real"], r["cpu"])) for n, r in new.items()})
    except ImportError as e:
        raise InputError(None, f"Google Benchmark's gbench is not importable from "
                               f"{stats.GBENCH_DIR} ({e}); install Debian's libbenchmark-tools "
                               f"(scripts/install-deps)") from None
    return {name: p for name, (p, _) in tested.items()}


def compare(old, new, threshold, alpha, correction="holm"):
    """Rows: dicts with name, old/new medians, change, pvalue (gbench's), padj (the one
    decided on), n_old, n_new, verdict."""
    pvalues = _pvalues(old, new)
    common = [n for n in old if n in new]
    tested = {n: pvalues[n] for n in common if n in pvalues}
    adjusted = stats.holm(tested) if correction == "holm" else dict(tested)
    factor = len(tested) if correction == "holm" else 1
    rows = []
    for name in common:
        o, n = old[name]["real"], new[name]["real"]
        mo, mn = stats.median(o), stats.median(n)
        change = mn / mo - 1
        p, padj = pvalues.get(name), adjusted.get(name)
        floor = min(1.0, stats.min_pvalue(len(o), len(n)) * max(1, factor))
        if padj is None or floor >= alpha:
            significant = None               # the test cannot decide with these repetitions
        else:
            significant = padj < alpha
        if change > threshold:
            verdict = "REGRESSION" if significant else ("slower, untested" if significant is None
                                                        else "slower, not significant")
        elif change < -threshold:
            verdict = "faster" if significant else ("faster, untested" if significant is None
                                                    else "faster, not significant")
        else:
            verdict = "same"
        rows.append({"name": name, "old_ns": mo, "new_ns": mn, "change": change, "pvalue": p,
                     "padj": padj, "floor": floor, "n_old": len(o), "n_new": len(n),
                     "verdict": verdict})
    return rows


def fmt_ns(v):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if v >= scale:
            return f"{v / scale:.4g} {unit}"
    return f"{v:.4g} ns"


def table(rows, threshold, alpha, show_all):
    shown = rows if show_all else [r for r in rows if r["verdict"] != "same"]
    width = max([len("benchmark")] + [len(r["name"]) for r in shown])
    out = [f"{'benchmark':<{width}}  {'old (median)':>13}  {'new (median)':>13}  {'change':>8}  "
           f"{'p (U test)':>10}  {'p (Holm)':>9}  {'n':>7}  verdict",
           "-" * (width + 86)]
    for r in shown:
        p = "-" if r["pvalue"] is None else f"{r['pvalue']:.4f}"
        padj = "-" if r["padj"] is None else f"{r['padj']:.4f}"
        out.append(f"{r['name']:<{width}}  {fmt_ns(r['old_ns']):>13}  {fmt_ns(r['new_ns']):>13}  "
                   f"{100 * r['change']:+7.1f}%  {p:>10}  {padj:>9}  {r['n_old']:>3}/{r['n_new']:<3}  "
                   f"{r['verdict']}")
    if not show_all and len(shown) < len(rows):
        out.append(f"({len(rows) - len(shown)} benchmarks within ±{100 * threshold:g}% not shown; "
                   f"--all shows them)")
    return "\n".join(out)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/compare",
        description="Compares two results files benchmark by benchmark with Google Benchmark's "
                    "own U test (gbench); exits 1 when a benchmark is slower by more than the "
                    "threshold with statistical significance.")
    p.add_argument("baseline", help="BASELINE.json (results.json or a bench binary's JSON)")
    p.add_argument("current", help="CURRENT.json")
    p.add_argument("--threshold", type=float, default=None, metavar="PCT",
                   help="slowdown in percent of the median time that counts (default 5); for "
                        "counts results: growth in percent of instructions_per_alloc "
                        f"(default {countgate.DEFAULT_THRESHOLD:g})")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="significance level of the U test (default 0.05, as compare.py)")
    p.add_argument("--correction", choices=["holm", "none"], default="holm",
                   help="multiple-comparison adjustment of the p-values (default holm)")
    p.add_argument("--filter", metavar="REGEX", help="only benchmarks whose name matches")
    p.add_argument("--all", action="store_true", help="list unchanged benchmarks too")
    args = p.parse_args(argv)
    if args.threshold is not None and not 0 <= args.threshold < 1000:
        p.error(f"--threshold {args.threshold:g} out of range (0 to 1000 percent)")
    if not 0 < args.alpha < 1:
        p.error(f"--alpha {args.alpha:g} out of range (between 0 and 1)")
    if args.filter is not None:
        try:
            args.regex = re.compile(args.filter)
        except re.error as e:
            p.error(f"bad --filter regex {args.filter!r}: {e}")
    else:
        args.regex = None
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        modes = (countgate.mode(args.baseline), countgate.mode(args.current))
        if modes[0] != modes[1]:
            which = {"counts": "a counts result (scripts/bench --counts)",
                     "timed": "a timed result"}
            raise InputError(None, f"{args.baseline} is {which[modes[0]]} and {args.current} is "
                                   f"{which[modes[1]]}: compare counts with counts and times "
                                   f"with times")
        if modes[0] == "counts":
            return _main_counts(args)
        if args.threshold is None:
            args.threshold = 5.0
        old, old_ctx = repetition_times(args.baseline)
        new, new_ctx = repetition_times(args.current)
        if args.regex is not None:
            old = {k: v for k, v in old.items() if args.regex.search(k)}
            new = {k: v for k, v in new.items() if args.regex.search(k)}
        common = [n for n in old if n in new]
        if not common:
            raise InputError(None, f"no benchmark is in both {args.baseline} and {args.current}"
                             + (f" (after --filter {args.filter!r})" if args.filter else ""))
        rows = compare(old, new, args.threshold / 100.0, args.alpha, args.correction)
    except InputError as e:
        print(f"scripts/compare: {e}", file=sys.stderr)
        return 2

    print(f"baseline: {args.baseline}\ncurrent:  {args.current}")
    adj = (f"Holm-adjusted over the {sum(r['padj'] is not None for r in rows)} benchmarks tested"
           if args.correction == "holm" else "not adjusted")
    print(f"rule: a regression is a median time more than {args.threshold:g}% higher with a "
          f"two-sided Mann-Whitney U test p < {args.alpha:g} (gbench, over the repetitions; "
          f"p {adj})\n")
    print(table(rows, args.threshold / 100.0, args.alpha, args.all))
    only_old = [n for n in old if n not in new]
    only_new = [n for n in new if n not in old]
    regressions = [r for r in rows if r["verdict"] == "REGRESSION"]
    untested = [r for r in rows if "untested" in r["verdict"]]
    counts = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    print("\n" + ", ".join(f"{v}: {c}" for v, c in sorted(counts.items())) + f" ({len(rows)} compared)")
    if only_old or only_new:
        print(f"not compared: {len(only_old)} only in the baseline, {len(only_new)} only in the current run")
    if untested:
        worst = min(r["floor"] for r in untested)
        print(f"warning: {len(untested)} benchmark(s) changed beyond the threshold but have too few "
              f"repetitions for the U test to reach p < {args.alpha:g} (smallest possible"
              f"{' adjusted' if args.correction == 'holm' else ''} p {worst:.3g}); use more "
              f"repetitions on each side (9 or more), or gate fewer benchmarks (--filter)")
    if old_ctx.get("host_name") and new_ctx.get("host_name") and old_ctx["host_name"] != new_ctx["host_name"]:
        print(f"note: different machines ({old_ctx['host_name']} vs {new_ctx['host_name']}): "
              f"the difference includes the machine")
    if regressions:
        print(f"\nFAIL: {len(regressions)} benchmark(s) slower by more than {args.threshold:g}% "
              f"with p < {args.alpha:g}:")
        for r in regressions:
            print(f"  {r['name']}: {100 * r['change']:+.1f}% (p = {r['pvalue']:.4f}, "
                  f"{'Holm ' if args.correction == 'holm' else ''}p = {r['padj']:.4f})")
        return 1
    print("\nPASS: no benchmark is significantly slower by more than %g%%" % args.threshold)
    return 0


def _main_counts(args):
    """The gate on two counts results (countgate.py); InputError for bad input, before
    anything is printed."""
    old, old_settings = countgate.load(args.baseline)
    new, new_settings = countgate.load(args.current)
    if args.regex is not None:
        old = {k: v for k, v in old.items() if args.regex.search(k)}
        new = {k: v for k, v in new.items() if args.regex.search(k)}
    if not any(n in new for n in old):
        raise InputError(None, f"no benchmark is in both {args.baseline} and {args.current}"
                         + (f" (after --filter {args.filter!r})" if args.filter else ""))
    return countgate.report(args, old, new, old_settings, new_settings)
