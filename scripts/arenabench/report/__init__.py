"""scripts/report: the comparison report of one or more results files.

Modules, one concept each:
  cli          -- arguments, loading every input first, the atomic output directory
  dataset      -- medians and error bars per benchmark and metric, runs grouped by machine
  claims       -- the seed's comparison table: claims, rules, verdicts
  headline     -- the arena against each peer, in one line each
  implementations -- the "Arena implementations" section: every region-style allocator, one
                  table and a speed-against-footprint plot
  plots        -- every figure (headless Agg, PNG + SVG)
  environment  -- the method and environment section
  baseline     -- "what changed" against an older results file (the shared U test)
  doc          -- a tiny document model rendered to Markdown and to self-contained HTML
  build        -- assembles the report from the pieces above
"""
