"""The benchmark suite's Python tools: one package, thin entry points in scripts/.

Shared core (every tool uses these, none keeps a copy):
  catalogue  -- the allocators: order, labels, colours, roles (competitors/catalogue.txt,
                or the copy scripts/bench records in a results file's context)
  workloads  -- the workload order and the benchmark names the bench binaries register
  names      -- benchmark names: cleaning Google Benchmark's suffixes, splitting, parsing
  results    -- reading and validating results files (the results format is described there)
  stats      -- medians, Google Benchmark's U test (gbench), Holm's adjustment, the 5 % rule
  atomic     -- writing a file or a directory so that readers never see half of it
  fmt        -- human-readable numbers
  errors     -- the one exception for bad input (exit status 2)
  cmake      -- configuring and building targets, finding their binaries, listing benchmarks

Tools (one subpackage or module each, each with a main() behind a file in scripts/):
  bench      -- scripts/bench: build, run one process per benchmark, merge, check, report
  report     -- scripts/report: the comparison report (Markdown, HTML, plots, CSV)
  compare    -- scripts/compare: the CI regression gate
  tune       -- scripts/tune: the arena's initial-capacity tuner
  trace      -- scripts/record-trace: allocation traces of real programs
  bench.targets -- scripts/targets: the target table of one results file
  features   -- scripts/features: the feature matrix of the arena libraries (probe programs)
"""
import os

# The repository: scripts/arenabench/ is two levels below it.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
