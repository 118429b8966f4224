"""The seed's comparison table, regenerated from measurements.

The seed document ("Memory Management in Eshkol") ends with a table: for each feature, a
claim for Arena Allocation, Garbage Collection and Manual Management. Each claim is turned
into an explicit rule over counters (the results format: arenabench/results.py), evaluated
on a fixed list of evidence workloads, one benchmark per workload (its representative
parameters: the parameter set measured for the most allocators, ties to the middle one).

Per allocator and workload a rule says supported / not supported (or cannot decide:
a counter is missing). Over the workloads: all supported -> "supported", none ->
"not supported", otherwise "mixed". The Manual Management column of the summary table
combines its allocators (role manual in the catalogue) the same way. Claims about people rather than allocators
(Ease of Use, Use Case, and leaks caused by forgotten frees) are not measurable and
say so. Every threshold is a named constant below and printed in the report.

The Arena Allocation column's verdict is ours. The other arena libraries (role peer) are
judged by the same rule as ours, each in its own right (ArenaCount): the column then also
says for how many of the arena libraries measured the claim holds, so a reader sees whether
it is a property of ours or of arenas in general.
"""
import statistics
from dataclasses import dataclass, field

from .. import fmt

SUPPORTED, NOT_SUPPORTED, MIXED = "supported", "not supported", "mixed"
NOT_MEASURED = "not measured"
NOT_MEASURABLE = "not measurable"

# ---- thresholds (printed in the report's rules section) -----------------------------------
TIE = 1.05                 # within 5 % counts as a tie (run-to-run noise on a shared machine)
MODERATE_MAX = 10.0        # "Moderate" speed: slower than the fastest manual heap, but within
                           # 10x the median manual heap
LOW_OVERHEAD = 1.30        # footprint / live at peak; "Low" overhead <= 1.3 (under a third more)
HIGH_OVERHEAD = 1.50       # "High" overhead >= 1.5
LOW_FRAG = 1 - 1 / LOW_OVERHEAD     # 0.23: the same cut points, since
HIGH_FRAG = 1 - 1 / HIGH_OVERHEAD   # 0.33: fragmentation = 1 - live/footprint at peak
P999_LIMIT_NS = 1000.0     # "High" determinism: p99.9 of single allocations <= 1 us ...
NOISE_FACTOR = 10.0        # ... and the worst case (max latency, GC pause) <= 10x the
MAX_FLOOR_NS = 100_000.0   # machine's noise floor (ideal_bump's max), and at least 100 us,
MAX_NO_FLOOR_NS = 1e6      # or 1 ms when ideal_bump was not measured
ARENA_RETAIN_BYTES = 4096  # "Only at arena level": after destroy the arena keeps <= 4 KiB
ARENA_RETAIN_FRAC = 0.01   #   or 1 % of its peak footprint
GC_RETAIN_FRAC = 0.05      # "Rare" (GC leaks): <= 5 % of the live peak stays reachable


@dataclass
class Evidence:
    workload: str
    params: str
    figure: str
    verdict: str | None        # SUPPORTED / NOT_SUPPORTED / None (cannot decide)
    why: str


@dataclass
class Cell:
    alloc: str
    claim: str | None          # None: the seed makes no claim for this allocator
    figure: str                # headline measured figure (primary workload)
    source: str                # "small_fixed/64"
    verdict: str               # SUPPORTED ... NOT_MEASURABLE, or "" when there is no claim
    evidence: list = field(default_factory=list)
    note: str = ""


@dataclass
class ArenaCount:
    """One feature's Arena Allocation claim over every arena library measured (ours and the
    peers), each judged by the rule ours is judged by: allocator names by verdict."""
    libraries: list            # every arena library in the results, in the fixed order
    holds: list                # SUPPORTED on every evidence workload
    fails: list                # NOT_SUPPORTED on every evidence workload
    mixed: list                # supported on some evidence workloads only
    unjudged: list             # no figure the rule needs (a missing counter or workload)

    @property
    def judged(self):
        return len(self.libraries) - len(self.unjudged)

    def text(self, label):
        """'holds for 5 of 8 arena libraries (not: ...)'; '' when ours is the only one
        (nothing to count) or when the claim is not measurable."""
        if len(self.libraries) < 2:
            return ""
        n, j = len(self.libraries), self.judged
        if j == 0:
            return f"none of the {n} arena libraries could be judged (no figure the rule needs)"
        text = (f"holds for {len(self.holds)} of {n} arena libraries" if j == n else
                f"holds for {len(self.holds)} of the {j} arena libraries that could be judged "
                f"({n - j} of {n} without the figure the rule needs: "
                f"{', '.join(label(a) for a in self.unjudged)})")
        # name the smaller group: the ones it holds for, or the ones it does not
        if self.holds and len(self.holds) <= j / 2:
            return text + ": " + ", ".join(label(a) for a in self.holds)
        others = [label(a) for a in self.fails] + [f"{label(a)} (mixed)" for a in self.mixed]
        if self.holds and others:
            return text + "; not: " + ", ".join(others)
        if self.mixed:
            return text + "; mixed: " + ", ".join(label(a) for a in self.mixed)
        return text


@dataclass
class Feature:
    name: str
    claims: dict               # {"arena": ..., "gc": ..., "manual": ...}
    metric: str                # what is measured, in words
    workloads: list            # evidence workloads, primary first
    rules: dict                # role -> rule text
    measurable: bool = True


FEATURES = [
    Feature("Allocation Speed", {"arena": "Very Fast", "gc": "Moderate", "manual": "Fast"},
            "ns_per_alloc (median): time per allocation",
            ["small_fixed", "mixed_sizes", "aligned"],
            {"arena": f"supported where the arena's ns_per_alloc is the lowest of all real "
                      f"allocators (ideal_bump excluded; within {TIE:.2f}x counts as a tie)",
             "gc": f"supported where Boehm is slower than the fastest manual heap (by more than "
                   f"{TIE:.2f}x) and at most {MODERATE_MAX:g}x the median manual heap",
             "manual": f"supported where the heap is faster than Boehm (by more than {TIE:.2f}x), "
                       f"i.e. faster than the claimed \"Moderate\""}),
    Feature("Deallocation", {"arena": "Bulk only", "gc": "Automatic", "manual": "Manual per object"},
            "release_ns (median): time to release everything one iteration allocated (arena "
            "reset, per-object free, or dropping the references for the collector); the "
            "final release (destroy_ns) in brackets",
            ["small_fixed", "mixed_sizes", "reset_cycles"],
            {"arena": "supported where the arena's one bulk release is cheaper than every manual "
                      "heap's per-object frees (the API has no per-object free by design)",
             "gc": "supported where the collector ran by itself (gc_count > 0) while the program "
                   "made no free calls",
             "manual": "supported where the heap's per-object frees cost more than the arena's "
                       "bulk release"}),
    Feature("Memory Fragmentation", {"arena": "Low", "gc": "Varies", "manual": "High"},
            "fragmentation (median) = 1 - live/footprint at the peak",
            ["mixed_sizes", "churn", "trace_replay"],
            {"arena": f"supported where fragmentation <= {LOW_FRAG:.2f}",
             "gc": "supported where Boehm's fragmentation differs by at least "
                   f"{LOW_FRAG:.2f} between the workloads (needs two of them)",
             "manual": f"supported where fragmentation >= {HIGH_FRAG:.2f}"}),
    Feature("Memory Overhead", {"arena": "Low", "gc": "High", "manual": "Low"},
            "overhead_ratio (median) = footprint_peak_bytes / live_peak_bytes",
            ["small_fixed", "mixed_sizes", "churn", "scheme_reader", "json_dom"],
            {"arena": f"supported where overhead_ratio <= {LOW_OVERHEAD:.2f}",
             "gc": f"supported where overhead_ratio >= {HIGH_OVERHEAD:.2f}",
             "manual": f"supported where overhead_ratio <= {LOW_OVERHEAD:.2f}"}),
    Feature("Determinism", {"arena": "High", "gc": "Low", "manual": "High"},
            "lat_p999_ns and lat_max_ns of single allocations, gc_pause_max_ns",
            ["reset_cycles", "small_fixed", "request_reset"],
            {"arena": f"\"High\" holds where p99.9 <= {fmt.ns(P999_LIMIT_NS)} and the worst case "
                      f"(max latency or GC pause) <= max({NOISE_FACTOR:g}x ideal_bump's max on the "
                      f"same workload, {fmt.ns(MAX_FLOOR_NS)}) ({fmt.ns(MAX_NO_FLOOR_NS)} without "
                      f"ideal_bump)",
             "gc": "supported where that \"High\" condition fails",
             "manual": "supported where the \"High\" condition holds"}),
    Feature("Ease of Use", {"arena": "Simple API", "gc": "Transparent", "manual": "Error-prone"},
            "qualitative: a property of programmers and APIs, not of a benchmark run",
            [], {}, measurable=False),
    Feature("Memory Leaks", {"arena": "Only at arena level", "gc": "Rare", "manual": "Common"},
            "retained_after_release_bytes (median): memory still held after everything was "
            "released",
            ["small_fixed", "mixed_sizes", "churn", "large", "scheme_reader"],
            {"arena": f"supported where the arena keeps <= max({fmt.nbytes(ARENA_RETAIN_BYTES)}, "
                      f"{ARENA_RETAIN_FRAC:.0%} of its peak footprint) after destroy",
             "gc": f"supported where <= {GC_RETAIN_FRAC:.0%} of the live peak is still in use "
                   f"(heap minus free bytes: in_use_after_release_bytes) after the root is "
                   f"dropped and the heap collected; Boehm's retained heap is not counted as a "
                   f"leak",
             "manual": "not measurable: leaks under manual management are forgotten frees, and "
                       "every workload frees everything by construction; the figure is what the "
                       "allocator keeps cached, not a leak"}),
    Feature("Use Case", {"arena": "Short-lived computations", "gc": "General purpose",
                         "manual": "Performance-critical"},
            "qualitative: a recommendation, not a measurement (see reset_cycles vs churn)",
            [], {}, measurable=False),
]


def combine(verdicts):
    """All supported -> supported; none -> not supported; else mixed; nothing -> not measured."""
    vs = [v for v in verdicts if v in (SUPPORTED, NOT_SUPPORTED, MIXED)]
    if not vs:
        return NOT_MEASURED
    if all(v == SUPPORTED for v in vs):
        return SUPPORTED
    if all(v == NOT_SUPPORTED for v in vs):
        return NOT_SUPPORTED
    return MIXED


def _yes(cond):
    return SUPPORTED if cond else NOT_SUPPORTED


class Evaluator:
    """Evaluates every feature for one machine (dataset.MachineData)."""

    def __init__(self, md):
        self.md = md
        self.cat = md.catalogue
        self.allocs = md.allocators()

    def role_of(self, alloc):
        """The seed table's column of an allocator: "arena", "gc", "manual", or None."""
        if alloc == self.cat.arena:
            return "arena"
        if alloc == self.cat.gc:
            return "gc"
        if alloc in self.cat.manual:
            return "manual"
        return None

    def v(self, w, p, a, m):
        return self.md.value(w, p, a, m)

    def real(self, w, p, exclude_arena=False):
        """Real allocators measured on (w, p): not ideal_bump; arena variants left out."""
        out = []
        for a in self.md.allocators_of(w, p):
            if a == self.cat.limit or (a != self.cat.arena and a.startswith("arena")):
                continue
            if exclude_arena and a == self.cat.arena:
                continue
            out.append(a)
        return out

    # ---- per-feature figure and rule on one (workload, params) ---------------------------
    def speed(self, w, p, a, role):
        me = self.v(w, p, a, "ns_per_alloc")
        if me is None:
            return None
        fig = fmt.ns(me) + "/alloc"
        if role == "arena":
            # judged against every real allocator but itself (a peer is judged as ours is)
            others = {o: self.v(w, p, o, "ns_per_alloc") for o in self.real(w, p) if o != a}
            others = {o: x for o, x in others.items() if x is not None}
            if not others:
                return fig, None, "no other allocator measured"
            best = min(others, key=others.get)
            who = "arena" if a == self.cat.arena else self.cat.label(a)
            return fig, _yes(me <= TIE * others[best]), (
                f"fastest other: {self.cat.label(best)} {fmt.ns(others[best])} "
                f"({who} {others[best] / me:.2f}x faster)" if me else "")
        manual = {m: self.v(w, p, m, "ns_per_alloc") for m in self.cat.manual}
        manual = {m: x for m, x in manual.items() if x is not None and m != a}
        if role == "gc":
            if not manual:
                return fig, None, "no manual heap measured"
            fastest, med = min(manual.values()), statistics.median(manual.values())
            return fig, _yes(me > TIE * fastest and me <= MODERATE_MAX * med), (
                f"{me / fastest:.2f}x the fastest manual heap, {me / med:.2f}x the median one")
        if role == "manual":
            gc = self.v(w, p, self.cat.gc, "ns_per_alloc")
            if gc is None:
                return fig, None, "Boehm (the \"Moderate\" reference) not measured"
            return fig, _yes(me * TIE < gc), f"Boehm {gc / me:.2f}x slower"
        return fig, None, ""

    def dealloc(self, w, p, a, role):
        me = self.v(w, p, a, "release_ns")
        gcs = self.v(w, p, a, "gc_count")
        if me is None and not (role == "gc" and gcs is not None):
            return None
        fig = fmt.ns(me) if me is not None else fmt.NOT_MEASURED
        destroy = self.v(w, p, a, "destroy_ns")
        if destroy is not None:
            fig += f" (destroy {fmt.ns(destroy)})"
        if a == self.cat.gc and gcs is not None:
            fig += f", {fmt.count(gcs)} collection{'s' if gcs != 1 else ''}"
        if role == "arena":
            manual = {m: self.v(w, p, m, "release_ns") for m in self.cat.manual}
            manual = {m: x for m, x in manual.items() if x is not None}
            if not manual:
                return fig, None, "no manual heap measured"
            cheapest = min(manual, key=manual.get)
            return fig, _yes(me < manual[cheapest]), (
                f"cheapest per-object release: {self.cat.label(cheapest)} {fmt.ns(manual[cheapest])}")
        if role == "gc":
            if gcs is None:
                return fig, None, "gc_count not measured"
            return fig, _yes(gcs > 0), ""
        if role == "manual":
            arena = self.v(w, p, self.cat.arena, "release_ns")
            if arena is None:
                return fig, None, "arena's release not measured"
            return fig, _yes(me > arena), f"{fmt.plain(me / arena)}x the arena's release" if arena else ""
        return fig, None, ""

    def fragmentation(self, w, p, a, role):
        me = self.v(w, p, a, "fragmentation")
        if me is None:
            return None
        fig = fmt.pct(me)
        if role == "arena":
            return fig, _yes(me <= LOW_FRAG), ""
        if role == "manual":
            return fig, _yes(me >= HIGH_FRAG), ""
        return fig, None, "judged across workloads" if role == "gc" else ""

    def overhead(self, w, p, a, role):
        me = self.v(w, p, a, "overhead_ratio")
        if me is None:
            return None
        fig = fmt.ratio(me)
        if role in ("arena", "manual"):
            return fig, _yes(me <= LOW_OVERHEAD), ""
        if role == "gc":
            return fig, _yes(me >= HIGH_OVERHEAD), ""
        return fig, None, ""

    def _lat(self, w, p, a, which):
        for prefix in ("lat_", "req_lat_"):
            x = self.v(w, p, a, f"{prefix}{which}_ns")
            if x is not None:
                return x
        return None

    def determinism(self, w, p, a, role):
        p999, mx = self._lat(w, p, a, "p999"), self._lat(w, p, a, "max")
        pause = self.v(w, p, a, "gc_pause_max_ns")
        if p999 is None:
            return None
        fig = f"p99.9 {fmt.ns(p999)}, max {fmt.ns(mx)}"
        if pause:
            fig += f", GC pause max {fmt.ns(pause)}"
        bound, _ = self.determinism_bound(w, p)
        worst = max(x for x in (mx, pause, p999) if x is not None)
        high = p999 <= P999_LIMIT_NS and worst <= bound
        why = ""
        if role in ("arena", "manual"):
            return fig, _yes(high), why
        if role == "gc":
            return fig, _yes(not high), why
        return fig, None, ""

    def determinism_bound(self, w, p):
        """(bound on the worst case in ns, explanation) for one benchmark."""
        floor = self._lat(w, p, self.cat.limit, "max")
        if floor is None:
            return MAX_NO_FLOOR_NS, f"{fmt.ns(MAX_NO_FLOOR_NS)} (ideal_bump not measured)"
        bound = max(NOISE_FACTOR * floor, MAX_FLOOR_NS)
        return bound, (f"{fmt.ns(bound)} (noise floor: ideal_bump's max {fmt.ns(floor)}; "
                       f"p99.9 limit {fmt.ns(P999_LIMIT_NS)})")

    def leaks(self, w, p, a, role):
        me = self.v(w, p, a, "retained_after_release_bytes")
        if me is None:
            return None
        fig = "retained " + fmt.nbytes(me)
        if role == "arena":
            foot = self.v(w, p, a, "footprint_peak_bytes") or 0.0
            limit = max(ARENA_RETAIN_BYTES, ARENA_RETAIN_FRAC * foot)
            return fig, _yes(me <= limit), f"limit {fmt.nbytes(limit)}" if me else ""
        if role == "gc":
            # retained_after_release_bytes is the heap Boehm keeps mapped after its final
            # collection: not a leak. What stays *reachable* (heap minus free bytes) is.
            kept = self.v(w, p, a, "in_use_after_release_bytes")
            live = self.v(w, p, a, "live_peak_bytes")
            if kept is None:
                return fig, None, ("needs in_use_after_release_bytes (heap minus free bytes "
                                   "after the final collection); the retained figure is the "
                                   "heap Boehm keeps mapped, not a leak")
            if not live:
                return fig, None, "live_peak_bytes not measured"
            return (fig + f", {fmt.nbytes(kept)} still in use", _yes(kept <= GC_RETAIN_FRAC * live),
                    f"{kept / live:.1%} of the live peak still in use")
        return fig, None, ""

    def use_case_context(self, alloc):
        """Related numbers for the arena's "Short-lived computations" (no verdict): its time on
        reset_cycles (short-lived objects) and its footprint on churn (objects dying one by
        one), each against glibc malloc."""
        if alloc != self.cat.arena:
            return ""
        out = []
        for w, m, what in (("reset_cycles", "real_time_ns", "time"),
                           ("churn", "footprint_peak_bytes", "footprint")):
            if w not in self.md.workloads():
                continue
            p = self.md.representative_params(w, m)
            a, b = self.v(w, p, self.cat.arena, m), self.v(w, p, "malloc", m)
            if a and b:
                out.append(f"{w}: {fmt.plain(a / b, 2)}x glibc malloc's {what}")
        return ("related, no verdict: " + "; ".join(out)) if out else ""

    RULES = {"Allocation Speed": "speed", "Deallocation": "dealloc",
             "Memory Fragmentation": "fragmentation", "Memory Overhead": "overhead",
             "Determinism": "determinism", "Memory Leaks": "leaks"}

    # ---- assembling cells -------------------------------------------------------------
    def evidence_benchmarks(self, feature):
        """[(workload, params)] for the feature's evidence workloads present in the data."""
        out = []
        for w in feature.workloads:
            if w in self.md.workloads():
                p = self.md.representative_params(w)
                if p is not None:
                    out.append((w, p))
        return out

    def arena_libraries(self):
        """Ours and the other arena libraries (role peer) in the results, in the fixed order."""
        return [a for a in self.allocs if a == self.cat.arena or a in self.cat.peer_arenas]

    def cell(self, feature, alloc, as_role=None):
        """The cell of one allocator; as_role judges it by another column's rule (a peer arena
        library by the Arena Allocation rule)."""
        role = as_role or self.role_of(alloc)
        claim = feature.claims.get(role) if role else None
        if not feature.measurable:
            related = self.use_case_context(alloc) if feature.name == "Use Case" else ""
            return Cell(alloc, claim, related or "—", "", NOT_MEASURABLE if claim else "",
                        note="qualitative")
        rule = getattr(self, self.RULES[feature.name])
        evidence = []
        for w, p in self.evidence_benchmarks(feature):
            r = rule(w, p, alloc, role)
            if r is None:
                continue
            fig, verdict, why = r
            evidence.append(Evidence(w, p, fig, verdict if claim else None, why))
        if not evidence:
            return Cell(alloc, claim, fmt.NOT_MEASURED, "",
                        NOT_MEASURED if claim else "", [])
        head = evidence[0]
        source = f"{head.workload}/{head.params}" if head.params else head.workload
        if not claim:
            return Cell(alloc, None, head.figure, source, "", evidence)
        if feature.name == "Memory Leaks" and role == "manual":
            return Cell(alloc, claim, head.figure, source, NOT_MEASURABLE, evidence,
                        note=feature.rules["manual"])
        if feature.name == "Memory Fragmentation" and role == "gc":
            return self._gc_varies(feature, alloc, claim, evidence, source)
        verdict = combine(e.verdict for e in evidence)
        note = ""
        if verdict == NOT_MEASURED:        # figures exist, but not what the rule needs
            note = next((e.why for e in evidence if e.why), "")
        return Cell(alloc, claim, head.figure, source, verdict, evidence, note=note)

    def _gc_varies(self, feature, alloc, claim, evidence, source):
        vals = [(e, self.v(e.workload, e.params, alloc, "fragmentation")) for e in evidence]
        vals = [(e, x) for e, x in vals if x is not None]
        if len(vals) < 2:
            return Cell(alloc, claim, evidence[0].figure, source, NOT_MEASURED, evidence,
                        note="needs fragmentation on at least two workloads")
        lo, hi = min(x for _, x in vals), max(x for _, x in vals)
        verdict = _yes(hi - lo >= LOW_FRAG)
        fig = f"{fmt.pct(lo)} – {fmt.pct(hi)}"
        return Cell(alloc, claim, fig, " / ".join(f"{e.workload}" for e, _ in vals), verdict,
                    evidence, note=f"range {fmt.pct(hi - lo)} across {len(vals)} workloads")

    def table(self):
        """[(feature, {alloc: Cell}, {role: (claim, combined verdict, figure)})]."""
        peers = self.cat.region_peers + [self.cat.limit]
        allocs = self.cat.order([a for a in self.allocs if self.role_of(a)] +
                                [a for a in peers if a in self.allocs] +
                                [a for a in self.allocs])
        other_arenas = [a for a in self.arena_libraries() if a != self.cat.arena]
        out = []
        for f in FEATURES:
            cells = {a: self.cell(f, a, "arena" if a in other_arenas else None) for a in allocs}
            summary = {}
            for role in ("arena", "gc", "manual"):
                members = [a for a in allocs if self.role_of(a) == role]
                if not f.measurable:
                    figs = [cells[a].figure for a in members if cells[a].figure != "—"]
                    summary[role] = (f.claims[role], NOT_MEASURABLE, "; ".join(figs) or "—")
                    continue
                if not members:
                    summary[role] = (f.claims[role], NOT_MEASURED, fmt.NOT_MEASURED)
                    continue
                vs = [cells[a].verdict for a in members]
                if all(v == NOT_MEASURABLE for v in vs):
                    verdict = NOT_MEASURABLE
                else:
                    verdict = combine(vs)
                figs = [f"{self.cat.label(a)} {cells[a].figure}" if role == "manual" else cells[a].figure
                        for a in members if cells[a].figure != fmt.NOT_MEASURED]
                summary[role] = (f.claims[role], verdict, "; ".join(figs) or fmt.NOT_MEASURED)
            out.append((f, cells, summary))
        return out

    def arena_counts(self, table=None):
        """{feature name: ArenaCount} for the measurable features: the Arena Allocation claim
        judged for every arena library measured (the cells of table(), where a peer is judged
        by the rule ours is judged by)."""
        libraries = self.arena_libraries()
        out = {}
        for f, cells, _ in table if table is not None else self.table():
            if not f.measurable:
                continue
            by = {v: [a for a in libraries if cells[a].verdict == v]
                  for v in (SUPPORTED, NOT_SUPPORTED, MIXED)}
            judged = set(by[SUPPORTED] + by[NOT_SUPPORTED] + by[MIXED])
            out[f.name] = ArenaCount(libraries, by[SUPPORTED], by[NOT_SUPPORTED], by[MIXED],
                                     [a for a in libraries if a not in judged])
        return out
