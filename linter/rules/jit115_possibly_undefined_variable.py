from typing import Dict, Iterator, Optional, Sequence, Tuple

import libcst as cst

from ..analysis.guards import maybe_folded, real_loop, static_value
from ..analysis.names import BUILTIN_NAMES
from ..analysis.syntax import iter_children
from .base import SCRIPT, Example, Rule

# How a name stands at a point of the function: defined on every path, or only on some
# ("if" = assigned in one branch of an if, "loop" = first assigned inside a loop body), with
# the node that assigned it.
DEF = "def"
State = Dict[str, Tuple[str, Optional[cst.CSTNode]]]

_COMPS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            yield from _target_names(el.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _reads(node: cst.CSTNode, bound: frozenset = frozenset()) -> Iterator[cst.Name]:
    """Name nodes read by an expression (not attribute names, keywords, lambda/comprehension
    variables)."""
    if isinstance(node, cst.Name):
        if node.value not in bound:
            yield node
        return
    if isinstance(node, cst.Attribute):
        yield from _reads(node.value, bound)
        return
    if isinstance(node, cst.Arg):
        yield from _reads(node.value, bound)
        return
    if isinstance(node, cst.Lambda):
        return  # its own scope (and rejected by the frontend anyway)
    if isinstance(node, _COMPS):
        comp = node.for_in
        inner = set(bound)
        while comp is not None:
            yield from _reads(comp.iter, frozenset(inner))
            inner.update(_target_names(comp.target))
            for cond in comp.ifs:
                yield from _reads(cond.test, frozenset(inner))
            comp = comp.inner_for_in
        inner_bound = frozenset(inner)
        parts = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
        for part in parts:
            yield from _reads(part, inner_bound)
        return
    for child in iter_children(node):
        yield from _reads(child, bound)


def _exits(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, (cst.Return, cst.Raise)):
        return True
    return isinstance(small, cst.Assert) and isinstance(small.test, cst.Name) and small.test.value == "False"


class _Flow:
    """TorchScript's view of which names are defined where (see the rule docstring)."""

    def __init__(self, ctx, candidates: set):
        self.ctx = ctx
        self.candidates = candidates
        self.found: Dict[str, Tuple[str, cst.CSTNode]] = {}

    def read(self, expr: Optional[cst.CSTNode], state: State) -> None:
        if expr is None:
            return
        for name in self.candidates:
            entry = state.get(name)
            if entry is not None and entry[0] != DEF and name not in self.found:
                break
        else:
            return  # no candidate is only possibly defined here: nothing to find in expr
        for name in _reads(expr):
            entry = state.get(name.value)
            if entry is not None and entry[0] != DEF and name.value not in self.found:
                self.found[name.value] = (entry[0], entry[1])

    def define(self, names, node: cst.CSTNode, state: State) -> None:
        for n in names:
            state[n] = (DEF, node)

    def block(self, stmts: Sequence[cst.BaseStatement], state: State) -> bool:
        """Walk statements, updating ``state``; True when the block always returns/raises."""
        for stmt in stmts:
            if self.statement(stmt, state):
                return True
        return False

    def statement(self, stmt: cst.BaseStatement, state: State) -> bool:  # noqa: C901 - statement kinds
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, state)
                if _exits(small):
                    return True
            return False
        if isinstance(stmt, cst.If):
            return self.if_(stmt, state)
        if isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self.read(stmt.iter, state)
            else:
                self.read(stmt.test, state)
            if not real_loop(stmt, self.ctx):
                # unrolled by the compiler: straight-line code (assume it runs)
                self.define(_target_names(stmt.target), stmt, state)
                self.block(stmt.body.body, state)
                if stmt.orelse is not None:
                    self.block(stmt.orelse.body.body, state)
                return False
            inner = dict(state)
            if isinstance(stmt, cst.For):
                self.define(_target_names(stmt.target), stmt, inner)
            self.block(stmt.body.body, inner)
            for name, entry in inner.items():
                if name not in state:
                    state[name] = ("loop", entry[1]) if entry[0] == DEF else entry
                elif state[name][0] != DEF and entry[0] == DEF:
                    pass  # still only possibly defined
            if stmt.orelse is not None:
                self.block(stmt.orelse.body.body, state)
            return False
        if isinstance(stmt, cst.With):
            for item in stmt.items:
                self.read(item.item, state)
                if item.asname is not None:
                    self.define(_target_names(item.asname.name), stmt, state)
            return self.block(stmt.body.body, state)
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            state[stmt.name.value] = (DEF, stmt)
            return False
        # try/match/...: not TorchScript; give every name assigned inside the benefit of the doubt
        for node in _walk(stmt):
            if isinstance(node, cst.Name):
                state[node.value] = (DEF, stmt)
        return False

    def if_(self, stmt: cst.If, state: State) -> bool:
        self.read(stmt.test, state)
        static = static_value(stmt.test, self.ctx, SCRIPT)
        if isinstance(stmt.test, cst.Name) and stmt.test.value in ("True", "False"):
            static = stmt.test.value == "True"
        if static is True:
            return self.block(stmt.body.body, state)
        body = dict(state)
        body_exits = self.block(stmt.body.body, body) if static is not False else True
        other = dict(state)
        if stmt.orelse is None:
            other_exits = False
        elif isinstance(stmt.orelse, cst.If):
            other_exits = self.if_(stmt.orelse, other)
        else:
            other_exits = self.block(stmt.orelse.body.body, other)
        if static is False:
            state.clear()
            state.update(other)
            return other_exits
        if body_exits and other_exits:
            return True
        if body_exits or other_exits:
            state.clear()
            state.update(other if body_exits else body)
            return False
        folded = maybe_folded(stmt.test, self.ctx)
        for name in set(body) | set(other):
            a, b = body.get(name), other.get(name)
            if a is not None and b is not None and a[0] == DEF and b[0] == DEF:
                state[name] = (DEF, a[1])
            elif folded:
                state[name] = (DEF, (a or b)[1])  # the compiler may drop one branch
            else:
                if a is not None and a[0] != DEF:
                    entry = a
                elif b is not None and b[0] != DEF:
                    entry = b
                else:
                    entry = a or b
                if name in state and state[name][0] == DEF:
                    continue
                state[name] = ("if" if entry[0] == DEF else entry[0], entry[1])
        return False

    def small(self, small: cst.BaseSmallStatement, state: State) -> None:
        if isinstance(small, cst.Assign):
            self.read(small.value, state)
            for t in small.targets:
                if isinstance(t.target, (cst.Attribute, cst.Subscript)):
                    self.read(t.target, state)  # `y[0] = v` and `y.a = v` read `y`
                self.define(_target_names(t.target), small, state)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.read(small.value, state)
                self.define(_target_names(small.target), small, state)
        elif isinstance(small, cst.AugAssign):
            self.read(small.value, state)
            self.read(small.target, state)
            self.define(_target_names(small.target), small, state)
        elif isinstance(small, cst.Del):
            for name in _target_names(small.target):
                state.pop(name, None)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            for node in _walk(small):
                if isinstance(node, cst.Name):
                    state[node.value] = (DEF, small)
        elif isinstance(small, (cst.Global, cst.Nonlocal)):
            for item in small.names:
                state[item.name.value] = (DEF, small)
        else:
            for child in iter_children(small):
                self.read(child, state)


def _walk(node: cst.CSTNode):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(iter_children(n))


class PossiblyUndefinedVariable(Rule):
    """
    ## What it does
    Flags a local variable that is assigned in only one branch of an ``if`` (or first
    assigned inside a loop body, the loop variable included) and then read after the ``if``
    (or the loop). The finding is on the assignment; the message names the reason.

    ## Why is this bad?
    TorchScript requires a variable to be defined on every path that reaches a use: "y is
    not defined in the false branch", "undefined value y" (after a loop, which may run zero
    times; loops over tuples and module lists are unrolled by the compiler and do not count).
    Only a branch that ends in ``return``, ``raise`` or ``assert False`` does not
    count; unlike Python linters, TorchScript does count branches ending in ``continue`` or
    ``break``, and it does not reason about conditions (``if flag: y = ...`` then ``if flag:
    use(y)`` is rejected too). Branches the compiler folds (``torch.jit.is_scripting()``,
    ``True``) are followed; tests it may fold (``is None``, ``isinstance``, ``hasattr``,
    module attributes) make the rule stay silent.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            y = x * 2
        return y
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        y = x
        if flag:
            y = x * 2
        return y
    ```

    ## Fix safety
    No automatic fix: the right initial value (of the same type) depends on the code.
    """

    code = "JIT115"
    name = "possibly-undefined-variable"
    message = "variable is not defined on every path that reaches its use"
    evidence = ("s034",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    y = x * 2  # MARK
                return y
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                for i in range(3):
                    if flag:
                        y = x + i  # MARK
                    else:
                        continue
                    x = y
                return x
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                for i in range(n):  # MARK
                    x = x + 1
                return x * i
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, k: int) -> torch.Tensor:
                if k == 0:
                    y = x
                elif k == 1:
                    y = x + 1  # MARK
                return y
            """,
            inputs="[(torch.ones(3), 0)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                y = x
                if flag:
                    y = x * 2
                return y
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    y = x * 2
                else:
                    raise ValueError("flag must be set")
                if torch.jit.is_scripting():
                    z = y + 1
                else:
                    z = 1 + y
                return z
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if x is not None:
                    y = x * 2
                for i in range(3):
                    if flag:
                        w = x + i
                    else:
                        w = x - i
                    x = w
                return y + x
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            from typing import List
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in self.layers:
                        y = layer(x)
                    for t in (x, x + 1):
                        z = t * 2
                    return y + z
            """,
            root="Net",
        ),
    ]

    def _candidates(self, ctx) -> set:
        return ctx.scratch.setdefault(self.code, set())

    def _note(self, target: cst.CSTNode, ctx) -> None:
        infer = ctx.infer
        if infer is None:
            return
        for name in _target_names(target):
            if name not in infer.locals:
                self._candidates(ctx).add(name)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        if ctx.conditions:
            for t in node.targets:
                self._note(t.target, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if ctx.conditions and node.value is not None:
            self._note(node.target, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        self._note(node.target, ctx)

    def visit_With(self, node: cst.With, ctx) -> None:
        if ctx.conditions:
            for item in node.items:
                if item.asname is not None:
                    self._note(item.asname.name, ctx)

    def function_end(self, fn: cst.FunctionDef, ctx) -> None:
        candidates = ctx.scratch.get(self.code)
        if not candidates or ctx.function is None or not isinstance(fn.body, cst.IndentedBlock):
            return
        candidates = {c for c in candidates if c not in ctx.names.bindings and c not in BUILTIN_NAMES}
        if not candidates:
            return
        flow = _Flow(ctx, candidates)
        state: State = {p.name: (DEF, p.node) for p in ctx.function.params}
        flow.block(fn.body.body, state)
        for name, (why, node) in flow.found.items():
            if name not in candidates or node is None:
                continue
            if why == "if":
                msg = (f"`{name}` is assigned only on some paths of an `if` (here) but read after it: "
                       f"torch.jit.script requires it on every path (\"{name} is not defined in the false "
                       f"branch\"); assign it before the `if` or in every branch")
            else:
                msg = (f"`{name}` is first assigned inside a loop (here) but read after it: the loop may run "
                       f"zero times, so torch.jit.script rejects the read (\"undefined value {name}\"); "
                       f"assign it before the loop")
            ctx.report(node, msg)
