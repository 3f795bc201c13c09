from typing import Optional, Tuple

import libcst as cst

from ..analysis.trace_dims import ANY_SIZE
from ..analysis.tracing import plausible_root, track_assignment, variable_iteration
from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, NONE, NUMBER, SINT, SIZE, STR, TENSOR, kind
from .base import TRACE, Example, Rule

_KEY = "JIT311"
_SCALARS = {INT: "a Python int", FLOAT: "a Python float", BOOL: "a Python bool", STR: "a str", NONE: "None",
            NUMBER: "a Python number", SINT: "a Python int (a size)", SIZE: "a torch.Size"}


def _candidate(ctx) -> bool:
    ok = ctx.scratch.get(_KEY + "candidate")
    if ok is None:
        ok = ctx.scratch[_KEY + "candidate"] = plausible_root(ctx)
    return ok and not ctx.nested


class TraceOutputStructure(Rule):
    """
    ## What it does
    Flags what a traced root (``forward`` of an nn.Module traced as a whole, or a function passed
    to ``torch.jit.trace``) returns when a trace cannot represent it: a ``dict``, a list whose
    length depends on the input (built from ``x.unbind()``, a loop over a Tensor...), Python
    numbers, sizes, strings or ``None``, or nothing at all. Helpers called from ``forward`` and
    submodules (modules constructed by another module) may return anything.

    ## Why is this bad?
    A trace's outputs are Tensors and fixed-structure tuples/lists of Tensors.
    ``torch.jit.trace`` rejects a dict output unless ``strict=False``, rejects Python numbers,
    strings and ``None`` ("Only tensors, lists, tuples of tensors, or dictionary of tensors can
    be output from traced functions") and functions without a return value ("The traced function
    didn't return any values!"). A list output is frozen to the example's length: other inputs
    fail ("Expected 2 elements in a list but found 4"). A size returned as an ``int`` comes back
    as a 0-dim Tensor.

    ## Example
    ```python
    def forward(self, x):
        return {"logits": self.head(x), "n": x.shape[0]}
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return self.head(x), torch._shape_as_tensor(x)[0]
    ```
    (Or trace with ``strict=False`` when a dict's keys never change; return a stacked Tensor
    instead of a variable-length list.)

    ## Fix safety
    No automatic fix: changing the output structure changes the model's API.
    """

    code = "JIT311"
    name = "trace-output-structure"
    message = "a traced root returns something a trace cannot represent"
    mode = TRACE
    evidence = ("t019", "t020", "t021", "t032", "t044")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                return {"a": x * 2, "b": x + 1}  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return [r * 2 for r in x.unbind(0)]  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 3),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x * 2, x.shape[0]  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),), (torch.ones(5),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                x.mul_(2)  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    out = []
                    for i in range(x.size(0)):
                        out.append(x[i] * i)
                    return out  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 3),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x + 1, None  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class Block(nn.Module):
                def forward(self, x):
                    return {"y": x * 2, "n": x.shape[0]}

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.block = Block()

                def forward(self, x):
                    out = self.block(x)
                    return out["y"], torch._shape_as_tensor(x)[0]
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch

            def _parts(x):
                return {"a": x[0], "b": x[1:]}

            def fn(x):
                a, b = x.chunk(2)
                parts = _parts(x)
                return [a + 1, b * 2], torch.stack(list(x.chunk(2))), parts["a"] + parts["b"].sum(0)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 3),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)
        if not _candidate(ctx) or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        lists = ctx.scratch.setdefault(_KEY + "lists", {})
        name = node.targets[0].target.value
        why = _variable_list(node.value, ctx)
        if why is not None:
            lists[name] = why
        elif isinstance(node.value, cst.List) and not node.value.elements:
            lists[name] = None  # an empty list: variable length if appended to in a size loop
        else:
            lists.pop(name, None)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in ("append", "extend")
                and isinstance(func.value, cst.Name)):
            return
        lists = ctx.scratch.get(_KEY + "lists")
        name = func.value.value
        if not lists or name not in lists or lists[name] is not None:
            return
        for cond in ctx.conditions:
            found = variable_iteration(cond, ctx)
            if found is not None:
                lists[name] = (f"a list appended to in a loop that {found[0]}", found[1])
                return

    def visit_Yield(self, node: cst.Yield, ctx) -> None:
        ctx.scratch[_KEY + "yield"] = True

    def visit_Return(self, node: cst.Return, ctx) -> None:
        if not _candidate(ctx):
            return
        ctx.scratch[_KEY] = True
        value = node.value
        requires: tuple = (("trace_root", ctx.function.id),)
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            ctx.report(node, "a traced root must return Tensors: tracing fails for `None` (\"The traced function "
                             "didn't return any values\"). Return the Tensor(s) the caller needs", requires=requires)
            return
        problem = self._problem(value, ctx)
        if problem is None and isinstance(value, (cst.Tuple, cst.List)):
            for el in value.elements:
                problem = self._problem(el.value, ctx)
                if problem is not None:
                    break
        if problem is None:
            return
        msg, extra, varies = problem
        ctx.report(node, msg, requires=requires + extra, varies=varies)

    def _problem(self, value: cst.BaseExpression, ctx) -> Optional[Tuple[str, tuple, tuple]]:
        """(message, predicates, varies): a list whose length follows the input breaks when an
        input size varies; dicts, numbers and None fail or change type whatever the input."""
        code = ctx.code_of(value)
        if isinstance(value, (cst.Dict, cst.DictComp)) or kind(ctx.type_of(value)) == "dict":
            return (f"the traced root returns a dict (`{_short(code)}`): `torch.jit.trace` rejects dict outputs "
                    f"unless `strict=False` (safe only if the keys never change). Return a tuple", (), ())
        t = ctx.type_of(value)
        if t in _SCALARS:
            what = _SCALARS[t]
            if t in (SINT, SIZE) or (t == FLOAT and not isinstance(value, cst.Float)):
                return (f"the traced root returns {what} (`{_short(code)}`): the trace returns it as Tensor(s) "
                        f"instead, so the output type changes. Return Tensors only "
                        f"(`torch._shape_as_tensor(x)` for sizes)", (), ())
            return (f"the traced root returns {what} (`{_short(code)}`): `torch.jit.trace` only accepts Tensor "
                    f"outputs and fails. Return Tensors only", (), ())
        why = _variable_list(value, ctx)
        if why is None and isinstance(value, cst.Name):
            why = ctx.scratch.get(_KEY + "lists", {}).get(value.value)
        if why is not None:
            desc, extra = why
            return (f"the traced root returns {desc} (`{_short(code)}`): the trace fixes the list's length to the "
                    f"example input's, and other inputs fail (\"Expected 2 elements in a list but found 4\"). Return "
                    f"a stacked Tensor", extra, (ANY_SIZE,))
        return None

    def function_end(self, fn: cst.FunctionDef, ctx) -> None:
        if ctx.scratch.get(_KEY) or not _candidate(ctx):
            return
        body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else None
        if not body or _is_stub(body) or _ends_with_raise(body) or ctx.scratch.get(_KEY + "yield"):
            return
        if ctx.function.class_facts is None and not any(p.type == TENSOR for p in ctx.function.params):
            return  # a top-level helper with no Tensor parameter (init functions, utilities)
        ctx.report(body[-1], f"`{fn.name.value}` returns nothing: `torch.jit.trace` fails (\"The traced function didn't "
                             f"return any values! Side-effects are not captured in traces\"). Return the Tensor(s) "
                             f"it changes", requires=(("trace_root", ctx.function.id),))


def _variable_list(value: cst.BaseExpression, ctx) -> Optional[Tuple[str, tuple]]:
    if isinstance(value, (cst.ListComp, cst.GeneratorExp)):
        found = variable_iteration(value.for_in.iter, ctx)
        if found is not None:
            return f"a list built by a comprehension that {found[0]}", found[1]
        return None
    if isinstance(value, cst.Call):
        if isinstance(value.func, cst.Name) and ctx.resolve(value.func) in ("builtins.list", "builtins.tuple"):
            if value.args:
                found = variable_iteration(value.args[0].value, ctx)
                if found is not None:
                    return "a list/tuple whose length follows the input", found[1]
            return None
        if isinstance(value.func, cst.Attribute) and value.func.attr.value in ("unbind", "split"):
            found = variable_iteration(value, ctx)
            if found is not None:
                return "a sequence whose length follows the input", found[1]
    return None


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "..."


def _is_stub(body) -> bool:
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString,
                                                                       cst.Ellipsis)):
                continue
            return False
    return True


def _ends_with_raise(body) -> bool:
    last = body[-1]
    return isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, cst.Raise) for s in last.body)

