"""The feature matrix: classifying probe processes (fixtures/features/classify.json), the
report's section (fixtures/features/matrix.json), scripts/features on bad input, and the
real probes (competitors/probes/, built in ARENA_BUILD_DIR) against facts known from each
library's headers and our README."""
import json
import os
import subprocess

import pytest

from conftest import BUILD, PYTHON, SCRIPTS, built, fixture, run_report, write_json
from arenabench import catalogue, features
from arenabench.report import features as report_features
from arenabench.report.doc import Document, render_html, render_md

FEATURES = os.path.join(SCRIPTS, "features")
CLASSIFY = json.load(open(fixture("features/classify.json")))["processes"]
MATRIX = json.load(open(fixture("features/matrix.json")))


def run_features(*args):
    return subprocess.run([PYTHON, FEATURES, *map(str, args)], capture_output=True, text=True,
                          timeout=600)


# ---- classification -----------------------------------------------------------------------
@pytest.mark.parametrize("p", CLASSIFY, ids=[p["name"] for p in CLASSIFY])
def test_classify(p):
    cell = features.classify(p["case"], p["returncode"], p["stdout"], p["stderr"],
                             timed_out=p.get("timed_out", False))
    for key, value in p["expect"].items():
        if key == "detail_has":
            assert value in cell["detail"], cell
        else:
            assert cell.get(key) == value, (key, cell)


@pytest.mark.parametrize("body,outcome,signal_name", [
    ("kill -SEGV $$", "crash", "SIGSEGV"),
    ("echo 'terminate called' >&2; kill -ABRT $$", "abort", "SIGABRT"),
    ("exec sleep 30", "timeout", None),
    ("printf 'probe\\tsize_max\\tnull\\twhy\\n'; exit 3", "null", None),
    ("echo 'memory exhausted' >&2; exit 1", "error", None),
])
def test_real_processes_are_classified(tmp_path, body, outcome, signal_name):
    """run_probe on stand-in programs that really die, hang or exit."""
    program = tmp_path / "probe.sh"
    program.write_text("#!/bin/sh\n" + body + "\n")
    program.chmod(0o755)
    cell = features.run_probe(str(program), "size_max", timeout=2)
    assert cell["outcome"] == outcome, cell
    assert cell["signal"] == signal_name
    if outcome == "null":
        assert cell["detail"] == "why; then exit status 3"
    if outcome == "error":
        assert cell["exit"] == 1 and "memory exhausted" in cell["detail"]


def test_cell_text():
    assert features.cell_text({"outcome": "null"}) == "NULL"
    assert features.cell_text({"outcome": "crash", "signal": "SIGSEGV"}) == "crash (SIGSEGV)"
    assert features.cell_text({"outcome": "new_memory", "calls": 1, "first_calls": 9}) == \
        "new memory (1 call; 9 at first)"
    assert features.cell_text({"outcome": "new_memory", "calls": 15}) == "new memory (15 calls)"
    assert features.cell_text({"outcome": "missing"}) == "not built"
    assert features.cell_text(None) == "—"


def test_a_missing_binary_gives_missing_cells(tmp_path):
    m = features.probe_all(str(tmp_path), libraries=("arena",), cases=("size_zero",))
    assert m["results"]["arena"]["size_zero"]["outcome"] == "missing"
    assert m["libraries"] == ["arena"] and m["cases"] == ["size_zero"]
    assert m["version"] == features.VERSION


def test_format_table_has_a_row_per_library():
    text = features.format_table(MATRIX, {"arena": "arena (ours)"})
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["library", "align_4096", "oversized"]
    assert len(lines) == 1 + len(MATRIX["libraries"])
    assert lines[1].startswith("arena (ours)")


# ---- the report ---------------------------------------------------------------------------
class _Run:
    def __init__(self, suite, path="results.json"):
        self.suite, self.path = suite, path


class _MD:
    def __init__(self, *suites):
        self.runs = [_Run(s, f"run{i}.json") for i, s in enumerate(suites)]


def _section(md):
    doc = Document("t")
    report_features.section(doc, md, 0, "", catalogue.load())
    return render_md(doc), render_html(doc, ".")


def test_report_section_is_generated_from_the_matrix():
    md_text, html_text = _section(_MD({"features": MATRIX}))
    assert "## Feature matrix" in md_text
    header = "| library | " + " | ".join(f"`{c}`" for c in MATRIX["cases"]) + " |"
    assert header in md_text
    rows = [line for line in md_text.splitlines() if line.startswith("| **")]
    assert len(rows) == len(MATRIX["libraries"])
    label = catalogue.load().label("arena")
    ours = next(r for r in rows if r.startswith(f"| **{label}**"))
    cells = [c.strip() for c in ours.strip("|").split("|")][1:]
    expect = [features.cell_text(MATRIX["results"]["arena"][c]) for c in MATRIX["cases"]]
    assert cells == expect
    # details under the table, pointer values left out
    assert "how each cell was obtained" in md_text
    assert "arena_alloc_aligned(a, 100, 4096)" in md_text
    assert "0x" not in md_text.split("how each cell was obtained", 1)[1]
    assert "Feature matrix" in html_text
    assert "`SpecificBumpPtrAllocator<T>::DestroyAll()`" in md_text     # not an HTML tag
    assert "`<obstack.h>`" in md_text


def test_report_section_shows_deaths_and_by_hand():
    m = json.loads(json.dumps(MATRIX))
    m["results"]["obstack"]["size_max"] = {"outcome": "crash", "signal": "SIGSEGV",
                                           "detail": "killed by SIGSEGV", "exit": None}
    m["results"]["llvm_bump"]["oversized"] = {"outcome": "abort", "signal": "SIGABRT",
                                              "detail": "LLVM ERROR: out of memory"}
    md_text, _ = _section(_MD({"features": m}))
    assert "crash (SIGSEGV)" in md_text and "| abort |" in md_text
    apr = next(line for line in md_text.splitlines()
               if line.startswith(f"| **{catalogue.load().label('apr_pool')}**"))
    assert "pointer, by hand" in apr


def test_report_section_without_features():
    md_text, _ = _section(_MD({}, {"features": "not a matrix"}))
    assert "## Feature matrix" in md_text
    assert "This run recorded no feature matrix" in md_text
    assert "| library |" not in md_text


def test_report_tool_renders_the_section(tmp_path):
    doc = json.load(open(fixture("synthetic_sparse.json")))
    doc["context"].setdefault("arena_suite", {})["features"] = MATRIX
    path = write_json(tmp_path / "results.json", doc)
    r = run_report(path, "--out", tmp_path / "report")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "report" / "report.md").read_text()
    assert "## Feature matrix" in text and "| library | `align_4096`" in text
    old = run_report(fixture("synthetic_sparse.json"), "--out", tmp_path / "old")
    assert old.returncode == 0, old.stderr
    assert "This run recorded no feature matrix" in (tmp_path / "old" / "report.md").read_text()


# ---- scripts/features on bad input ---------------------------------------------------------
def test_unknown_option(tmp_path):
    out = tmp_path / "m.json"
    r = run_features("--frobnicate", "--out", out)
    assert r.returncode == 2 and "unrecognized arguments: --frobnicate" in r.stderr
    assert not out.exists()


def test_missing_build_dir(tmp_path):
    out = tmp_path / "m.json"
    r = run_features("--build-dir", tmp_path / "nope", "--out", out)
    assert r.returncode == 2
    assert "scripts/features: error: " in r.stderr and "no such build directory" in r.stderr
    assert not out.exists() and os.listdir(tmp_path) == []


def test_build_dir_without_probes(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "m.json"
    r = run_features("--build-dir", tmp_path / "empty", "--out", out)
    assert r.returncode == 2 and "no arena_probe_* binary" in r.stderr
    assert not out.exists()


# ---- the real probes -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def probes():
    built(*features.TARGETS)
    return features.probe_all(BUILD)


def outcome(matrix, library, case):
    return matrix["results"][library][case]["outcome"]


def test_every_probe_ran(probes):
    for library in features.LIBRARIES:
        for case in features.CASES:
            cell = probes["results"][library][case]
            assert cell["outcome"] not in ("missing", "error", "timeout"), (library, case, cell)
            assert cell["detail"], (library, case)


def test_ours(probes):
    """arena/README.md: any power-of-two alignment, dedicated blocks, size 0 a unique
    pointer, SIZE_MAX NULL + ENOMEM, a warm reset asks the upstream for nothing; children,
    marks, cleanups and statistics."""
    expect = {"align_4096": "pointer", "oversized": "pointer", "size_zero": "pointer",
              "size_max": "null", "reset_reuse": "reused", "child_region": "yes",
              "savepoint": "yes", "destructor": "yes", "statistics": "yes"}
    assert {c: outcome(probes, "arena", c) for c in expect} == expect


def test_peers_facts_from_their_headers(probes):
    # APIs that exist (yes) or do not (no) in the installed headers
    assert outcome(probes, "apr_pool", "child_region") == "yes"          # apr_pool_create
    assert outcome(probes, "apr_pool", "destructor") == "yes"            # cleanup_register
    assert outcome(probes, "talloc_pool", "child_region") == "yes"       # talloc_new
    assert outcome(probes, "talloc_pool", "destructor") == "yes"         # set_destructor
    assert outcome(probes, "talloc_pool", "statistics") == "yes"         # talloc_total_size
    assert outcome(probes, "protobuf_arena", "destructor") == "yes"      # OwnCustomDestructor
    assert outcome(probes, "protobuf_arena", "statistics") == "yes"      # SpaceUsed
    assert outcome(probes, "llvm_bump", "statistics") == "yes"           # getTotalMemory
    assert outcome(probes, "obstack", "savepoint") == "yes"              # obstack_free(h, obj)
    assert outcome(probes, "foonathan_stack", "savepoint") == "yes"      # unwind(marker)
    for library in ("llvm_bump", "protobuf_arena", "jemalloc_arena", "obstack",
                    "foonathan_stack"):
        assert outcome(probes, library, "child_region") == "no", library
    # documented behaviour: memory_stack throws bad_allocation_size beyond a block
    assert outcome(probes, "foonathan_stack", "oversized") == "exception"
    # LLVM's Reset keeps only the first slab, protobuf's frees every block
    assert outcome(probes, "llvm_bump", "reset_reuse") == "new_memory"
    assert outcome(probes, "protobuf_arena", "reset_reuse") == "new_memory"
    for library in features.LIBRARIES:
        assert outcome(probes, library, "align_4096") in ("pointer", "misaligned"), library


def test_scripts_features_prints_and_writes(probes, tmp_path):
    out = tmp_path / "matrix.json"
    r = run_features("--build-dir", BUILD, "--out", out, "--details")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0].split()
    assert first == ["library"] + list(features.CASES)
    written = json.loads(out.read_text())
    assert written["libraries"] == list(features.LIBRARIES)
    assert written["results"]["arena"]["size_max"]["outcome"] == "null"
    assert "arena_alloc_aligned" in r.stdout            # --details


@pytest.mark.parametrize("target", features.TARGETS)
def test_a_probe_refuses_an_unknown_case(probes, target):
    binary = built(target)[0]
    r = subprocess.run([binary, "no_such_case"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "unknown case 'no_such_case'" in r.stderr
    assert r.stdout == ""
