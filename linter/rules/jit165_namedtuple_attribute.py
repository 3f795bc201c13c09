import libcst as cst

from ..analysis.typecheck.certain import namedtuple_field
from .base import Example, Rule


def _is_store(node: cst.Attribute, parent) -> bool:
    if isinstance(parent, cst.Assign):
        return any(t.target is node for t in parent.targets)
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign)):
        return parent.target is node
    return False


class NamedtupleAttribute(Rule):
    """
    ## What it does
    Flags, in compiled code, an attribute of a NamedTuple instance (of a NamedTuple defined in
    the same file) that is not one of its fields: a misspelt field, a method defined in the
    class body, a class attribute, ``_replace``/``_asdict``/``_fields``, ``count``/``index``;
    and any assignment to an attribute of the instance (``p.x = 1``).

    ## Why is this bad?
    TorchScript compiles a NamedTuple as a tuple type with named fields and nothing else: it
    does not compile the class's methods or keep its class attributes, so ``p.area()``,
    ``p._replace(x=1)`` or ``p.scale`` (a class attribute) are rejected ("'P' object has no
    attribute or method 'area'") although eager Python runs them. Fields are read-only in
    Python too, but Python fails only when the line runs, and ``torch.jit.script`` rejects the
    whole compile ("Tried to set an attribute: x on a non-class"), even on a path that never
    runs.

    ## Example
    ```python
    class Box(NamedTuple):
        lo: torch.Tensor
        hi: torch.Tensor

        def size(self) -> torch.Tensor:
            return self.hi - self.lo

    def fn(b: Box) -> torch.Tensor:
        return b.size()
    ```

    ## Use instead
    ```python
    def box_size(b: Box) -> torch.Tensor:
        return b.hi - b.lo

    def fn(b: Box) -> torch.Tensor:
        return box_size(b)
    ```
    Build a new instance instead of assigning a field: ``p = P(1, p.y)``.

    ## Fix safety
    No fix: the replacement depends on what the method or attribute does.
    """

    code = "JIT165"
    name = "namedtuple-attribute"
    message = "TorchScript's NamedTuple has only its fields, and they cannot be assigned"

    INVALID = [
        Example(
            """
            from typing import NamedTuple
            import torch

            class Box(NamedTuple):
                lo: torch.Tensor
                hi: torch.Tensor

                def size(self) -> torch.Tensor:
                    return self.hi - self.lo

            def fn(x: torch.Tensor) -> torch.Tensor:
                b = Box(x, x + 1)
                return b.size()  # MARK
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1, x)
                q = p._replace(n=2)  # MARK
                return q.t * q.n
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor
                scale = 2.0

            def fn(p: P) -> torch.Tensor:
                return p.t * p.scale  # MARK
            """,
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1, x)
                if x.sum() > 100:
                    p.n = 2  # MARK
                return p.t * p.n
            """
        ),
        Example(
            """
            import collections
            import torch

            Pair = collections.namedtuple("Pair", ["first", "second"])

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = Pair(x, x)
                if x.sum() > 100:
                    return p.frist  # MARK
                return p.second
            """
        ),
    ]
    VALID = [
        Example(
            """
            import collections
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            Pair = collections.namedtuple("Pair", ["first", "second"])

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1, x)
                p = P(p.n + 1, p.t)
                q = Pair(p.t, x)
                a, b = q
                return p.t * p.n + q.first + q[1] + a + b
            """
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        found = namedtuple_field(node, ctx)
        if found is None:
            return
        nt, field = found
        owner = ctx.code_of(node.value)
        if _is_store(node, ctx.parent):
            ctx.report(node, f"`{owner}.{node.attr.value}` is assigned, but `{owner}` is the NamedTuple "
                             f"`{nt.name}`: torch.jit.script rejects setting an attribute of a tuple "
                             f"(build a new `{nt.name}(...)` instead)")
        elif field is None:
            fields = ", ".join(f.name for f in nt.fields)
            ctx.report(node, f"`{owner}` is the NamedTuple `{nt.name}`, which under torch.jit.script has only "
                             f"its fields ({fields}): `{node.attr.value}` is no attribute or method of it")
