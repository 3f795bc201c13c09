from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.trace_dims import STATE
from ..analysis.typecheck.lattice import TENSOR, kind
from .base import TRACE, Example, Rule

_CONTAINER_MUTATORS = frozenset({
    "append", "extend", "insert", "pop", "popitem", "clear", "update", "setdefault", "add", "remove", "discard",
})
_KEY = "JIT310"


def _self_attr(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def _under_training(ctx) -> bool:
    """Inside ``if self.training:`` (tracing is done in eval mode, where such code does not run)."""
    for cond in ctx.conditions:
        parts = [cond]
        while parts:
            c = parts.pop()
            if isinstance(c, cst.BooleanOperation) and isinstance(c.operator, cst.And):
                parts.extend((c.left, c.right))
            elif _self_attr(c) == "training":
                return True
    return False


class ModuleStateMutation(Rule):
    """
    ## What it does
    Flags Python state that a traced ``forward`` (or a helper it calls) reads and then changes
    on the module: ``self.counter += 1`` with a Python number, ``self.x = ...`` after reading
    ``self.x`` (``self.total = self.total + y``), Python-side caches
    (``if self._cache is None: self._cache = ...``), and ``self.history.append(...)`` on Python
    lists or dicts.

    ## Why is this bad?
    The trace records Tensor operations, not attribute assignments or Python containers: the
    traced module never updates this state, it replays the values seen while tracing. With the
    default ``check_trace=True``, ``torch.jit.trace`` runs ``forward`` several more times and
    fails ("Tracing failed sanity checks! ... Graphs differed across invocations"); with
    ``check_trace=False`` the traced model is silently frozen (a counter stays at its traced
    value, a cache keeps the first input's result). Tracing also mutates the eager module
    itself. In-place updates of registered buffers (``self.count.add_(1)``, ``self.count += 1``
    on a buffer) are recorded and are not reported; neither are attributes only written
    (never read back), nor updates under ``if self.training:`` (tracing is done in eval mode).

    ## Example
    ```python
    def forward(self, x):
        self.counter += 1
        return x * self.counter
    ```

    ## Use instead
    Keep the state in a registered buffer updated in place:
    ```python
    def __init__(self):
        super().__init__()
        self.register_buffer("counter", torch.zeros(()))

    def forward(self, x):
        self.counter.add_(1)
        return x * self.counter
    ```

    ## Fix safety
    No automatic fix: moving state into a buffer changes the module's ``state_dict``.
    """

    code = "JIT310"
    name = "module-state-mutation"
    message = "forward changes Python state of the module, which the trace does not record"
    mode = TRACE
    varies = (STATE,)
    evidence = ("t022", "t037")

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.counter = 0

                def forward(self, x):
                    self.counter += 1  # MARK
                    return x * self.counter
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(1),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self._cache = None

                def forward(self, x):
                    if self._cache is None:  # MARK
                        self._cache = torch.arange(x.shape[0]).float()
                    return x + self._cache
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),), (torch.ones(3) * 5,)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("total", torch.zeros(()))

                def forward(self, x):
                    self.total = self.total + x.sum()  # MARK
                    return x * self.total
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.history = []

                def forward(self, x):
                    self.history.append(x.sum())  # MARK
                    return x * len(self.history)
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.last = None
                    self.calls = 0

                def forward(self, x):
                    self.last = x * 2
                    self.calls += 1
                    return self.last + 1
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(1),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("grid", torch.arange(4.0))
                    self.cache = {}

                def forward(self, x):
                    y = x + self.grid[: x.shape[0]]
                    self.cache["last"] = y
                    return y
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(3) * 3,)]",
        ),
    ]

    # -- collecting writes --------------------------------------------------------------------
    def _record(self, ctx, attr: str, node: cst.CSTNode, how: str, targets: Tuple[cst.CSTNode, ...],
                value: Optional[cst.CSTNode]) -> None:
        if ctx.function is None or ctx.function.name == "__init__" or ctx.nested or _under_training(ctx):
            return
        ctx.scratch.setdefault(_KEY, []).append((attr, node, how, targets, value))

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        for target in node.targets:
            t = target.target
            elems = [e.value for e in t.elements] if isinstance(t, (cst.Tuple, cst.List)) else [t]
            for el in elems:
                attr = _self_attr(el)
                if attr is not None:
                    self._record(ctx, attr, node, "assign", (el,), node.value)
                elif isinstance(el, cst.Subscript):
                    self._item(el, node, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        attr = _self_attr(node.target)
        if attr is not None and node.value is not None:
            self._record(ctx, attr, node, "assign", (node.target,), node.value)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        attr = _self_attr(node.target)
        if attr is not None:
            t = ctx.type_of(node.target)
            if t is None or t == TENSOR or kind(t) == "optional":
                return  # a buffer updated in place (or unknown): recorded by the tracer
            self._record(ctx, attr, node, "augassign", (node.target,), node.value)
        elif isinstance(node.target, cst.Subscript):
            self._item(node.target, node, ctx)

    def _item(self, target: cst.Subscript, node: cst.CSTNode, ctx) -> None:
        attr = _self_attr(target.value)
        if attr is not None and kind(ctx.type_of(target.value)) in ("list", "dict"):
            self._record(ctx, attr, node, "item", (target.value,), None)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _CONTAINER_MUTATORS:
            return
        attr = _self_attr(func.value)
        if attr is None or kind(ctx.type_of(func.value)) not in ("list", "dict", "set"):
            return
        self._record(ctx, attr, node, "item", (func.value,), None)

    # -- deciding at the end of the function --------------------------------------------------
    def function_end(self, fn: cst.FunctionDef, ctx) -> None:
        writes = ctx.scratch.get(_KEY)
        if not writes:
            return
        from ..analysis.syntax import iter_descendants

        wanted = {w[0] for w in writes}
        target_ids = {id(t) for w in writes for t in w[3]}
        order: Dict[int, int] = {}
        loads: Dict[str, List[Tuple[int, cst.CSTNode]]] = {}
        tests: List[Tuple[cst.If, cst.CSTNode]] = []
        for i, node in enumerate(iter_descendants(fn.body)):
            order[id(node)] = i
            attr = _self_attr(node) if isinstance(node, cst.Attribute) else _hasattr_name(node)
            if attr in wanted and id(node) not in target_ids:
                loads.setdefault(attr, []).append((i, node))
            if isinstance(node, cst.If):
                tests.append((node, node.test))
        reported = set()
        for attr, node, how, targets, value in writes:
            mine = loads.get(attr, [])
            if not mine:
                continue
            pos = order.get(id(node), 0)
            if how in ("augassign", "item"):
                stateful = any(order_i != pos for order_i, _ in mine)
                before = [ld for ld in mine if ld[0] < pos]
            else:
                inside = {id(n) for n in iter_descendants(value)} if value is not None else set()
                before = [ld for ld in mine if ld[0] < pos or id(ld[1]) in inside]
                stateful = bool(before)
                if stateful and _is_conversion(value, attr) and all(id(ld[1]) in inside for ld in before):
                    continue  # self.x = self.x.to(device): idempotent, the same on every call
            if not stateful:
                continue
            cache_if = _cache_check(before, node, tests, order)
            if cache_if is not None:
                if id(cache_if) in reported:
                    continue
                reported.add(id(cache_if))
                ctx.report(cache_if.test, f"Python-side cache in `self.{attr}`: filled on the first call while "
                                          f"tracing, so the trace bakes that value in (and tracing's repeated runs see "
                                          f"a different graph). Compute it unconditionally, or precompute it in "
                                          f"`__init__` as a buffer")
                continue
            if id(node) in reported:
                continue
            reported.add(id(node))
            what = {"augassign": "updates", "assign": "reassigns", "item": "mutates"}[how]
            ctx.report(node, f"traced code {what} `self.{attr}`, which it also reads: the trace does not record Python "
                             f"state, so the traced module replays the value seen while tracing (and the default "
                             f"check_trace fails). Keep the state in a registered buffer updated in place "
                             f"(`self.{attr}.add_(...)`)")


_CONVERSIONS = frozenset({"to", "type", "float", "half", "double", "bfloat16", "cpu", "cuda", "contiguous",
                          "type_as", "long", "int"})


def _is_conversion(value: Optional[cst.BaseExpression], attr: str) -> bool:
    """``self.x.to(...)`` or ``[a.to(...) for a in self.x]``: a dtype/device conversion of the
    attribute's own value, which gives the same result however often it runs."""
    def converts(node, receiver_ok) -> bool:
        return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in _CONVERSIONS and receiver_ok(node.func.value))

    if converts(value, lambda r: _self_attr(r) == attr):
        return True
    if isinstance(value, (cst.ListComp, cst.GeneratorExp)) and value.for_in.inner_for_in is None:
        comp = value.for_in
        if _self_attr(comp.iter) == attr and isinstance(comp.target, cst.Name) and not comp.ifs:
            name = comp.target.value
            return converts(value.elt, lambda r: isinstance(r, cst.Name) and r.value == name)
    return False


def _hasattr_name(node: cst.CSTNode) -> Optional[str]:
    """``hasattr(self, "x")`` / ``getattr(self, "x", ...)`` read ``self.x``."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name) or node.func.value not in ("hasattr", "getattr"):
        return None
    if len(node.args) < 2 or not (isinstance(node.args[0].value, cst.Name) and node.args[0].value.value == "self"):
        return None
    key = node.args[1].value
    if isinstance(key, cst.SimpleString):
        value = key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _cache_check(before, write: cst.CSTNode, tests, order) -> Optional[cst.If]:
    """The ``if`` whose test reads the attribute and whose body contains the write."""
    from ..analysis.syntax import iter_descendants

    load_ids = {id(n) for _, n in before}
    for if_node, test in tests:
        if not any(id(n) in load_ids for n in [test, *iter_descendants(test)]):
            continue
        body_ids = {id(n) for n in iter_descendants(if_node.body)}
        if id(write) in body_ids:
            return if_node
    return None
