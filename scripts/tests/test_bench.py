"""scripts/bench's helpers (arenabench.bench) and the shared core they use: names,
merging, checksum cross-check, atomic writes, the target table and argument checking."""
import json
import os
import re
import subprocess

import pytest

from conftest import BENCH_FIXTURES, FIXTURES, PYTHON, SCRIPTS
from arenabench import atomic, catalogue, names
from arenabench.bench import merge, run, targets

ALLOCATORS = catalogue.load().names

PROCESS_FIXTURES = os.path.join(FIXTURES, "bench")   # one bench process each


def load(name):
    with open(os.path.join(PROCESS_FIXTURES, name)) as f:
        return json.load(f)


def merged():
    return merge.merge_runs([load("arena_process.json"), load("malloc_process.json")])


def test_clean_name_drops_manual_time_only():
    assert names.clean_name("small_fixed/arena/64/manual_time") == "small_fixed/arena/64"
    assert names.clean_name("small_fixed/arena/64/manual_time_median") == "small_fixed/arena/64_median"
    assert names.clean_name("small_fixed_mt/a/64/manual_time/threads:2_cv") == "small_fixed_mt/a/64/threads:2_cv"
    assert names.clean_name("fastpath/arena_c/4096") == "fastpath/arena_c/4096"
    assert names.clean_name("x/manual_timer") == "x/manual_timer"


def test_case_key_removes_the_allocator():
    assert names.case_key("small_fixed/arena/16") == "small_fixed/16"
    assert names.case_key("churn/malloc") == "churn"
    assert names.split_name("aligned/boehm/4096") == ("aligned", "boehm", "4096")


def test_merge_keeps_first_context_and_every_row():
    doc = merged()
    assert doc["context"]["executable"] == "bench_arena"
    assert len(doc["benchmarks"]) == 8
    assert all("manual_time" not in b["name"] and "manual_time" not in b["run_name"]
               for b in doc["benchmarks"])
    names = {b["name"] for b in doc["benchmarks"]}
    assert "small_fixed_mt/malloc/64/threads:2_median" in names


def test_merge_series_cleans_names_and_accumulates():
    series = merge.merge_series({}, load("arena_series.json"))
    merge.merge_series(series, {"latency_cdf": {"x/malloc/manual_time": {"percentile": [0], "ns": [1]}}})
    assert set(series["memory_timeline"]) == {"reset_cycles/arena"}
    assert set(series["latency_cdf"]) == {"small_fixed_mt/arena/64/threads:2", "x/malloc"}


def test_checksum_mismatch_is_found_and_spreads_are_ignored():
    bad = merge.checksum_mismatches(merged()["benchmarks"])
    # small_fixed/16 and reset_cycles agree (the stddev row's 0 is a spread);
    # small_fixed_mt differs: 99 (arena) vs 98 (malloc).
    assert list(bad) == ["small_fixed_mt/64/threads:2"]
    assert bad["small_fixed_mt/64/threads:2"] == {"arena": [99.0], "malloc": [98.0]}


def test_rows_with_errors_do_not_count_for_checksums():
    doc = merged()
    for b in doc["benchmarks"]:
        if b["run_name"].startswith("small_fixed_mt/malloc"):
            b["error_occurred"] = True
    assert merge.checksum_mismatches(doc["benchmarks"]) == {}


def test_write_json_atomic_replaces_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out" / "results.json"
    atomic.write_json_atomic(str(path), {"a": 1})
    atomic.write_json_atomic(str(path), {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert os.listdir(path.parent) == ["results.json"]


def test_write_json_atomic_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "results.json"
    atomic.write_json_atomic(str(path), {"a": 1})
    with pytest.raises(TypeError):
        atomic.write_json_atomic(str(path), {"a": object()})
    assert json.loads(path.read_text()) == {"a": 1}
    assert os.listdir(tmp_path) == ["results.json"]


def test_targets_ratios_and_status():
    results = {r["target"]: r for r in targets.evaluate(merged())}
    r = results["small_fixed/16: arena vs malloc"]
    assert r["measured"] == pytest.approx(6.0)
    assert r["status"] == "pass"
    assert results["small_fixed/16: arena vs boehm"]["status"] == "n/a"
    assert results["small_fixed/64: arena vs malloc"]["status"] == "n/a"
    assert results["reset_cycles: arena page faults per cycle"]["status"] == "pass"
    assert results["reset_cycles: arena upstream allocations per cycle"]["status"] == "pass"
    p999 = results["reset_cycles: arena lat_p999_ns lowest but ideal_bump"]
    assert p999["status"] == "pass" and p999["measured"] == 40.0


def test_targets_report_a_miss():
    doc = merged()
    for b in doc["benchmarks"]:
        if b["run_name"] == "small_fixed/malloc/16":
            b["ns_per_alloc"] = 2.0
        if b["run_name"] == "reset_cycles/arena":
            b["page_faults"] = 3.0
    results = {r["target"]: r for r in targets.evaluate(doc)}
    assert results["small_fixed/16: arena vs malloc"]["status"] == "miss"
    assert results["reset_cycles: arena page faults per cycle"]["status"] == "miss"
    table = targets.format_table(targets.evaluate(doc))
    assert "| small_fixed/16: arena vs malloc | 2.00x | >= 5.0x | MISS |" in table


@pytest.mark.parametrize("argv", [
    ["--allocators", "arena,nosuch"],
    ["--allocators", ","],
    ["--filter", "("],
    ["--filter", "no_such_workload"],
    ["--filter", "capacity_sweep", "--allocators", "malloc"],
    ["--bogus"],
    ["--out", ""],
])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        run.parse_args(argv)
    assert e.value.code == 2
    assert "scripts/bench: error:" in capsys.readouterr().err


def test_arguments_keep_the_fixed_allocator_order():
    args = run.parse_args(["--allocators", "boehm,arena", "--filter", "small_fixed/", "--quick"])
    assert args.allocator_list == ["arena", "boehm"]
    assert args.quick and args.regex.search("small_fixed/arena/16")
    assert run.parse_args([]).allocator_list == list(ALLOCATORS)


def test_bench_rejects_bad_arguments_before_doing_anything(tmp_path):
    out = tmp_path / "never"
    p = subprocess.run([PYTHON, os.path.join(SCRIPTS, "bench"), "--allocators", "nosuch", "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "unknown allocator(s) nosuch" in p.stderr
    assert not out.exists()


def test_targets_cli(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(merged()))
    md = tmp_path / "targets.md"
    p = subprocess.run([PYTHON, os.path.join(SCRIPTS, "targets"), str(path), "--markdown", str(md)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert "arena vs malloc" in p.stdout and md.read_text().startswith("| target |")
    missing = subprocess.run([PYTHON, os.path.join(SCRIPTS, "targets"), str(tmp_path / "nope.json")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_a_small_run_records_the_catalogue_and_renders_the_report(tmp_path):
    """A whole scripts/bench run on two small benchmarks: results.json carries the
    catalogue, and the report is rendered by the report code in the same process."""
    out = tmp_path / "out"
    p = subprocess.run([PYTHON, os.path.join(SCRIPTS, "bench"), "--quick", "--allocators", "malloc",
                        "--filter", "^small_fixed/malloc/(16|64)$", "--out", str(out)],
                       capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    runs = {b["run_name"] for b in doc["benchmarks"]}
    assert runs == {"small_fixed/malloc/16", "small_fixed/malloc/64"}
    assert doc["context"]["arena_suite"]["catalogue"] == catalogue.load().as_context()
    assert "== report: scripts/report" in p.stdout
    # the end of the run: what a user decides from, no development target table
    end = p.stdout.split("== summary", 1)[1]
    assert "checksums agree across 1 allocator on 1 workload" in end, end
    assert "report: %s" % (out / "report" / "report.html") in end, end
    assert "quick run: 2 benchmarks in " in end, end
    assert "| target |" not in p.stdout and "MISS" not in p.stdout
    report = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "glibc malloc" in report and "results.json" in report
    assert not [n for n in os.listdir(out) if n.startswith(".")], "temporary files left"


def test_end_of_run_summary_on_a_fixture_run(tmp_path):
    """The end of scripts/bench on a real (quick) run: headline, seed verdicts, checksums,
    the report's place and the time; a checksum mismatch is said instead of agreement."""
    from arenabench.bench import summary
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.html").write_text("<html></html>")
    path = os.path.join(FIXTURES, BENCH_FIXTURES[0])
    lines = summary.summary(path, str(report), 658.2, 205, 246, "full")
    text = "\n".join(lines)
    assert lines[0] == "== summary"
    # the headline, from the report's own code, without Markdown backticks
    from arenabench import results
    from arenabench.report.dataset import group_by_machine
    from arenabench.report.headline import headline
    md = group_by_machine([results.load_results(path)])[0]
    for h in headline(md):
        assert "  " + h.replace("`", "") in lines
    assert "`" not in text
    # one line per measured feature of the seed's table, with the three columns' verdicts
    for feature in ("Allocation Speed", "Deallocation", "Memory Fragmentation",
                    "Memory Overhead", "Determinism", "Memory Leaks"):
        line = next(ln for ln in lines if ln.strip().startswith(feature))
        assert re.search(r"arena \(ours\): (supported|not supported|mixed|not measured)", line), line
        assert "Boehm GC: " in line and "general-purpose heaps: " in line, line
    assert "Ease of Use" not in text
    assert re.search(r"^  checksums agree across \d+ allocators on \d+ workloads$", text, re.M), text
    assert f"  report: {report / 'report.html'}" in lines
    assert "  full run: 246 benchmarks in 10 min 58 s (build 3 min 25 s)" in lines
    assert "target" not in text and "MISS" not in text

    with open(path) as f:
        doc = json.load(f)
    for b in doc["benchmarks"]:
        if b["run_name"] == "small_fixed/malloc/64":
            b["checksum"] = 12345.0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    text = "\n".join(summary.summary(str(bad), None, 5, 1, 2, "quick"))
    assert "CHECKSUM MISMATCH" in text and "small_fixed/64" in text, text
    assert "checksums agree" not in text
    assert "report: not written" in text and "quick run: 2 benchmarks in 5 s (build 1 s)" in text


def test_targets_table_only_with_the_option():
    assert run.parse_args(["--targets"]).targets
    assert not run.parse_args([]).targets
