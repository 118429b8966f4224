"""The seed's fourth benefit, measured: the "Cache Locality" row under the seed's table.

The seed's table has no locality row; its list of the arena's benefits says "Cache
Locality: allocations are contiguous, improving cache performance". The row is evaluated
on the locality workload (linked structures allocated interleaved with other objects of
varied sizes and lifetimes, then traversed) from two figures per allocator:

  traverse_d1_misses_per_node  simulated D1 misses per node visited (scripts/bench --counts:
                               callgrind's cache simulator, exact for the simulated cache)
  traverse_ns_per_node         time per node visited (a timed run; medians)

Rule: supported where the arena's figure is no higher than every general-purpose heap's
(role manual in the catalogue): exactly for the counts, within claims.TIE for the time (run
to run noise). With both figures, both must hold (one of two -> mixed). The row uses
whichever figures the results have and says which. The benefit list makes no claim for the
collector or the manual heaps: their figures are shown, without a verdict.
"""
from dataclasses import dataclass, field

from .. import fmt
from . import claims

WORKLOAD = "locality"
NAME = "Cache Locality"
CLAIM = "allocations are contiguous, improving cache performance"
ORIGIN = "from the seed's list of the arena's benefits, not its table"
# (metric, words, kind, tolerance): the counts first, they are exact
METRICS = [("traverse_d1_misses_per_node", "simulated D1 misses per node traversed", "counts", 1.0),
           ("traverse_ns_per_node", "traversal time per node", "timed", claims.TIE)]
RULE = (f"supported where the arena's simulated D1 misses per node traversed "
        f"(traverse_d1_misses_per_node, from a counts run) and its traversal time per node "
        f"(traverse_ns_per_node, timed; within {claims.TIE:.2f}x counts as a tie) on "
        f"`{WORKLOAD}` are no higher than every general-purpose heap's (glibc malloc, "
        f"mimalloc, jemalloc, tcmalloc); both figures must hold, one of two is mixed; the row "
        f"says which figures the results had. The benefit list makes no claim for the collector "
        f"or the manual heaps")


def _figure(metric, v):
    if v is None:
        return fmt.NOT_MEASURED
    if metric == "traverse_ns_per_node":
        return f"{fmt.ns(v)}/node"
    return f"{fmt.plain(v)} D1 misses/node"


@dataclass
class Check:
    metric: str
    kind: str                  # "counts" | "timed"
    arena: float | None
    heaps: dict                # manual heap -> value
    verdict: str | None        # SUPPORTED / NOT_SUPPORTED / None (cannot decide)
    why: str


@dataclass
class Result:
    verdict: str               # claims.SUPPORTED ... NOT_MEASURED
    checks: list = field(default_factory=list)
    had: list = field(default_factory=list)       # kinds of figure used: "counts", "timed"
    missing: list = field(default_factory=list)   # (kind, why) of figures the results lack
    figures: dict = field(default_factory=dict)   # alloc -> "fig; fig"


def _source(md, metric):
    """(params, {alloc: value}) of the locality workload for a metric, or (None, {})."""
    if md is None or WORKLOAD not in md.workloads():
        return None, {}
    p = md.representative_params(WORKLOAD, metric)
    if p is None:
        return None, {}
    vals = {a: md.value(WORKLOAD, p, a, metric) for a in md.allocators_of(WORKLOAD, p)}
    return p, {a: v for a, v in vals.items() if v is not None}


def evaluate(timed_md, counts_md, catalogue):
    """The row's Result from a timed MachineData and a counts one (either may be None)."""
    res = Result(claims.NOT_MEASURED)
    per_alloc = {}
    for metric, _, kind, tol in METRICS:
        md = counts_md if kind == "counts" else timed_md
        _, vals = _source(md, metric)
        arena = vals.get(catalogue.arena)
        if arena is None:
            res.missing.append((kind, f"no {'counts' if kind == 'counts' else 'timed'} results "
                                      f"given" if md is None else
                                      f"no {metric} of the arena in the {kind} results"))
            continue
        res.had.append(kind)
        for a, v in vals.items():
            per_alloc.setdefault(a, []).append(_figure(metric, v))
        heaps = {a: v for a, v in vals.items() if a in catalogue.manual}
        if not heaps:
            res.checks.append(Check(metric, kind, arena, heaps, None,
                                    "no general-purpose heap measured"))
            continue
        best = min(heaps, key=heaps.get)
        ok = arena <= tol * heaps[best]
        res.checks.append(Check(metric, kind, arena, heaps, claims._yes(ok),
                                f"lowest general-purpose heap: {catalogue.label(best)} "
                                f"{_figure(metric, heaps[best])}"))
    res.verdict = claims.combine(c.verdict for c in res.checks)
    res.figures = {a: "; ".join(f) for a, f in per_alloc.items()}
    return res


def _which(res):
    if not res.had:
        return "; ".join(why for _, why in res.missing)
    have = " and ".join("counts" if k == "counts" else "times" for k in res.had)
    return f"from {have}" + "".join(f"; {why}" for _, why in res.missing)


def seed_row(md, counts_md, catalogue):
    """The row for the seed's table: [feature, arena, gc, manual] cells. md: the machine's
    results (timed, or counts when the report is of counts only); counts_md: the counts
    given beside timed results (report/counts.py), or None."""
    from .counts import is_counts
    if md.runs and all(is_counts(r) for r in md.runs):
        md, counts_md = None, md
    res = evaluate(md, counts_md, catalogue)
    arena_fig = res.figures.get(catalogue.arena, fmt.NOT_MEASURED)
    arena = (f"claim: *{CLAIM}*\n{{{{{res.verdict}}}}}\n{arena_fig}\n`{WORKLOAD}` "
             f"({_which(res)})")
    gc = res.figures.get(catalogue.gc)
    manual = [f"{catalogue.label(a)} {res.figures[a]}" for a in catalogue.manual
              if a in res.figures]
    return [f"**{NAME}**\n*{ORIGIN}*", arena,
            "no claim\n" + (gc or fmt.NOT_MEASURED),
            "no claim\n" + ("\n".join(manual) or fmt.NOT_MEASURED)]


def rule_item():
    """The rule, for the report's list of how the verdicts are computed."""
    return (f"**{NAME}** ({ORIGIN}) — measured: {', '.join(w for _, w, _, _ in METRICS)}; "
            f"evidence: `{WORKLOAD}`. Arena: {RULE}.")
