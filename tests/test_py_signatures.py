"""linter/data/py_signatures.json.gz against the installed torch, and the loader's matching
against the real compiler (each call scripted)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import pathlib
import textwrap
import warnings

import pytest
import torch

from compiler import load_example
from jitlint.linter.analysis import py_signatures

GEN = pathlib.Path(__file__).resolve().parent.parent / "tools" / "gen_py_signatures.py"


def test_data_is_regenerated_equal():
    spec = importlib.util.spec_from_file_location("gen_py_signatures", GEN)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    committed = json.loads(gzip.decompress(py_signatures.DATA_FILE.read_bytes()))
    assert committed["torch_version"] == torch.__version__.split("+")[0]
    assert committed == gen.build(), "run `python tools/gen_py_signatures.py`"


def test_overloaded_and_variadic_callables_are_left_out():
    assert py_signatures.function("torch.nn.functional.interpolate") is None   # @_overload
    assert py_signatures.function("torch.nn.functional.max_pool2d") is None    # boolean_dispatch
    assert py_signatures.function("torch.nn.functional.relu") is not None
    assert py_signatures.module_forward("torch.nn.LSTM") is None               # _overload_method
    assert py_signatures.module_forward("torch.nn.Linear") == (("input", "p", False),)


CALLS = [
    ("F.softmax(x, dim=-1)", True),
    ("F.softmax(x, -1)", True),
    ("F.softmax(x, dims=-1)", False),
    ("F.softmax(x, -1, dim=-1)", False),
    ("F.dropout(x, 0.1, True, False)", True),
    ("F.dropout(x, 0.1, True, False, 1)", False),
    ("F.layer_norm(x)", False),
    ("F.layer_norm(x, [3], eps=1e-5)", True),
    ("F.normalize(x, axis=1)", False),
    ("F.mse_loss(x, x, reduction='sum')", True),
    ("F.mse_loss(x)", False),
]


@pytest.mark.parametrize("call,accepted", CALLS)
def test_matching_agrees_with_the_compiler(call, accepted):
    import libcst as cst

    expr = cst.parse_expression(call)
    params = py_signatures.function("torch.nn.functional." + expr.func.attr.value)
    n_pos = sum(1 for a in expr.args if a.keyword is None)
    problem = py_signatures.call_problem(params, n_pos, [a.keyword.value for a in expr.args if a.keyword])
    assert (problem is None) == accepted, problem
    module = load_example(textwrap.dedent(f"""
        import torch
        import torch.nn.functional as F

        def root(x: torch.Tensor) -> torch.Tensor:
            return {call}
    """))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.jit.script(module.root)
        compiled = True
    except Exception:  # noqa: BLE001 - any compile failure
        compiled = False
    assert compiled == accepted
