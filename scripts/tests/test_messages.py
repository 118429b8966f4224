"""Tool messages in one style: `<tool>: error: <file at fault>: <problem>`, one line on
stderr, exit status 2; help texts that say what every option does and what a command runs."""
import os
import re
import subprocess

import pytest

from conftest import PYTHON, ROOT, SCRIPTS, fixture

GOOD = fixture("synthetic_sparse.json")
MISSING = "/nonexistent/results.json"


def run(tool, *args):
    return subprocess.run([PYTHON, os.path.join(SCRIPTS, tool), *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def assert_one_line(r, prog, first):
    """Exit 2, one line on stderr: '<prog>: error: <first>...'."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"{prog}: error: {first}"), lines[0]
    assert "Errno" not in lines[0] and "Traceback" not in r.stderr


def test_report_without_out_names_the_missing_file_first():
    assert_one_line(run("report", MISSING), "report", f"{MISSING}: cannot read: no such file")


def test_report_with_out_names_the_missing_file_first(tmp_path):
    assert_one_line(run("report", MISSING, "--out", tmp_path / "r"), "report",
                    f"{MISSING}: cannot read")
    assert not (tmp_path / "r").exists()


def test_report_missing_baseline_named_before_out():
    assert_one_line(run("report", GOOD, "--baseline", MISSING), "report", f"{MISSING}:")


def test_report_good_input_without_out_asks_for_out():
    assert_one_line(run("report", GOOD), "report", "--out DIR is required")


def test_targets_missing_file_has_no_raw_errno():
    assert_one_line(run("targets", MISSING), "targets", f"{MISSING}: cannot read: no such file")


def test_targets_not_a_results_file(tmp_path):
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    assert_one_line(run("targets", bad), "targets", f"{bad}: no 'benchmarks' list")


def test_targets_good_file_still_prints_the_table():
    r = run("targets", GOOD)
    assert r.returncode == 0, r.stderr
    assert re.search(r"\d+ passed, \d+ missed", r.stdout)


def _options_without_help(text):
    """Options of an argparse --help text whose line has no help and whose next line is
    not an indented help line."""
    lines = text.splitlines()
    bare = []
    for i, line in enumerate(lines):
        m = re.match(r"^  (-\S+(?: \S+)?(?:, -\S+(?: \S+)?)*)\s*$", line)
        if m:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not re.match(r"^ {10,}\S", nxt):
                bare.append(m.group(1))
    return bare


def test_tune_help_has_no_doubled_percent_and_every_option_has_help():
    r = run("tune", "--help")
    assert r.returncode == 0
    assert "%%" not in r.stdout
    assert _options_without_help(r.stdout) == []
    assert "--build-dir" in r.stdout and "CMake build directory" in r.stdout


def test_help_checker_finds_a_bare_option():
    assert _options_without_help("options:\n  --build-dir BUILD_DIR\n  --out OUT  where\n") == \
        ["--build-dir BUILD_DIR"]


def test_scripts_test_help_lists_its_real_stages_and_duration():
    r = subprocess.run([os.path.join(SCRIPTS, "test"), "--help"], capture_output=True,
                       text=True, timeout=30, cwd=ROOT)
    assert r.returncode == 0
    text = r.stdout
    body = open(os.path.join(SCRIPTS, "test")).read()
    for stage, in_script in [("Release build", 'stage "release build"'),
                             ("ASan+UBSan build", 'stage "ASan+UBSan build"'),
                             ("fuzzing", 'stage "fuzzing'),
                             ("Python tools", 'stage "python tools')]:
        assert stage in text, stage
        assert in_script in body, in_script     # the help names stages the script runs
    assert "install-deps chromium" in text and "install-deps chromium" in body
    assert "about 15–30 minutes on 2 cores" in text
    assert re.search(r"^\s+4\. ", text, re.M) and not re.search(r"^\s+5\. ", text, re.M)
