"""Dump the Python signatures of the torch callables TorchScript compiles from their source
(``torch.nn.functional`` functions that are not builtins) and of the ``forward`` methods of
``torch.nn`` modules into ``linter/data/py_signatures.json.gz``.

Run with torch installed (the static side never imports this file)::

    python tools/gen_py_signatures.py            # writes linter/data/py_signatures.json.gz
    python tools/gen_py_signatures.py --check    # exit 1 if the committed file differs

For each callable: its parameters ``[name, kind, has_default]`` (kind: ``p`` positional or
keyword, ``k`` keyword-only, ``o`` positional-only), in order; ``self`` dropped for
``forward``. Left out: builtins (``linter/data/schemas.json.gz`` holds their schemas), and
anything whose call TorchScript does not match against one Python signature: ``*args`` /
``**kwargs`` signatures (``boolean_dispatch`` wrappers such as ``F.max_pool2d``),
``@torch.jit._overload`` functions and ``_overload_method`` forwards (``nn.LSTM``), and
``@torch.jit.ignore``/``unused`` ones.
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import io
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "linter" / "data" / "py_signatures.json.gz"

_KIND = {inspect.Parameter.POSITIONAL_OR_KEYWORD: "p", inspect.Parameter.KEYWORD_ONLY: "k",
         inspect.Parameter.POSITIONAL_ONLY: "o"}


def _params(fn, drop_self: bool):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    out = []
    for i, p in enumerate(sig.parameters.values()):
        if drop_self and i == 0:
            continue
        kind = _KIND.get(p.kind)
        if kind is None:
            return None  # *args / **kwargs
        out.append([p.name, kind, p.default is not inspect.Parameter.empty])
    return out


def _compiled_from_source(fn) -> bool:
    import torch

    if getattr(fn, "_torchscript_modifier", None) is not None:
        mod = fn._torchscript_modifier
        if mod in (torch._jit_internal.FunctionModifiers.IGNORE, torch._jit_internal.FunctionModifiers.UNUSED):
            return False
    qual = torch._jit_internal._qualified_name(fn)
    return not torch._jit_internal._get_fn_overloads(qual)


def build() -> dict:
    import torch
    import torch.nn.functional as F
    from torch.jit._builtins import _get_builtin_table

    table = _get_builtin_table()
    functions = {}
    for name in sorted(dir(F)):
        obj = getattr(F, name)
        if name.startswith("_") or not inspect.isfunction(obj) or id(obj) in table:
            continue
        if not getattr(obj, "__module__", "").startswith("torch") or not _compiled_from_source(obj):
            continue
        params = _params(obj, drop_self=False)
        if params is not None:
            functions[f"torch.nn.functional.{name}"] = params
    modules = {}
    for name in sorted(dir(torch.nn)):
        cls = getattr(torch.nn, name)
        if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)) or cls.forward is torch.nn.Module.forward:
            continue
        if torch._jit_internal._get_overloaded_methods(cls.forward, cls):
            continue
        if not _compiled_from_source(cls.forward):
            continue
        params = _params(cls.forward, drop_self=True)
        if params is None:
            continue
        for qual in {f"torch.nn.{name}", f"{cls.__module__}.{cls.__qualname__}"}:
            modules[qual] = params
    return {"torch_version": torch.__version__.split("+")[0], "functions": functions, "modules": modules}


def encode(data: dict) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    data = encode(build())
    if args.check:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"out of date: run python {pathlib.Path(__file__).name}")
            return 1
        return 0
    OUT.write_bytes(data)
    d = json.loads(gzip.decompress(data))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(d['functions'])} functions, {len(d['modules'])} module forwards "
          f"({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
