from typing import Optional

import libcst as cst

from ..analysis.names import dotted_name
from .base import FILE, Example, Rule

_COMPILE_EXPORT = "`torch.compile` (to speed a model up) or `torch.export` (to deploy it)"
_DEPRECATED = {
    "torch.jit.script": _COMPILE_EXPORT,
    "torch.jit.trace": _COMPILE_EXPORT,
    "torch.jit.trace_module": _COMPILE_EXPORT,
    "torch.jit.save": "`torch.export.export` + `torch.export.save`",
    "torch.jit.load": "`torch.export.load` (for programs saved with `torch.export.save`)",
    "torch.jit.freeze": "`torch.compile`",
    "torch.jit.optimize_for_inference": "`torch.compile`",
    "torch.jit.fork": "`torch.compile` (or plain Python threads/futures in eager code)",
    "torch.jit.wait": "`torch.compile` (or plain Python threads/futures in eager code)",
    "torch.jit.interface": "`torch.compile` (duck typing needs no interface)",
    "torch.jit.set_fusion_strategy": "`torch.compile`",
    "torch.jit.script_method": "an `nn.Module` compiled with `torch.compile`/`torch.export`",
}
_PRIVATE = {
    "torch.jit._script.script": "torch.jit.script",
    "torch.jit._trace.trace": "torch.jit.trace",
    "torch.jit._trace.trace_module": "torch.jit.trace_module",
    "torch.jit._serialization.save": "torch.jit.save",
    "torch.jit._serialization.load": "torch.jit.load",
    "torch.jit._freeze.freeze": "torch.jit.freeze",
    "torch.jit._freeze.optimize_for_inference": "torch.jit.optimize_for_inference",
    "torch.jit._async.fork": "torch.jit.fork",
    "torch.jit._async.wait": "torch.jit.wait",
    "torch.jit._script.interface": "torch.jit.interface",
    "torch.jit._fuser.set_fusion_strategy": "torch.jit.set_fusion_strategy",
    "torch.jit._script.script_method": "torch.jit.script_method",
}
_SHORT = frozenset(q.rsplit(".", 1)[-1] for q in _DEPRECATED)
# decorators that are deprecated calls in disguise (script_method is JIT402's)
_DECORATORS = ("torch.jit.script", "torch.jit.interface")


def _public(qual: Optional[str]) -> Optional[str]:
    if qual is None:
        return None
    qual = _PRIVATE.get(qual, qual)
    return qual if qual in _DEPRECATED else None


class DeprecatedJitApi(Rule):
    """
    ## What it does
    Flags calls of TorchScript entry points that torch deprecated in 2.11 and that emit a
    ``DeprecationWarning`` in torch 2.13: ``torch.jit.script`` (also as a decorator),
    ``torch.jit.trace``, ``torch.jit.trace_module``, ``torch.jit.save``, ``torch.jit.load``,
    ``torch.jit.freeze``, ``torch.jit.optimize_for_inference``, ``torch.jit.fork``/``wait``,
    ``torch.jit.interface``, ``torch.jit.set_fusion_strategy``, ``torch.jit.script_method(...)``
    and ``ScriptModule._save_for_lite_interpreter`` (the Lite Interpreter).

    Opt-in: not in the default selection; enable it with `extend-select = ["JIT401"]`
    (or `--extend-select JIT401`, or `ALL`).

    ## Why is this bad?
    TorchScript is in maintenance mode: these APIs warn on every call (hidden under Python's
    default warning filters, so most users never see it) and are slated for removal. New code
    should use ``torch.compile`` to optimise a model and ``torch.export`` to serialise and deploy
    it (ExecuTorch instead of the Lite Interpreter). ``torch.jit.ignore``/``unused``/``export``/
    ``annotate``/``is_scripting``/``is_tracing``/``script_if_tracing``/``isinstance`` do not warn
    and are not reported.

    ## Example
    ```python
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, "model.pt")
    ```

    ## Use instead
    ```python
    program = torch.export.export(model, (example_input,))
    torch.export.save(program, "model.pt2")
    ```

    ## Fix safety
    No automatic fix: migrating to ``torch.export``/``torch.compile`` changes what is produced
    (and the model may need changes to export). The ``@torch.jit.script_method`` decorator is
    JIT402's finding, whose (unsafe) fix rewrites the ``ScriptModule`` subclass as an
    ``nn.Module``; a ``torch.jit.script_method(fn)`` call has no fix.
    """

    code = "JIT401"
    name = "deprecated-jit-api"
    message = "this TorchScript API is deprecated (DeprecationWarning in torch 2.13)"
    mode = FILE
    # Opt-in (as ruff keeps deprecation-style rules): teams shipping TorchScript know it is
    # deprecated, and a report at every compile call would keep fixed code from ever passing.
    default = False
    evidence = ("m001",)

    INVALID = [
        Example(
            """
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                return torch.jit.script(f)  # MARK
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch
            from torch.jit import trace

            def f(x):
                return x * 2

            def run():
                return trace(f, (torch.ones(2),))  # MARK
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import io
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                buf = io.BytesIO()
                torch.jit.save(torch.jit.script(f), buf)  # MARK
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch

            def run():
                @torch.jit.script  # MARK
                def g(x: torch.Tensor) -> torch.Tensor:
                    return x + 1
                return g
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                fut = torch.jit.fork(f, torch.ones(2))  # MARK
                return torch.jit.wait(fut)
            """,
            root="run", expect="warns",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from typing import List

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                g = torch.jit.script_if_tracing(f)
                h = torch.jit.unused(f)
                xs = torch.jit.annotate(List[int], [])
                return g(torch.ones(1)), h, xs, torch.jit.is_scripting(), torch.jit.is_tracing()
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                @torch.jit.export
                def extra(self, x: torch.Tensor) -> torch.Tensor:
                    return x

                @torch.jit.ignore
                def debug(self, x: torch.Tensor) -> torch.Tensor:
                    return x

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.extra(x) * 2

            def run():
                return M()(torch.ones(2))
            """,
            root="run", expect="warns",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value == "_save_for_lite_interpreter":
                ctx.report(node, "`_save_for_lite_interpreter` is deprecated (the Lite Interpreter is replaced by "
                                 "ExecuTorch): export the model with `torch.export` and lower it with ExecuTorch")
                return
        elif not isinstance(func, cst.Name):
            return
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value
        if last not in _SHORT:
            return
        qual = _public(ctx.resolve(func))
        if qual is None:
            return
        ctx.report(node, f"`{qual}` is deprecated since torch 2.11 (it emits a DeprecationWarning): migrate to "
                         f"{_DEPRECATED[qual]}")

    # -- bare decorators (@torch.jit.script) ------------------------------------------------
    def _decorators(self, decorators, fctx) -> None:
        for dec in decorators:
            node = dec.decorator
            if isinstance(node, cst.Call):
                continue  # a call: visit_Call sees it
            qual = _public(fctx.names.resolve(dotted_name(node)))
            if qual in _DECORATORS:
                fctx.report(dec, f"`@{qual}` calls `{qual}`, deprecated since torch 2.11 (a DeprecationWarning when "
                                 f"the decorated object is defined): migrate to {_DEPRECATED[qual]}")

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        self._decorators(node.decorators, ctx)

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        self._decorators(node.decorators, ctx)

    def check_module(self, analyzer, fctx) -> None:
        for stmt in analyzer.module.body:
            if isinstance(stmt, cst.FunctionDef):
                self._decorators(stmt.decorators, fctx)
            elif isinstance(stmt, cst.ClassDef):
                self._decorators(stmt.decorators, fctx)
                for inner in stmt.body.body:
                    if isinstance(inner, cst.FunctionDef):
                        self._decorators(inner.decorators, fctx)
