"""scripts/bench: build the bench binaries, run every selected benchmark in its own
process, merge their Google Benchmark JSON into results.json, cross-check checksums,
print the target table and render the report.

Modules:
  run      -- arguments, building, one process per benchmark, interruption, the report
  merge    -- merging per-process JSON and series; checksum cross-checks
  context  -- machine, compiler, library versions and the catalogue: context.arena_suite
  targets  -- the target table (also scripts/targets)
"""
