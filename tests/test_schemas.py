"""The operator schema data (linter/data/schemas.json.gz) against the installed torch, and the
loader's answers (linter/analysis/schemas.py) against the real compiler."""

from __future__ import annotations

import ast
import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from compiler import load_example
from jitlint.linter.analysis import schemas

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "tools" / "gen_schemas.py"


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter: what torch reports as registered depends on what else
    the process imported (torch._dynamo, torch.export and friends register more operators), so
    the comparison with the committed data must not see the rest of the test session."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-4000:]
    return out.stdout


def test_data_is_regenerated_equal():
    """The committed data equals what the generator writes under this torch."""
    committed = json.loads(gzip.decompress(schemas.DATA_FILE.read_bytes()))
    fresh = json.loads(_fresh(f"""
        import importlib.util, json
        spec = importlib.util.spec_from_file_location("g", {str(GEN)!r})
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        print(json.dumps(mod.generate()))
    """))
    assert committed["torch_version"] == torch.__version__.split("+")[0]
    assert committed == fresh, "run `python tools/gen_schemas.py`"


def test_same_schema_set_as_torch():
    ours = {str(s) for op in schemas.all_op_names() for s in schemas.overloads(op)
            if not s.script_defined}
    rows = json.loads(_fresh("""
        import json, torch
        print(json.dumps([
            [s.name, s.overload_name,
             [[a.name, a.type.annotation_str, a.has_default_value(), a.kwarg_only, a.N or 0]
              for a in s.arguments],
             [r.type.annotation_str for r in s.returns],
             "..." in str(s).split("->")[0]]
            for s in torch._C._jit_get_all_schemas()]))
    """))
    missing = sorted({name for name, *_ in rows if not schemas.overloads(name)})
    assert not missing, missing[:20]
    theirs = set()
    for name, overload, args, returns, varargs in rows:
        theirs.add(str(schemas.overloads(name)[0].__class__(
            name, overload, tuple(schemas.Argument(*a) for a in args), tuple(returns),
            varargs)))
    assert ours == theirs
    assert len(theirs) > 4000


def test_data_is_small_and_ships():
    assert schemas.DATA_FILE.stat().st_size < 2_000_000
    text = (ROOT / "pyproject.toml").read_text()
    assert '"data/*.json.gz"' in text  # package-data: installed by a non-editable pip install


def test_loader_does_not_import_torch():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError("torch blocked")
        sys.meta_path.insert(0, Block())
        from jitlint.linter.analysis import schemas
        assert schemas.builtin_op("torch.cat") == "aten::cat"
        assert schemas.overloads("aten::cat")
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_builtin_table_answers():
    assert schemas.builtin_op("torch.cat") == "aten::cat"
    assert schemas.builtin_op("torch.nn.functional.conv2d") == "aten::conv2d"
    assert schemas.builtin_op("torch.nn.functional.relu") is None  # compiled from source
    assert schemas.name_kind("torch.nn.functional.relu") == "python"
    assert schemas.name_kind("torch.nn.functional.linear") == "builtin"
    assert schemas.builtin_op("math.sqrt") == "aten::sqrt"
    assert schemas.builtin_op("torch.norm") is None  # torch.functional.norm, from source
    assert schemas.name_kind("torch.no_such_thing") is None
    assert schemas.name_kind("numpy.exp") is None
    assert schemas.is_known_op("aten::_pair")  # a builtin written in TorchScript
    assert not schemas.is_known_op("aten::finfo")
    assert schemas.builtin_op("torch.finfo") is None  # a class: resolved otherwise
    assert schemas.tensor_method_overloads("add")
    assert not schemas.tensor_method_overloads("zeros")  # no ``self``


# ---- the loader's answers against the compiler -------------------------------------------

def _kind(node: ast.expr):
    if isinstance(node, ast.Constant):
        v = node.value
        if v is None:
            return "none"
        return {bool: "bool", int: "int", float: "float", str: "str"}.get(type(v))
    if isinstance(node, (ast.List, ast.Tuple)):
        return "list"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _kind(node.operand)
    return None


def _predict(expr: str) -> bool:
    """The loader's answer for one call expression: could it match an overload?"""
    call = ast.parse(expr, mode="eval").body
    pos = [_kind(a) for a in call.args]
    kws = {k.arg: _kind(k.value) for k in call.keywords}
    func = call.func
    dotted = ast.unparse(func).replace("F.", "torch.nn.functional.", 1)
    op = schemas.builtin_op(dotted)
    if op is not None:
        return schemas.can_match(schemas.overloads(op), pos, kws)
    assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
    return schemas.can_match(schemas.tensor_method_overloads(func.attr), pos, kws,
                             self_bound=True)


# (call in a function of x: Tensor, xs: List[Tensor]; whether the compiler accepts it)
CALLS = [
    ("torch.cat(xs, dim=0)", True),
    ("torch.cat(xs, dimm=0)", False),
    ("torch.cat(xs, axis=0)", False),
    ("torch.cat(xs, 0)", True),
    ("torch.cat(xs, 1.0)", False),
    ("torch.cat(xs, 0, 1)", False),
    ("torch.stack(xs, dim=1)", True),
    ("torch.stack(xs, axis=1)", False),
    ("torch.zeros(2, 3)", True),
    ("torch.zeros(2, 3, dtype=torch.float32)", True),
    ("torch.zeros((2, 3), device='cpu')", True),
    ("torch.zeros(2, 3, devices='cpu')", False),
    ("torch.ones(2, 3, requires_grad=False)", False),
    ("torch.full((2,), 1.5)", True),
    ("torch.full((2,), 1.5, dtype=torch.float32)", True),
    ("torch.arange(0, 5, 1)", True),
    ("torch.arange(5, step=1)", False),
    ("torch.arange(0, 5, step=1)", True),
    ("torch.softmax(x, dim=-1)", True),
    ("torch.softmax(x, -1, None)", True),
    ("torch.softmax(x, axis=-1)", False),
    ("torch.sum(x, 1, True, None, 3)", False),
    ("torch.mm(x, 1)", False),
    ("torch.add(x, None)", False),
    ("torch.add(x, 1, alpha=2)", True),
    ("torch.clamp(x, 0, 1)", True),
    ("torch.clamp(x, min=0.0, max=1.0)", True),
    ("torch.clamp(x, low=0.0)", False),
    ("torch.where(x > 0, x, 0)", True),
    ("torch.dropout(x, 0.5, True)", True),
    ("torch.dropout(x, 0, True)", False),
    ("torch.dropout(x, 0.5, train=True)", True),
    ("torch.dropout(x, p=0.5)", False),
    ("torch.flatten(x, 1)", True),
    ("torch.flatten(x, start_dim=1, end_dim=-1)", True),
    ("torch.flatten(x, start=1)", False),
    ("torch.transpose(x, 0, 1)", True),
    ("torch.transpose(x, 0)", False),
    ("torch.topk(x, 2, dim=-1, largest=True, sorted=True)", True),
    ("torch.topk(x, 2, dim=-1, descending=True)", False),
    ("torch.max(x, dim=0, keepdim=True)", True),
    ("torch.max(x, dim=0, keepdims=True)", False),
    ("torch.nn.functional.conv2d(x, x, None, 1)", True),
    ("F.conv2d(x, x, None, (1, 1), 'same')", True),
    ("F.conv2d(x, x, bias=None, stride=1, padding=0)", True),
    ("F.conv2d(x, x, bias=None, strides=1)", False),
    ("F.linear(x, x, None)", True),
    ("F.linear(x, x, biais=None)", False),
    ("F.gelu(x, approximate='tanh')", True),
    ("F.gelu(x, approximation='tanh')", False),
    ("F.softplus(x, beta=1.0, threshold=20.0)", True),
    ("F.pixel_shuffle(x, 2)", True),
    ("F.pixel_shuffle(x, scale=2)", False),
    ("x.view(2, 3)", True),
    ("x.view(-1)", True),
    ("x.view([2, 3])", True),
    ("x.reshape(2, -1)", True),
    ("x.permute(1, 0)", True),
    ("x.permute(dims=[1, 0])", True),
    ("x.expand(2, 3)", True),
    ("x.repeat(1, 2)", True),
    ("x.sum(dim=1, keepdim=True)", True),
    ("x.sum(dim=1, keepdims=True)", False),
    ("x.sum(1, True, 3)", False),
    ("x.mean(axis=0)", False),
    ("x.mean(0)", True),
    ("x.add(1.0, alpha=2)", True),
    ("x.unsqueeze(True)", True),
    ("x.unsqueeze(1)", True),
    ("x.unsqueeze(dim=1)", True),
    ("x.unsqueeze(axis=1)", False),
    ("x.unsqueeze(1, 2)", False),
    ("x.squeeze()", True),
    ("x.to(torch.float32)", True),
    ("x.to('cpu')", True),
    ("x.to(dtype=torch.float32, copy=True)", True),
    ("x.to(device='cpu', non_blocking=True)", True),
    ("x.to(torch.float32, blocking=True)", False),
    ("x.masked_fill(x > 0, 0.0)", True),
    ("x.masked_fill(x > 0, value=0.0)", True),
    ("x.masked_fill(mask=x > 0, value=0.0)", True),
    ("x.masked_fill(x > 0, fill=0.0)", False),
    ("x.transpose(0, 1)", True),
    ("x.transpose(0)", False),
    ("x.split(2, dim=0)", True),
    ("x.split([1, 2], 0)", True),
    ("x.contiguous()", True),
    ("x.contiguous(memory_format=torch.contiguous_format)", True),
    ("x.clone(memory=None)", False),
    ("x.size(0)", True),
    ("x.size(dim=0)", True),
    ("x.size('a')", False),
    ("x.size(0.5)", False),
    ("x.dim(1)", False),
    ("x.index_select(0, x)", True),
    ("x.new_zeros(2, 3)", True),
    ("x.new_zeros((2, 3), dtype=torch.float32)", True),
]


def _compiles(expr: str) -> tuple[bool, str]:
    module = load_example(textwrap.dedent(f"""
        import torch
        import torch.nn.functional as F
        from typing import List

        def fn(x: torch.Tensor, xs: List[torch.Tensor]):
            return {expr}
    """))
    try:
        torch.jit.script(module.fn)
        return True, ""
    except Exception as e:  # noqa: BLE001 - any compiler error
        return False, str(e).strip().splitlines()[0]


@pytest.mark.parametrize("expr,accepted", CALLS, ids=[c for c, _ in CALLS])
def test_loader_agrees_with_compiler(expr, accepted):
    ok, err = _compiles(expr)
    assert ok == accepted, f"the table says {accepted}, the compiler says {ok}: {err}"
    assert _predict(expr) == accepted


def _torch_names_without_ops():
    out = []
    for ns in ("torch", "torch.nn.functional", "torch.linalg", "torch.fft", "torch.special"):
        for name, op in sorted(schemas._data()["builtins"][ns].items()):
            if not schemas.is_known_op(op) and not name.startswith("_"):
                out.append(f"{ns}.{name}")
    return out


def test_builtins_without_ops_are_rejected():
    """Every public name the table maps to an operator the registry lacks is rejected by the
    compiler as an unknown builtin: what a rule may report with certainty."""
    names = _torch_names_without_ops()
    assert "torch.asarray" in names and len(names) > 20
    wrong = []
    for qual in names:
        module = load_example(textwrap.dedent(f"""
            import torch
            import torch.nn.functional

            def fn(x: torch.Tensor):
                return {qual}(x)
        """))
        try:
            torch.jit.script(module.fn)
            wrong.append((qual, "compiled"))
        except Exception as e:  # noqa: BLE001
            if "Unknown builtin op" not in str(e):
                wrong.append((qual, str(e).strip().splitlines()[0]))
    assert not wrong


def test_wrong_keyword_sweep():
    """For a sweep of builtin torch functions taking a Tensor first, a made-up keyword makes
    the loader say "no overload" and the compiler reject the call."""
    checked = 0
    for name, op in sorted(schemas._data()["builtins"]["torch"].items()):
        sch = schemas.overloads(op)
        if name.startswith("_") or not sch or checked >= 60:
            continue
        if not all(s.arguments and s.arguments[0].type == "Tensor" for s in sch):
            continue
        if not schemas.can_match(sch, [None], {}):
            continue
        assert not schemas.can_match(sch, [None], {"no_such_keyword": "int"})
        ok, err = _compiles(f"torch.{name}(x, no_such_keyword=1)")
        assert not ok, name
        checked += 1
    assert checked == 60
