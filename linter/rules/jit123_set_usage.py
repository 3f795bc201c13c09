import libcst as cst

from .base import Example, Rule

_SET_CALLS = {"builtins.set": "set", "builtins.frozenset": "frozenset"}


class SetUsage(Rule):
    """
    ## What it does
    Flags sets in compiled code: set displays (``{1, 2}``), set comprehensions
    (``{x % 2 for x in xs}``) and ``set(...)``/``frozenset(...)`` calls.

    ## Why is this bad?
    TorchScript has no set type. The frontend rejects set displays and comprehensions ("Set
    aren't supported", "SetComp aren't supported"), even inside ``if not
    torch.jit.is_scripting():``; ``set(xs)`` is rejected when compiled ("Expected a value of type
    'Tensor' for argument '0'") and ``set()`` compiles into a call that fails at run time
    ("Unable to cast set() to Tensor").

    ## Example
    ```python
    def fn(x: torch.Tensor, k: int) -> torch.Tensor:
        allowed = {1, 2}
        if k in allowed:
            return x + 1
        return x
    ```

    ## Use instead
    A list supports ``in``; deduplicate by hand, or use a ``Dict[int, bool]``:
    ```python
    def fn(x: torch.Tensor, k: int) -> torch.Tensor:
        allowed = [1, 2]
        if k in allowed:
            return x + 1
        return x
    ```

    ## Fix safety
    Set displays become lists (``[1, 2]``), and a set comprehension that is the right side of
    ``in`` / ``not in`` becomes a list comprehension. The fix is unsafe: a list keeps duplicates
    and has no set operations, which is only equivalent for membership tests and iteration over
    distinct values (what a displayed set is used for is not checked). Set comprehensions used
    otherwise (``len({...})``) and ``set(...)`` calls get no fix.
    """

    code = "JIT123"
    name = "set-usage"
    message = "sets are not supported by torch.jit.script"
    frontend = True
    fix_safety = "unsafe"
    evidence = ("s201", "s202", "s207")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, k: int) -> torch.Tensor:
                allowed = {1, 2}  # MARK
                if k in allowed:
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), 1)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, ks: List[int]) -> torch.Tensor:
                s = set(ks)  # MARK
                return x + len(s)
            """,
            inputs="[(torch.ones(3), [1, 1, 2])]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                return len({x % 2 for x in xs})  # MARK
            """,
            inputs="[([1, 2, 3],)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, ks: List[int]) -> torch.Tensor:
                seen = set()  # MARK
                return x
            """,
            inputs="[(torch.ones(3), [1])]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List
            import torch

            def fn(x: torch.Tensor, ks: List[int]) -> torch.Tensor:
                allowed = [1, 2]
                seen: List[int] = []
                for k in ks:
                    if k not in seen:
                        seen.append(k)
                marks: Dict[int, bool] = {k: True for k in ks}
                return x + len(seen) + len(marks) + len([k for k in ks])
            """,
            inputs="[(torch.ones(3), [1, 1, 2])]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, ks: List[int]) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    print(len(set(ks)))
                return x
            """,
            inputs="[(torch.ones(3), [1, 1, 2])]",
        ),
    ]

    def visit_Set(self, node: cst.Set, ctx) -> None:
        fix = None
        if not any(isinstance(e, cst.StarredElement) for e in node.elements):
            inner = ", ".join(ctx.code_of(e.value) for e in node.elements)
            fix = ctx.unsafe_fix("Use a list", [(node, f"[{inner}]")])
        ctx.report(node, "set displays are not supported by torch.jit.script (no set type): use a list "
                         "for membership tests", fix=fix)

    def visit_SetComp(self, node: cst.SetComp, ctx) -> None:
        code = ctx.code_of(node)
        text = code.strip()
        fix = None
        parent = ctx.parent
        membership = (isinstance(parent, cst.ComparisonTarget) and parent.comparator is node
                      and isinstance(parent.operator, (cst.In, cst.NotIn)))
        if membership and text.startswith("{") and text.endswith("}") and not node.lpar:
            fix = ctx.unsafe_fix("Use a list comprehension (duplicates are kept)",
                                 [(node, "[" + text[1:-1] + "]")])
        ctx.report(node, "set comprehensions are not supported by torch.jit.script (no set type): use a list "
                         "comprehension and deduplicate by hand", fix=fix)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or func.value not in ("set", "frozenset"):
            return
        if ctx.script_dead:
            return  # a call, not syntax: only rejected where it is compiled
        name = _SET_CALLS.get(ctx.resolve(func) or "")
        if name is None:
            return
        ctx.report(node, f"`{name}(...)` is not supported by torch.jit.script (no set type): use a list or a "
                         "Dict[T, bool] to deduplicate")
