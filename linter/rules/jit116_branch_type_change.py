
import libcst as cst

from ..analysis.guards import maybe_folded, real_loop, static_value
from ..analysis.typecheck.certain import Cat, annotation_cat, article, confident_type, conflict
from ..analysis.syntax import iter_children
from .base import SCRIPT, Example, Rule

_BLOCKS = (cst.If, cst.For, cst.While)


def _type_before(name: str, top: cst.BaseStatement, ctx) -> Cat:
    """The variable's type when the top-level block ``top`` starts: its last straight-line
    binding before it in the function body (or its parameter annotation)."""
    fn = ctx.function
    body = fn.node.body.body if isinstance(fn.node.body, cst.IndentedBlock) else ()
    index = next((i for i, s in enumerate(body) if s is top), None)
    if index is None:
        return None
    for stmt in reversed(body[:index]):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in reversed(stmt.body):
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name) and t.target.value == name:
                            return confident_type(small.value, ctx)
                        if isinstance(t.target, (cst.Tuple, cst.List)) and any(
                                isinstance(n, cst.Name) and n.value == name for n in _names(t.target)):
                            return None
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    if small.target.value == name:
                        return annotation_cat(small.annotation, ctx)
                elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                    if small.target.value == name:
                        return None
                elif isinstance(small, (cst.Del, cst.Global, cst.Nonlocal, cst.Import, cst.ImportFrom)):
                    if any(isinstance(n, cst.Name) and n.value == name for n in _names(small)):
                        return None
        elif isinstance(stmt, (cst.For, cst.With, cst.Try, cst.FunctionDef, cst.ClassDef)):
            head = stmt.target if isinstance(stmt, cst.For) else stmt
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                if stmt.name.value == name:
                    return None
                continue
            if isinstance(stmt, cst.With):
                if any(isinstance(n, cst.Name) and n.value == name for n in _names(stmt)):
                    return None  # bound in a `with` body: the same scope, type unknown here
                continue
            if any(isinstance(n, cst.Name) and n.value == name for n in _names(head)):
                return None
    param = next((p for p in fn.params if p.name == name), None)
    if param is None or param.kind in ("star", "starstar") or param.type == ("self",):
        return None
    if param.annotation is not None:
        return annotation_cat(param.annotation, ctx)
    return "Tensor" if param.default is None else None


def _float_literal_fix(name: str, top: cst.BaseStatement, ctx):
    """``k = 1`` right before the block (the last binding of ``k`` in the function body, an int
    literal) -> ``k = 1.0``."""
    fn = ctx.function
    body = fn.node.body.body if isinstance(fn.node.body, cst.IndentedBlock) else ()
    index = next((i for i, st in enumerate(body) if st is top), None)
    if index is None:
        return None
    for stmt in reversed(body[:index]):
        if not isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(n, cst.Name) and n.value == name for n in _names(stmt)):
                return None
            continue
        for small in reversed(stmt.body):
            if any(isinstance(n, cst.Name) and n.value == name for n in _names(small)):
                value = small.value if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name) else None
                neg = isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus)
                literal = value.expression if neg else value
                if not isinstance(literal, cst.Integer):
                    return None
                return ctx.unsafe_fix(f"Start `{name}` as a float (`{int(literal.value, 0)}.0`)",
                                      [(literal, f"{int(literal.value, 0)}.0")])
    return None


def _names(node: cst.CSTNode):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(iter_children(n))


def _read_later(name: str, top: cst.BaseStatement, assign: cst.CSTNode, ctx) -> bool:
    """Is ``name`` read after ``assign`` (or anywhere in ``top`` when ``assign`` is in a loop,
    whose next iteration reads the converted value)? Assignment targets are not reads."""
    body = ctx.function.node.body.body
    in_loop = ctx.loop_depth > 0
    after = False
    stack = [s for s in reversed(body)]
    while stack:
        node = stack.pop()
        if node is top and in_loop:
            after = True
        if node is assign:
            after = True
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Name):
            if after and node.value == name:
                return True
            continue
        if isinstance(node, cst.Assign):
            parts = [node.value] + [t.target for t in node.targets if not isinstance(t.target, cst.Name)]
        elif isinstance(node, cst.AnnAssign):
            parts = [node.value] if node.value is not None else []
        elif isinstance(node, cst.For):
            parts = [node.iter, node.body] + ([node.orelse] if node.orelse is not None else [])
        elif isinstance(node, (cst.Attribute, cst.Arg)):
            parts = [node.value]
        else:
            parts = list(iter_children(node))
        stack.extend(reversed(parts))
    return False


def _item_call(value: cst.BaseExpression, ctx) -> bool:
    return (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "item" and not value.args
            and confident_type(value.func.value, ctx) == "Tensor")


class BranchTypeChange(Rule):
    """
    ## What it does
    Flags an assignment inside an ``if`` branch or a loop body that gives a variable a
    different type than it had before the ``if``/loop: an ``int`` or ``float`` that becomes a
    Tensor (``y = 1`` then ``if c: y = x + 1``, or a ``total = 0`` accumulator summing
    tensors in a loop), an ``int`` that receives ``x.item()``, or any other change TorchScript
    cannot make (Tensor to number, ``int`` to ``float``, ``bool`` to Tensor, tuples of another
    length...).

    ## Why is this bad?
    In TorchScript a variable defined before a branch or loop keeps its type inside it. When a
    Tensor is assigned to an ``int``/``float`` variable there, the compiler silently inserts
    ``aten::IntImplicit``/``FloatImplicit``: the scripted code raises for tensors that are not
    0-dim scalars of the right dtype ("Cannot input a tensor of dimension other than 0 as a
    scalar argument") and truncates ``x.item()`` values, while eager Python just rebinds the
    name. Other changes are compile errors ("Variable 'y' previously had type int but is now
    being assigned to a value of type float"). Straight-line re-assignment with another type,
    ``with`` blocks, loops over tuples and module lists (unrolled) and branches the compiler
    folds away (``is_scripting()``, ``is None`` on attributes) are fine and not reported.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        y = 1
        if flag:
            y = x + 1
        return x * y
    ```

    ## Use instead
    Start with a value of the final type (or use another name):
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        y = torch.ones_like(x)
        if flag:
            y = x + 1
        return x * y
    ```

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``), for a variable started with an int literal right
    before the block (``scale = 1``) that the block assigns a float or an ``.item()`` value: the
    literal becomes a float (``scale = 1.0``). Where the block does not run, eager code now
    holds ``1.0`` instead of ``1``: the same in arithmetic with floats and float Tensors, but
    an int Tensor times ``1.0`` becomes a float Tensor and ``str()`` shows ``1.0``. Other
    changes of type have no fix: the right initial value of the final type depends on the code.
    """

    code = "JIT116"
    name = "branch-type-change"
    fix_safety = "unsafe"
    message = "a variable changes type inside a branch or loop"
    evidence = ("s035", "s037")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                y = 1
                if flag:
                    y = x + 1  # MARK
                return x * y
            """,
            expect="diverge",
            inputs="[(torch.arange(3.0), True), (torch.arange(3.0), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int):
                total = 0.0
                for i in range(n):
                    total = total + x * i  # MARK
                return total
            """,
            expect="diverge",
            inputs="[(torch.arange(3.0), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                k = 1
                if flag:
                    k = x.sum().item()  # MARK
                return x * k
            """,
            expect="diverge",
            inputs="[(torch.tensor(2.5), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                scale = 1
                if flag:
                    scale = 0.5  # MARK
                return x * scale
            """,
            inputs="[(torch.ones(3), True)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = 1
                y = x + y
                return y
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                y = torch.ones_like(x)
                if flag:
                    y = x + 1
                k = 1
                if flag:
                    k = 2
                with torch.no_grad():
                    z = 0
                    z = x * 2
                return x * y * k + z
            """,
            inputs="[(torch.arange(3.0), True), (torch.arange(3.0), False)]",
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)])
                    self.scale = torch.nn.Parameter(torch.ones(3))

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    total = 0
                    for layer in self.layers:
                        total = total + layer(x)
                    s = 1.0
                    if self.scale is not None:
                        s = self.scale * 2
                    n = 0
                    for t in (x, x * 2):
                        n = n + t
                    return total * s + n
            """,
            root="Net",
            inputs="[(torch.arange(3.0),)]",
        ),
    ]

    def _check(self, node, name: str, value: cst.BaseExpression, ctx, aug: bool = False) -> None:
        parents = ctx.parents
        if not parents or ctx.function is None or not isinstance(parents[0], _BLOCKS):
            return
        if ctx.names.bindings.get(name) is not None and ctx.infer is not None and name not in ctx.infer.locals:
            return
        for test in ctx.conditions:
            if static_value(test, ctx, SCRIPT) is not None or maybe_folded(test, ctx):
                return  # the compiler may inline this block: then it is straight-line code
            if isinstance(test, cst.Name) and test.value in ("True", "False"):
                return
        for parent in parents:
            if isinstance(parent, cst.For) and not real_loop(parent, ctx):
                return  # unrolled (tuple, module list): straight-line code
        done = ctx.scratch.setdefault(self.code, set())
        top = parents[0]
        key = (id(top), name)
        if key in done:
            return
        before = ctx.scratch.setdefault("JIT116-before", {})
        if key not in before:
            before[key] = _type_before(name, top, ctx)
        old = before[key]
        if old is None or old == "None":
            return
        where = "loop" if ctx.loop_depth else "`if` branch"
        if aug:
            new = "Tensor" if confident_type(value, ctx) == "Tensor" else None
        elif _item_call(value, ctx):
            if old != "int":
                return
            if not _read_later(name, top, node, ctx):
                return
            done.add(key)
            ctx.report(node, f"`{name}` is an `int` before this {where}, and TorchScript keeps that type: the "
                             f"`.item()` value assigned here is truncated to an int (eager Python keeps the "
                             f"float); give `{name}` its final type before the {where}",
                       fix=_float_literal_fix(name, top, ctx))
            return
        else:
            new = confident_type(value, ctx)
        if new is None or new == "None":
            return
        if old in ("int", "float") and new == "Tensor":
            if not _read_later(name, top, node, ctx):
                return
            done.add(key)
            implicit = "IntImplicit" if old == "int" else "FloatImplicit"
            ctx.report(node, f"`{name}` is {article(old)} before this {where}, and TorchScript keeps that type: "
                             f"the Tensor assigned here is silently converted (`aten::{implicit}`), which raises "
                             f"for tensors that are not 0-dim scalars and truncates floats; initialise `{name}` "
                             f"with a Tensor (e.g. `torch.zeros_like(...)`) or use another name")
            return
        if old in ("int", "float") and new == "bool":
            return  # converted implicitly (same values): not reported
        if conflict(old, new):
            done.add(key)
            fix = _float_literal_fix(name, top, ctx) if (old, new) == ("int", "float") else None
            ctx.report(node, f"`{name}` is {article(old)} before this {where} but gets {article(new)} here: "
                             f"torch.jit.script cannot change a variable's type inside a branch or loop "
                             f"(\"Variable '{name}' previously had type ...\"); use another name or give it "
                             f"the final type before the {where}", fix=fix)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        if not ctx.conditions or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        self._check(node, node.targets[0].target.value, node.value, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        if not ctx.conditions or not isinstance(node.target, cst.Name):
            return
        self._check(node, node.target.value, node.value, ctx, aug=True)
