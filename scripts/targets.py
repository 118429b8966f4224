#!/usr/bin/python3
"""Old name of scripts/targets, kept as an alias for one release."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arenabench.bench.targets import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
