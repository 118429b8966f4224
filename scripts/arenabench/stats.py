"""The statistics every tool shares.

- median: of repetitions (statistics.median).
- The U test: Google Benchmark's own two-sided Mann-Whitney U test, from gbench in
  Debian's libbenchmark-tools (/usr/share/benchmark/gbench, as its tools/compare.py
  uses it): over the repetitions (iteration rows) of two runs, or of two samples.
- Holm's step-down adjustment of many p-values (a gate tests many benchmarks at once).
- The 5 % rule: the smallest setting whose time is within TOLERANCE of the best one
  (the tuner's recommendation and the report's capacity sweep).
"""
import math
import statistics
import sys

GBENCH_DIR = "/usr/share/benchmark"
ALPHA = 0.05           # gbench compare.py's default significance level
TOLERANCE = 0.05       # "within 5 % of the best"
# The tuners' significance level: a recommendation must come out the same on a second
# run, so time moves it only on much stronger evidence than a one-off comparison needs.
# With Holm's adjustment, times that are noise alone (normal or uniform, 9 runs a
# setting) moved it in none of 4000 simulated sweeps (at 0.01: 0.4 % of them); a 30 %
# difference is still found, a 10 % one hardly ever (the noise-free choice stands).
TUNE_ALPHA = 0.001

median = statistics.median


def gbench_report():
    """gbench.report from Debian's libbenchmark-tools; raises ImportError with the reason."""
    if GBENCH_DIR not in sys.path:
        sys.path.insert(0, GBENCH_DIR)
    from gbench import report  # noqa: WPS433 (Debian's libbenchmark-tools)
    return report


def as_gbench(samples):
    """{name: [(real_ns, cpu_ns), ...]} -> Google Benchmark JSON of iteration rows."""
    return {"benchmarks": [{"name": name, "run_type": "iteration", "time_unit": "ns",
                            "real_time": real, "cpu_time": cpu}
                           for name, pairs in samples.items() for real, cpu in pairs]}


def utest_pvalues(old, new):
    """gbench's U test per benchmark in both: {name: (time p-value, enough repetitions)}.
    old, new: {name: [(real_ns, cpu_ns), ...]} (one pair per repetition)."""
    out = {}
    report = gbench_report()
    for entry in report.get_difference_report(as_gbench(old), as_gbench(new), utest=True):
        ut = entry.get("utest") or {}
        if ut.get("time_pvalue") is not None:
            out[entry["name"]] = (ut["time_pvalue"], bool(ut.get("have_optimal_repetitions")))
    return out


def utest(a, b):
    """Two-sided U test p-value of two samples (gbench's), None when it cannot be had
    (fewer than 2 values on a side, or gbench missing)."""
    try:
        report = gbench_report()
    except ImportError:
        return None
    _, _, p = report.calc_utest([list(a), list(b)], [list(a), list(b)])
    return None if p is None else float(p)


def optimal_repetitions():
    """Repetitions per side below which gbench warns that the U test is unreliable."""
    return gbench_report().UTEST_OPTIMAL_REPETITIONS


def min_pvalue(n, m):
    """Smallest two-sided p-value an exact U test can give with n and m repetitions."""
    return 2.0 / math.comb(n + m, n) if n and m else 1.0


def holm(pvalues):
    """Holm step-down adjusted p-values of {name: p} (Holm 1979): multiply the i-th
    smallest of m p-values by m - i + 1, keep the sequence non-decreasing."""
    ranked = sorted(pvalues.items(), key=lambda kv: kv[1])
    m, running, out = len(ranked), 0.0, {}
    for i, (name, p) in enumerate(ranked):
        running = max(running, min(1.0, (m - i) * p))
        out[name] = running
    return out


def near_best(value, best):
    """Within TOLERANCE of the best (lowest) time."""
    return value <= (1 + TOLERANCE) * best


def smallest_near_best(items, time, size):
    """(the item of smallest size(item) among those whose time(item) is within TOLERANCE
    of the best, the best item). Ties on size: the earlier item."""
    items = list(items)
    if not items:
        raise ValueError("no items to choose from")
    best = min(items, key=time)
    near = [i for i in items if near_best(time(i), time(best))]
    return min(near, key=size), best


def not_significantly_slower(ordered, times, alpha=TUNE_ALPHA):
    """The tuners' rule for time: the first item of `ordered` (an order decided from
    noise-free figures) that no other item beats in time *significantly* - a median more
    than TOLERANCE lower AND a U test p-value below alpha after Holm's adjustment over the
    items that have a lower median. Noise alone (times that do not differ) never moves
    the choice off the first item; the item with the lowest median is never rejected, so
    there is always a choice. Returns (choice, [(rejected, beaten_by, adjusted p), ...])."""
    ordered = list(ordered)
    if not ordered:
        raise ValueError("no items to choose from")
    rejected = []
    for cand in ordered:
        t = median(times(cand))
        faster = [o for o in ordered if o is not cand and not near_best(t, median(times(o)))]
        ps = {}
        for i, o in enumerate(faster):
            p = utest(times(cand), times(o))
            if p is not None:
                ps[i] = p
        adjusted = holm(ps)
        beaten = [(adjusted[i], faster[i]) for i in adjusted if adjusted[i] < alpha]
        if not beaten:
            return cand, rejected
        p, by = min(beaten, key=lambda pb: (pb[0], median(times(pb[1]))))
        rejected.append((cand, by, p))
    raise AssertionError("unreachable: the lowest median is never beaten")
