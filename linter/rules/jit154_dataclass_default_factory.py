import libcst as cst

from ..analysis.names import dotted_name
from .base import Example, Rule

_FIELD = ("dataclasses.field",)


class DataclassDefaultFactory(Rule):
    """
    ## What it does
    Flags ``field(default_factory=...)`` in a ``@dataclass`` that is compiled as a TorchScript
    class (``@torch.jit.script`` on it, ``torch.jit.script(Cfg)``, or used from compiled code).

    ## Why is this bad?
    TorchScript compiles a dataclass by synthesising its ``__init__``, and it has no way to
    express a default factory: scripting the class fails with "NotImplementedError: Default
    factory initializers are not supported in TorchScript dataclasses". With
    ``@torch.jit.script`` on the class this happens when the module is imported.

    ## Example
    ```python
    @torch.jit.script
    @dataclass
    class Cfg:
        n: int
        xs: List[int] = field(default_factory=list)
    ```

    ## Use instead
    Make the field required (or ``Optional`` with a ``None`` default) and build the list where
    the object is created:
    ```python
    @torch.jit.script
    @dataclass
    class Cfg:
        n: int
        xs: Optional[List[int]] = None
    ```

    ## Fix safety
    No automatic fix: every construction site would have to pass the value.
    """

    code = "JIT154"
    name = "dataclass-default-factory"
    message = "TorchScript dataclasses do not support `field(default_factory=...)`"

    INVALID = [
        Example(
            """
            from dataclasses import dataclass, field
            from typing import List
            import torch

            @dataclass
            class Cfg:
                n: int
                xs: List[int] = field(default_factory=list)  # MARK
            """,
            root="Cfg",
        ),
    ]
    VALID = [
        Example(
            """
            from dataclasses import dataclass
            from typing import List, Optional
            import torch

            @torch.jit.script
            @dataclass
            class Cfg:
                n: int
                xs: Optional[List[int]] = None

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Cfg(2)
                return x * c.n
            """,
        ),
    ]

    def check_class(self, cls, fctx) -> None:
        if not cls.summary.is_dataclass or not isinstance(cls.node.body, cst.IndentedBlock):
            return
        for stmt in cls.node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                value = small.value if isinstance(small, cst.AnnAssign) else None
                if not isinstance(value, cst.Call):
                    continue
                if fctx.names.resolve(dotted_name(value.func)) not in _FIELD:
                    continue
                if any(a.keyword is not None and a.keyword.value == "default_factory" for a in value.args):
                    fctx.report(small, f"`{fctx.code_of(small.target)}` has a `default_factory`, which TorchScript "
                                       f"dataclasses do not support (\"Default factory initializers are not "
                                       f"supported in TorchScript dataclasses\"): make the field required or "
                                       f"`Optional[...] = None`",
                                requires=(("script_class", cls.id),))
                    return
