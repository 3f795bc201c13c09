"""Generate ``docs/rules.md`` from the rule files (``python -m jitlint.linter.docs``).

The rule table and every rule's documentation come from the rules themselves; a test fails
when the committed file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .rules import all_rules
from .rules.base import FAMILIES


def render_rules_md() -> str:
    rules = all_rules()
    out = ["# jitlint rules", "",
           "Generated from `linter/rules/` by `python -m jitlint.linter.docs`; do not edit by hand.",
           "Every rule's examples are checked against torch 2.13's real compiler by the test suite.", ""]
    for prefix, title in FAMILIES.items():
        family = [r for c, r in rules.items() if c.startswith(prefix)]
        if not family:
            continue
        out += [f"## {prefix}xx: {title}", "", "| code | name | default | fix | what it finds |", "|---|---|---|---|---|"]
        for r in family:
            anchor = f"{r.code.lower()}-{r.name}"
            fix = r.fix_safety or ""
            summary = r.summary().replace("|", "\\|")
            out.append(f"| [{r.code}](#{anchor}) | {r.name} | {'yes' if r.default else 'opt-in'} | {fix} | {summary} |")
        out.append("")
    out += ["---", ""]
    for code, r in rules.items():
        out += [f"### {code} {r.name}", ""]
        if r.evidence:
            out += ["Catalog evidence: " + ", ".join(f"`{e}`" for e in r.evidence), ""]
        doc = r.doc().replace("\n## ", "\n#### ")
        if doc.startswith("## "):
            doc = "#### " + doc[3:]
        out += [doc, ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    text = render_rules_md()
    if target:
        target.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
