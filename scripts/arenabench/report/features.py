"""The report's "Feature matrix" section: what a caller of each arena library gets, from
the probes scripts/bench ran (context.arena_suite.features; arenabench/features.py), never
typed in. Rows: ours and the peer arena libraries; columns: the probe cases; short cells,
with each cell's detail (the API used, why) in the list under the table."""
import os
import re

from .. import features as probes
from ..errors import InputError
from .doc import Bullets, Heading, Note, Para, Table

# The probe's pointer value says nothing to a reader of the report.
_ADDRESS = re.compile(r";? ?0x[0-9a-f]+")
_ANGLED = re.compile(r"[\w.:()*&]*<[\w.]*>[\w.:()*&]*")


def recorded(md):
    """(run, matrix) of the last run of md that recorded a well-formed feature matrix, or
    (None, None)."""
    for run in reversed(md.runs):
        matrix = run.suite.get("features") if isinstance(run.suite, dict) else None
        if matrix is None:
            continue
        try:
            return run, probes.check(matrix)
        except InputError:
            continue
    return None, None


def cell(matrix, library, case):
    c = matrix["results"].get(library, {})
    c = c.get(case) if isinstance(c, dict) else None
    return probes.cell_text(c)


def detail(c):
    if not isinstance(c, dict):
        return ""
    text = _ADDRESS.sub("", str(c.get("detail") or "")).strip("; ")
    text = re.sub(r"^(\d+ calls; |by hand: )", "", text)     # already in the cell
    # Names with angle brackets (<obstack.h>, SpecificBumpPtrAllocator<T>, arena.<i>.reset)
    # as code, so that Markdown does not take them for HTML tags.
    text = _ANGLED.sub(lambda m: f"`{m.group(0)}`", text)
    return text.replace("  ", " ")


def section(doc, md, mi, suffix, catalogue):
    doc.add(Heading(2, f"Feature matrix{suffix}", f"features{mi}", fold=True))
    run, matrix = recorded(md)
    if matrix is None:
        doc.add(Note("This run recorded no feature matrix (`context.arena_suite.features` is "
                     "absent: results from before the probes existed, or not written by "
                     "`scripts/bench`). `scripts/features` runs the probes on their own."))
        return
    cases = matrix["cases"]
    doc.add(Para("What a caller of each arena library gets, measured: for each library and "
                 "case a small program (`competitors/probes/probe_<library>.cpp`) calls the "
                 "library's own API in a process of its own. A cell is what the probe printed "
                 "(**pointer**, **misaligned**, **NULL**, **exception**; **reused** or **new "
                 "memory** with the upstream calls after the reset and at the first fill; "
                 "**yes**, **partial**, **no** after checking the API works), or how the "
                 "process ended: **abort** (SIGABRT, an uncaught exception included), **crash** "
                 "(another signal), **timeout**, **error** (a nonzero exit without a result). "
                 "The API used and the reasons are listed under the table." +
                 (f" From `{os.path.basename(run.path)}`." if len(md.runs) > 1 else "")))
    doc.add(Bullets([f"`{c}`: {probes.CASE_TEXT.get(c, c)}" for c in cases]))
    rows = []
    for library in matrix["libraries"]:
        rows.append([f"**{catalogue.label(library)}**"] +
                    [cell(matrix, library, c) for c in cases])
    doc.add(Table(["library"] + [f"`{c}`" for c in cases], rows))
    doc.add(Heading(3, f"Feature matrix: how each cell was obtained{suffix}"))
    items = []
    for library in matrix["libraries"]:
        row = matrix["results"].get(library, {})
        row = row if isinstance(row, dict) else {}
        parts = [f"`{c}` {cell(matrix, library, c)}: {detail(row.get(c))}" for c in cases
                 if detail(row.get(c))]
        items.append(f"**{catalogue.label(library)}** — " + "; ".join(parts))
    doc.add(Bullets(items))
