"""Headline ratios at the top of the report: the arena against each peer, in one run.

Speed is compared on the primary speed benchmark (small_fixed, representative parameters);
realistic workloads are compared end to end (end_to_end_ns: fill + release per iteration)
against the fastest general-purpose heap, with the arena's footprint cost against glibc
malloc (the Berger-Zorn-McKinley comparison). A workload without end_to_end_ns (trace
replay) is compared on its fill time (real_time), and the sentence says "fill time".
Every phrase names the counter it is computed from: PHRASES."""
from .. import fmt, workloads

REALISTIC = workloads.REALISTIC + workloads.TRACE
# The words of a realistic workload's sentence -> the counter its ratio is computed from.
PHRASES = {"end to end": "end_to_end_ns", "fill time": "real_time_ns"}


def _faster(r, who):
    return f"{fmt.ratio(r)} faster than {who}" if r >= 1 else f"{fmt.ratio(1 / r)} slower than {who}"


def headline(md):
    cat = md.catalogue
    arena, limit, manual, label = cat.arena, cat.limit, cat.manual, cat.label
    out = []
    if arena not in md.allocators():
        return out
    for w in ("small_fixed", "mixed_sizes"):
        if w not in md.workloads():
            continue
        p = md.representative_params(w, "ns_per_alloc")
        me = md.value(w, p, arena, "ns_per_alloc")
        if p is None or not me:
            continue
        parts = []
        for a in md.allocators_of(w, p):
            v = md.value(w, p, a, "ns_per_alloc")
            if a == arena or not v:
                continue
            if a == limit:
                parts.append(f"{v / me:.0%} of the ideal bump's speed")
            else:
                parts.append(_faster(v / me, label(a)))
        if parts:
            out.append(f"`{w}/{p}`: the arena allocates in {fmt.ns(me)}: "
                       + ", ".join(parts) + ".")
        break
    for w in REALISTIC:
        if w not in md.workloads():
            continue
        for phrase, metric in PHRASES.items():
            p = md.representative_params(w, metric)
            me = md.value(w, p, arena, metric) if p is not None else None
            gp = {a: md.value(w, p, a, metric) for a in manual}
            gp = {a: v for a, v in gp.items() if v}
            if me and gp:
                break
        else:
            continue
        best = min(gp, key=gp.get)
        text = (f"`{w}`: {phrase}, the arena is {_faster(gp[best] / me, label(best))}, the "
                f"fastest general-purpose heap")
        fa = md.value(w, p, arena, "footprint_peak_bytes")
        fm = md.value(w, p, "malloc", "footprint_peak_bytes")
        if fa and fm:
            text += f"; its peak footprint is {fa / fm - 1:+.0%} against glibc malloc"
        out.append(text + ".")
    return out
