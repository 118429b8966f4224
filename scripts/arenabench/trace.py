"""scripts/record-trace: allocation traces of real programs, recorded with libarena_trace.so.

usage: scripts/record-trace [--scale quick|full|all] [--jobs python,sqlite,guile]
                            [--out DIR] [--if-missing] [--build-dir DIR]
       scripts/record-trace --name NAME [--phase-open SUFFIX] [--out DIR] -- COMMAND [ARG...]

The first form records the suite's traces, DIR/<job>.<scale>.trace (default DIR:
build/traces, where the bench binaries look for them):
  python  python3 (PYTHONMALLOC=malloc) byte-compiling standard-library packages
          with compileall (quick: json; full: json, email, http); a phase per
          compiled file (ARENA_TRACE_PHASE_OPEN=.py)
  sqlite  sqlite3 running scripts/trace/jobs/sqlite/*.sql on an in-memory
          database: loads Debian's iso-codes JSON (quick: 1500 rows per table,
          full: all), generates orders (quick 2000, full 20000), indexes,
          reports, full-text search, updates, VACUUM; a phase per .sql stage
  guile   guile-3.0 compiling ice-9 modules with (system base compile)
          (quick: 2 small files, full: 4); a phase per compiled file
The second form records any command into DIR/NAME.trace (for scripts/tune
--trace, or ARENA_TRACE_FILES=... for the bench binaries).

Each trace is recorded into a temporary file, checked with arena_trace_info, and
renamed into place only when it is complete. Exit status: 0; 1 if a recording
failed; 2 for bad arguments.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from . import ROOT, cmake
from .errors import Failure

JOBS = ["python", "sqlite", "guile"]
SCALES = ["quick", "full"]
SQLITE_STAGES = os.path.join(ROOT, "scripts", "trace", "jobs", "sqlite")
SQLITE_ROWS = {"quick": 2000, "full": 20000}       # generated orders
SQLITE_LIMIT = {"quick": 1500, "full": -1}         # rows loaded per iso-codes table (-1: all)
PYTHON_PACKAGES = {"quick": ["json"], "full": ["json", "email", "http"]}
GUILE_FILES = {"quick": ["q.scm", "string-fun.scm"],
               "full": ["q.scm", "string-fun.scm", "pretty-print.scm", "getopt-long.scm"]}
GUILE_DIR = "/usr/share/guile/3.0/ice-9"
ISO_CODES = "/usr/share/iso-codes/json"


DEFAULT_OUT = os.path.join(ROOT, "build", "traces")


def missing_traces(scale, out=DEFAULT_OUT, jobs=JOBS):
    """The traces '--if-missing --scale SCALE' would record: ['python.quick', ...]."""
    return ["%s.%s" % (j, scale) for j in jobs
            if not os.path.exists(os.path.join(out, "%s.%s.trace" % (j, scale)))]


def ensure_traces(scale, build_dir, log):
    """Records the traces trace_replay needs at this scale that are missing (once; they are
    kept), saying so through log."""
    missing = missing_traces(scale)
    where = os.path.relpath(DEFAULT_OUT, ROOT)
    if missing:
        log("== traces for trace_replay: recording %s into %s (scripts/record-trace "
            "--if-missing; recorded once, kept)" % (", ".join(missing), where))
    else:
        log("== traces for trace_replay: all present in %s" % where)
    main(["--if-missing", "--scale", scale, "--build-dir", build_dir])


def parse_args(argv):
    if "--" in argv:
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    else:
        command = None
    p = argparse.ArgumentParser(prog="scripts/record-trace",
                                description="Records allocation traces of real programs.")
    p.add_argument("--scale", choices=SCALES + ["all"], default="all")
    p.add_argument("--jobs", default=",".join(JOBS), help="comma-separated: " + ", ".join(JOBS))
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--if-missing", action="store_true", help="keep traces that already exist")
    p.add_argument("--build-dir", default=cmake.DEFAULT_BUILD_DIR,
                   help="CMake build directory for the tracer (default build/bench)")
    p.add_argument("--name", help="record COMMAND (after --) into OUT/NAME.trace")
    p.add_argument("--phase-open", metavar="SUFFIX",
                   help="with --name: a phase at every open of a file ending in SUFFIX")
    args = p.parse_args(argv)
    args.command = command
    args.job_list = [j.strip() for j in args.jobs.split(",") if j.strip()]
    unknown = [j for j in args.job_list if j not in JOBS]
    if unknown:
        p.error("unknown job(s) %s (choose from %s)" % (", ".join(unknown), ", ".join(JOBS)))
    if not args.job_list:
        p.error("--jobs is empty (choose from %s)" % ", ".join(JOBS))
    if args.name is not None:
        if not command:
            p.error("--name needs a command after --")
        if not args.name or "/" in args.name or args.name.startswith("."):
            p.error("bad --name %r (a file name without '/')" % args.name)
    elif command is not None:
        p.error("a command after -- needs --name")
    elif args.phase_open is not None:
        p.error("--phase-open goes with --name")
    return args


def build_tools(build_dir):
    """Builds the tracer and arena_trace_info; returns their paths."""
    return cmake.build_and_find(build_dir, ["arena_trace", "arena_trace_info"],
                                ["libarena_trace.so", "arena_trace_info"])


def record(lib, info, out_path, command, phase_open=None, env_extra=None, cwd=None, label=None):
    """Runs command under the tracer into out_path (atomically); returns the summary dict."""
    label = label or os.path.basename(out_path)
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".recording-", suffix=".trace", dir=out_dir)
    os.close(fd)
    os.unlink(tmp)  # the tracer creates it exclusively
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("ARENA_TRACE_")]:
        del env[key]
    env.update(env_extra or {})
    env["LD_PRELOAD"] = lib
    env["ARENA_TRACE_OUT"] = tmp
    if phase_open:
        env["ARENA_TRACE_PHASE_OPEN"] = phase_open
    try:
        r = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            tail = "\n".join(r.stderr.strip().splitlines()[-5:])
            raise Failure("%s: the traced command failed (exit %d): %s\n%s"
                          % (label, r.returncode, " ".join(command), tail))
        if not os.path.exists(tmp):
            raise Failure("%s: the tracer wrote no trace (is %s loadable?)" % (label, lib))
        r = subprocess.run([info, "--json", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            raise Failure("%s: the trace is not valid: %s" % (label, r.stderr.strip()))
        summary = json.loads(r.stdout)[0]
        os.replace(tmp, out_path)
        return summary
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---- the suite's jobs ---------------------------------------------------------------------------

def missing_requirements(job):
    if job == "python":
        stdlib = sysconfig.get_paths()["stdlib"]
        missing = [p for p in PYTHON_PACKAGES["full"] if not os.path.isdir(os.path.join(stdlib, p))]
        return ["%s/%s" % (stdlib, p) for p in missing]
    if job == "sqlite":
        need = [shutil.which("sqlite3") or "sqlite3 (Debian package sqlite3)"]
        need += [os.path.join(ISO_CODES, f) for f in
                 ("iso_3166-1.json", "iso_3166-2.json", "iso_639-3.json", "iso_4217.json")]
        need += sorted(glob.glob(os.path.join(SQLITE_STAGES, "*.sql"))) or [SQLITE_STAGES + "/*.sql"]
        return [p for p in need if not os.path.exists(p)]
    if job == "guile":
        need = [shutil.which("guile-3.0") or "guile-3.0 (Debian package guile-3.0)"]
        need += [os.path.join(GUILE_DIR, f) for f in GUILE_FILES["full"]]
        return [p for p in need if not os.path.exists(p)]
    return []


def job_command(job, scale, work):
    """(command, phase suffix, environment) of one job, with its inputs prepared in work."""
    if job == "python":
        stdlib = sysconfig.get_paths()["stdlib"]
        src = os.path.join(work, "src")
        for pkg in PYTHON_PACKAGES[scale]:
            shutil.copytree(os.path.join(stdlib, pkg), os.path.join(src, pkg),
                            ignore=shutil.ignore_patterns("__pycache__"))
        # The packages are compiled from a copy: the imports the compiler itself
        # makes use Debian's byte code, the compiled files land in work/.
        return (["/usr/bin/python3", "-s", "-m", "compileall", "-q", "-f", src], ".py",
                {"PYTHONMALLOC": "malloc", "PYTHONHASHSEED": "0"})
    if job == "sqlite":
        stages = sorted(glob.glob(os.path.join(SQLITE_STAGES, "*.sql")))
        cmd = ["sqlite3", "-batch", ":memory:",
               "CREATE TEMP TABLE params AS SELECT %d AS n, %d AS lim"
               % (SQLITE_ROWS[scale], SQLITE_LIMIT[scale])]
        cmd += [".read " + s for s in stages]
        return cmd, ".sql", {}
    if job == "guile":
        files = " ".join('"%s"' % f for f in GUILE_FILES[scale])
        program = ('(use-modules (system base compile)) '
                   '(for-each (lambda (f) (compile-file (string-append "%s/" f) '
                   '#:output-file (string-append "%s/" f ".go") #:warning-level 0)) '
                   '(list %s))' % (GUILE_DIR, work, files))
        return (["guile-3.0", "--no-auto-compile", "-c", program], ".scm",
                {"GUILE_AUTO_COMPILE": "0", "XDG_CACHE_HOME": os.path.join(work, "cache")})
    raise ValueError(job)


def describe(name, s, path):
    return ("%-18s %9d records %8d objects %4d phases  peak live %7.1f MiB  allocated %8.1f MiB  "
            "%6.1f MiB file" % (name, s["records"], s["allocations"], s["phases"],
                                s["peak_live_bytes"] / 2 ** 20, s["allocated_bytes"] / 2 ** 20,
                                os.path.getsize(path) / 2 ** 20))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        lib, info = build_tools(os.path.abspath(args.build_dir))
        out = os.path.abspath(args.out)
        if args.name is not None:
            path = os.path.join(out, args.name + ".trace")
            s = record(lib, info, path, args.command, phase_open=args.phase_open)
            print(describe(args.name, s, path))
            print("wrote %s" % path)
            return 0
        scales = SCALES if args.scale == "all" else [args.scale]
        failed = False
        for job in args.job_list:
            missing = missing_requirements(job)
            if missing:
                print("record-trace: skipping %s: missing %s (scripts/install-deps installs them)"
                      % (job, ", ".join(missing)), file=sys.stderr)
                continue
            for scale in scales:
                path = os.path.join(out, "%s.%s.trace" % (job, scale))
                if args.if_missing and os.path.exists(path):
                    continue
                with tempfile.TemporaryDirectory(prefix="record-trace-") as work:
                    cmd, suffix, env = job_command(job, scale, work)
                    try:
                        s = record(lib, info, path, cmd, phase_open=suffix, env_extra=env, cwd=work,
                                   label="%s.%s" % (job, scale))
                    except Failure as e:
                        print("record-trace: %s" % e, file=sys.stderr)
                        failed = True
                        continue
                print(describe("%s.%s" % (job, scale), s, path), flush=True)
        return 1 if failed else 0
    except Failure as e:
        print("record-trace: %s" % e, file=sys.stderr)
        return 1

