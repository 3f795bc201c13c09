from typing import Optional

import libcst as cst

from ..analysis import torch_api
from ..analysis.types import FLOAT, INT, SINT
from .base import Example, Rule

# Top-level modules whose functions torch.jit.script cannot compile (each checked with torch
# 2.13: "Python builtin <...> is currently not supported", "attribute lookup is not defined on
# python value of type ...", "cannot create weak reference to 'numpy.ufunc' object", ...).
_LIBRARIES = {
    "numpy": "use the torch (or `math`) equivalent",
    "random": "use torch's RNG (`torch.rand`, `torch.randint`)",
    "logging": "guard it with `if not torch.jit.is_scripting():` or use `print`/`warnings.warn`",
    "time": "measure time outside the model, or guard it with `if not torch.jit.is_scripting():`",
    "functools": "write the loop out",
    "itertools": "write the loops out",
    "operator": "use the operator itself (`a * b`)",
    "os": "read the environment/files in `__init__` and store a typed attribute",
    "copy": "use `x.clone()` for Tensors, or build the copy explicitly",
    "json": "serialize outside the model",
    "pickle": "serialize outside the model",
    "re": "use str methods (`startswith`, `split`, `find`)",
    "inspect": "decide outside the model",
    "datetime": "read the time outside the model",
    "sys": "decide outside the model",
}
_OTHER = {
    "typing.cast": "remove the cast (use `torch.jit.annotate` or an annotated assignment)",
}
_LOGGER_FACTORIES = ("getLogger", "get_logger")


def _library(qual: str) -> Optional[str]:
    head = qual.split(".", 1)[0]
    return head if head in _LIBRARIES else None


class UnsupportedLibraryCall(Rule):
    """
    ## What it does
    Flags calls into Python libraries that ``torch.jit.script`` cannot compile: ``numpy``,
    ``random``, ``logging`` and methods of module-level loggers (``log = logging.getLogger(...)``,
    then ``log.info(...)``), ``time``, ``functools``/``itertools``/``operator``, ``os``
    (``os.environ``, ``os.getenv``, ``os.path``), ``copy``, ``json``, ``pickle``, ``re``,
    ``sys``, ``math`` functions outside the set TorchScript supports (``math.prod``,
    ``math.isclose``, ``math.trunc``, ``math.hypot``...) and ``warnings.warn`` with a warning
    category. Names are resolved through the file's imports.

    ## Why is this bad?
    TorchScript compiles Python source; library functions implemented in C, or Python functions
    using unsupported features, are rejected ("Python builtin <built-in function time> is
    currently not supported in Torchscript", "attribute lookup is not defined on python value of
    type 'Logger'"; numpy even fails with no source location). ``print``, ``warnings.warn(msg)``
    and the supported ``math`` functions (``sqrt``, ``log``, ``ceil``, ``isnan``, ``pi``...)
    compile. Calls under ``if not torch.jit.is_scripting():`` are not compiled and not flagged.

    ## Example
    ```python
    log = logging.getLogger(__name__)

    def fn(x: torch.Tensor) -> torch.Tensor:
        log.info("shape %s", x.shape)
        return x * np.exp(2.0)
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_scripting():
            log.info("shape %s", x.shape)
        return x * math.exp(2.0)
    ```

    ## Fix safety
    Most calls have no automatic fix: the replacement depends on the library (torch RNG streams
    differ from ``random``'s, numpy computes in float64...). Three safe fixes keep eager Python
    exactly: ``math.trunc(v)`` of an int or float -> ``int(v)`` (both truncate toward zero and
    raise the same errors for ``inf``/``nan``), ``warnings.warn(msg, UserWarning)`` ->
    ``warnings.warn(msg)`` (the default category), and a logger call alone on its line ->
    ``if not torch.jit.is_scripting(): log.info(...)`` (``is_scripting()`` is False in eager
    Python; the compiled code does not log).
    """

    code = "JIT144"
    name = "unsupported-library-call"
    message = "call into a Python library that torch.jit.script cannot compile"
    fix_safety = "safe"
    evidence = ("s501", "s502", "s503", "s505", "s506", "s513", "s514", "s504", "s031")

    INVALID = [
        Example(
            """
            import random
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if random.random() < 0.5:  # MARK
                    return x
                return x * 2
            """,
        ),
        Example(
            """
            import logging
            import torch

            logger = logging.getLogger(__name__)

            def fn(x: torch.Tensor) -> torch.Tensor:
                logger.info("shape %s", x.shape)  # MARK
                return x + 1
            """,
        ),
        Example(
            """
            import os
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if os.environ.get("DEBUG_X") == "1":  # MARK
                        return x
                    return x + 1
            """,
            root="M",
        ),
        Example(
            """
            import functools
            import operator
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                return functools.reduce(operator.mul, xs, 1)  # MARK
            """,
            inputs="[([1, 2, 3],)]",
        ),
        Example(
            """
            import math
            import torch

            def fn(x: torch.Tensor, v: float) -> torch.Tensor:
                return x * math.trunc(v)  # MARK
            """,
            inputs="[(torch.ones(3), 2.5)]",
        ),
        Example(
            """
            from time import perf_counter
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                t = perf_counter()  # MARK
                return x + (t - t)
            """,
        ),
        Example(
            """
            import warnings
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.numel() > 100:
                    warnings.warn("big input", UserWarning)  # MARK
                return x + 1
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import logging
            import math
            import time
            import warnings
            import torch

            log = logging.getLogger(__name__)

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    log.debug("shape %s", x.shape)
                    t = time.time()
                if x.numel() > 100:
                    warnings.warn("big input")
                    print("big", x.shape)
                s = math.sqrt(2.0) + math.log(2.0) + math.pi + math.ceil(1.5) + math.floor(1.5)
                if math.isnan(s) or s == math.inf:
                    return x
                return x * s
            """,
        ),
        Example(
            """
            import os
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.debug = os.environ.get("DEBUG_X") == "1"

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.debug:
                        return x
                    return x + 1
            """,
            root="M",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, (cst.Attribute, cst.Name)):
            return
        qual = ctx.resolve(func)
        if qual is None:
            if isinstance(func, cst.Attribute):
                self._logger_call(node, func, ctx)
            return
        lib = _library(qual)
        if lib is not None:
            if lib == "os" and qual.startswith("os.environ"):
                return  # reported once, at the `os.environ` attribute
            ctx.report(node, f"`{qual}()` is a call into `{lib}`, which torch.jit.script cannot compile: "
                             f"{_LIBRARIES[lib]}")
            return
        if qual.startswith("math."):
            fn = qual[5:]
            if "." not in fn and fn not in torch_api.MATH_SUPPORTED:
                fix = None
                if (fn == "trunc" and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star
                        and ctx.type_of(node.args[0].value) in (FLOAT, INT, SINT)
                        and ctx.resolve(cst.Name("int")) == "builtins.int"):
                    # int() truncates a float toward zero, as math.trunc does (same errors for inf/nan)
                    fix = ctx.safe_fix("Use `int(v)`", [(node, f"int({ctx.code_of(node.args[0].value)})")])
                ctx.report(node, f"`math.{fn}()` is not one of the math functions TorchScript supports: "
                                 f"write it with supported operations or torch ops", fix=fix)
            return
        if qual == "warnings.warn":
            positional = [a for a in node.args if a.keyword is None]
            category = len(positional) >= 2 or any(
                a.keyword is not None and a.keyword.value == "category" for a in node.args)
            if category:
                ctx.report(node, "`warnings.warn(message, category)` is not supported by torch.jit.script "
                                 "(\"Python exception cannot be used as a value\"): pass only the message",
                           fix=self._user_warning_fix(node, ctx))
            return
        if qual.startswith("warnings."):
            ctx.report(node, f"`{qual}()` is not supported by torch.jit.script: only `warnings.warn(message)` is")
            return
        hint = _OTHER.get(qual)
        if hint is not None:
            ctx.report(node, f"`{qual}()` is not supported by torch.jit.script: {hint}")

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        if node.attr.value != "environ":
            return
        if ctx.resolve(node) != "os.environ":
            return
        ctx.report(node, "`os.environ` cannot be read in code torch.jit.script compiles: read the environment "
                         "in `__init__` and store a typed attribute")

    def _logger_call(self, node: cst.Call, func: cst.Attribute, ctx) -> None:
        owner = func.value
        if not isinstance(owner, cst.Name):
            return
        if ctx.infer is not None and owner.value in ctx.infer.locals:
            return
        binding = ctx.names.value_kind(owner.value)
        if binding is None:
            return
        target = binding.target
        if target != "logger" and not (target.startswith("call:") and target.endswith(_LOGGER_FACTORIES)):
            return
        ctx.report(node, f"`{owner.value}.{func.attr.value}()` calls a Python logger, which torch.jit.script "
                         f"cannot compile: guard it with `if not torch.jit.is_scripting():` or use `print`",
                   fix=self._guard_fix(node, ctx))

    @staticmethod
    def _user_warning_fix(node: cst.Call, ctx):
        """`warnings.warn(msg, UserWarning)` -> `warnings.warn(msg)`: UserWarning is the default."""
        args = list(node.args)
        if len(args) != 2 or any(a.star for a in args):
            return None
        if args[0].keyword is not None and args[0].keyword.value != "message":
            return None
        category = args[1]
        if category.keyword is not None and category.keyword.value != "category":
            return None
        if ctx.resolve(category.value) != "builtins.UserWarning":
            return None
        first = args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return ctx.safe_fix("Drop the default category `UserWarning`",
                            [(node, ctx.code_of(node.with_changes(args=[first])))])

    @staticmethod
    def _guard_fix(node: cst.Call, ctx):
        """A logger call alone on its line -> `if not torch.jit.is_scripting(): <call>` (eager unchanged)."""
        parents = ctx.parents
        if len(parents) < 2 or not isinstance(parents[-1], cst.Expr) or parents[-1].value is not node:
            return None
        line = parents[-2]
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        binding = ctx.names.bindings.get("torch")
        if binding is None or binding.kind != "import" or binding.target != "torch" or (
                ctx.infer is not None and "torch" in ctx.infer.locals):
            return None
        code = ctx.code_of(node)
        if "\n" in code:
            return None  # the guard would dedent the continuation lines
        return ctx.safe_fix("Guard the call with `if not torch.jit.is_scripting():`",
                            [(parents[-1], f"if not torch.jit.is_scripting(): {code}")])
