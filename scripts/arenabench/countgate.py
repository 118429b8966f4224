"""The gate on counts: scripts/compare on two `scripts/bench --counts` results.

A counts result (context.arena_suite.mode == "counts") has one row per benchmark with
callgrind's exact counts divided by exact operation counts: the same binary on the same
input gives the same figures, so a change of a fraction of a percent is a real change and
no statistics are needed. The gate decides on one counter, instructions_per_alloc: it is
what the fast path costs, and it is what a change to the allocator's code moves. The
simulated cache misses and the release's instructions are shown as information only: a
D1 miss count depends on the simulated geometry and on the layout of unrelated data, and
releases happen once per iteration, so a one-instruction change there is noise for the
program's cost (scripts/README.md, "Counts").
"""
import glob
import math
import os

from .errors import InputError
from .names import clean_name
from .results import read_json

GATED = "instructions_per_alloc"
# Shown beside the gated counter when present, never gated: (counter, column heading).
INFO = [("d1_misses_per_alloc", "D1 miss/alloc"), ("ll_misses_per_alloc", "LL miss/alloc"),
        ("instructions_per_release", "instr/release"),
        ("traverse_instructions_per_node", "trav instr/node"),
        ("traverse_d1_misses_per_node", "trav D1/node"),
        ("traverse_ll_misses_per_node", "trav LL/node")]
COUNT_METRICS = [GATED] + [m for m, _ in INFO]
DEFAULT_THRESHOLD = 1.0     # percent more instructions per allocation that counts
EPS = 1e-9                  # rounding of new/old - 1: exactly the threshold is not beyond it


def _mode_of_doc(doc):
    if isinstance(doc, dict) and isinstance(doc.get("context"), dict):
        suite = doc["context"].get("arena_suite")
        if isinstance(suite, dict) and suite.get("mode") == "counts":
            return "counts"
    return "timed"


def _files(path):
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.json")))
        if not files:
            raise InputError(path, "a directory without *.json results files")
        return files
    return [path]


def mode(path):
    """"counts" or "timed" for a results file or a directory of them (InputError when the
    files cannot be read, or a directory mixes the two)."""
    modes = {f: _mode_of_doc(read_json(f)) for f in _files(path)}
    if len(set(modes.values())) > 1:
        counts = [f for f, m in modes.items() if m == "counts"]
        timed = [f for f, m in modes.items() if m == "timed"]
        raise InputError(path, f"mixes counts results ({os.path.basename(counts[0])}) with "
                               f"timed ones ({os.path.basename(timed[0])})")
    return next(iter(modes.values()))


def _value(path, where, key, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise InputError(path, f"{where}: '{key}' must be a non-negative number, got {v!r:.40}")
    return float(v)


def load(path):
    """({benchmark name: {counter: value}}, context.arena_suite.counts or {}) of a counts
    result (a file or a directory of files). Rows with an error are left out; every other
    problem raises InputError naming the file."""
    out, settings = {}, None
    for f in _files(path):
        doc = read_json(f)
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
            raise InputError(f, "not Google Benchmark JSON (no \"benchmarks\" list)")
        if not doc["benchmarks"]:
            raise InputError(f, "the \"benchmarks\" list is empty")
        if _mode_of_doc(doc) != "counts":
            raise InputError(f, "not a counts result (context.arena_suite.mode is not "
                                "\"counts\"): written by scripts/bench without --counts")
        counts = doc["context"]["arena_suite"].get("counts", {})
        if not isinstance(counts, dict):
            raise InputError(f, f"context.arena_suite.counts is a {type(counts).__name__}, "
                                f"expected an object")
        settings = counts if settings is None else settings
        for i, row in enumerate(doc["benchmarks"]):
            if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"]:
                raise InputError(f, f"benchmarks[{i}] has no name")
            if row.get("error_occurred"):
                continue
            if row.get("run_type") == "aggregate" and row.get("aggregate_name") != "median":
                continue            # counts have no spread; a median row (if any) is the value
            name = clean_name(row.get("run_name", row["name"]))
            where = f"benchmarks[{i}] ('{row['name']}')"
            values = {k: _value(f, where, k, row[k]) for k in COUNT_METRICS + ["checksum"]
                      if k in row}
            if name in out and out[name] != values:
                raise InputError(f, f"{where}: '{name}' appears twice with different counts")
            out[name] = values
    if not out:
        raise InputError(path, "no benchmark rows without errors")
    if not any(GATED in v for v in out.values()):
        raise InputError(path, f"a counts result without any '{GATED}': nothing to gate on "
                               f"(was it written by scripts/bench --counts?)")
    return out, settings or {}


def _change(old, new):
    if old is None or new is None:
        return None
    if old == 0:
        return 0.0 if new == 0 else math.inf
    return new / old - 1


def compare(old, new, threshold):
    """Rows per benchmark in both: name, old, new (their counter dicts), change (of the
    gated counter, None when a side lacks it), verdict."""
    rows = []
    for name in [n for n in old if n in new]:
        o, n = old[name], new[name]
        change = _change(o.get(GATED), n.get(GATED))
        if change is None:
            verdict = f"not gated (no {GATED})"
        elif change > threshold + EPS:
            verdict = "REGRESSION"
        elif change > 0:
            verdict = "more, within threshold"
        elif change < 0:
            verdict = "fewer"
        else:
            verdict = "same"
        info_changed = any(o.get(m) != n.get(m) for m, _ in INFO)
        rows.append({"name": name, "old": o, "new": n, "change": change, "verdict": verdict,
                     "info_changed": info_changed,
                     "checksum_differs": ("checksum" in o and "checksum" in n
                                          and o["checksum"] != n["checksum"])})
    return rows


def num(v):
    """A count per operation: 5 significant digits (12.004, 0.0625, 1234.5)."""
    return "-" if v is None else f"{v:.5g}"


def _pair(o, n):
    if o == n:
        return num(o)
    return f"{num(o)} -> {num(n)}"


def _pct(change):
    if change is None:
        return "-"
    return "new" if math.isinf(change) else f"{100 * change:+.2f}%"


def table(rows, show_all):
    shown = rows if show_all else [r for r in rows if r["verdict"] != "same" or r["info_changed"]]
    if not shown:
        return f"(all {len(rows)} benchmarks have identical counts; --all lists them)"
    # the information columns that changed somewhere (with --all: every one present)
    info = [(m, h) for m, h in INFO
            if any(r["old"].get(m) != r["new"].get(m) or (show_all and m in r["old"])
                   for r in shown)]
    cells = []
    for r in shown:
        cells.append([r["name"], num(r["old"].get(GATED)), num(r["new"].get(GATED)),
                      _pct(r["change"])] +
                     [_pair(r["old"].get(m), r["new"].get(m)) for m, _ in info] + [r["verdict"]])
    header = ["benchmark", "instr/alloc old", "new", "change"] + [h for _, h in info] + ["verdict"]
    widths = [max([len(header[i])] + [len(c[i]) for c in cells]) for i in range(len(header))]

    def line(c):
        return "  ".join(x.ljust(w) if i in (0, len(c) - 1) else x.rjust(w)
                         for i, (x, w) in enumerate(zip(c, widths))).rstrip()
    out = [line(header), "-" * len(line(header))] + [line(c) for c in cells]
    if not show_all and len(shown) < len(rows):
        out.append(f"({len(rows) - len(shown)} benchmarks with identical counts not shown; "
                   f"--all shows them)")
    return "\n".join(out)


def settings_warnings(old, new):
    """Warning lines when the two results were counted differently (valgrind version, cache
    geometry, options): their counts are then not comparable one to one."""
    out = []
    if not old or not new:
        missing = "the baseline" if not old else "the current result"
        out.append(f"warning: {missing} records no valgrind version or cache geometry "
                   f"(context.arena_suite.counts): cannot check both were counted alike")
        return out
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a != b:
            what = ("valgrind version" if "valgrind" in key or "version" in key else
                    "cache geometry" if "cache" in key or "geometry" in key or key in ("d1", "ll", "i1")
                    else f"counts setting '{key}'")
            out.append(f"warning: different {what} ({key}: {a!r} in the baseline, {b!r} in "
                       f"the current result): counts differ between simulators and cache "
                       f"geometries, not only between builds")
    return out


def report(args, old, new, old_settings, new_settings):
    """Prints the comparison; returns the exit status (0 pass, 1 regression)."""
    threshold = args.threshold if args.threshold is not None else DEFAULT_THRESHOLD
    rows = compare(old, new, threshold / 100.0)
    print(f"baseline: {args.baseline}\ncurrent:  {args.current}")
    vg = new_settings.get("valgrind") or new_settings.get("valgrind_version") or ""
    print(f"rule: counts (callgrind{', ' + str(vg) if vg else ''}): a regression is "
          f"{GATED} more than {threshold:g}% higher; the counts are exact, no statistics "
          f"are needed. Cache misses and instructions per release are shown, not gated.\n")
    print(table(rows, args.all))
    tally = {}
    for r in rows:
        tally[r["verdict"]] = tally.get(r["verdict"], 0) + 1
    print("\n" + ", ".join(f"{v}: {c}" for v, c in sorted(tally.items())) + f" ({len(rows)} compared)")
    only_old = [n for n in old if n not in new]
    only_new = [n for n in new if n not in old]
    for label, names in (("only in the baseline", only_old), ("only in the current result", only_new)):
        if names:
            print(f"not compared, {label} ({len(names)}): {', '.join(names)}")
    differs = [r["name"] for r in rows if r["checksum_differs"]]
    if differs:
        print(f"note: the checksum differs on {', '.join(differs)}: the benchmark did different "
              f"work, its counts are not like for like")
    for w in settings_warnings(old_settings, new_settings):
        print(w)
    regressions = [r for r in rows if r["verdict"] == "REGRESSION"]
    if regressions:
        print(f"\nFAIL: {len(regressions)} benchmark(s) with more than {threshold:g}% more "
              f"instructions per allocation:")
        for r in regressions:
            print(f"  {r['name']}: {num(r['old'][GATED])} -> {num(r['new'][GATED])} "
                  f"instructions per allocation ({_pct(r['change'])})")
        return 1
    print(f"\nPASS: no benchmark has more than {threshold:g}% more instructions per allocation")
    return 0
