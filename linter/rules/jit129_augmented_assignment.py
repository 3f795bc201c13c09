import libcst as cst

from ..analysis.typecheck.lattice import FLOAT, INT, SINT, STR, TENSOR
from .base import Example, Rule

_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString,
           cst.Imaginary)
_BINARY = {cst.FloorDivideAssign: "//", cst.MatrixMultiplyAssign: "@", cst.ModuloAssign: "%",
           cst.PowerAssign: "**"}


class AugmentedAssignment(Rule):
    """
    ## What it does
    Flags augmented assignments TorchScript rejects or compiles differently from Python:
    ``a //= b`` and ``x @= y`` (rejected), ``a %= b`` (compiled to ``fmod``) and ``n **= k`` on
    ints (float result).

    ## Why is this bad?
    The frontend has no ``//=``/``@=`` ("unsupported kind of augmented assignment: FloorDiv"),
    even inside ``if not torch.jit.is_scripting():``. ``%=`` compiles to ``aten::fmod``: C's sign
    rule for negative operands and a float result for ints, so ``a = -7; a %= 3`` gives ``-1.0``
    instead of ``2`` (also for Tensors, element-wise), silently or with a type error later.
    ``n **= 2`` on an int yields ``49.0`` instead of ``49``. The binary forms (``a = a // b``,
    ``a = a % b``) follow Python's semantics; ``<<=``, ``>>=``, ``&=``, ``|=``, ``^=`` are
    supported.

    ## Example
    ```python
    def fn(a: int) -> int:
        a //= 2
        return a
    ```

    ## Use instead
    ```python
    def fn(a: int) -> int:
        a = a // 2
        return a
    ```

    ## Fix safety
    The fix expands ``a //= b``, ``a %= b`` and ``x @= y`` to ``a = a // b``, ``a = a % b`` and
    ``x = x @ y`` (for a plain name or ``self.attr`` target). It is safe when the target is known
    to be an ``int``/``float`` (and, for ``@=``, a Tensor, which has no in-place matmul); for
    Tensors of ``//=``/``%=`` and unknown types it is unsafe, because an in-place update of a
    tensor other code aliases becomes an out-of-place one. ``n **= 2`` / ``n **= 3`` on an ``int``
    name becomes ``n = n * n`` / ``n = n * n * n``: Python computes the same int (its ints do
    not overflow, and ``**`` of a positive int exponent is repeated multiplication), so it is
    safe; TorchScript then keeps an int. Other ``**=`` have no exact rewrite.
    """

    code = "JIT129"
    name = "augmented-assignment"
    message = "this augmented assignment is rejected or miscompiled by torch.jit.script"
    frontend = True
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s221",)

    INVALID = [
        Example(
            """
            import torch

            def fn(a: int) -> int:
                a //= 2  # MARK
                return a
            """,
            inputs="[(7,)]",
        ),
        Example(
            """
            import torch

            def fn(a: int):
                a %= 3  # MARK
                return a
            """,
            inputs="[(-7,)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = x.clone()
                y %= 3  # MARK
                return y
            """,
            inputs="[(torch.tensor([-7.0, 5.0]),)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    x @= x  # MARK
                return x
            """,
            inputs="[(torch.ones(2, 2),)]",
        ),
        Example(
            """
            import torch

            def fn(n: int) -> int:
                n **= 2  # MARK
                return n
            """,
            inputs="[(7,)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(a: int, x: torch.Tensor) -> torch.Tensor:
                a = a // 2
                b = a % 3
                a <<= 1
                a |= 4
                v = 2.0
                v **= 2
                y = x.clone()
                y = y % 3
                y += 1
                return y * (a + b) * v
            """,
            inputs="[(-7, torch.tensor([-7.0, 5.0]))]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, a: int) -> torch.Tensor:
                y = x.clone()
                y[0] += 1
                lst: List[int] = [1, 2]
                lst[0] += 5
                a ^= 2
                a &= 6
                a >>= 1
                return y + lst[0] + a
            """,
            inputs="[(torch.arange(3.0), 7)]",
        ),
    ]

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        op = type(node.operator)
        if op in (cst.FloorDivideAssign, cst.MatrixMultiplyAssign):
            symbol = _BINARY[op]
            ctx.report(node, f"`{symbol}=` is not supported by torch.jit.script (\"unsupported kind of augmented "
                             f"assignment\"): write `a = a {symbol} b`", fix=_fix(node, op, ctx))
            return
        if op not in (cst.ModuloAssign, cst.PowerAssign) or ctx.script_dead:
            return  # %= and **= compile: they only matter where the compiler emits them
        target_t = ctx.type_of(node.target)
        if op is cst.ModuloAssign:
            if target_t == STR:
                msg = "`%=` on a str is rejected by torch.jit.script: write `s = s % args`"
            else:
                msg = ("`%=` compiles to `fmod` in TorchScript: negative operands follow C's sign rule and ints "
                       "become floats (-7 %= 3 gives -1.0, Python gives 2); write `a = a % b`")
            ctx.report(node, msg, fix=_fix(node, op, ctx))
            return
        if target_t in (INT, SINT) and ctx.type_of(node.value) in (INT, SINT) and not _negative(node.value):
            fix = None
            value = node.value
            if isinstance(value, cst.Integer) and value.evaluated_value in (2, 3) and isinstance(node.target, cst.Name) \
                    and isinstance(ctx.parent, cst.SimpleStatementLine):
                name = node.target.value
                product = " * ".join([name] * value.evaluated_value)
                fix = ctx.safe_fix(f"Write `{name} = {product}`", [(node, f"{name} = {product}")])
            ctx.report(node, "`**=` on an int gives a float in TorchScript (Python keeps an int): 7 **= 2 is 49.0",
                       fix=fix)


def _negative(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)


def _fix(node: cst.AugAssign, op, ctx):
    target = node.target
    is_self_attr = (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                    and target.value.value == "self")
    if not (isinstance(target, cst.Name) or is_self_attr):
        return None
    t = ctx.type_of(target)
    value = ctx.code_of(node.value)
    if not isinstance(node.value, _ATOMIC) and not node.value.lpar:
        value = f"({value})"
    name = ctx.code_of(target)
    symbol = _BINARY[op]
    text = f"{name} = {name} {symbol} {value}"
    safe = t in (INT, FLOAT, SINT, STR) or (op is cst.MatrixMultiplyAssign and t == TENSOR)
    fixer = ctx.safe_fix if safe else ctx.unsafe_fix
    return fixer(f"Expand to `{name} = {name} {symbol} ...`", [(node, text)])
