"""Regenerate the README's sample blocks from what jitlint really prints on examples/.

tests/test_readme.py holds both blocks to the live output; run this after a rule or message
changes: ``python tools/readme_samples.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCKS = [
    # (marker, fence, shown command, argv, include stderr)
    ("sample-output", "text", "jitlint check examples/", ["check", "examples/", "--no-cache"], False),
    ("fix-diff", "diff", "jitlint check --fix --diff examples/",
     ["check", "--fix", "--diff", "examples/", "--no-cache"], True),
]


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text()
    for marker, fence, shown, argv, with_stderr in BLOCKS:
        run = subprocess.run([sys.executable, "-m", "jitlint", *argv], cwd=ROOT, capture_output=True, text=True)
        output = run.stdout + (run.stderr if with_stderr else "")
        pattern = re.compile(rf"(<!-- {marker}:start -->\n```{fence}\n\$ {re.escape(shown)}\n)(.*?)(```)", re.S)
        if not pattern.search(text):
            print(f"README block {marker} not found", file=sys.stderr)
            return 1
        text = pattern.sub(lambda m: m.group(1) + output + m.group(3), text, count=1)
    readme.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
