"""JIT150 (torch operator calls) and JIT151 (user function calls) against the real compiler on
generated sweeps: for every generated call the rules must flag exactly the calls
``torch.jit.script`` rejects.

Every argument of a generated call has a type the analysis is certain of (annotated parameters,
literals, lists of literals), and the call's result is not used, so the compiler rejects a case
only for its arguments.
"""

from __future__ import annotations

import itertools
import random
import textwrap

import pytest

torch = pytest.importorskip("torch")

from compiler import load_example  # noqa: E402
from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402
from jitlint.linter.rules.base import SCRIPT  # noqa: E402

HEADER = "import torch\nfrom typing import List, Optional\n"

# calls that compile; x: Tensor, n: int, f: float, s: str
OP_BASES = [
    "torch.relu(x)", "torch.sum(x, 0)", "torch.sum(x, dim=0)", "torch.cat([x, x], 0)",
    "torch.stack([x, x], dim=0)", "torch.clamp(x, 0.0, 1.0)", "torch.clamp(x, min=f)",
    "torch.add(x, x, alpha=2)", "torch.mul(x, 2.0)", "torch.zeros([2, 3])", "torch.ones(n, 2)",
    "torch.arange(0, n, 1)", "torch.full([2], f)", "torch.transpose(x, 0, 1)",
    "torch.flatten(x, 1)", "torch.softmax(x, -1)", "torch.unsqueeze(x, n)", "torch.squeeze(x, 0)",
    "torch.pow(x, 2)", "torch.topk(x, n)", "torch.narrow(x, 0, 0, n)", "torch.matmul(x, x)",
    "torch.where(x, x, x)", "torch.nn.functional.conv1d(x, x)", "torch.linalg.norm(x)",
    "torch.special.expit(x)", "torch.nn.functional.linear(x, x)",
    "x.view(-1)", "x.view(n, -1)", "x.reshape([n, -1])", "x.sum(0, True)", "x.permute(1, 0)",
    "x.transpose(0, 1)", "x.unsqueeze(0)", "x.squeeze()", "x.clamp(min=0.0)",
    "x.masked_fill(x, 0.0)", "x.contiguous()", "x.flatten(1)", "x.mean([0, 1])",
    "x.expand(2, 2)", "x.repeat(2, 1)", "x.add(x, alpha=2)", "x.mul(f)", "x.softmax(-1)",
    "x.topk(1)", "x.chunk(2, dim=0)", "x.split(1, 0)", "x.index_select(0, x)", "x.type_as(x)",
    "x.new_zeros([2])", "x.clone()", "x.pow(2)", "x.argmax(dim=1)", "x.norm(p=2, dim=1)",
    "x.size(n)", "x.narrow(0, 0, n)", "x.roll(1, 0)", "x.cumsum(0)", "x.gather(0, x)",
]


def _mutations(call: str):
    head, args = call[:-1].split("(", 1)
    parts = [a.strip() for a in args.split(",")] if args.strip() else []
    # re-join list literals split above
    joined, depth = [], 0
    for p in parts:
        if depth:
            joined[-1] += ", " + p
        else:
            joined.append(p)
        depth += p.count("[") - p.count("]")
    pos = [p for p in joined if "=" not in p]
    kws = [p for p in joined if "=" in p]

    def build(ps, ks):
        return f"{head}({', '.join(ps + ks)})"

    yield call
    yield build(pos, kws + ["zzz=1"])
    yield build(pos + ["x"], kws)
    yield build(pos + ["1"], kws)
    yield build(pos + ["s"], kws)
    if pos:
        yield build(pos[:-1], kws)
        yield build(pos[:-1] + ["None"], kws)
        yield build(pos[:-1] + ["s"], kws)
        yield build(pos[:-1] + ["2.5"], kws)
        yield build(pos[:-1] + ["[1, 2]"], kws)
    if kws:
        name = kws[-1].split("=")[0]
        yield build(pos + ["0"], kws)
        yield build(pos, kws[:-1] + [f"{name}=s"])
        yield build(pos, kws[:-1] + [f"{name}=None"])


OP_CASES = sorted({m for base in OP_BASES for m in _mutations(base)})


def _lint(source: str, codes):
    settings = Settings(select=["ALL"], modes=[SCRIPT], script_roots=["root"])
    return sorted({f.code for f in check_source(source, "case.py", settings) if f.code in codes})


def _rejected(source: str):
    module = load_example(source)
    try:
        torch.jit.script(module.root)
    except Exception as exc:  # noqa: BLE001 - any compile failure
        return str(exc).strip().splitlines()[0]
    return None


def test_operator_sweep():
    assert len(OP_CASES) > 400
    wrong = []
    n_rejected = 0
    for call in OP_CASES:
        source = HEADER + textwrap.dedent(f"""
            def root(x: torch.Tensor, n: int, f: float, s: str) -> torch.Tensor:
                y = {call}
                return x
        """)
        error = _rejected(source)
        n_rejected += error is not None
        flagged = bool(_lint(source, {"JIT150", "JIT145"}))
        if flagged != (error is not None):
            wrong.append((call, "flagged" if flagged else "missed", error))
    assert not wrong, wrong
    # the sweep really exercises both sides
    assert 150 < n_rejected < len(OP_CASES) - 100


SIGNATURES = [
    "a: torch.Tensor, b: int = 1",
    "a: torch.Tensor, b: int, c: float = 2.0",
    "a: torch.Tensor, b: Optional[int] = None",
    "a: torch.Tensor, b: List[int]",
    "a: torch.Tensor, b: str = 'x'",
    "a: torch.Tensor, b: bool = False, c: int = 0",
    "a: torch.Tensor",
    "a: torch.Tensor, b: torch.Tensor, c: Optional[torch.Tensor] = None",
]
VALUES = ["x", "n", "f", "s", "1", "2.5", "None", "'t'", "[1, 2]", "True"]
NAMES = ["a", "b", "c", "d"]


def _user_calls(seed: int = 15, per_signature: int = 40):
    rng = random.Random(seed)
    out = []
    for sig in SIGNATURES:
        seen = set()
        for _ in range(per_signature * 3):
            n_pos = rng.choice([0, 1, 1, 2, 2, 3, 4])
            pos = ["x"] + [rng.choice(VALUES) for _ in range(n_pos - 1)] if n_pos else []
            kws = rng.sample(NAMES, rng.choice([0, 0, 1, 1, 2]))
            args = ", ".join(pos + [f"{k}={rng.choice(VALUES)}" for k in kws])
            if args not in seen:
                seen.add(args)
                out.append((sig, args))
            if len(seen) == per_signature:
                break
    return out


USER_CASES = _user_calls()


@pytest.mark.parametrize("as_method", [False, True], ids=["function", "method"])
def test_user_call_sweep(as_method):
    cases = USER_CASES if not as_method else USER_CASES[::3]
    wrong = []
    n_rejected = 0
    for sig, args in cases:
        if as_method:
            source = HEADER + textwrap.dedent(f"""
                class Root(torch.nn.Module):
                    def helper(self, {sig}) -> int:
                        return 0

                    def forward(self, x: torch.Tensor, n: int, f: float, s: str) -> torch.Tensor:
                        y = self.helper({args})
                        return x
            """)
        else:
            source = HEADER + textwrap.dedent(f"""
                def helper({sig}) -> int:
                    return 0

                def root(x: torch.Tensor, n: int, f: float, s: str) -> torch.Tensor:
                    y = helper({args})
                    return x
            """)
        if as_method:
            module = load_example(source)
            try:
                torch.jit.script(module.Root())
                error = None
            except Exception as exc:  # noqa: BLE001
                error = str(exc).strip().splitlines()[0]
            settings = Settings(select=["ALL"], modes=[SCRIPT], script_roots=["Root"])
            flagged = bool({f.code for f in check_source(source, "case.py", settings)}
                           & {"JIT151", "JIT211"})
        else:
            error = _rejected(source)
            flagged = bool(_lint(source, {"JIT151", "JIT211"}))
        n_rejected += error is not None
        if flagged != (error is not None):
            wrong.append((sig, args, "flagged" if flagged else "missed", error))
    assert not wrong, wrong
    assert 0.3 * len(cases) < n_rejected < len(cases) - 3


@pytest.mark.parametrize("code", [
    # not checked: the callee's signature is not the compiled one or not known here
    "def helper(a: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:\n    return a",
    "@torch.jit.ignore\ndef helper(a: torch.Tensor) -> torch.Tensor:\n    return a",
])
def test_user_call_silent_where_signature_is_not_schema(code):
    source = HEADER + code + textwrap.dedent("""

        def root(x: torch.Tensor) -> torch.Tensor:
            return helper(x, x, x)
    """)
    assert "JIT151" not in _lint(source, {"JIT151"})


def test_silent_where_types_are_unknown():
    source = HEADER + textwrap.dedent("""
        def make(n: int):
            return [n]

        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.k = make(3)

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return torch.nn.functional.avg_pool1d(x, self.k, self.k)
    """)
    settings = Settings(select=["ALL"], modes=[SCRIPT], script_roots=["M"])
    assert not [f for f in check_source(source, "case.py", settings) if f.code == "JIT150"]


def test_sweeps_are_deterministic():
    assert _user_calls() == USER_CASES
    assert list(itertools.islice(OP_CASES, 3)) == sorted(OP_CASES)[:3]
