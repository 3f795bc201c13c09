"""What would have to vary between the example input and a later call to break a trace.

Every trace finding (JIT3xx) is about something the tracer records as a constant: a size, a
rank, a dtype, a device, the input's values, the module's mode, the call's structure. This
module names that thing ("group") so that the message can say it ("breaks when the batch
size varies"), the output formats can carry it, and a project can declare what really varies
in its deployment (``trace-dynamic = ["batch", "sequence"]``): a finding none of whose groups
vary there is not reported.

Groups a project may declare (``DECLARABLE``):

- ``batch``: the batch size (dimension 0 of an input-derived Tensor, or a size named like one:
  ``B``, ``bsz``, ``batch_size``);
- ``sequence``: a sequence length or spatial/temporal size (``H``, ``W``, ``T``, ``seq_len``,
  ``num_tokens``...; ``spatial`` is accepted as another spelling);
- ``channels``: a channel, feature or other configuration-bound size (``C``, ``dim``,
  ``hidden_size``, ``num_heads``...);
- ``rank``, ``dtype`` (dtype-kind tests too: ``is_floating_point()``), ``device``,
  ``layout`` (sparse, quantized, nested), ``autograd`` (``requires_grad``), ``training``
  (``train()``/``eval()`` after tracing), ``arguments`` (the traced model called with other
  arguments, argument structures or outputs than the example).

Two more groups are never silenced, whatever the declaration: ``values`` (the input's data:
it always varies) and ``state`` (random numbers, module state and side effects: wrong from the
second call on). A size whose dimension the analysis cannot name is ``size``: it is reported
unless the project declares that no size varies (none of batch, sequence, channels).

How a size's dimension is named (precision first: when unsure, ``size``): the index in
``x.shape[i]``/``x.size(i)`` (0 is the batch dimension; other indices depend on the layout:
named only through the name the size is bound to), positions in an unpacking
(``B, C, H, W = x.shape``: the first is the batch, the others by their names), and the name of
the local variable a size is bound to (``h = x.size(2)``). Arithmetic and comparisons of
sizes vary with every size they read (the union).

Not a rule file (the registry only loads ``jit*.py``).
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, Optional, Sequence, Tuple

import libcst as cst

from .typecheck.lattice import SINT, SIZE, TENSOR

BATCH = "batch"
SEQUENCE = "sequence"
CHANNELS = "channels"
RANK = "rank"
DTYPE = "dtype"
DEVICE = "device"
LAYOUT = "layout"
AUTOGRAD = "autograd"
TRAINING = "training"
ARGUMENTS = "arguments"
VALUES = "values"
STATE = "state"
ANY_SIZE = "size"  # a size of an unknown dimension

SIZE_GROUPS = (BATCH, SEQUENCE, CHANNELS)
DECLARABLE = (BATCH, SEQUENCE, CHANNELS, RANK, DTYPE, DEVICE, LAYOUT, AUTOGRAD, TRAINING, ARGUMENTS)
ALIASES = {"spatial": SEQUENCE, "sequence-length": SEQUENCE, "seq": SEQUENCE, "batch-size": BATCH,
           "channel": CHANNELS, "features": CHANNELS, "config": CHANNELS}
ALWAYS = (VALUES, STATE)

_PHRASES = {
    BATCH: "the batch size",
    SEQUENCE: "the sequence length or spatial size",
    CHANNELS: "the channel/feature size",
    ANY_SIZE: "an input size",
    RANK: "the input's rank",
    DTYPE: "the dtype",
    DEVICE: "the device",
    LAYOUT: "the layout (sparse, quantized, nested)",
    AUTOGRAD: "gradient tracking (`requires_grad`)",
    TRAINING: "the train/eval mode",
    ARGUMENTS: "the arguments the trace is called with",
    VALUES: "the input data",
}
_ORDER = {g: i for i, g in enumerate((BATCH, SEQUENCE, CHANNELS, ANY_SIZE, RANK, DTYPE, DEVICE, LAYOUT,
                                      AUTOGRAD, TRAINING, ARGUMENTS, VALUES, STATE))}


def normalize(groups: Iterable[str]) -> Tuple[str, ...]:
    """Sorted, de-duplicated groups; ``size`` (an unknown dimension) subsumes the named ones."""
    found = set(groups)
    if ANY_SIZE in found:
        found.difference_update(SIZE_GROUPS)
    return tuple(sorted(found, key=lambda g: _ORDER.get(g, 99)))


def breaks_when(groups: Sequence[str]) -> str:
    """The clause a finding's message ends with: ``breaks when the batch size varies``."""
    groups = normalize(groups)
    if not groups:
        return ""
    if STATE in groups:
        return "breaks on every later call, whatever the input"
    phrases = [_PHRASES[g] for g in groups if g in _PHRASES]
    if len(phrases) == 1:
        return f"breaks when {phrases[0]} varies"
    return f"breaks when {', '.join(phrases[:-1])} or {phrases[-1]} varies"


def declared(names: Sequence[str]) -> Tuple[str, ...]:
    """The canonical groups of a ``trace-dynamic`` list (aliases resolved); raises ValueError
    naming the first unknown entry."""
    out = []
    for name in names:
        key = name.strip().lower().replace("_", "-")
        if key == "all":
            out.extend(DECLARABLE)
            continue
        key = ALIASES.get(key, key)
        if key not in DECLARABLE:
            raise ValueError(name)
        out.append(key)
    return normalize(out)


def reported(groups: Sequence[str], dynamic: Optional[Sequence[str]]) -> bool:
    """Whether a finding of ``groups`` is reported when the project says ``dynamic`` varies
    (None: nothing was declared, everything may vary). A finding without groups (not a trace
    finding, or one the analysis could not place) is always reported."""
    if dynamic is None or not groups:
        return True
    dyn = set(dynamic)
    for g in groups:
        if g in ALWAYS or g in dyn:
            return True
        if g == ANY_SIZE and dyn & set(SIZE_GROUPS):
            return True
    return False


# -- naming a size's dimension ---------------------------------------------------------------------

_BATCH_NAMES = frozenset({"b", "bs", "bsz", "batch", "batchsize", "nbatch", "nbatches", "nb", "numbatch"})
_SEQ_NAMES = frozenset({
    "h", "w", "t", "l", "hw", "height", "width", "seq", "seqlen", "seqlength", "sequencelength", "tgtlen",
    "srclen", "qlen", "klen", "kvlen", "keylen", "querylen", "querylength", "keylength", "targetlength",
    "sourcelength", "numtokens", "ntokens", "ntok", "tokens", "length", "lenq", "lenk", "time", "frames",
    "numframes", "nframes", "oh", "ow", "ih", "iw", "hp", "wp", "ph", "pw", "imgh", "imgw", "gridh", "gridw",
    "gh", "gw", "hout", "wout", "hin", "win", "numpatches", "npatches", "numwindows", "nw", "nwindows",
    "tokenlen", "pastlen", "pastlength", "cachelen", "kvseqlen", "queryseqlen", "keyseqlen", "maxlen",
    "spatial", "hh", "ww", "fh", "fw", "newh", "neww", "outh", "outw", "numpos", "npos", "samples", "nsamples",
})
_CHANNEL_NAMES = frozenset({
    "c", "ch", "chs", "channels", "numchannels", "nchannels", "inchannels", "outchannels", "inchs", "outchs",
    "dim", "embeddim", "hidden", "hiddensize", "hiddendim", "dmodel", "headdim", "numheads", "nheads", "heads",
    "features", "numfeatures", "nfeatures", "cin", "cout", "featdim", "embdim", "dhead", "nhead", "nembd",
    "numattentionheads", "attentionheadsize", "embedsize", "inchans", "outchans", "inc", "outc", "hdim",
})
_SUFFIXES = ((SEQUENCE, ("len", "length", "height", "width", "tokens", "frames")),
             (CHANNELS, ("channels", "chans", "dim", "features")))


def name_group(name: str) -> Optional[str]:
    """The dimension a size variable's name says it holds (``B``, ``seq_len``, ``C``), or None."""
    key = re.sub(r"[_\d]+", "", name).lower()
    if not key:
        return None
    if key in _BATCH_NAMES or key.startswith("batch"):
        return BATCH
    if key in _SEQ_NAMES:
        return SEQUENCE
    if key in _CHANNEL_NAMES:
        return CHANNELS
    for group, ends in _SUFFIXES:
        if key.endswith(ends) and len(key) > 3:
            return group
    return None


# per-function scratch: local name -> groups of the size it holds; shape-valued names -> the
# first dimension they start at (``s = x.shape[2:]`` -> 2; None when unknown)
_DIMS = "_trace_dims"
_SHAPES = "_trace_shapes"


def _dims(ctx) -> Dict[str, Tuple[str, ...]]:
    d = ctx.scratch.get(_DIMS)
    if d is None:
        d = ctx.scratch[_DIMS] = {}
    return d


def _shapes(ctx) -> Dict[str, Optional[int]]:
    d = ctx.scratch.get(_SHAPES)
    if d is None:
        d = ctx.scratch[_SHAPES] = {}
    return d


def _int_literal(node: cst.BaseExpression) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, cst.Integer):
        return -node.expression.evaluated_value
    return None


def shape_start(node: cst.BaseExpression, ctx) -> Optional[int]:
    """For a shape-valued expression, the tensor dimension its first element is:
    ``x.shape``/``x.size()`` -> 0, ``x.shape[2:]`` -> 2; None when not a shape or unknown
    (``x.shape[-2:]``: depends on the rank)."""
    if isinstance(node, cst.Attribute) and node.attr.value == "shape" and ctx.type_of(node.value) == TENSOR:
        return 0
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "size" \
            and not node.args and ctx.type_of(node.func.value) == TENSOR:
        return 0
    if isinstance(node, cst.Name):
        return _shapes(ctx).get(node.value)
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice):
        sl = node.slice[0].slice
        base = shape_start(node.value, ctx)
        if base is None or sl.step is not None:
            return None
        lower = 0 if sl.lower is None else _int_literal(sl.lower)
        if lower is None or lower < 0:
            return None
        return base + lower
    return None


def _dim_group(dim: Optional[int]) -> str:
    return BATCH if dim == 0 else ANY_SIZE


def size_groups(node: cst.BaseExpression, ctx, depth: int = 0) -> Tuple[str, ...]:
    """The dimensions a size expression reads (``x.shape[0] * h`` -> batch, sequence); ``size``
    for a size whose dimension is unknown; () when ``node`` reads no input size."""
    if depth > 12:
        return ()
    if isinstance(node, cst.Name):
        known = ctx.scratch.get(_DIMS, {}).get(node.value)
        if known is not None:
            return known
        if ctx.type_of(node) in (SINT, SIZE):
            group = name_group(node.value)
            if group is None and ctx.type_of(node) == SIZE:
                return (BATCH, ANY_SIZE) if shape_start(node, ctx) == 0 else (ANY_SIZE,)
            return (group or ANY_SIZE,)
        return ()
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if ctx.type_of(node.func.value) != TENSOR:
            return ()
        if method == "size":
            if not node.args:
                return (BATCH, ANY_SIZE)
            return (_dim_group(_int_literal(node.args[0].value)),)
        if method in ("numel", "nelement"):
            return (BATCH, ANY_SIZE)
        if method in ("dim", "ndimension"):
            return (RANK,)
        return ()
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.args:
        if node.func.value == "len" and ctx.type_of(node.args[0].value) == SIZE:
            return (RANK,)
        if node.func.value in ("abs", "int", "float", "max", "min"):
            out: Tuple[str, ...] = ()
            for a in node.args:
                out += size_groups(a.value, ctx, depth + 1)
            return normalize(out)
        return ()
    if isinstance(node, cst.Attribute):
        if node.attr.value == "ndim" and ctx.type_of(node.value) == TENSOR:
            return (RANK,)
        if node.attr.value == "shape" and ctx.type_of(node.value) == TENSOR:
            return (BATCH, ANY_SIZE)
        return ()
    if isinstance(node, cst.Subscript):
        start = shape_start(node.value, ctx)
        if start is None and ctx.type_of(node.value) != SIZE:
            return ()
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            index = _int_literal(node.slice[0].slice.value)
            if index is not None and index >= 0 and start is not None:
                return (_dim_group(start + index),)
            return (ANY_SIZE,)
        sub = shape_start(node, ctx)
        return (BATCH, ANY_SIZE) if sub == 0 else (ANY_SIZE,)
    if isinstance(node, cst.BinaryOperation):
        return normalize(size_groups(node.left, ctx, depth + 1) + size_groups(node.right, ctx, depth + 1))
    if isinstance(node, cst.UnaryOperation):
        return size_groups(node.expression, ctx, depth + 1)
    if isinstance(node, cst.Comparison):
        out = size_groups(node.left, ctx, depth + 1)
        for c in node.comparisons:
            out += size_groups(c.comparator, ctx, depth + 1)
        return normalize(out)
    if isinstance(node, cst.BooleanOperation):
        return normalize(size_groups(node.left, ctx, depth + 1) + size_groups(node.right, ctx, depth + 1))
    if isinstance(node, (cst.Tuple, cst.List)):
        out = ()
        for el in node.elements:
            out += size_groups(el.value, ctx, depth + 1)
        return normalize(out)
    return ()


def track_dims(target: cst.BaseExpression, value: cst.BaseExpression, ctx) -> None:
    """Remember what dimension a local size variable holds (called by
    ``tracing.track_assignment`` for every assignment it sees)."""
    dims = _dims(ctx)
    shapes = _shapes(ctx)
    if isinstance(target, cst.Name):
        name = target.value
        shapes.pop(name, None)
        dims.pop(name, None)
        if ctx.type_of(value) == SIZE or shape_start(value, ctx) is not None:
            start = shape_start(value, ctx)
            shapes[name] = start
            return
        groups = size_groups(value, ctx)
        if not groups:
            return
        by_name = name_group(name)
        if groups == (ANY_SIZE,) and by_name is not None:
            groups = (by_name,)
        dims[name] = groups
        return
    if not isinstance(target, (cst.Tuple, cst.List)):
        return
    elements = [el.value for el in target.elements]
    if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements):
        for el, v in zip(elements, value.elements):
            if not isinstance(v, cst.StarredElement):
                track_dims(el, v.value, ctx)
        return
    start = shape_start(value, ctx)
    if start is None and ctx.type_of(value) != SIZE:
        for el in elements:
            if isinstance(el, cst.Name):
                dims.pop(el.value, None)
                shapes.pop(el.value, None)
        return
    for i, el in enumerate(target.elements):
        after_star = any(isinstance(e, cst.StarredElement) for e in target.elements[:i])
        if isinstance(el, cst.StarredElement):
            if isinstance(el.value, cst.Name):
                dims.pop(el.value.value, None)
                shapes[el.value.value] = start + i if start is not None else None
            continue
        if not isinstance(el.value, cst.Name):
            continue
        name = el.value.value
        shapes.pop(name, None)
        if start is not None and not after_star and start + i == 0:
            dims[name] = (BATCH,)  # positions after a star depend on the rank: by name only
        else:
            dims[name] = (name_group(name) or ANY_SIZE,)


def groups_of_kind(kind: str) -> Tuple[str, ...]:
    """Groups of a ``tracing.condition_kind`` answer other than "shape"."""
    return {"rank": (RANK,), "dtype": (DTYPE,), "device": (DEVICE,), "layout": (LAYOUT,),
            "autograd state": (AUTOGRAD,)}.get(kind, (ANY_SIZE,))

