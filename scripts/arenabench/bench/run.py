"""scripts/bench: build, run one process per benchmark, merge, check, report."""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from .. import ROOT, atomic, catalogue, cmake, features, interrupt, trace, workloads
from ..errors import Failure, InputError
from ..names import clean_name
from . import context, merge, progress, summary, targets

# Per scale: (bench binary --scale, repetitions, --benchmark_min_time seconds)
SETTINGS = {
    "quick": ("quick", 3, 0.01),
    "full": ("full", 5, 0.05),
}
PROCESS_TIMEOUT = 900  # seconds for one benchmark process


def parse_args(argv):
    allocators = catalogue.load().names
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Runs every workload (synthetic, realistic, trace replay) for every competitor, one process per "
                    "benchmark, and writes DIR/results.json (Google Benchmark JSON, merged).")
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes and repetitions (every workload and allocator; < 3 min)")
    parser.add_argument("--filter", metavar="REGEX",
                        help="only benchmarks whose name (<workload>/<allocator>[/<params>]) matches")
    parser.add_argument("--allocators", metavar="A,B,...",
                        help="comma-separated subset of: " + ",".join(allocators))
    parser.add_argument("--out", metavar="DIR", default="results",
                        help="output directory (default: results)")
    parser.add_argument("--targets", action="store_true",
                        help="also print the development target table (pass/miss of the "
                             "suite's own performance goals; the same as scripts/targets)")
    parser.add_argument("--build-dir", metavar="DIR", default=cmake.DEFAULT_BUILD_DIR,
                        help="build directory, configured as a Release build of the bench "
                             "binaries (default: build/bench)")
    parser.add_argument("--counts", action="store_true",
                        help="instead of timing, run each benchmark once under valgrind's "
                             "callgrind and record exact instructions and simulated cache "
                             "misses per allocation, release and node traversed (no report)")
    parser.add_argument("--jobs", metavar="N", type=int,
                        help="with --counts: benchmarks counted at once (default: the number "
                             "of CPUs; counts do not depend on it)")
    args = parser.parse_args(argv)
    if args.jobs is not None and not args.counts:
        parser.error("--jobs only applies to --counts")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")

    if args.allocators is None:
        args.allocator_list = list(allocators)
    else:
        wanted = [a.strip() for a in args.allocators.split(",") if a.strip()]
        unknown = [a for a in wanted if a not in allocators]
        if not wanted:
            parser.error("--allocators is empty (choose from %s)" % ", ".join(allocators))
        if unknown:
            parser.error("unknown allocator(s) %s (choose from %s)"
                         % (", ".join(unknown), ", ".join(allocators)))
        args.allocator_list = [a for a in allocators if a in wanted]

    args.regex = None
    if args.filter is not None:
        try:
            args.regex = re.compile(args.filter)
        except re.error as e:
            parser.error("bad --filter regex %r: %s" % (args.filter, e))
        known = workloads.names(args.allocator_list)
        fastpath = (catalogue.load().arena in args.allocator_list
                    and args.regex.search(workloads.FASTPATH_PREFIX))
        if not fastpath and not any(args.regex.search(n) for n in known):
            parser.error("--filter %r matches no benchmark of the allocators %s (workloads: %s)"
                         % (args.filter, ",".join(args.allocator_list),
                            ", ".join(workloads.SYNTHETIC)))
    if not args.out:
        parser.error("--out needs a directory")
    return args


def log(message=""):
    print(message, flush=True)


def run_checked(cmd, what, **kwargs):
    result = subprocess.run(cmd, **kwargs)
    if result.returncode != 0:
        raise Failure("%s failed (exit %d): %s" % (what, result.returncode, " ".join(cmd)))
    return result


def build(build_dir, allocators, want_fastpath, want_features=True):
    """Installs what is missing, configures build_dir (Release) and builds the bench
    binaries; returns {allocator: binary} and the fastpath binary (or None)."""
    run_checked([os.path.join(ROOT, "scripts", "install-deps")], "scripts/install-deps")
    log("== configure %s (Release)" % os.path.relpath(build_dir, ROOT))
    cmake.configure(build_dir)
    targets_ = ["bench_" + a for a in allocators]
    if want_fastpath:
        targets_.append("bench_arena_fastpath")
    if want_features:
        targets_ += features.TARGETS       # the feature probes, run once per run
    log("== build %s" % " ".join(targets_))
    cmake.build(build_dir, targets_, progress=progress.BuildProgress())
    paths = cmake.find_all(build_dir, targets_, required=False)
    missing = [t for t, p in paths.items() if p is None and t != "bench_arena_fastpath"]
    if missing:
        raise Failure("%s missing in %s after the build" % (", ".join(missing), build_dir))
    return {a: paths["bench_" + a] for a in allocators}, paths.get("bench_arena_fastpath")


def fastpath_available():
    path = os.path.join(ROOT, "arena", "bench", "CMakeLists.txt")
    try:
        return "bench_arena_fastpath" in open(path).read()
    except OSError:
        return False


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _unblock_stop_signals():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def run_one(cmd, out_json):
    """Runs one benchmark process; returns (ok, seconds, stderr tail). When interrupted
    (KeyboardInterrupt), stops the process before passing the interruption on."""
    start = time.monotonic()
    process = None
    try:
        # Ctrl-C or SIGTERM arriving while the process starts would leave it running
        # unseen, writing its output after the cleanup: they wait until it has a handle.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                       preexec_fn=_unblock_stop_signals)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        _, stderr = process.communicate(timeout=PROCESS_TIMEOUT)
        ok = process.returncode == 0 and os.path.exists(out_json)
        tail = stderr.strip().splitlines()[-5:]
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        ok, tail = False, ["timed out after %d s" % PROCESS_TIMEOUT]
    except BaseException:
        if process is not None:
            process.kill()
            process.wait()
        raise
    return ok, time.monotonic() - start, tail


def output_problem(out_dir):
    """Why results cannot be written into out_dir, or None: checked before building."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        return "exists and is not a directory"
    try:
        os.makedirs(out_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as e:
        return "cannot write there: %s" % (e.strerror or e)
    return None


def load_output(path):
    """A benchmark process's JSON output, or None when missing or cut short."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_report(results_path, report_dir):
    """Renders the report of the results just written (the report's own code, called
    directly); returns None, or what went wrong."""
    from ..report.cli import build_report
    from ..results import load_results
    try:
        build_report([load_results(results_path)], None, report_dir,
                     "scripts/report %s --out %s" % (results_path, report_dir))
    except InputError as e:
        print("scripts/bench: report: %s" % e, file=sys.stderr)
        return str(e)
    except Exception as e:          # a bug in the report: said, and the run still counts
        traceback.print_exc()
        return "%s: %s" % (type(e).__name__, e)
    log("report: wrote %s and report.md" % os.path.join(report_dir, "report.html"))
    return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    build_dir = os.path.abspath(args.build_dir)
    kind = "quick" if args.quick else "full"
    scale, repetitions, min_time = SETTINGS[kind]
    out_dir = os.path.abspath(args.out)
    raw_dir = os.path.join(out_dir, "raw")
    problem = output_problem(out_dir)
    if problem:
        print("scripts/bench: error: --out %s: %s" % (args.out, problem), file=sys.stderr)
        return 2
    interrupt.install()
    if args.counts:
        from . import countrun
        try:
            return countrun.main(args, argv, build, build_dir, log)
        except Failure as e:
            print("scripts/bench: %s" % e, file=sys.stderr)
            return e.status
        except InputError as e:
            print("scripts/bench: error: --counts: %s (no results written)" % e, file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("scripts/bench: interrupted: no results written (an earlier %s is left as it was)"
                  % os.path.join(args.out, "results.json"), file=sys.stderr)
            return 130
    in_flight = []  # raw files of the benchmark process running now
    results_path = None
    started = time.monotonic()
    try:
        want_fastpath = catalogue.load().arena in args.allocator_list and fastpath_available()
        binaries, fastpath_bin = build(build_dir, args.allocator_list, want_fastpath)
        built = time.monotonic()
        log("== build took %.0f s" % (built - started))
        # trace_replay's recorded traces: made once (scripts/record-trace), kept in
        # build/traces; a job that cannot be recorded is said and skipped.
        trace.ensure_traces(scale, build_dir, log)
        os.makedirs(raw_dir, exist_ok=True)

        plan = []  # (allocator, binary, gb_name, clean_name)
        for a in args.allocator_list:
            binary = binaries[a]
            for gb_name in cmake.list_benchmarks(binary, scale):
                name = clean_name(gb_name)
                if args.regex is None or args.regex.search(name):
                    plan.append((a, binary, gb_name, name))
        fastpath_names = []
        if fastpath_bin is not None:
            fastpath_names = [n for n in cmake.list_benchmarks(fastpath_bin)
                              if args.regex is None or args.regex.search(n)]
        if not plan and not fastpath_names:
            print("scripts/bench: --filter %r matches no benchmark" % args.filter, file=sys.stderr)
            return 2

        total = len(plan) + len(fastpath_names)   # the header and the counter count benchmarks
        log("== running %d benchmarks (%s: %d repetitions, min time %g s): one process each%s"
            % (total, kind, repetitions, min_time,
               ", the %d fast-path ones together in the last" % len(fastpath_names)
               if fastpath_names else ""))
        run_started = time.monotonic()
        docs, series, failures = [], {}, []
        per_allocator = {}
        for i, (allocator, binary, gb_name, name) in enumerate(plan, 1):
            stem = os.path.join(raw_dir, "%03d_%s" % (i, re.sub(r"[^A-Za-z0-9_.-]", "_", name)))
            out_json, series_json = stem + ".json", stem + ".series.json"
            cmd = [binary, "--scale=" + scale, "--benchmark_filter=^%s$" % gb_name,
                   "--benchmark_repetitions=%d" % repetitions, "--benchmark_min_time=%g" % min_time,
                   "--benchmark_out=" + out_json, "--benchmark_out_format=json",
                   "--series_out=" + series_json]
            in_flight[:] = [out_json, series_json]
            ok, seconds, tail = run_one(cmd, out_json)
            in_flight.clear()
            per_allocator[allocator] = per_allocator.get(allocator, 0.0) + seconds
            now = time.monotonic()
            log(progress.run_line(i, total, name, seconds, now - started,
                                  progress.estimate(now - run_started, i, total), ok))
            if not ok:
                failures.append((name, tail))
                for line in tail:
                    log("         " + line)
            doc = load_output(out_json)  # a failed process may leave it cut short
            if doc is not None:
                docs.append(doc)
            elif ok:
                failures.append((name, ["unreadable output " + out_json]))
            doc = load_output(series_json)
            if doc is not None:
                merge.merge_series(series, doc)

        if fastpath_names:
            out_json = os.path.join(raw_dir, "fastpath.json")
            flt = args.filter if args.filter else "."
            cmd = [fastpath_bin, "--benchmark_filter=" + flt, "--benchmark_repetitions=%d" % repetitions,
                   "--benchmark_min_time=%g" % min_time, "--benchmark_out=" + out_json,
                   "--benchmark_out_format=json"]
            in_flight[:] = [out_json]
            ok, seconds, tail = run_one(cmd, out_json)
            in_flight.clear()
            per_allocator["arena (fastpath)"] = seconds
            log(progress.run_line(total, total, "bench_arena_fastpath (%d benchmarks)"
                                  % len(fastpath_names), seconds, time.monotonic() - started,
                                  None, ok))
            if ok:
                with open(out_json) as f:
                    docs.append(json.load(f))
            else:
                failures.append(("bench_arena_fastpath", tail))

        document = merge.merge_runs(docs)
        document["context"]["arena_suite"] = context.suite_context(
            ROOT, build_dir, argv, repetitions, args.quick, args.allocator_list, catalogue.load())
        log("== feature probes: %d libraries x %d cases, one process each"
            % (len(features.LIBRARIES), len(features.CASES)))
        document["context"]["arena_suite"]["features"] = features.probe_all(build_dir)
        if series:
            document["series"] = series
        mismatches = merge.checksum_mismatches(document["benchmarks"])
        if mismatches:
            document["context"]["arena_suite"]["checksum_mismatches"] = {
                k: {a: v for a, v in by.items()} for k, by in mismatches.items()}
        atomic.write_json_atomic(os.path.join(out_dir, "results.json"), document)
        results_path = os.path.join(out_dir, "results.json")

        log()
        log("== time per allocator: " + ", ".join("%s %.0f s" % kv for kv in per_allocator.items()))
        if args.targets:
            log()
            log(targets.format_table(targets.evaluate(document)))

        log()
        log("== report: scripts/report")
        report_dir = os.path.join(out_dir, "report")
        problem = write_report(results_path, report_dir)
        if problem:
            failures.append(("scripts/report", [problem]))

        elapsed = time.monotonic() - started
        log()
        try:
            for line in summary.summary(results_path, None if problem else report_dir, elapsed,
                                        built - started, len(plan) + len(fastpath_names), kind):
                log(line)
        except Exception as e:      # a bug in the summary: said; results and report stand
            traceback.print_exc()
            failures.append(("end-of-run summary", ["%s: %s" % (type(e).__name__, e)]))

        status = 0
        if mismatches:
            log()
            log("CHECKSUM MISMATCH between allocators (a workload computed different data):")
            for case, by_alloc in mismatches.items():
                log("  %s: %s" % (case, ", ".join("%s=%s" % (a, v) for a, v in by_alloc.items())))
            status = 1
        if failures:
            log()
            log("FAILED: " + ", ".join(name for name, _ in failures))
            status = 1
        return status
    except Failure as e:
        print("scripts/bench: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        for path in in_flight:  # the interrupted process's partial output
            if os.path.exists(path):
                os.unlink(path)
        if results_path is None:
            print("scripts/bench: interrupted: no results written (an earlier %s is left as it was)"
                  % os.path.join(args.out, "results.json"), file=sys.stderr)
        else:
            print("scripts/bench: interrupted: %s is complete, the report was not finished" % results_path,
                  file=sys.stderr)
        return 130
