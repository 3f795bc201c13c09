from typing import Collection, Dict, List, Optional, Set

from ..analysis.noqa import NoqaDirective, suppressing
from ..finding import SAFE, Edit, Finding, Fix
from .base import FILE, Rule


class UnusedNoqa(Rule):
    """
    ## What it does
    Reports ``# noqa`` directives that suppress nothing: a ``# noqa: JIT101`` on a line with no
    JIT101 finding, a bare ``# noqa`` on a line with no finding at all, or a ``# noqa`` naming a
    JIT code that no rule has (ruff's RUF100).

    Only JIT codes are judged: ``# noqa: E501`` is left to flake8, and in
    ``# noqa: E501, JIT101`` only ``JIT101`` is. A code of a rule that is not selected in this
    run is never judged (its finding could not appear), and a directive whose finding depends on
    what the project compiles counts as used whether or not that code is compiled in this run.
    A directive that lists ``JIT005`` itself is left alone.

    ## Why is this bad?
    A stale ``# noqa`` hides the next real problem on that line, and a misspelt code suppresses
    nothing while looking as if it did.

    ## Example
    ```python
    def forward(self, x):
        return x * 2  # noqa: JIT101
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return x * 2
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes from the comment, or the whole ``# noqa``
    comment when no code remains; other comments on the line are kept.
    """

    code = "JIT005"
    name = "unused-noqa"
    message = "unused `noqa` directive"
    mode = FILE
    fix_safety = SAFE

    def judge(self, path: str, directives: Collection[NoqaDirective], used: Dict[int, Set[str]],
              selected: Collection[str], known: Collection[str]) -> List[Finding]:
        """Findings for the unused directives of one file.

        ``used`` maps a row to the codes of the findings its ``# noqa`` suppressed (whatever
        their reach), ``selected`` are this run's rule codes and ``known`` every rule code.
        """
        out: List[Finding] = []
        selected = set(selected)
        for d in directives:
            found = used.get(d.row, set())
            if d.bare:
                if not found:
                    out.append(self._finding(path, d, "unused blanket `noqa` directive", self._remove_all(d)))
                continue
            upper = [c.text.upper() for c in d.codes]
            if any(c.startswith("JIT") and suppressing(self.code, c) for c in upper):
                continue  # the directive silences JIT005 itself
            unused: List[str] = []
            unknown: List[str] = []
            drop: Set[int] = set()
            for i, c in enumerate(upper):
                if not c.startswith("JIT"):
                    continue
                matching = [k for k in known if suppressing(k, c)]
                if not matching:
                    unknown.append(d.codes[i].text)
                    drop.add(i)
                elif all(k in selected for k in matching) and not any(suppressing(f, c) for f in found):
                    unused.append(d.codes[i].text)
                    drop.add(i)
            if not drop:
                continue
            parts = []
            if unused:
                parts.append("unused: " + ", ".join(f"`{c}`" for c in unused))
            if unknown:
                parts.append("unknown: " + ", ".join(f"`{c}`" for c in unknown))
            message = f"{self.message} ({'; '.join(parts)})"
            keep = [c.text for i, c in enumerate(d.codes) if i not in drop]
            if keep:
                fix = Fix(f"Remove unused code{'s' if len(drop) > 1 else ''} from the `noqa` directive",
                          (Edit(", ".join(keep), d.row, d.codes_column + 1, d.row, d.codes_end_column + 1),), SAFE)
            else:
                fix = self._remove_all(d)
            out.append(self._finding(path, d, message, fix))
        return out

    @staticmethod
    def _remove_all(d: NoqaDirective) -> Fix:
        return Fix("Remove the unused `noqa` directive", (Edit("", d.row, d.remove_from + 1, d.row, d.remove_to + 1),), SAFE)

    def _finding(self, path: str, d: NoqaDirective, message: str, fix: Optional[Fix]) -> Finding:
        return Finding(self.code, self.name, message, path, d.row, d.column + 1, d.row, d.end_column + 1,
                       self.severity, fix, d.row)

