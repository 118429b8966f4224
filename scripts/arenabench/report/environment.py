"""The method and environment section: machine, compiler, versions, how figures were
measured, and caveats computed from the data (quick runs, busy machine, checksum
mismatches, failed benchmarks...)."""
from .. import fmt

# What each counter means (the harness's documentation; the format: arenabench/results.py).
COUNTERS = [
    ("ns_per_alloc", "time of the timed fill divided by its allocations (Google Benchmark "
                     "manual time), in the steady state after warm-up fills; release excluded"),
    ("release_ns", "time of the release between iterations: arena_reset, free() of every "
                   "object, mi_heap / pmr release, or dropping the references (Boehm: the "
                   "collector decides when to collect)"),
    ("destroy_ns", "time of the final release (arena_destroy, mi_heap_destroy, GC_gcollect, "
                   "...) at the end of the memory pass"),
    ("real_time", "Google Benchmark's time per iteration (the manual time of the timed part)"),
    ("live_peak_bytes", "peak of the bytes requested and still live (memory pass on a fresh "
                        "allocator)"),
    ("footprint_peak_bytes", "peak memory the allocator held, from its own introspection "
                             "(arena statistics, mallinfo2, mimalloc statistics, "
                             "GC_get_heap_size, ...), the harness's own heap use subtracted"),
    ("rss_peak_bytes", "peak resident set of the memory pass (VmHWM after clearing it)"),
    ("overhead_ratio", "footprint_peak_bytes / live_peak_bytes"),
    ("fragmentation", "1 − live/footprint at the peak"),
    ("lat_p50_ns … lat_max_ns", "percentiles of single-allocation latencies: each allocation "
                                "timed alone with the TSC, the median cost of an empty timed "
                                "region subtracted"),
    ("page_faults", "page faults per iteration of the throughput loop"),
    ("gc_count, gc_pause_total_ns, gc_pause_max_ns", "Boehm's collections and their pauses, "
                                                     "from its collection events"),
    ("retained_after_release_bytes", "memory the allocator still holds after the final "
                                     "release"),
    ("sys_allocs_per_cycle", "blocks obtained from upstream per reset cycle (reset_cycles)"),
    ("blocks, waste_bytes, committed_bytes, suggested_capacity_bytes",
     "the arena's own statistics on capacity_sweep"),
    ("checksum", "a digest of the workload's results; must be identical for every allocator"),
]


def describe(run):
    """[(field, value)] for one run, from its context and context.arena_suite."""
    c, s, m = run.context, run.suite, run.machine
    rows = [("results file", run.path),
            ("command", s.get("command")),
            ("date", c.get("date")),
            ("host", c.get("host_name")),
            ("CPU", m.get("cpu_model")),
            ("cores", m.get("cores") or c.get("num_cpus")),
            ("MHz per CPU", c.get("mhz_per_cpu")),
            ("memory", fmt.nbytes(m["memory_bytes"]) if isinstance(m.get("memory_bytes"),
                                                                   (int, float)) else None),
            ("caches", ", ".join(f"L{x.get('level')} {x.get('type', '').lower()} "
                                 f"{fmt.nbytes(x.get('size', 0))}"
                                 for x in c.get("caches", []) if isinstance(x, dict)) or None),
            ("kernel", m.get("kernel")),
            ("OS", m.get("os")),
            ("compiler", s.get("compiler")),
            ("C++ flags", s.get("cxx_flags")),
            ("build type", s.get("build_type")),
            ("library versions", ", ".join(f"{k} {v}" for k, v in
                                           (s.get("library_versions") or {}).items()) or None),
            ("repetitions", s.get("repetitions")),
            ("quick run", {True: "yes (reduced sizes and repetitions)", False: "no"}.get(
                s.get("quick"))),
            ("allocators", ", ".join(s.get("allocators") or []) or None),
            ("load average", ", ".join(f"{x:.2f}" for x in c.get("load_avg", [])
                                       if isinstance(x, (int, float))) or None),
            ("CPU frequency scaling", {True: "enabled", False: "disabled"}.get(
                c.get("cpu_scaling_enabled")))]
    return [(k, "not recorded" if v in (None, "") else str(v)) for k, v in rows]


def caveats(md):
    """Caveats for one machine's data, most important first."""
    out = []
    for run in md.runs:
        s, c = run.suite, run.context
        name = run.path
        if not s:
            out.append(f"{name}: no context.arena_suite: machine, compiler, flags and versions "
                       f"were not recorded.")
        if s.get("quick"):
            out.append(f"{name}: a --quick run (reduced sizes and repetitions): a smoke test of "
                       f"the suite, not a measurement to quote.")
        reps = s.get("repetitions")
        if isinstance(reps, int) and reps < 3:
            out.append(f"{name}: {reps} repetition(s): error bars are missing or unreliable.")
        bt = s.get("build_type")
        if bt and bt != "Release":
            out.append(f"{name}: build type {bt}, not Release: times are not representative.")
        load, cpus = c.get("load_avg"), c.get("num_cpus")
        if (isinstance(load, list) and load and isinstance(load[0], (int, float))
                and isinstance(cpus, int) and cpus and load[0] > 0.5 * cpus):
            out.append(f"{name}: the machine was busy (1-minute load {load[0]:.2f} on {cpus} "
                       f"CPUs): absolute times are noisy; ratios within the run are safer.")
        if c.get("cpu_scaling_enabled"):
            out.append(f"{name}: CPU frequency scaling was enabled: times are noisier.")
        if run.skipped_names:
            shown = ", ".join(run.skipped_names[:3]) + (" …" if len(run.skipped_names) > 3 else "")
            out.append(f"{name}: {len(run.skipped_names)} benchmark name(s) not of the form "
                       f"workload/allocator[/params] were left out ({shown}).")
    for path, bench, msg in md.errors():
        out.append(f"{path}: benchmark {bench} failed: {msg}")
    for w, p, values in checksum_mismatches(md):
        desc = "; ".join(f"{md.catalogue.label(a)}={fmt.count(v)}" for a, v in values.items())
        out.append(f"checksum mismatch on {w}/{p}: allocators computed different results "
                   f"({desc}): that benchmark's figures are not comparable.")
    for w in md.workloads():
        tiny = [(p, a, v) for p in md.params(w) for a in md.allocators_of(w, p)
                for v in [md.value(w, p, a, "ns_per_alloc")] if v is not None and 0 < v < 0.01]
        if tiny:
            p, a, v = tiny[0]
            out.append(f"{w}: ns_per_alloc values below 0.01 ns (e.g. {md.catalogue.label(a)} {fmt.plain(v)}) cannot be "
                       f"nanoseconds; they look like seconds (a Google Benchmark counter with "
                       f"kInvert reports seconds). Read that workload's figures with care.")
    cores = {r.machine.get("cores") or r.context.get("num_cpus") for r in md.runs}
    if any(isinstance(x, int) and x <= 2 for x in cores):
        out.append("The machine has 2 cores or fewer and may be shared: compare allocators "
                   "within one run (ratios), not absolute times between runs.")
    if any((r.context.get("library_build_type") == "debug") for r in md.runs):
        out.append("Google Benchmark reports its own library as a \"debug\" build (Debian's "
                   "package does); that concerns the benchmark library's timing loop, not the "
                   "allocators measured (see build type and flags above).")
    out.append("Latencies of single allocations are at the scale of the timer itself: below "
               "about 20 ns they mostly show the timer's resolution; ideal_bump's latencies "
               "are the machine's noise floor.")
    out.append("Synthetic workloads flatter arenas (one lifetime for everything); read them "
               "beside the realistic workloads and churn, where objects die one by one.")
    return out


def checksum_mismatches(md):
    """[(workload, params, {alloc: checksum})] where allocators disagree."""
    out = []
    for w in md.workloads():
        for p in md.params(w):
            vals = {a: md.value(w, p, a, "checksum") for a in md.allocators_of(w, p)}
            vals = {a: v for a, v in vals.items() if v is not None}
            if len(set(vals.values())) > 1:
                out.append((w, p, vals))
    return out
