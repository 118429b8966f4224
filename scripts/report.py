#!/usr/bin/python3
"""Old name of scripts/report, kept as an alias for one release."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arenabench.report.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
