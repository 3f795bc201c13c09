import libcst as cst

from ..analysis.typecheck.inference import annotation_type
from ..analysis.typecheck.lattice import FLOAT, INT, SINT
from .base import Example, Rule

# Python-level functions of torch.nn.functional whose parameters are annotated ``float`` or
# ``Optional[float]`` (torch 2.13): TorchScript compiles them from source, so their annotations
# bind and an int argument is rejected. Functions bound to ATen builtins (``F.softplus``,
# ``torch.clamp``) take Scalars and accept ints; they are not listed. Generated with
# ``inspect.signature``/``typing.get_type_hints`` over torch.nn.functional and spot-checked with
# the compiler (pad, dropout, leaky_relu, normalize, elu, layer_norm rejected; softplus and clamp
# accepted). name -> ((position, keyword), ...)
FUNCTIONAL_FLOAT_PARAMS = {
    "alpha_dropout": ((1, "p"),), "batch_norm": ((6, "momentum"), (7, "eps")), "celu": ((1, "alpha"),),
    "cosine_embedding_loss": ((3, "margin"),), "cross_entropy": ((7, "label_smoothing"),),
    "dropout": ((1, "p"),), "dropout1d": ((1, "p"),), "dropout2d": ((1, "p"),), "dropout3d": ((1, "p"),),
    "elu": ((1, "alpha"),), "embedding": ((3, "max_norm"), (4, "norm_type")),
    "embedding_bag": ((3, "max_norm"), (4, "norm_type")), "feature_alpha_dropout": ((1, "p"),),
    "gaussian_nll_loss": ((4, "eps"),), "group_norm": ((4, "eps"),), "gumbel_softmax": ((1, "tau"), (3, "eps")),
    "hardtanh": ((1, "min_val"), (2, "max_val")), "hinge_embedding_loss": ((2, "margin"),),
    "huber_loss": ((3, "delta"),), "instance_norm": ((6, "momentum"), (7, "eps")), "layer_norm": ((4, "eps"),),
    "leaky_relu": ((1, "negative_slope"),), "local_response_norm": ((2, "alpha"), (3, "beta"), (4, "k")),
    "margin_ranking_loss": ((3, "margin"),), "multi_margin_loss": ((3, "margin"),),
    "normalize": ((1, "p"), (3, "eps")), "pad": ((3, "value"),), "poisson_nll_loss": ((5, "eps"),),
    "rms_norm": ((3, "eps"),), "rrelu": ((1, "lower"), (2, "upper")), "smooth_l1_loss": ((5, "beta"),),
    "threshold": ((1, "threshold"), (2, "value")), "triplet_margin_loss": ((3, "margin"), (4, "p"), (5, "eps")),
    "triplet_margin_with_distance_loss": ((4, "margin"),),
}
_INT_TYPES = (INT, SINT)


def _float_params_of(fn: cst.FunctionDef, names, skip_self: bool):
    out = []
    params = list(fn.params.posonly_params) + list(fn.params.params)
    if skip_self and params:
        params = params[1:]
    for i, p in enumerate(params):
        if p.annotation is None:
            continue
        t = annotation_type(p.annotation, names)
        if t == FLOAT or t == ("optional", FLOAT):
            out.append((i, p.name.value))
    for p in fn.params.kwonly_params:
        if p.annotation is not None:
            t = annotation_type(p.annotation, names)
            if t == FLOAT or t == ("optional", FLOAT):
                out.append((None, p.name.value))
    return tuple(out)


class IntForFloatArgument(Rule):
    """
    ## What it does
    Flags an ``int`` passed to a parameter annotated ``float`` or ``Optional[float]`` of a function
    TorchScript compiles from Python source: functions of your project and the Python-level
    functions of ``torch.nn.functional`` (``F.pad(..., value=0)``, ``F.dropout(x, p=0)``,
    ``F.leaky_relu(x, 0)``, ``F.normalize(x, p=2)``, ``F.layer_norm(..., eps=1)``).

    ## Why is this bad?
    Python accepts an int wherever a float is expected; TorchScript does not convert arguments
    of compiled functions: "Expected a value of type 'Optional[float]' for argument 'value' but
    instead found type 'int'". This is why torchvision's ``DropBlock2d`` cannot be scripted
    (``F.pad(noise, [...], value=0)``). ATen builtins such as ``torch.clamp(x, min=0)`` or
    ``F.softplus(x, beta=1)`` take Scalars and accept ints.

    ## Example
    ```python
    noise = F.pad(noise, [1, 1, 1, 1], value=0)
    ```

    ## Use instead
    ```python
    noise = F.pad(noise, [1, 1, 1, 1], value=0.0)
    ```

    ## Fix safety
    For an integer literal the fix writes it as a float literal (``0`` -> ``0.0``): safe, the value
    and eager behaviour are unchanged. Other int expressions are wrapped in ``float(...)`` (also safe).
    """

    code = "JIT211"
    name = "int-for-float-argument"
    message = "an int is passed where the compiled function expects a float"
    fix_safety = "safe"
    evidence = ()

    INVALID = [
        Example(
            """
            import torch
            import torch.nn.functional as F

            def fn(x: torch.Tensor) -> torch.Tensor:
                return F.pad(x, [1, 1], value=0)  # MARK
            """
        ),
        Example(
            """
            import torch

            def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
                return x * factor

            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, 2)  # MARK
            """
        ),
        Example(
            """
            import torch
            from torch import nn
            import torch.nn.functional as F

            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return F.leaky_relu(x, x.dim() - 1)  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.nn.functional as F

            def fn(x: torch.Tensor) -> torch.Tensor:
                return F.pad(x, [1, 1], value=0.0) + torch.clamp(x, min=0) + F.softplus(x, beta=1)
            """
        ),
        Example(
            """
            import torch

            def scale(x: torch.Tensor, factor: float, times: int) -> torch.Tensor:
                return x * factor * times

            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, 2.0, 3)
            """
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not node.args:
            return
        func = node.func
        params = None
        if isinstance(func, cst.Attribute):
            if isinstance(func.value, cst.Name) and func.value.value == "self":
                facts = ctx.class_facts
                cls = ctx.function.class_node if ctx.function else None
                if facts is None or cls is None or func.attr.value in facts.attr_types:
                    return
                for stmt in cls.body.body:
                    if isinstance(stmt, cst.FunctionDef) and stmt.name.value == func.attr.value:
                        static = any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
                                     for d in stmt.decorators)
                        params = _float_params_of(stmt, ctx.names, skip_self=not static)
                        break
            else:
                qual = ctx.resolve(func)
                if qual and qual.startswith("torch.nn.functional."):
                    params = FUNCTIONAL_FLOAT_PARAMS.get(qual[len("torch.nn.functional."):])
        elif isinstance(func, cst.Name):
            if ctx.infer is not None and func.value in ctx.infer.locals:
                return
            target = ctx.file.function_nodes.get(func.value)
            qual = ctx.resolve(func)
            if target is not None and qual == f"{ctx.file.module_name}.{func.value}":
                params = _float_params_of(target, ctx.names, skip_self=False)
            elif qual and qual.startswith("torch.nn.functional."):
                params = FUNCTIONAL_FLOAT_PARAMS.get(qual[len("torch.nn.functional."):])
        if not params:
            return
        by_position = {pos: name for pos, name in params if pos is not None}
        by_name = {name for _, name in params}
        for i, arg in enumerate(node.args):
            if arg.star:
                return
            if arg.keyword is not None:
                name = arg.keyword.value
                if name not in by_name:
                    continue
            else:
                name = by_position.get(i)
                if name is None:
                    continue
            if ctx.type_of(arg.value) not in _INT_TYPES:
                continue
            value = arg.value
            if isinstance(value, cst.Integer):
                text = value.value
                replacement = f"{int(text, 0)}.0" if text.isdigit() or text.startswith(("0x", "0o", "0b")) else f"float({text})"
            else:
                replacement = f"float({ctx.code_of(value)})"
            ctx.report(
                value,
                f"`{name}` expects a float but gets an int: TorchScript does not convert arguments of "
                f"compiled functions (\"Expected a value of type 'float'\"); write `{replacement}`",
                fix=ctx.safe_fix(f"pass {replacement}", [(value, replacement)]),
            )
