"""Medians and error bars per benchmark and metric; runs grouped by machine.

One file (a run) gives, per benchmark and metric, a median and an error bar:
  - the `median` aggregate row, with +-1 `stddev` aggregate (or cv x mean when only
    the cv row is there);
  - without aggregates, the median of the iteration rows and their standard deviation;
  - for a tail statistic (a latency percentile or maximum, see is_tail), the lowest to
    the highest repetition when the iteration rows are there, else no error bar: a
    standard deviation of a tail percentile over a few repetitions means nothing.
Several runs from the same machine are pooled: the centre is the median of the
per-run medians and the error bar spans the lowest to the highest per-run median.
Runs from different machines are never pooled: each machine is its own MachineData.
"""
import re
import statistics
from dataclasses import dataclass, field

from .. import catalogue as catalogue_mod
from .. import workloads as workloads_mod
from ..names import natural_key, parse_name


@dataclass
class Stat:
    value: float                  # median
    lo: float = 0.0               # distance below the median (>= 0)
    hi: float = 0.0               # distance above the median (>= 0)
    reps: int = 1                 # repetitions behind one run's median
    runs: int = 1                 # runs pooled
    spread: str = ""              # what the error bar is: "stddev", "range" (min-max of the
                                  # repetitions), "run range" (of per-run medians), ""
    per_run: list = field(default_factory=list)   # per-run medians (when pooled)

    @property
    def cv(self):
        """Relative spread (half the error bar over the median), None if unknown."""
        if not self.value or not (self.lo or self.hi):
            return None
        return (self.lo + self.hi) / 2 / abs(self.value)


def is_tail(metric):
    """A tail statistic of one repetition (latency percentile p90 and up, or a maximum):
    its spread over repetitions is a range, never a standard deviation."""
    return bool(re.fullmatch(r"(?:\w+_)?(?:lat|latency)_(?:p9\d*|max)(?:_ns)?|\w*_max(?:_ns)?", metric))


def _run_stat(rows, metric):
    """Stat for one benchmark (all rows of one run_name in one file), or None."""
    agg = {r.aggregate: r.values for r in rows if r.run_type == "aggregate"}
    its = [r.values[metric] for r in rows if r.run_type == "iteration" and metric in r.values]
    reps = max((r.repetitions for r in rows), default=1) or 1
    if is_tail(metric):
        if metric in agg.get("median", {}):
            med = agg["median"][metric]
        elif its:
            med = statistics.median(its)
        elif metric in agg.get("mean", {}):
            return Stat(agg["mean"][metric], reps=reps)
        else:
            return None
        if len(its) >= 2:
            return Stat(med, max(0.0, med - min(its)), max(0.0, max(its) - med),
                        reps=len(its), spread="range")
        return Stat(med, reps=reps)
    if metric in agg.get("median", {}):
        med = agg["median"][metric]
        sd = agg.get("stddev", {}).get(metric)
        if sd is None and metric in agg.get("cv", {}) and metric in agg.get("mean", {}):
            sd = agg["cv"][metric] * abs(agg["mean"][metric])
        if sd is None and len(its) >= 2:
            sd = statistics.stdev(its)
        sd = abs(sd) if sd is not None else 0.0
        return Stat(med, sd, sd, reps=reps, spread="stddev" if sd else "")
    if its:
        med = statistics.median(its)
        sd = statistics.stdev(its) if len(its) >= 2 else 0.0
        return Stat(med, sd, sd, reps=len(its), spread="stddev" if sd else "")
    if metric in agg.get("mean", {}):          # mean only (no median written)
        return Stat(agg["mean"][metric], reps=reps)
    return None


def pool(stats):
    """Pool one benchmark's per-run Stats from the same machine."""
    stats = [s for s in stats if s is not None]
    if not stats:
        return None
    if len(stats) == 1:
        return stats[0]
    meds = [s.value for s in stats]
    centre = statistics.median(meds)
    return Stat(centre, centre - min(meds), max(meds) - centre,
                reps=min(s.reps for s in stats), runs=len(stats), spread="run range",
                per_run=meds)


class MachineData:
    """All runs of one machine: query medians by (workload, params, allocator, metric)."""

    def __init__(self, key, runs, catalogue=None):
        self.key = key
        self.runs = runs
        self.catalogue = catalogue or catalogue_mod.for_runs(runs)
        self._rows = {}           # (workload, params, alloc) -> [rows of run 0, rows of run 1, ...]
        for i, run in enumerate(runs):
            for r in run.rows:
                per_run = self._rows.setdefault((r.workload, r.params, r.allocator),
                                                [[] for _ in runs])
                per_run[i].append(r)
        self._cache = {}

    # ---- what is there -------------------------------------------------------------
    def allocators(self):
        return self.catalogue.order(a for (_, _, a) in self._rows)

    def workloads(self):
        return workloads_mod.order(w for (w, _, _) in self._rows)

    def params(self, workload):
        return sorted({p for (w, p, _) in self._rows if w == workload}, key=natural_key)

    def allocators_of(self, workload, params=None):
        return self.catalogue.order(a for (w, p, a) in self._rows
                                if w == workload and (params is None or p == params))

    def benchmarks(self):
        """(workload, params, allocator) triples in report order."""
        out = []
        for w in self.workloads():
            for p in self.params(w):
                for a in self.allocators_of(w, p):
                    out.append((w, p, a))
        return out

    def metrics(self, workload=None):
        names = set()
        for (w, _, _), per_run in self._rows.items():
            if workload is None or w == workload:
                for rows in per_run:
                    for r in rows:
                        names.update(r.values)
        return names

    def representative_params(self, workload, metric=None):
        """The parameter set measured for the most allocators (and having `metric`);
        ties go to the middle of the natural order (small_fixed: 64 among 8..256)."""
        best, best_n = [], -1
        for p in self.params(workload):
            allocs = [a for a in self.allocators_of(workload, p)
                      if metric is None or self.stat(workload, p, a, metric) is not None]
            if len(allocs) > best_n:
                best, best_n = [p], len(allocs)
            elif len(allocs) == best_n:
                best.append(p)
        if best_n <= 0:
            return None
        return best[(len(best) - 1) // 2] if len(best) > 1 else best[0]

    # ---- values --------------------------------------------------------------------
    def stat(self, workload, params, alloc, metric):
        key = (workload, params, alloc, metric)
        if key not in self._cache:
            per_run = self._rows.get((workload, params, alloc))
            self._cache[key] = None if per_run is None else pool(
                [_run_stat(rows, metric) for rows in per_run if rows])
        return self._cache[key]

    def value(self, workload, params, alloc, metric):
        s = self.stat(workload, params, alloc, metric)
        return None if s is None else s.value

    def per_run_values(self, workload, params, alloc, metric):
        """Each run's own median (None where that run lacks it), for spread tables."""
        per_run = self._rows.get((workload, params, alloc))
        if per_run is None:
            return [None] * len(self.runs)
        out = []
        for rows in per_run:
            s = _run_stat(rows, metric) if rows else None
            out.append(None if s is None else s.value)
        return out

    def errors(self):
        """(run path, benchmark run name, message) of rows that report error_occurred, one
        entry per benchmark and message (repetitions repeat them)."""
        out = []
        for run in self.runs:
            for r in run.rows:
                if r.error and (run.path, r.run_name, r.error) not in out:
                    out.append((run.path, r.run_name, r.error))
        return out

    def series(self, kind, workload, params, alloc):
        """The first run's series of `kind` for a benchmark. Series are keyed by run name;
        Google Benchmark's suffixes (/manual_time, /real_time, ...) may or may not be part
        of the key, so keys are matched after parsing."""
        for run in self.runs:
            for name, s in (run.series.get(kind) or {}).items():
                if parse_name(name) == (workload, alloc, params):
                    return s
        return None

    def run_name(self, workload, params, alloc):
        per_run = self._rows.get((workload, params, alloc)) or []
        for rows in per_run:
            for r in rows:
                return r.run_name
        return "/".join(x for x in (workload, alloc, params) if x)


def group_by_machine(runs, catalogue=None):
    """Runs grouped by machine (host name + CPU model + cores), first-seen order; one
    allocator catalogue for all of them (the first one recorded, else the file's)."""
    catalogue = catalogue or catalogue_mod.for_runs(runs)
    groups = {}
    for run in runs:
        groups.setdefault(run.machine_key, []).append(run)
    return [MachineData(k, v, catalogue) for k, v in groups.items()]
