"""scripts/bench --counts: every selected benchmark once under valgrind's callgrind, its
phases counted exactly (workloads/counts.h), several processes at once; results.json in the
format of timed runs, with the counts as counters (arenabench/counts.py)."""
import json
import os
import re
import resource
import signal
import subprocess
import tempfile
import time

from .. import ROOT, atomic, catalogue, counts, trace
from ..errors import Failure, InputError
from ..names import clean_name
from . import context, merge, progress, targets

# The simulated caches are fixed, not the host's (callgrind's default), so that two
# machines count the same misses for the same binary: a typical x86-64 core.
CACHE_OPTIONS = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]
# --instr-atstart=no: start-up, registration and the workload's construction run
# uninstrumented; the driver starts instrumentation before the warm-up fills.
VALGRIND_OPTIONS = (["--tool=callgrind", "--cache-sim=yes", "--collect-atstart=no",
                     "--instr-atstart=no"] + CACHE_OPTIONS)
# Time-based purging off: jemalloc (and the private jemalloc arena) purge dirty pages
# on a decay clock, mimalloc decommits after a delay, both in wall time, which valgrind
# stretches some fifty-fold; with them on, two runs of one build counted differently.
# Counts measure the allocation paths; purging is left to the timed runs.
COUNTS_ENVIRONMENT = {"MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1",
                      "MIMALLOC_ALLOW_DECOMMIT": "0"}
PROCESS_TIMEOUT = 900       # seconds for one benchmark under valgrind
POLL_SECONDS = 0.05
MULTI_THREADED = re.compile(r"/threads:\d+$")
EXCLUDED_WHY = ("multi-threaded benchmarks are not counted: valgrind runs one thread at a "
                "time, so there is no contention to count, and the shared simulated caches "
                "would depend on its thread schedule")


def valgrind_version():
    """'valgrind-3.19.0', or Failure when valgrind cannot be run."""
    try:
        r = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        raise Failure("--counts needs valgrind, which is not installed "
                      "(Debian: apt-get install valgrind)", status=2) from None
    if r.returncode != 0 or not r.stdout.strip():
        raise Failure("--counts: 'valgrind --version' failed (exit %d)" % r.returncode, status=2)
    return r.stdout.strip()


def counts_filter(gb_name):
    """The --benchmark_filter of one benchmark in counts mode, where the driver registers it
    with Iterations(1) and Repetitions(1), which Google Benchmark adds to the name
    ('small_fixed/arena/64/manual_time' -> '.../64/iterations:1/repeats:1/manual_time')."""
    stem, suffix = gb_name, ""
    if gb_name.endswith("/manual_time"):
        stem, suffix = gb_name[: -len("/manual_time")], "/manual_time"
    return "^%s/iterations:1/repeats:1%s$" % (stem, suffix)


def command(binary, gb_name, scale, out_file, out_json):
    return (["valgrind", "-q"] + VALGRIND_OPTIONS + ["--callgrind-out-file=" + out_file,
            binary, "--counts", "--scale=" + scale, "--benchmark_filter=" + counts_filter(gb_name),
            "--benchmark_out=" + out_json, "--benchmark_out_format=json"])


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _unblock_stop_signals():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


class Job:
    def __init__(self, index, allocator, binary, gb_name, name, tmp, scale):
        self.index, self.allocator, self.name = index, allocator, name
        stem = os.path.join(tmp, "%03d" % index)
        self.out_file, self.out_json, self.err_file = stem + ".cg", stem + ".json", stem + ".err"
        self.cmd = command(binary, gb_name, scale, self.out_file, self.out_json)
        self.process, self.started, self.seconds = None, None, 0.0

    def start(self):
        # As in run.run_one: a stop signal waits until the process has a handle.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            with open(self.err_file, "w") as err:
                self.process = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=err,
                                                env={**os.environ, **COUNTS_ENVIRONMENT},
                                                preexec_fn=_unblock_stop_signals)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.started = time.monotonic()

    def poll(self):
        """None while running; else (ok, problem lines)."""
        status = self.process.poll()
        if status is None:
            if time.monotonic() - self.started > PROCESS_TIMEOUT:
                self.kill()
                return False, ["timed out after %d s" % PROCESS_TIMEOUT]
            return None
        self.seconds = time.monotonic() - self.started
        if status != 0:
            try:
                with open(self.err_file) as f:
                    tail = f.read().strip().splitlines()[-5:]
            except OSError:
                tail = []
            how = ("killed by %s" % signal.Signals(-status).name if status < 0
                   and -status in signal.valid_signals() else "exit status %d" % status)
            return False, [how] + tail
        if not os.path.exists(self.out_json):
            return False, ["no benchmark output %s" % self.out_json]
        return True, []

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def run_jobs(jobs, parallel, started, log):
    """Runs the jobs, `parallel` at a time, printing a progress line as each ends. Stops
    starting new ones at the first failure; returns [(name, problem lines)] of the failed."""
    pending, running, failures = list(jobs), [], []
    done, total = 0, len(jobs)
    run_started = time.monotonic()
    try:
        while pending or running:
            while pending and len(running) < parallel and not failures:
                job = pending.pop(0)
                job.start()
                running.append(job)
            if not running:
                break
            time.sleep(POLL_SECONDS)
            for job in list(running):
                result = job.poll()
                if result is None:
                    continue
                running.remove(job)
                ok, problem = result
                done += 1
                now = time.monotonic()
                log(progress.run_line(done, total, job.name, job.seconds, now - started,
                                      progress.estimate(now - run_started, done, total), ok))
                if not ok:
                    failures.append((job.name, problem))
                    for line in problem:
                        log("         " + line)
    except BaseException:
        for job in running:
            job.kill()
        raise
    return failures


def counted_document(jobs):
    """Merges the jobs' benchmark JSON with their counts into one document; returns
    (document, cache geometry). Raises InputError for unreadable output."""
    docs, cache = [], None
    for job in jobs:
        where = job.name
        try:
            with open(job.out_json) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(job.out_json, "%s: unreadable benchmark output: %s" % (where, e))
        found, geometry = counts.read_run(job.out_file, where)
        if cache is None:
            cache = geometry
        elif geometry != cache:
            raise InputError(job.out_file, "%s: cache geometry %s differs from %s"
                             % (where, geometry, cache))
        rows = doc.get("benchmarks", [])
        if len(rows) != 1:
            raise InputError(job.out_json, "%s: %d benchmark rows, expected the one iteration"
                             % (where, len(rows)))
        row = rows[0]
        if row.get("error_occurred"):
            raise InputError(job.out_json, "%s: %s" % (where, row.get("error_message")))
        row["name"] = row["run_name"] = job.name     # without iterations:1/repeats:1
        row.update(found)
        docs.append(doc)
    return merge.merge_runs(docs), cache or {}


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count(plan, scale, parallel, log, started=None):
    """Counts the benchmarks of plan [(allocator, binary, gb_name, name)] at scale, parallel
    processes at a time. Returns (document, cache geometry, jobs) -- document None, and the
    failures said, when a run failed. Raises InputError for output that cannot be read."""
    started = time.monotonic() if started is None else started
    with tempfile.TemporaryDirectory(prefix="arena-counts-") as tmp:
        jobs = [Job(i, a, binary, gb_name, name, tmp, scale)
                for i, (a, binary, gb_name, name) in enumerate(plan, 1)]
        failures = run_jobs(jobs, parallel, started, log)
        if failures:
            log("")
            for name, problem in failures:
                log("FAILED: %s under callgrind: %s" % (name, problem[0]))
            return None, None, jobs
        document, cache = counted_document(jobs)
    return document, cache, jobs


def main(args, argv, build, build_dir, log):
    """scripts/bench --counts (arguments already checked); returns the exit status."""
    from ..results import load_results
    scale = "quick" if args.quick else "full"
    out_dir = os.path.abspath(args.out)
    version = valgrind_version()
    started = time.monotonic()
    binaries, _ = build(build_dir, args.allocator_list, False, want_features=False)
    built = time.monotonic()
    log("== build took %.0f s" % (built - started))
    trace.ensure_traces(scale, build_dir, log)

    from .. import cmake
    plan, excluded = [], []
    for a in args.allocator_list:
        for gb_name in cmake.list_benchmarks(binaries[a], scale):
            name = clean_name(gb_name)
            if args.regex is not None and not args.regex.search(name):
                continue
            (excluded if MULTI_THREADED.search(name) else plan).append((a, binaries[a], gb_name, name))
    if not plan:
        log_err = "scripts/bench: --filter %r matches no benchmark counted in counts mode" % args.filter
        if excluded:
            log_err += " (%s)" % EXCLUDED_WHY
        raise Failure(log_err, status=2)
    parallel = max(1, args.jobs or os.cpu_count() or 1)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    count_started = time.monotonic()
    log("== counting %d benchmarks once each under callgrind (%s scale, %d at a time)%s"
        % (len(plan), scale, parallel,
           "; %d multi-threaded left out" % len(excluded) if excluded else ""))
    document, cache, jobs = count(plan, scale, parallel, log, started)
    count_seconds = time.monotonic() - count_started
    cpu_seconds = _children_cpu() - cpu_before
    if document is None:
        log("no results written (a counts run is all or nothing)")
        return 1
    suite = context.suite_context(ROOT, build_dir, argv, 1, args.quick, args.allocator_list,
                                  catalogue.load())
    suite["mode"] = "counts"
    # Everything that decides the counts (compare warns when two results differ here).
    suite["counts"] = {"valgrind": version, "cache": cache, "options": list(VALGRIND_OPTIONS),
                       "environment": dict(COUNTS_ENVIRONMENT)}
    if excluded:
        suite["not_counted"] = {"benchmarks": [name for _, _, _, name in excluded],
                                "why": EXCLUDED_WHY}
    document["context"]["arena_suite"] = suite
    mismatches = merge.checksum_mismatches(document["benchmarks"])
    if mismatches:
        suite["checksum_mismatches"] = mismatches
    results_path = os.path.join(out_dir, "results.json")
    atomic.write_json_atomic(results_path, document)
    load_results(results_path)      # what was written reads back
    per_allocator = {}
    for job in jobs:
        per_allocator[job.allocator] = per_allocator.get(job.allocator, 0.0) + job.seconds
    log()
    log("== time per allocator (wall time of its valgrind processes): "
        + ", ".join("%s %.0f s" % kv for kv in per_allocator.items()))
    # Wall time depends on what else the machine runs; the processes' CPU time much less.
    log("counts run: %d benchmarks in %s (build %s); counting took %s with %.0f s of CPU in "
        "the valgrind processes, load average %.1f before and %.1f after; results: %s"
        % (len(plan), progress.clock(time.monotonic() - started), progress.clock(built - started),
           progress.clock(count_seconds), cpu_seconds, load_before, os.getloadavg()[0],
           os.path.relpath(results_path)))
    if args.targets:
        log()
        log(targets.format_table(targets.evaluate(document)))
    if mismatches:
        log()
        log("CHECKSUM MISMATCH between allocators (a workload computed different data):")
        for case, by_alloc in mismatches.items():
            log("  %s: %s" % (case, ", ".join("%s=%s" % (a, v) for a, v in by_alloc.items())))
        return 1
    return 0
