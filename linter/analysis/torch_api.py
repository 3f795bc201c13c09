"""Facts about the torch API that the inference and the rules share (data, not logic).

Everything here was checked against torch 2.13 (see ../shared/ground-truth and the rule
examples); the linter itself never imports torch.
"""

from __future__ import annotations

from .typecheck.lattice import (
    BOOL,
    DEVICE,
    DTYPE,
    INT,
    NDARRAY,
    NUMBER,
    SBOOL,
    SINT,
    SIZE,
    STR,
    TENSOR,
)

# Tensor methods whose result is not a Tensor (everything else returns a Tensor).
TENSOR_METHOD_RESULTS = {
    "dim": SINT, "ndimension": SINT, "numel": SINT, "nelement": SINT, "element_size": SINT,
    "get_device": SINT, "stride": SIZE, "storage_offset": SINT,
    "item": NUMBER, "tolist": ("list", NUMBER), "numpy": NDARRAY,
    "is_contiguous": SBOOL, "is_floating_point": SBOOL, "is_complex": SBOOL,
    "is_signed": SBOOL, "is_pinned": SBOOL, "is_inference": SBOOL, "is_set_to": BOOL,
    "equal": BOOL, "data_ptr": INT, "untyped_storage": None, "storage": None,
    "unbind": ("list", TENSOR), "split": ("list", TENSOR), "chunk": ("list", TENSOR),
    "tensor_split": ("list", TENSOR), "split_with_sizes": ("list", TENSOR),
    "unsafe_split": ("list", TENSOR), "unsafe_chunk": ("list", TENSOR),
    "__len__": SINT, "register_hook": None, "backward": None,
}

TENSOR_ATTR_RESULTS = {
    "shape": SIZE, "dtype": DTYPE, "device": DEVICE, "ndim": SINT, "itemsize": SINT,
    "nbytes": SINT, "is_cuda": SBOOL, "is_cpu": SBOOL, "is_sparse": SBOOL,
    "is_quantized": SBOOL, "is_meta": SBOOL, "is_mkldnn": SBOOL, "is_leaf": SBOOL,
    "requires_grad": SBOOL, "is_nested": SBOOL, "layout": None, "names": None,
    "T": TENSOR, "mT": TENSOR, "H": TENSOR, "mH": TENSOR, "data": TENSOR, "grad": TENSOR,
    "real": TENSOR, "imag": TENSOR, "grad_fn": None,
}

# torch.* functions whose result is not a Tensor.
TORCH_FUNCTION_RESULTS = {
    "torch.is_tensor": BOOL, "torch.is_storage": BOOL, "torch.is_floating_point": SBOOL,
    "torch.is_complex": SBOOL, "torch.is_nonzero": BOOL, "torch.numel": SINT,
    "torch.equal": BOOL, "torch.jit.is_scripting": BOOL, "torch.jit.is_tracing": BOOL,
    "torch._C._get_tracing_state": None, "torch.device": DEVICE, "torch.Size": SIZE,
    "torch.get_default_dtype": DTYPE, "torch.finfo": None, "torch.iinfo": None,
    "torch.cuda.is_available": BOOL, "torch.cuda.device_count": INT,
    "torch.is_grad_enabled": BOOL, "torch.is_autocast_enabled": BOOL,
    "torch.split": ("list", TENSOR), "torch.chunk": ("list", TENSOR),
    "torch.unbind": ("list", TENSOR), "torch.tensor_split": ("list", TENSOR),
    "torch.meshgrid": ("list", TENSOR), "torch.broadcast_tensors": ("list", TENSOR),
    "torch.broadcast_shapes": SIZE, "torch.jit.annotate": None, "torch.jit.isinstance": BOOL,
    "torch.manual_seed": None, "torch.set_grad_enabled": None, "torch.no_grad": None,
    "torch.enable_grad": None, "torch.inference_mode": None, "torch.autocast": None,
    "torch.typename": STR, "torch.result_type": DTYPE, "torch.promote_types": DTYPE,
    "torch.can_cast": BOOL,
}

DTYPE_NAMES = frozenset(
    "float float32 float64 double float16 half bfloat16 int int8 int16 int32 int64 long "
    "short uint8 uint16 uint32 uint64 bool complex64 complex128 cfloat cdouble qint8 quint8 "
    "qint32 float8_e4m3fn float8_e5m2".split()
)

# torch.nn module classes whose forward returns a tuple rather than a Tensor.
TUPLE_RETURNING_MODULES = frozenset(
    "torch.nn.LSTM torch.nn.GRU torch.nn.RNN torch.nn.MultiheadAttention "
    "torch.nn.modules.rnn.LSTM torch.nn.modules.rnn.GRU torch.nn.modules.rnn.RNN "
    "torch.nn.AdaptiveLogSoftmaxWithLoss".split()
)

MODULE_CONTAINERS = {
    "torch.nn.ModuleList": "modlist",
    "torch.nn.modules.container.ModuleList": "modlist",
    "torch.nn.ModuleDict": "moddict",
    "torch.nn.modules.container.ModuleDict": "moddict",
    "torch.nn.ParameterList": "paramlist",
    "torch.nn.ParameterDict": "paramdict",
}

PARAMETER_FACTORIES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter", "torch.Tensor",
                                 "torch.nn.Buffer", "torch.nn.parameter.Buffer"})

# Module namespaces whose classes are nn.Modules when used as a base class.
MODULE_BASE_PREFIXES = ("torch.nn.", "torch.ao.nn.", "torch.jit.ScriptModule", "torch.jit.RecursiveScriptModule")
NOT_MODULE_CLASSES = frozenset({
    "torch.nn.Parameter", "torch.nn.parameter.Parameter", "torch.nn.utils.rnn.PackedSequence",
    "torch.nn.parameter.Buffer", "torch.nn.Buffer",
})
# Well-known third-party nn.Module base classes, for projects analysed without them.
KNOWN_EXTERNAL_MODULE_BASES = frozenset({
    "pytorch_lightning.LightningModule", "lightning.LightningModule",
    "lightning.pytorch.LightningModule", "pytorch_lightning.core.LightningModule",
    "transformers.PreTrainedModel", "transformers.modeling_utils.PreTrainedModel",
})

# Functions of the math module TorchScript compiles (anything else is rejected).
MATH_SUPPORTED = frozenset(
    "acos acosh asin asinh atan atan2 atanh ceil copysign cos cosh degrees e erf erfc exp "
    "expm1 fabs factorial floor fmod frexp gamma gcd inf isfinite isinf isnan ldexp lgamma "
    "log log10 log1p log2 modf nan pi pow radians remainder sin sinh sqrt tan tanh tau".split()
)
MATH_INT_RESULTS = frozenset({"ceil", "floor", "factorial", "gcd"})


def is_torch_name(qualname: str) -> bool:
    return qualname == "torch" or qualname.startswith("torch.")


def is_module_class_name(qualname: str) -> bool:
    """True when a resolved class name from outside the project is an nn.Module class."""
    if qualname in NOT_MODULE_CLASSES:
        return False
    if qualname in KNOWN_EXTERNAL_MODULE_BASES:
        return True
    if qualname.startswith("torch.nn.functional") or qualname.startswith("torch.nn.init"):
        return False
    if qualname.startswith(MODULE_BASE_PREFIXES):
        last = qualname.rsplit(".", 1)[-1]
        return bool(last) and last[0].isupper()
    return False


# nn.Module Python APIs torch.jit.script cannot compile when called on a module from compiled
# code (each checked with torch 2.13: their bodies use yield, lambdas, *args, `Self`...).
# ``modules()``, ``children()``, ``named_children()``, ``named_modules()`` and ``extra_repr()``
# compile and match eager, so they are not listed.
MODULE_APIS = {
    "parameters": "use a concrete parameter or buffer (e.g. `self.weight`)",
    "named_parameters": "use concrete parameters or buffers (e.g. `self.weight`)",
    "buffers": "use concrete buffers (e.g. `self.running_mean`)",
    "state_dict": "read the tensors you need as attributes",
    "load_state_dict": "load the state outside the model",
    "apply": "apply the function in `__init__` or outside the model",
    "to": "move the module outside the model (`model.to(device)` before scripting)",
    "cpu": "move the module outside the model",
    "cuda": "move the module outside the model",
    "float": "convert the module outside the model",
    "half": "convert the module outside the model",
    "double": "convert the module outside the model",
    "bfloat16": "convert the module outside the model",
    "type": "convert the module outside the model",
    "share_memory": "call it outside the model",
    "to_empty": "call it outside the model",
    "train": "set the mode outside the model (`model.train()` / `model.eval()`)",
    "eval": "set the mode outside the model (`model.train()` / `model.eval()`)",
    "requires_grad_": "set requires_grad outside the model",
    "zero_grad": "zero gradients outside the model",
    "register_buffer": "register buffers in `__init__`",
    "register_parameter": "register parameters in `__init__`",
    "add_module": "add submodules in `__init__`",
    "register_module": "add submodules in `__init__`",
    "register_forward_hook": "register hooks outside the model",
    "register_forward_pre_hook": "register hooks outside the model",
    "get_submodule": "refer to the submodule attribute directly (`self.block`)",
    "get_parameter": "refer to the parameter attribute directly",
    "get_buffer": "refer to the buffer attribute directly",
    "__call__": "call the submodule directly (`self.block(x)`)",
}
