from typing import Optional

import libcst as cst

from .base import Example, Rule

# torch context managers torch.jit.script rejects (each checked with torch 2.13): grad-mode
# switches other than no_grad have no TorchScript builtin ("Unknown builtin op:
# aten::enable_grad"), set_grad_enabled/torch.device return no object the compiler can enter,
# and the rest are Python helpers (generators, try blocks, *args) it cannot compile.
_TORCH_REJECTED = {
    "torch.enable_grad": "gradient mode switches other than `torch.no_grad()` have no TorchScript builtin",
    "torch.autograd.enable_grad": "gradient mode switches other than `torch.no_grad()` have no TorchScript builtin",
    "torch.autograd.grad_mode.enable_grad": "gradient mode switches other than `torch.no_grad()` have no "
                                            "TorchScript builtin",
    "torch.set_grad_enabled": "it is not a context manager object TorchScript can enter",
    "torch.autograd.set_grad_enabled": "it is not a context manager object TorchScript can enter",
    "torch.autograd.grad_mode.set_grad_enabled": "it is not a context manager object TorchScript can enter",
    "torch.inference_mode": "inference mode has no TorchScript builtin",
    "torch.autograd.inference_mode": "inference mode has no TorchScript builtin",
    "torch.autograd.grad_mode.inference_mode": "inference mode has no TorchScript builtin",
    "torch.device": "a device is not a context manager object TorchScript can enter",
    "torch.random.fork_rng": "it is a Python generator-based context manager",
    "torch.jit.optimized_execution": "it is a Python generator-based context manager",
    "torch.nn.attention.sdpa_kernel": "it is a Python generator-based context manager",
    "torch.backends.cuda.sdp_kernel": "it is a Python context manager",
    "torch.autograd.detect_anomaly": "it is a Python context manager",
    "torch.autograd.set_detect_anomaly": "it is a Python context manager",
    "torch.autograd.profiler.profile": "it is a Python context manager (use `record_function`)",
    "torch.profiler.profile": "it is a Python context manager (use `record_function`)",
    "torch.autograd.graph.save_on_cpu": "it is a Python context manager",
    "torch.autograd.forward_ad.dual_level": "it is a Python context manager",
    "torch.backends.cudnn.flags": "it is a Python generator-based context manager",
}
# Modules whose context managers are plain Python objects (checked: contextlib.nullcontext,
# suppress, ExitStack, redirect_stdout; warnings.catch_warnings; open(); threading.Lock();
# decimal.localcontext; io.StringIO; numpy.errstate).
_PYTHON_MODULES = ("contextlib", "warnings", "threading", "multiprocessing", "decimal", "io", "tempfile",
                   "os", "sys", "logging", "unittest", "zipfile", "tarfile", "socket", "subprocess", "numpy",
                   "time", "shutil", "pathlib", "codecs", "gzip", "bz2", "lzma", "sqlite3", "concurrent")
_PYTHON_BUILTINS = {"builtins.open"}


def _problem(item: cst.WithItem, ctx) -> Optional[str]:
    expr = item.item
    if not isinstance(expr, cst.Call):
        return None
    qual = ctx.resolve(expr.func)
    if qual is None:
        return None
    why = _TORCH_REJECTED.get(qual)
    if why is not None:
        return f"`with {qual}(...)` cannot be compiled by torch.jit.script: {why}"
    if qual in _PYTHON_BUILTINS or qual.split(".", 1)[0] in _PYTHON_MODULES:
        return (f"`with {qual}(...)` is a plain Python context manager, which torch.jit.script cannot compile "
                f"(only `torch.no_grad()`, `torch.autocast(...)`, `record_function(...)` and TorchScript "
                f"classes with `__enter__`/`__exit__` work)")
    return None


class UnsupportedWith(Rule):
    """
    ## What it does
    Flags ``with`` statements in compiled code whose context manager TorchScript cannot
    compile: plain Python ones (``contextlib.nullcontext()``, ``contextlib.suppress(...)``,
    ``warnings.catch_warnings()``, ``open(...)``, ``threading.Lock()``, ``numpy.errstate``...)
    and the torch ones it has no support for: ``torch.enable_grad()``,
    ``torch.set_grad_enabled(...)``, ``torch.inference_mode()``, ``torch.device(...)``,
    ``torch.random.fork_rng()``, ``torch.nn.attention.sdpa_kernel(...)``, the autograd profiler
    and anomaly-detection managers.

    ## Why is this bad?
    TorchScript only enters ``torch.no_grad()``, ``torch.autocast(...)`` (and the
    ``torch.cpu/cuda.amp`` spellings), ``record_function(...)`` and TorchScript classes that
    define ``__enter__``/``__exit__``. Anything else fails to compile, often with a confusing
    message and no source location ("Expected <function nullcontext.__aenter__> to be a
    function", "Unknown builtin op: aten::enable_grad", "With item expression must return an
    object"). The check is semantic, so a ``with`` under ``if not torch.jit.is_scripting():``
    is fine.

    ## Example
    ```python
    def forward(self, x):
        with torch.enable_grad():
            y = x * 2
        return y
    ```

    ## Use instead
    Drop the ``with`` (keep its body), or move the block into a ``@torch.jit.unused`` helper
    called under ``if not torch.jit.is_scripting():``:
    ```python
    def forward(self, x):
        y = x * 2
        return y
    ```

    ## Fix safety
    No automatic fix: dropping the context manager drops its effect (gradient mode, warning
    filters, a lock, an open file), which only a human can judge.
    """

    code = "JIT102"
    name = "unsupported-with"
    message = "this context manager cannot be compiled by torch.jit.script"
    evidence = ("s003", "s006")

    INVALID = [
        Example(
            """
            import contextlib
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                with contextlib.nullcontext():  # MARK
                    y = x + 1
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                with torch.enable_grad():  # MARK
                    y = x * 2
                return y
            """
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    with torch.no_grad(), torch.set_grad_enabled(False):  # MARK
                        y = x * 2
                    return y
            """,
            root="Net",
        ),
        Example(
            """
            import warnings
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                with warnings.catch_warnings():  # MARK
                    y = x.sqrt()
                return y
            """
        ),
        Example(
            """
            from torch import inference_mode
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                with inference_mode():  # MARK
                    y = x * 2
                return y
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch.autograd.profiler import record_function

            def fn(x: torch.Tensor) -> torch.Tensor:
                with torch.no_grad():
                    with torch.autocast("cpu", enabled=False):
                        with record_function("scale"):
                            y = x * 2
                return y
            """
        ),
        Example(
            """
            from typing import Any
            import torch

            class Scale:
                def __init__(self, k: float):
                    self.k = k

                def __enter__(self):
                    return self.k

                def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any):
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                with Scale(2.0) as k:
                    y = x * k
                return y
            """
        ),
        Example(
            """
            import warnings
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        x = x + 0
                return x * 2
            """
        ),
    ]

    def visit_With(self, node: cst.With, ctx) -> None:
        if node.asynchronous is not None:
            return  # only in `async def`, which generator-or-async reports
        for item in node.items:
            problem = _problem(item, ctx)
            if problem is not None:
                ctx.report(node, problem)
                return
