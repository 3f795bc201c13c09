"""Dump torch's TorchScript operator schemas and builtin table into ``schemas.json.gz``.

Run with torch installed (the static side never imports this file)::

    python tools/gen_schemas.py            # writes linter/data/schemas.json.gz
    python tools/gen_schemas.py --check    # exit 1 if the committed file differs

What it records, for the torch it runs under:

- ``schemas``: every operator registered with the JIT (``torch._C._jit_get_all_schemas()``),
  grouped by qualified name: per overload its name, arguments ``[name, type, flags, N]``
  (flags: 1 = has a default, 2 = keyword-only; N = the size of a broadcasting list such as
  ``int[2]``, else 0), return types and whether the schema is vararg (``...``).
- ``script_builtins``: the builtins TorchScript defines in TorchScript source
  (torch/csrc/jit/frontend/builtin_functions.cpp: ``aten::_pair``, the ``Scalar op Tensor``
  forms, ``aten::floordiv``, ``prim::ndim``/``prim::T``), which the registry above lacks;
  and every other operator of the builtin table the compiler finds although the registry
  lacks it (probed by compiling a call), with an unknown signature (``<unknown>``).
- ``builtins``: for each Python namespace the frontend resolves names in (``torch``,
  ``torch.nn.functional``, ``torch.linalg``, ``torch.fft``, ``torch.special``, ``math``...),
  the names whose object is in ``torch.jit._builtins._get_builtin_table()`` and the
  operator the compiler calls for them.
- ``python``: per namespace, the callables that are *not* builtins (the compiler compiles
  them from their Python source, or rejects them): their names only.
- ``classes``: per namespace, the names bound to classes (``torch.device``,
  ``torch.FloatTensor``), which the frontend resolves by other paths than the table.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "linter" / "data" / "schemas.json.gz"

NAMESPACES = (
    "torch", "torch.nn.functional", "torch.linalg", "torch.fft", "torch.special",
    "torch.sparse", "torch.nested", "torch.autograd", "torch.nn.init", "torch.functional",
    "torch.jit", "torch.cuda", "torch.backends.cudnn", "math", "cmath", "warnings",
)

# builtin_functions.cpp, written as schemas (argument flags/N as above).
_SCALAR_OPS = ("mul", "add", "ne", "eq", "lt", "le", "gt", "ge", "sub", "div")


def _script_builtins() -> dict:
    out: dict = {}
    for scalar in ("float", "int"):
        for op in _SCALAR_OPS:
            out.setdefault("aten::" + op, []).append(
                ["", [["a", scalar, 0, 0], ["b", "Tensor", 0, 0]], ["Tensor"], False])
        for name, n in (("single", 1), ("pair", 2), ("triple", 3), ("quadruple", 4)):
            out.setdefault("aten::_" + name, []).append(
                ["", [["x", f"List[{scalar}]", 0, n]], [f"List[{scalar}]"], False])
    for rhs in ("number", "Tensor"):
        out.setdefault("aten::floordiv", []).append(
            ["", [["self", "Tensor", 0, 0], ["other", rhs, 0, 0]], ["Tensor"], False])
    out["prim::ndim"] = [["", [["a", "Tensor", 0, 0]], ["int"], False]]
    out["prim::T"] = [["", [["a", "Tensor", 0, 0]], ["Tensor"], False]]
    return out


# An operator the compiler knows although the registry lacks it: a builtin written in
# TorchScript that _script_builtins() does not spell out. Its signature is unknown: any call
# may match.
UNKNOWN_ROW = ("<unknown>", [], [], True)


def _probe_exists(torch, op: str) -> bool:
    """Whether the compiler finds builtin ``op`` (its native resolver maps ``torch.X`` to
    ``aten::X``): anything but "Unknown builtin op" means it does."""
    ns, _, name = op.partition("::")
    if ns != "aten" or not name.isidentifier():
        return False
    try:
        torch.jit.CompilationUnit(f"def f(x: Tensor):\n    return torch.{name}(x)\n")
    except Exception as e:  # noqa: BLE001 - any compiler error
        return "Unknown builtin op" not in str(e)
    return True


def _schema_row(schema) -> list:
    args = []
    for a in schema.arguments:
        flags = (1 if a.has_default_value() else 0) | (2 if a.kwarg_only else 0)
        args.append([a.name, a.type.annotation_str, flags, a.N or 0])
    returns = [r.type.annotation_str for r in schema.returns]
    return [schema.overload_name, args, returns, "..." in str(schema).split("->")[0]]


def generate() -> dict:
    import importlib

    import torch
    from torch.jit import _builtins

    schemas: dict = {}
    for s in torch._C._jit_get_all_schemas():
        schemas.setdefault(s.name, []).append(_schema_row(s))
    for rows in schemas.values():
        rows.sort(key=lambda r: (r[0], json.dumps(r[1])))

    table = _builtins._get_builtin_table()
    builtins: dict = {}
    python: dict = {}
    classes: dict = {}
    for ns in NAMESPACES:
        try:
            mod = importlib.import_module(ns)
        except ImportError:
            continue
        found, others, kinds = {}, [], []
        for name in sorted(dir(mod)):
            if name.startswith("__"):
                continue
            try:
                v = getattr(mod, name)
            except Exception:
                continue
            op = table.get(id(v))
            if isinstance(v, type):
                kinds.append(name)  # classes resolve otherwise (torch.FloatTensor compiles)
            elif op is not None:
                found[name] = op
            elif callable(v) and not isinstance(v, type(torch)):
                others.append(name)
        builtins[ns] = found
        python[ns] = others
        classes[ns] = kinds
    script = _script_builtins()
    for op in sorted({op for ns in builtins.values() for op in ns.values()}):
        if op not in schemas and op not in script and _probe_exists(torch, op):
            script[op] = [list(UNKNOWN_ROW)]
    return {
        "torch_version": torch.__version__.split("+")[0],
        "schemas": dict(sorted(schemas.items())),
        "script_builtins": script,
        "builtins": builtins,
        "python": python,
        "classes": classes,
    }


def encode(data: dict) -> bytes:
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(text)
    return buf.getvalue()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare with the committed file")
    p.add_argument("-o", "--output", type=pathlib.Path, default=OUT)
    args = p.parse_args(argv)
    data = generate()
    if args.check:
        committed = json.loads(gzip.decompress(args.output.read_bytes()))
        if committed != json.loads(json.dumps(data)):
            print(f"{args.output} differs from torch {data['torch_version']}: regenerate it")
            return 1
        print(f"{args.output} matches torch {data['torch_version']}")
        return 0
    args.output.write_bytes(encode(data))
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, "
          f"{sum(len(v) for v in data['schemas'].values())} schemas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
