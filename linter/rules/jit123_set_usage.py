import re

import libcst as cst

from ..analysis.syntax import iter_descendants
from .base import Example, Rule

_SET_CALLS = {"builtins.set": "set", "builtins.frozenset": "frozenset"}


def _len_argument(node: cst.CSTNode, ctx) -> bool:
    parents = ctx.parents
    if len(parents) < 2:
        return False
    arg, call = parents[-1], parents[-2]
    return (isinstance(arg, cst.Arg) and arg.value is node and isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name) and call.func.value == "len" and len(call.args) == 1
            and ctx.resolve(call.func) == "builtins.len")


def _set_call_fix(node: cst.Call, ctx):
    """``s = set(xs)`` with ``s`` only counted (``len(s)``) or tested (``v in s``) afterwards ->
    ``s = {v: True for v in xs}``: the same size and membership (dict keys hash and compare as
    set elements do)."""
    fn, parents = ctx.function, ctx.parents
    if fn is None or len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star or not parents:
        return None
    assign = parents[-1]
    if not (isinstance(assign, cst.Assign) and assign.value is node and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)):
        return None
    name = assign.targets[0].target.value
    counted = 0
    for sub in iter_descendants(fn.node.body):
        if isinstance(sub, cst.Call) and isinstance(sub.func, cst.Name) and sub.func.value == "len" \
                and len(sub.args) == 1 and isinstance(sub.args[0].value, cst.Name) and sub.args[0].value.value == name:
            counted += 1
        elif isinstance(sub, cst.ComparisonTarget) and isinstance(sub.operator, (cst.In, cst.NotIn)) \
                and isinstance(sub.comparator, cst.Name) and sub.comparator.value == name:
            counted += 1
    occurrences = sum(1 for sub in iter_descendants(fn.node) if isinstance(sub, cst.Name) and sub.value == name)
    if occurrences != counted + 1:
        return None  # iterated, passed on, mutated or rebound: the order or the type would show
    source = ctx.code_of(node.args[0].value)
    taken = set(re.findall(r"\w+", source)) | {name}
    var = next(v for v in ("v", "_v", "_v0", "_v1", "_v2", "_v3") if v not in taken)
    return ctx.safe_fix("Use a dict of the elements as keys",
                        [(node, f"{{{var}: True for {var} in {source}}}")])


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
    distinct values (what a displayed set is used for is not checked). Safe fixes:
    ``len({e for x in xs})`` becomes ``len({e: True for x in xs})``, and ``s = set(xs)`` whose
    name is afterwards only counted (``len(s)``) or tested (``v in s``) becomes
    ``s = {v: True for v in xs}``: dict keys hash and compare exactly as set elements do, so the
    size and membership are the same. Other set comprehensions and ``set(...)`` calls get no fix.
    """

    code = "JIT123"
    name = "set-usage"
    message = "sets are not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe or unsafe (see Fix safety)"
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
        elif _len_argument(node, ctx) and not node.lpar:
            # len({e for ...}) == len({e: True for ...}): dict keys hash and compare as set elements do
            elt = ctx.code_of(node.elt)
            rest = ctx.code_of(node.for_in)
            fix = ctx.safe_fix("Count distinct keys of a dict comprehension", [(node, f"{{{elt}: True{rest}}}")])
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
                         "Dict[T, bool] to deduplicate", fix=_set_call_fix(node, ctx))
