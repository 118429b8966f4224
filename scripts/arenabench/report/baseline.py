"""What changed against a baseline results file (--baseline OLD.json).

Per benchmark: the ratio new/old of the medians (time per iteration and the main
counters). Statistical significance is Google Benchmark's own: gbench.report's
get_difference_report with its Mann-Whitney U test over the iteration rows
(Debian's libbenchmark-tools, /usr/share/benchmark/gbench); it needs iteration rows
(--benchmark_report_aggregates_only=false) and at least 2 repetitions on each side.
"""
import statistics
from dataclasses import dataclass

from .. import stats
from .dataset import MachineData

METRICS = ["real_time_ns", "ns_per_alloc", "release_ns", "footprint_peak_bytes", "lat_p999_ns"]
ALPHA = stats.ALPHA   # gbench compare.py's default significance level
NOTABLE = 0.10        # changes beyond +-10 % are listed first


@dataclass
class Change:
    workload: str
    params: str
    alloc: str
    metric: str
    old: float
    new: float
    pvalue: float | None = None     # U test on real_time (time_pvalue), when available

    @property
    def ratio(self):
        return self.new / self.old if self.old else None


def _repetitions(runs):
    """{run name: [(real ns, cpu ns) per iteration row]} of loaded runs."""
    out = {}
    for run in runs:
        for r in run.rows:
            if r.run_type == "iteration" and "real_time_ns" in r.values and "cpu_time_ns" in r.values:
                out.setdefault(r.run_name, []).append((r.values["real_time_ns"],
                                                       r.values["cpu_time_ns"]))
    return out


def utest_pvalues(old_runs, new_runs):
    """{run_name: time p-value} from gbench's U test; {} when gbench or the rows are missing.
    Returns (pvalues, note)."""
    old, new = _repetitions(old_runs), _repetitions(new_runs)
    try:
        tested = stats.utest_pvalues(old, new) if old and new else None
        optimal = stats.optimal_repetitions()
    except ImportError:
        return {}, f"Google Benchmark's gbench ({stats.GBENCH_DIR}) not found: no U test"
    if tested is None:
        return {}, ("no U test: the runs carry aggregates only (iteration rows are needed on "
                    "both sides)")
    out = {name: p for name, (p, _) in tested.items()}
    weak = sum(not enough for _, enough in tested.values())
    note = (f"U test (Mann–Whitney, gbench) on real_time for {len(out)} benchmark(s) with "
            f"iteration rows on both sides; significant when p < {ALPHA}")
    if weak:
        note += (f"; {weak} of them have fewer than {optimal} repetitions "
                 f"on a side, where gbench warns that the test is unreliable")
    return out, note


def compare(old_runs, new_md):
    """Changes of medians old -> new for benchmarks present in both, plus notes."""
    old_md = MachineData("baseline", old_runs, new_md.catalogue)
    pvals, note = utest_pvalues(old_runs, new_md.runs)
    changes, only_old, only_new = [], [], []
    old_b, new_b = set(old_md.benchmarks()), set(new_md.benchmarks())
    for w, p, a in new_md.benchmarks():
        if (w, p, a) not in old_b:
            only_new.append(f"{w}/{a}/{p}".rstrip("/"))
            continue
        for m in METRICS:
            o, n = old_md.value(w, p, a, m), new_md.value(w, p, a, m)
            if o is None or n is None:
                continue
            pv = pvals.get(new_md.run_name(w, p, a)) if m == "real_time_ns" else None
            changes.append(Change(w, p, a, m, o, n, pv))
    for w, p, a in old_md.benchmarks():
        if (w, p, a) not in new_b:
            only_old.append(f"{w}/{a}/{p}".rstrip("/"))
    notes = [note]
    old_keys = {r.machine_key for r in old_runs}
    if new_md.key not in old_keys:
        notes.append(f"the baseline was measured on another machine ({', '.join(old_keys)}): "
                     f"differences include the machine, not only the code")
    time_ratios = [c.ratio for c in changes if c.metric == "real_time_ns" and c.ratio]
    if time_ratios:
        notes.append(f"geometric mean of the time ratios (new/old) over {len(time_ratios)} "
                     f"benchmarks: {statistics.geometric_mean(time_ratios):.3f}")
    return changes, only_old, only_new, notes
