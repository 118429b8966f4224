"""The tuner's rule and what it is compared with.

recommend() decides from what does not depend on noise, and uses time only where it
differs significantly, so that two runs on the same build recommend the same capacity:

1. the settings in noise-free order: fewest upstream allocations (blocks), then least
   committed memory, then least abandoned (or wasted) memory, then the smaller capacity
   (then the smaller growth factor);
2. the first of them that no other setting beats significantly in time: a median more
   than 5 % lower and a U test p-value below 0.001 (stats.TUNE_ALPHA) after Holm's adjustment
   (stats.not_significantly_slower). Times that are noise alone
   do not move it (tested with shuffled noise); it takes at least 8 runs a setting
   for time to be able to move it at all.

The arena's own statistic, suggested_initial_capacity, is "one block that would have
held the peak": the capacity at which the arena never grows. compare_with_suggestion()
says whether the recommendation and the suggestion agree within a factor of two and,
when they do not, why (checked against the measurements, not asserted).
"""
import math
from dataclasses import dataclass, field

from .. import fmt, stats

TOLERANCE = stats.TOLERANCE
AGREEMENT = 2.0
RULE = ("fewest upstream allocations, then least committed and abandoned memory, then the "
        "smallest capacity; a setting is passed over only when another one is significantly "
        f"faster (median more than {TOLERANCE:.0%} lower and U test p < {stats.TUNE_ALPHA:g} "
        "after Holm's adjustment)")


@dataclass
class Recommendation:
    capacity: int
    growth: float | None
    time_ns: float
    best_time_ns: float
    best_capacity: int
    committed_bytes: int
    noise_free_capacity: int = 0          # step 1's choice (before time is looked at)
    passed_over: list = field(default_factory=list)   # [(capacity, faster capacity, p)]

    runs: int = 0                          # fewest runs (repetitions) of a setting

    def explanation(self):
        """One sentence: why this capacity."""
        if not self.passed_over:
            few = ("" if not self.runs or stats.min_pvalue(self.runs, self.runs) <= stats.TUNE_ALPHA
                   else f" (with {self.runs} runs a setting no difference in time can be "
                        f"significant: time was not used)")
            return (f"{fmt.nbytes(self.capacity)}: fewest upstream allocations, then least "
                    f"committed memory; no setting is significantly faster{few}")
        steps = "; ".join(f"{fmt.nbytes(c)} passed over: {fmt.nbytes(by)} is significantly "
                          f"faster (p = {p:.3g})" for c, by, p in self.passed_over)
        return (f"{fmt.nbytes(self.capacity)}: the noise-free choice was "
                f"{fmt.nbytes(self.noise_free_capacity)}; {steps}")


def _capacity(r, default_capacity):
    return r.setting.capacity if r.setting.capacity is not None else default_capacity


def noise_free_key(upstream, committed, abandoned, capacity, growth=None):
    """The order of step 1 (ascending: better first)."""
    return (upstream, committed, abandoned, capacity or 0, growth or 0.0)


def choose(items, key, times, alpha=stats.TUNE_ALPHA):
    """Steps 1 and 2 on any items: key(item) a noise_free_key, times(item) its times.
    Returns (choice, noise-free first, [(passed over, faster item, p)])."""
    ordered = sorted(items, key=key)
    if not ordered:
        raise ValueError("no results to recommend from")
    pick, passed = stats.not_significantly_slower(ordered, times, alpha)
    return pick, ordered[0], passed


def recommend(results, default_capacity):
    """results: runner.Result list (the default-setting run may be among them)."""
    def key(r):
        return noise_free_key(r.stats.get("blocks", 0), r.stats.get("committed_bytes", 0),
                              r.stats.get("waste_bytes", 0), _capacity(r, default_capacity),
                              r.setting.growth)

    pick, first, passed = choose(results, key, lambda r: r.times_ns)
    best = min(results, key=lambda r: r.median_ns)
    return Recommendation(capacity=_capacity(pick, default_capacity), growth=pick.setting.growth,
                          time_ns=pick.median_ns, best_time_ns=best.median_ns,
                          best_capacity=_capacity(best, default_capacity),
                          committed_bytes=pick.stats.get("committed_bytes", 0),
                          noise_free_capacity=_capacity(first, default_capacity),
                          passed_over=[(_capacity(a, default_capacity),
                                        _capacity(b, default_capacity), p)
                                       for a, b, p in passed],
                          runs=min(len(r.times_ns) for r in results))


def run_at(results, capacity, growth, default_capacity):
    """The run at exactly this capacity (and growth), or None."""
    for r in results:
        if _capacity(r, default_capacity) == capacity and r.setting.growth == growth:
            return r
    return None


def time_at(results, capacity, growth, default_capacity):
    r = run_at(results, capacity, growth, default_capacity)
    return None if r is None else r.median_ns


def _faults(r):
    v = r.extra.get("page_faults") if r is not None else None
    return "?" if v is None else f"{v:.0f}"


def compare_with_suggestion(rec, suggested, results, default_capacity, alpha=0.05):
    """(agrees, explanation). When the recommendation and the suggestion differ by more
    than a factor of two, the explanation is derived from the sweep: the time at the
    suggested capacity against the best (medians, and a U test of the recommendation's
    runs against the suggestion's), and the page faults per run of both. "flat": the
    suggestion is within the tolerance of the best or not significantly different from
    the recommendation - growing costs no measurable time, so the tuner keeps the
    smaller block and the suggestion is the one that never grows; "slower": the one
    big block is significantly slower here."""
    if not suggested:
        return False, "the run reported no suggested capacity"
    factor = max(rec.capacity, suggested) / max(1, min(rec.capacity, suggested))
    if factor <= AGREEMENT:
        return True, (f"recommendation {rec.capacity} and suggestion {suggested} agree within "
                      f"a factor of {factor:.2f}")
    at_sugg = run_at(results, suggested, rec.growth, default_capacity)
    at_rec = run_at(results, rec.capacity, rec.growth, default_capacity)
    if at_sugg is None or at_rec is None:
        return False, (f"recommendation {rec.capacity} and suggestion {suggested} differ by a "
                       f"factor of {factor:.1f}; the sweep has no run at the suggested capacity")
    t_sugg = at_sugg.median_ns
    p = stats.utest(at_rec.times_ns, at_sugg.times_ns)
    ptext = "no U test" if p is None else f"U test p = {p:.3g}"
    facts = (f"median at the suggestion {fmt.ns(t_sugg)}, at the recommendation "
             f"{fmt.ns(at_rec.median_ns)}, best {fmt.ns(rec.best_time_ns)} ({ptext}); "
             f"page faults per run {_faults(at_rec)} at the recommendation, {_faults(at_sugg)} at "
             f"the suggestion")
    flat = stats.near_best(t_sugg, rec.best_time_ns) or (p is not None and p >= alpha)
    bigger = "smaller" if rec.capacity < suggested else "larger"
    if flat:
        return False, (f"recommendation {rec.capacity} is {factor:.0f}x {bigger} than the suggestion "
                       f"{suggested}, but the time is flat between them ({facts}): the suggestion "
                       f"is the block that never grows, the tuner keeps the smallest block with "
                       f"near-best time")
    return False, (f"recommendation {rec.capacity} is {factor:.0f}x {bigger} than the suggestion "
                   f"{suggested}, and the suggestion is significantly slower here ({facts})")


def default_sweep(suggested, low=4096, high_cap=1 << 30):
    """Powers of four from 4 KiB up to the first one at least 4x the suggestion (at most
    1 GiB), plus the suggestion itself."""
    top = max(low * 4, min(high_cap, 4 * max(suggested or 0, low)))
    caps, c = [], low
    while c <= top:
        caps.append(c)
        c *= 4
    if caps[-1] < top:
        caps.append(c)
    if suggested and suggested not in caps:
        caps.append(int(suggested))
    return sorted(caps)


def spread(times):
    """Relative half-range of repetitions (a noise indicator for the table)."""
    if len(times) < 2:
        return math.nan
    m = sorted(times)[len(times) // 2]
    return (max(times) - min(times)) / (2 * m) if m else math.nan
