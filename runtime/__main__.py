"""``python -m jitlint.runtime FILE.py::NAME [...]``: the same as ``jitlint verify``."""

import sys

from .cli import main_verify

if __name__ == "__main__":
    sys.exit(main_verify())
