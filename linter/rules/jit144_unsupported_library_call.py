from typing import Optional

import libcst as cst

from ..analysis import torch_api
from ..analysis.typecheck.lattice import FLOAT, INT, SINT
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

# torch's own Python functions that are not TorchScript builtins: each one checked with torch
# 2.13 (CPU build) in compiled code ("Unknown builtin op: aten::get_autocast_gpu_dtype", "Python
# builtin <built-in function _get_flash_sdp_enabled> is currently not supported", "Can't get source
# for <class 'torch._utils._CudaDeviceProperties'>", ...). Not listed because they compile:
# torch.is_autocast_enabled() (no argument; with a device type it is JIT150's), torch.get_autocast_dtype
# (device), torch.is_autocast_cpu_enabled, torch.is_grad_enabled, torch.compiler.is_compiling,
# torch.backends.cudnn.enabled/deterministic/benchmark/allow_tf32/is_available(),
# torch.backends.mps.is_available(). Not listed because a CUDA build registers them as builtins
# (cuda::device_count, cuda::_current_device, cuda::synchronize, cuda::current_stream):
# torch.cuda.device_count/current_device/synchronize/current_stream.
_AUTOCAST_STATE = "read the autocast state outside the model (`torch.is_autocast_enabled()` with no argument compiles)"
_DECIDE_OUTSIDE = "decide it outside the model and store a typed attribute in `__init__`"
_TORCH_PYTHON = {
    "torch.get_autocast_gpu_dtype": 'use `torch.get_autocast_dtype("cuda")`, which compiles',
    "torch.get_autocast_cpu_dtype": 'use `torch.get_autocast_dtype("cpu")`, which compiles',
    "torch.get_autocast_ipu_dtype": 'use `torch.get_autocast_dtype("ipu")`, which compiles',
    "torch.is_autocast_cache_enabled": _AUTOCAST_STATE,
    "torch.is_autocast_ipu_enabled": _AUTOCAST_STATE,
    "torch.is_autocast_xla_enabled": _AUTOCAST_STATE,
    "torch.amp.autocast_mode.is_autocast_available": _DECIDE_OUTSIDE,
    "torch.amp.is_autocast_available": _DECIDE_OUTSIDE,
    "torch.is_inference_mode_enabled": "decide it outside the model (`torch.is_grad_enabled()` compiles)",
    "torch.are_deterministic_algorithms_enabled": _DECIDE_OUTSIDE,
    "torch.is_deterministic_algorithms_warn_only_enabled": _DECIDE_OUTSIDE,
    "torch.use_deterministic_algorithms": "set it outside the model",
    "torch.is_warn_always_enabled": _DECIDE_OUTSIDE,
    "torch.is_anomaly_enabled": _DECIDE_OUTSIDE,
    "torch.get_rng_state": "save/restore the RNG state outside the model",
    "torch.set_num_threads": "set it outside the model",
    "torch.get_float32_matmul_precision": _DECIDE_OUTSIDE,
    "torch.set_float32_matmul_precision": "set it outside the model",
    "torch.cuda.is_bf16_supported": _DECIDE_OUTSIDE,
    "torch.cuda.get_device_capability": _DECIDE_OUTSIDE,
    "torch.cuda.get_device_properties": _DECIDE_OUTSIDE,
    "torch.cuda.get_device_name": _DECIDE_OUTSIDE,
    "torch.cuda.is_initialized": _DECIDE_OUTSIDE,
    "torch.cuda.is_current_stream_capturing": _DECIDE_OUTSIDE,
    "torch.cuda.memory_allocated": "measure memory outside the model",
    "torch.cuda.empty_cache": "call it outside the model",
    "torch.backends.cuda.flash_sdp_enabled": _DECIDE_OUTSIDE,
    "torch.backends.cuda.mem_efficient_sdp_enabled": _DECIDE_OUTSIDE,
    "torch.backends.cuda.math_sdp_enabled": _DECIDE_OUTSIDE,
    "torch.backends.mkldnn.is_available": _DECIDE_OUTSIDE,
    "torch.overrides.is_tensor_like": "use `isinstance(x, torch.Tensor)`",
    "torch.fx._symbolic_trace.is_fx_tracing": _DECIDE_OUTSIDE,
    "torch.compiler.is_exporting": _DECIDE_OUTSIDE,
    "torch.xpu.is_available": _DECIDE_OUTSIDE,
    "torch.utils.checkpoint.checkpoint": "checkpoint only in eager code: `if not torch.jit.is_scripting():`",
}
# Attributes of torch.backends.cuda.matmul ("attribute lookup is not defined on python value of
# type 'cuBLASModule'"): allow_tf32, allow_fp16_reduced_precision_reduction, ...
_TORCH_PYTHON_MODULES = ("torch.backends.cuda.matmul",)


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
    ``math.isclose``, ``math.trunc``, ``math.hypot``...), ``warnings.warn`` with a warning
    category, and torch's own Python functions that are not TorchScript builtins
    (``torch.get_autocast_gpu_dtype()``, ``torch.are_deterministic_algorithms_enabled()``,
    ``torch.is_inference_mode_enabled()``, ``torch.cuda.get_device_capability()``,
    ``torch.backends.cuda.matmul.allow_tf32``, ``torch.backends.cuda.flash_sdp_enabled()``...).
    Names are resolved through the file's imports.

    ## Why is this bad?
    TorchScript compiles Python source; library functions implemented in C, or Python functions
    using unsupported features, are rejected ("Python builtin <built-in function time> is
    currently not supported in Torchscript", "attribute lookup is not defined on python value of
    type 'Logger'"; numpy even fails with no source location). ``print``, ``warnings.warn(msg)``
    and the supported ``math`` functions (``sqrt``, ``log``, ``ceil``, ``isnan``, ``pi``...)
    compile, and so do ``torch.is_autocast_enabled()`` (without a device type),
    ``torch.get_autocast_dtype(device)``, ``torch.is_grad_enabled()``,
    ``torch.compiler.is_compiling()`` and ``torch.backends.cudnn.enabled``. Calls under ``if not torch.jit.is_scripting():`` are not compiled and not flagged.

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
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if torch.get_autocast_gpu_dtype() == torch.float16:  # MARK
                    return x.half()
                return x
            """,
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if torch.are_deterministic_algorithms_enabled():  # MARK
                        return x.sort().values
                    return x
            """,
            root="M",
        ),
        Example(
            """
            import torch
            import torch.backends.cuda

            def fn(x: torch.Tensor) -> torch.Tensor:
                if torch.backends.cuda.matmul.allow_tf32:  # MARK
                    return x.float()
                return x
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.is_cuda and torch.cuda.get_device_capability()[0] >= 8:  # MARK
                    return x.to(torch.bfloat16)
                return x
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.backends.cudnn
            import torch.utils.checkpoint

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    if torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 8:
                        x = x + 1
                    if torch.are_deterministic_algorithms_enabled():
                        x = torch.utils.checkpoint.checkpoint(torch.relu, x, use_reentrant=False)
                if torch.is_autocast_enabled() and torch.get_autocast_dtype("cuda") == torch.float16:
                    x = x.half()
                if torch.is_grad_enabled() and torch.is_autocast_cpu_enabled():
                    x = x.float()
                if torch.compiler.is_compiling() or torch.backends.cudnn.enabled:
                    x = x + 1
                return x
            """,
        ),
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
            return
        hint = _TORCH_PYTHON.get(qual)
        if hint is not None:
            ctx.report(node, f"`{qual}()` is a torch Python function that is not a TorchScript builtin: "
                             f"torch.jit.script cannot compile it; {hint}")

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        if isinstance(node.value, cst.Attribute) and node.value.attr.value == "matmul":
            owner = ctx.resolve(node.value)
            if owner in _TORCH_PYTHON_MODULES:
                ctx.report(node, f"`{owner}.{node.attr.value}` is a Python-side torch setting that "
                                 f"torch.jit.script cannot read (\"attribute lookup is not defined on python value "
                                 f"of type 'cuBLASModule'\"): {_DECIDE_OUTSIDE}")
            return
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
