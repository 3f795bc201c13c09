import libcst as cst

from ..analysis.comprehension_loops import loop_rewrite
from .base import Example, Rule

_KINDS = {cst.ListComp: "list comprehension", cst.DictComp: "dict comprehension",
          cst.GeneratorExp: "generator expression"}


class ComprehensionForm(Rule):
    """
    ## What it does
    Flags list and dict comprehensions and generator expressions in compiled code that have an
    ``if`` clause (``[x for x in xs if x > 1]``) or more than one ``for`` clause
    (``[x * y for x in a for y in b]``).

    ## Why is this bad?
    TorchScript's frontend only supports a single ``for`` without conditions: "Comprehension ifs
    are not supported yet" and "Only a single generator is currently supported". The error
    comes from the frontend, so it fires even inside ``if not torch.jit.is_scripting():``.
    Single-``for`` list and dict comprehensions, and generator expressions such as
    ``sum(x * 2 for x in xs)`` or ``all(x > 0 for x in xs)`` (rewritten into list
    comprehensions), are supported; a conditional *expression* in the element
    (``[a if a > 1 else 0 for a in xs]``) is fine too.

    ## Example
    ```python
    def fn(xs: List[int]) -> List[int]:
        return [x * 2 for x in xs if x > 1]
    ```

    ## Use instead
    An explicit loop appending into an annotated list:
    ```python
    def fn(xs: List[int]) -> List[int]:
        out: List[int] = []
        for x in xs:
            if x > 1:
                out.append(x * 2)
        return out
    ```

    ## Fix safety
    The fix writes the loop above (nested ``for`` clauses become nested loops, a dict
    comprehension assigns ``d[k] = v``), with the list annotated with the element type, and is
    safe: it is offered only where the loop computes the same thing in the same order. That is
    when the comprehension is the first thing its statement evaluates (the whole value of an
    assignment or ``return``, or the first argument of a call of a plain or imported name); a
    generator expression is consumed whole (``sum``, ``min``, ``max``, ``sorted``, ``list``: not
    ``any``/``all``, which stop early); the loop variables, which now outlive the loop, appear
    nowhere else in the function; and a dict comprehension's key or value is a plain name or a
    literal (``d[k] = v`` evaluates ``v`` first). No fix when the element type is unknown.
    """

    code = "JIT124"
    name = "comprehension-form"
    message = "comprehensions with `if` clauses or several `for` clauses are not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe"
    evidence = ("s204", "s205", "s113")

    INVALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> List[int]:
                return [x * 2 for x in xs if x > 1]  # MARK
            """,
            inputs="[([1, 2, 3],)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(a: List[int], b: List[int]) -> List[int]:
                return [x * y for x in a for y in b]  # MARK
            """,
            inputs="[([1, 2], [3, 4])]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                return sum(x for x in xs if x > 0)  # MARK
            """,
            inputs="[([1, -2, 3],)]",
        ),
        Example(
            """
            from typing import Dict, List
            import torch

            def fn(x: torch.Tensor, names: List[str]) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    d = {n: i for i, n in enumerate(names) if n}  # MARK
                return x
            """,
            inputs="[(torch.ones(2), ['a', ''])]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List
            import torch

            def fn(xs: List[int]) -> int:
                doubled = [x * 2 for x in xs]
                clipped = [x if x > 1 else 0 for x in xs]
                pos: List[int] = []
                for x in xs:
                    if x > 1:
                        pos.append(x)
                d: Dict[int, int] = {x: x * x for x in xs}
                return sum(x * 2 for x in xs) + len(doubled) + sum(clipped) + len(pos) + len(d)
            """,
            inputs="[([1, 2, 3],)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[torch.Tensor]) -> torch.Tensor:
                ok = all(x.numel() > 0 for x in xs)
                y = torch.stack([x * 2 for x in xs])
                return y if ok else y * 0
            """,
            inputs="[([torch.ones(2), torch.zeros(2)],)]",
        ),
    ]

    def _check(self, node, ctx) -> None:
        comp = node.for_in
        if comp.inner_for_in is None and not comp.ifs:
            return
        fix = None
        rewrite = loop_rewrite(node, ctx)
        if rewrite is not None:
            edit, imports = rewrite
            fix = ctx.safe_fix("Rewrite as a loop", [edit], imports=imports)
        if comp.inner_for_in is not None:
            ctx.report(node, f"a {_KINDS[type(node)]} with several `for` clauses is not supported by "
                             "torch.jit.script (\"Only a single generator is currently supported\"): use nested loops",
                       fix=fix)
        else:
            ctx.report(node, f"a {_KINDS[type(node)]} with an `if` clause is not supported by torch.jit.script "
                             "(\"Comprehension ifs are not supported yet\"): use a loop with `if` and `append`",
                       fix=fix)

    visit_ListComp = _check
    visit_DictComp = _check
    visit_GeneratorExp = _check
