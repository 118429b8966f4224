"""Comparison report for the arena benchmark suite (issue 5).

Modules, one concept each:
  errors       -- the one exception type for bad input (exit status 2)
  allocators   -- fixed allocator order, colours and labels; benchmark-name parsing
  load         -- reading and validating results.json files (the results-format contract)
  dataset      -- medians and error bars per benchmark and metric, runs grouped by machine
  claims       -- the seed's comparison table: claims, rules, verdicts
  plots        -- every figure (headless Agg, PNG + SVG)
  environment  -- the method and environment section
  baseline     -- "what changed" against an older results file (Google Benchmark's gbench)
  doc          -- a tiny document model rendered to Markdown and to self-contained HTML
  build        -- assembles the report from the pieces above
  output       -- atomic output directory (build in a temporary directory, then rename)
"""
