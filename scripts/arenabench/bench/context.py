"""What results.json says about where and how it was produced."""

import os
import platform
import re
import shlex
import subprocess


def _run(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _upstream_version(debian_version):
    """'2.0.9+ds-2' -> '2.0.9', '1:8.2.2-3' -> '8.2.2'."""
    v = debian_version.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0] if "-" in v else v
    return re.split(r"[+~]", v)[0]


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    os_name = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {"cpu_model": cpu, "cores": os.cpu_count(), "memory_bytes": memory,
            "kernel": platform.release(), "os": os_name}


def library_versions(root):
    versions = {}
    for name, package in (("mimalloc", "libmimalloc-dev"), ("benchmark", "libbenchmark-dev")):
        v = _run(["dpkg-query", "-W", "-f=${Version}", package])
        if v:
            versions[name] = _upstream_version(v)
    for name, module in (("bdw-gc", "bdw-gc"), ("jemalloc", "jemalloc"), ("tcmalloc", "libtcmalloc_minimal")):
        v = _run(["pkg-config", "--modversion", module])
        if v:
            versions[name] = v.split("-")[0]
    glibc = _run(["getconf", "GNU_LIBC_VERSION"])
    if glibc:
        versions["glibc"] = glibc.split()[-1]
    header = os.path.join(root, "arena", "include", "arena", "arena.h")
    try:
        text = open(header).read()
        parts = [re.search(r"#define ARENA_VERSION_%s (\d+)" % p, text) for p in ("MAJOR", "MINOR", "PATCH")]
        if all(parts):
            versions["arena"] = ".".join(m.group(1) for m in parts)
    except OSError:
        pass
    return versions


def cmake_cache(build_dir):
    values = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"^([A-Za-z_0-9]+):[A-Z]+=(.*)$", line.rstrip("\n"))
                if m:
                    values[m.group(1)] = m.group(2)
    except OSError:
        pass
    return values


def compiler_info(build_dir):
    cache = cmake_cache(build_dir)
    cxx = cache.get("CMAKE_CXX_COMPILER", "c++")
    version = _run([cxx, "--version"]).splitlines()
    build_type = cache.get("CMAKE_BUILD_TYPE", "")
    flags = " ".join(x for x in (cache.get("CMAKE_CXX_FLAGS", ""),
                                 cache.get("CMAKE_CXX_FLAGS_" + build_type.upper(), ""),
                                 "-std=c++20 -Wall -Wextra") if x).strip()
    return {"compiler": version[0] if version else cxx, "cxx_flags": flags, "build_type": build_type}


def suite_context(root, build_dir, argv, repetitions, quick, allocators, catalogue):
    """context.arena_suite of a run (the fields: arenabench/results.py)."""
    info = compiler_info(build_dir)
    return {
        "command": " ".join(shlex.quote(a) for a in ["scripts/bench"] + list(argv)),
        "machine": machine(),
        "compiler": info["compiler"],
        "cxx_flags": info["cxx_flags"],
        "build_type": info["build_type"],
        "library_versions": library_versions(root),
        "repetitions": repetitions,
        "quick": quick,
        "allocators": list(allocators),
        "catalogue": catalogue.as_context(),
    }
