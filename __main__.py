"""``python -m jitlint``: the same entry point as the ``jitlint`` console script."""

import sys

from .linter.cli import main

if __name__ == "__main__":
    sys.exit(main())
