from typing import Optional, Tuple

import libcst as cst

from ..analysis.statement_edits import statement_replacement
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
    A few context managers (without ``as``) have a fix; the others have none, since dropping a
    context manager drops its effect (a lock, an open file, suppressed exceptions):

    - ``contextlib.nullcontext()`` is removed (its body dedented): safe, it does nothing;
    - ``torch.set_grad_enabled(False)`` becomes ``torch.no_grad()``, or is removed next to a
      ``torch.no_grad()`` of the same statement: safe, the same gradient mode;
    - ``torch.enable_grad()`` and ``warnings.catch_warnings()`` are removed: unsafe, gradients
      are then recorded in the body only when the caller's mode records them, and warning
      filters the body changes are no longer restored after it;
    - ``torch.inference_mode()`` becomes ``torch.no_grad()``: unsafe, the same values and
      ``requires_grad``, but Tensors made in the body are no longer inference tensors (they
      can be saved for backward, and version counters are kept).
    """

    code = "JIT102"
    name = "unsupported-with"
    fix_safety = "safe or unsafe (see Fix safety)"
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
                ctx.report(node, problem, fix=_with_fix(node, ctx))
                return


_GRAD_ENABLED = ("torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.grad_mode.set_grad_enabled")
_ENABLE_GRAD = ("torch.enable_grad", "torch.autograd.enable_grad", "torch.autograd.grad_mode.enable_grad")
_INFERENCE = ("torch.inference_mode", "torch.autograd.inference_mode", "torch.autograd.grad_mode.inference_mode")
_NO_GRAD = ("torch.no_grad", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad")


def _item_action(item: cst.WithItem, ctx) -> Optional[Tuple[str, bool]]:
    """("drop"|"no_grad"|"keep", safe) for one context manager, None when it has no fix."""
    expr = item.item
    if item.asname is not None or not isinstance(expr, cst.Call):
        return None
    qual = ctx.resolve(expr.func)
    args = expr.args
    if qual in _NO_GRAD and not args:
        return "keep", True
    if qual == "contextlib.nullcontext" and not args:
        return "drop", True
    if qual in _GRAD_ENABLED and len(args) == 1 and args[0].keyword is None \
            and isinstance(args[0].value, cst.Name) and args[0].value.value == "False":
        return "no_grad", True
    if (qual in _ENABLE_GRAD or qual == "warnings.catch_warnings") and not args:
        return "drop", False
    if qual in _INFERENCE and (not args or (len(args) == 1 and isinstance(args[0].value, cst.Name)
                                            and args[0].value.value == "True")):
        return "no_grad", False
    return None


def _with_fix(node: cst.With, ctx):
    """The ``with`` statement without the context managers TorchScript rejects (see Fix safety)."""
    if not isinstance(node.body, cst.IndentedBlock):
        return None
    actions = [_item_action(item, ctx) for item in node.items]
    if any(a is None for a in actions):
        return None
    safe = all(ok for _, ok in actions)
    torch = next((head for head, b in ctx.names.bindings.items()
                  if b.kind == "import" and b.target == "torch" and "." not in head), None)
    has_no_grad = any(a == "keep" for a, _ in actions)
    items = []
    for item, (action, _) in zip(node.items, actions):
        if action == "keep":
            items.append(item)
        elif action == "no_grad" and not has_no_grad:
            if torch is None:
                return None
            items.append(item.with_changes(item=cst.parse_expression(f"{torch}.no_grad()")))
            has_no_grad = True
    if items:
        items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = [node.with_changes(items=items)]
    else:
        new = list(node.body.body)
    edit = statement_replacement(ctx, node, new)
    if edit is None:
        return None
    message = "Remove the context manager" if not items else "Use `torch.no_grad()`"
    return (ctx.safe_fix if safe else ctx.unsafe_fix)(message, [edit])
