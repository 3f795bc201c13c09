"""The type checker the script rules ask (linter/analysis/typecheck/certain.py: the certain type of an
expression; linter/analysis/typecheck/torchscript.py: TorchScript's types and its subtype relation), each
claim held against torch.jit.script on a real snippet.

A test writes a function ``root`` whose body binds ``probe``; it asks the checker what it
knows (the certain type of ``probe``, or whether ``probe: T = value`` is rejected) and asks the
compiler, which must agree: a type the checker is sure of is the type the compiler gives
(``torch.jit.script(root).graph`` types the returned value), and a mismatch the checker
reports is a compile error. "Unknown" answers are checked too: they are places where the
checker must stay silent.
"""

from __future__ import annotations

import textwrap
import warnings

import libcst as cst
import pytest
import torch

from compiler import load_example
from jitlint.linter.analysis.typecheck import torchscript as ts
from jitlint.linter.analysis.typecheck.certain import confident_type
from jitlint.linter.rules.base import Rule


class _Probe(Rule):
    """A throwaway rule: records what the checker says at ``return probe`` / ``probe: T = v``."""

    code = "JIT999"
    name = "probe"
    seen: dict = {}

    def visit_Return(self, node, ctx):
        if isinstance(node.value, cst.Name) and node.value.value == "probe":
            _Probe.seen["type"] = confident_type(node.value, ctx)

    def visit_AnnAssign(self, node, ctx):
        if isinstance(node.target, cst.Name) and node.target.value == "probe" and node.value is not None:
            _Probe.seen["mismatch"] = ts.assignment_mismatch(node.annotation, node.value, ctx)


def _ask(source: str) -> dict:
    """Walk ``source`` with the probe rule only, through the real file analyzer."""
    from jitlint.linter.file_checker import FileAnalyzer
    from jitlint.linter.function_walker import Dispatch

    _Probe.seen = {}
    FileAnalyzer("probe.py", source, "probe", "", Dispatch([_Probe()]), cst.parse_module(source)).run()
    return dict(_Probe.seen)


def _compiled_return_type(source: str) -> str:
    module = load_example(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn = torch.jit.script(module.root)
    return str(next(fn.graph.outputs()).type())


def _rejected(source: str) -> str:
    module = load_example(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.jit.script(module.root)
    except Exception as exc:  # noqa: BLE001 - any compile failure
        return f"{type(exc).__name__}: {str(exc).strip()}"
    return ""


def _src(body: str, params: str = "x: torch.Tensor") -> str:
    return ("from typing import Dict, List, Optional, Tuple, Union\nimport torch\n\n\n"
            f"def root({params}):\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n")


_TS_SPELLING = {"Tensor": "Tensor", "int": "int", "float": "float", "bool": "bool", "str": "str",
                ("list", "int"): "List[int]", ("tuple", ("Tensor", "int")): "Tuple[Tensor, int]"}

# (body, parameters, what the checker must answer: a Cat, or None for "unknown")
CERTAIN = [
    # locals are typed at their assignments; a parameter by its annotation, Tensor when unannotated
    ("probe = x.size(0)\nreturn probe", "x: torch.Tensor", "int"),
    ("probe = x\nreturn probe", "x", "Tensor"),
    ("probe = x.shape\nreturn probe", "x: torch.Tensor", ("list", "int")),
    ("probe = (x, 1)\nreturn probe", "x: torch.Tensor", ("tuple", ("Tensor", "int"))),
    ("probe = n / 2\nreturn probe", "n: int", "float"),
    ("probe = n // 2\nreturn probe", "n: int", "int"),
    # a binding that reads its own name keeps the type the others agree on
    ("probe = x\nfor i in range(3):\n    probe = probe + 1\nreturn probe", "x: torch.Tensor", "Tensor"),
    ("probe = n\nprobe = probe * 2\nreturn probe", "n: int", "int"),
    # branch joins of one type are that type
    ("if n > 0:\n    probe = 1\nelse:\n    probe = 2\nreturn probe", "n: int", "int"),
    # x.item() is a Scalar (number), which the checker does not claim to be int or float
    ("probe = x.sum().item()\nreturn probe", "x: torch.Tensor", None),
    # unknown where the bindings disagree (straight-line re-typing is legal in TorchScript)
    ("probe = 1\nprobe = 2.5\nreturn probe", "x: torch.Tensor", None),
    # x = x * 0.5 on an int: the assumption int does not hold, so unknown
    ("probe = n\nprobe = probe * 0.5\nreturn probe", "n: int", None),
    # the target of `for ... in range(...)` is an int; other loop targets are not claimed
    ("probe = 0\nfor probe in range(n):\n    pass\nreturn probe", "n: int", "int"),
    ("probe = 0.5\nfor probe in [1.0, 2.0]:\n    pass\nreturn probe", "x: torch.Tensor", None),
]


@pytest.mark.parametrize("body,params,expected", CERTAIN, ids=[f"certain-{i}" for i in range(len(CERTAIN))])
def test_certain_types_are_the_compilers(body, params, expected):
    source = _src(body, params)
    assert _ask(source).get("type") == expected
    if expected is not None:
        assert _compiled_return_type(source) == _TS_SPELLING[expected]


# (annotation and value lines, parameters, rejected?)  The checker's verdict must be the compiler's.
ANNOTATED = [
    ("probe: float = 4", "x: torch.Tensor", True),          # an int is not a float
    ("probe: int = True", "x: torch.Tensor", True),         # a bool is not an int
    ("probe: Optional[float] = 4", "x: torch.Tensor", True),
    ("probe: Optional[int] = 4", "x: torch.Tensor", False),
    ("probe: str = None", "x: torch.Tensor", True),
    ("probe: Optional[str] = None", "x: torch.Tensor", False),
    ("probe: Union[int, str] = 4", "x: torch.Tensor", False),
    ("probe: float = n", "x: torch.Tensor, n: int", True),
    ("probe: float = 2.0 * n", "x: torch.Tensor, n: int", False),
    ("probe: float = x.sum().item()", "x: torch.Tensor", True),  # a Scalar is not a float
    ("probe: torch.Tensor = 1", "x: torch.Tensor", True),
    ("probe: int = x.size(0)", "x: torch.Tensor", False),
    # containers are invariant; literals are typed element by element
    ("a: List[int] = [1, 2]\nprobe: List[Optional[int]] = a", "x: torch.Tensor", True),
    ("probe: List[Optional[int]] = [1, 2]", "x: torch.Tensor", False),
    ("probe: List[Optional[int]] = [1, None]", "x: torch.Tensor", False),
    ("probe: List[float] = [1, 2]", "x: torch.Tensor", True),
    ("probe: List[int] = [1, 2.0]", "x: torch.Tensor", True),
    ("probe: List[int] = []", "x: torch.Tensor", False),
    ("probe: List[List[int]] = [[], [1]]", "x: torch.Tensor", True),   # a nested [] is List[Tensor]
    ("a: Dict[str, int] = {'a': 1}\nprobe: Dict[str, Optional[int]] = a", "x: torch.Tensor", True),
    ("probe: Dict[str, Optional[int]] = {'a': 1}", "x: torch.Tensor", False),
    ("probe: Dict[str, float] = {'a': 1}", "x: torch.Tensor", True),
    # tuples are covariant
    ("probe: Tuple[int, Optional[int]] = (1, 2)", "x: torch.Tensor", False),
    ("probe: Tuple[int, float] = (1, 2)", "x: torch.Tensor", True),
    ("probe: List[torch.Tensor] = [x, x + 1]", "x: torch.Tensor", False),
    # a range() loop variable is an int (bench/cases/misc_ann_inloop.py)
    ("for i in range(3):\n    probe: float = i", "x: torch.Tensor", True),
    ("for i in range(1, n, 2):\n    probe: int = i", "x: torch.Tensor, n: int", False),
]


@pytest.mark.parametrize("lines,params,rejected", ANNOTATED, ids=[f"annotated-{i}" for i in range(len(ANNOTATED))])
def test_annotated_values_against_the_compiler(lines, params, rejected):
    source = _src(lines + "\nreturn x", params)
    verdict = _ask(source).get("mismatch")
    error = _rejected(source)
    assert bool(error) == rejected, error
    assert (verdict is not None) == rejected, verdict
    if rejected:
        assert "annotated" in error or "did not match" in error or "dict literal" in error


def test_unknown_is_not_false():
    # unknown parts never make a mismatch: a user class, Tuple[int, ...] and a local loop target
    assert ts.is_subtype(None, "int") is None
    assert ts.is_subtype("int", None) is None
    assert ts.is_subtype(("List", None), ("List", "int")) is None
    assert ts.is_subtype(("Tuple", ("int", None)), ("Tuple", ("int", "float"))) is None
    assert ts.parse_annotation(cst.parse_expression("Tuple[int, ...]"), None) is None
    assert ts.parse_annotation(cst.parse_expression("MyClass"), None) is None


def test_subtype_relation():
    opt_int = ts.make_union(("int", ts.NONE_T))
    assert opt_int == ("Optional", "int")
    assert ts.is_subtype("int", opt_int) is True
    assert ts.is_subtype(ts.NONE_T, opt_int) is True
    assert ts.is_subtype(opt_int, "int") is False
    assert ts.is_subtype("int", "float") is False
    assert ts.is_subtype(("List", "int"), ("List", opt_int)) is False
    assert ts.is_subtype(("Tuple", ("int",)), ("Tuple", (opt_int,))) is True
    assert ts.is_subtype("int", ("Union", ("int", "str"))) is True
    assert ts.is_subtype("Tensor", ts.ANY) is True
    assert ts.spell(("Dict", "str", opt_int)) == "Dict[str, Optional[int]]"


# Returns allow the compiler's implicit conversions (Tensor/Scalar/bool to int/float), never int to float.
RETURNS = [
    ("float", "0", True),
    ("float", "x.sum().item()", False),
    ("int", "x.dim() > 2", False),
    ("float", "True", False),
    ("bool", "x.any()", True),
    ("torch.Tensor", "x.size(0)", True),
    ("Optional[float]", "1", True),
    ("Optional[torch.Tensor]", "1", True),
    ("str", "None", True),
    ("List[int]", "x.shape", False),
    ("List[float]", "[1, 2]", True),
    ("List[Optional[int]]", "[1, 2]", False),
    ("Tuple[torch.Tensor, float]", "(x, 1)", True),
    ("Tuple[torch.Tensor, float]", "(x, x.sum().item())", False),
    ("int", "'a'", True),      # a str converts only to a device, never to a number
    ("float", "'a'", True),
]


class _ReturnProbe(_Probe):
    def visit_Return(self, node, ctx):
        if node.value is not None and ctx.function.node.returns is not None:
            _Probe.seen["return"] = ts.return_mismatch(ctx.function.node.returns, node.value, ctx)


@pytest.mark.parametrize("annotation,value,rejected", RETURNS, ids=[f"return-{i}" for i in range(len(RETURNS))])
def test_returns_against_the_compiler(annotation, value, rejected):
    from jitlint.linter.file_checker import FileAnalyzer
    from jitlint.linter.function_walker import Dispatch

    source = ("from typing import List, Optional, Tuple\nimport torch\n\n\n"
              f"def root(x: torch.Tensor) -> {annotation}:\n    return {value}\n")
    _Probe.seen = {}
    FileAnalyzer("probe.py", source, "probe", "", Dispatch([_ReturnProbe()]), cst.parse_module(source)).run()
    error = _rejected(source)
    assert bool(error) == rejected, error
    assert (_Probe.seen.get("return") is not None) == rejected, _Probe.seen


# NamedTuples: a field read has the field's annotated type (a collections.namedtuple field is a
# Tensor); a non-field, or an owner the checker cannot pin to one NamedTuple, is unknown.
_NT_HEADER = (
    "import collections\nfrom typing import List, NamedTuple, Optional, Tuple\nimport torch\n\n\n"
    "class P(NamedTuple):\n    n: int\n    t: torch.Tensor\n    z: Optional[float] = None\n    k = 3\n\n\n"
    "Q = collections.namedtuple('Q', 'a b')\nR = NamedTuple('R', [('u', List[int]), ('p', P)])\n\n\n"
)


def _nt_src(body: str, params: str) -> str:
    return _NT_HEADER + f"def root({params}):\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


NT_FIELDS = [
    ("probe = p.n\nreturn probe", "p: P", "int"),
    ("probe = p.t\nreturn probe", "p: P", "Tensor"),
    ("q = Q(x, x)\nprobe = q.a\nreturn probe", "x: torch.Tensor", "Tensor"),
    ("probe = P(1, x).n\nreturn probe", "x: torch.Tensor", "int"),
    ("r = R([1], P(2, x))\nprobe = r.u\nreturn probe", "x: torch.Tensor", ("list", "int")),
    ("r = R([1], P(2, x))\nprobe = r.p.t\nreturn probe", "x: torch.Tensor", "Tensor"),
    # unknown: an Optional[P] parameter, a local bound to two different things
    ("probe = x\nif p is not None:\n    probe = p.t\nreturn probe", "x: torch.Tensor, p: Optional[P]", None),
    ("v = P(1, x)\nif x.sum() > 0:\n    v = P(2, x + 1)\nprobe = v.t\nreturn probe", "x: torch.Tensor", "Tensor"),
    # a conditional expression is not followed (unknown, though it compiles)
    ("v = P(1, x) if x.sum() > 0 else P(2, x)\nprobe = v.t\nreturn probe", "x: torch.Tensor", None),
]


@pytest.mark.parametrize("body,params,expected", NT_FIELDS, ids=[f"nt-field-{i}" for i in range(len(NT_FIELDS))])
def test_namedtuple_field_types_are_the_compilers(body, params, expected):
    source = _nt_src(body, params)
    assert _ask(source).get("type") == expected
    if expected is not None:
        assert _compiled_return_type(source) == _TS_SPELLING[expected]


NT_ANNOTATED = [
    ("probe: float = p.n", "p: P", True),
    ("probe: int = p.n", "p: P", False),
    ("probe: Optional[float] = p.z", "p: P", False),
    ("probe: float = p.z", "p: P", True),          # Optional[float] is not a float
    ("probe: int = p.t", "p: P", True),
    ("probe: str = Q(x, x).b", "x: torch.Tensor", True),
    ("probe: torch.Tensor = Q(x, x).b", "x: torch.Tensor", False),
    ("probe: List[float] = R([1], P(1, x)).u", "x: torch.Tensor", True),   # List is invariant
    ("probe: Tuple[int, int] = (p.n, p.n)", "p: P", False),
]


@pytest.mark.parametrize("lines,params,rejected", NT_ANNOTATED,
                         ids=[f"nt-annotated-{i}" for i in range(len(NT_ANNOTATED))])
def test_namedtuple_fields_against_annotations(lines, params, rejected):
    source = _nt_src(lines + "\nreturn 0", params)
    verdict = _ask(source).get("mismatch")
    error = _rejected(source)
    assert bool(error) == rejected, error
    assert (verdict is not None) == rejected, verdict
    if rejected:
        assert "annotated with type" in error


def test_namedtuple_knowledge_stops_where_the_file_does_not_say():
    """A NamedTuple name bound twice in the file, a subclass of a NamedTuple and a local that
    shadows the name are not NamedTuples the checker knows: their field reads are unknown."""
    twice = _nt_src("probe = p.n\nreturn probe", "p: P").replace(
        "\n\ndef root", "\nif torch.cuda.is_available():\n    P = Q\n\n\ndef root")
    assert _ask(twice).get("type") is None
    sub = _NT_HEADER + "class S(P):\n    pass\n\n\ndef root(p: S):\n    probe = p.n\n    return probe\n"
    assert _ask(sub).get("type") is None
    # the same field read on the NamedTuple itself is known (and the compiler agrees)
    plain = _nt_src("probe = p.n\nreturn probe", "p: P")
    assert _ask(plain).get("type") == "int" and _compiled_return_type(plain) == "int"


# A NamedTuple value has its declared field types; it fits a Tuple of fitting elements or a
# NamedTuple with the same field names (covariantly); a plain tuple never fits a NamedTuple.
_NT_PAIR = ("\n\nclass V(NamedTuple):\n    n: int\n    t: torch.Tensor\n\n\n"
            "class S(NamedTuple):\n    n: Optional[int]\n    t: torch.Tensor\n\n\n"
            "class W(NamedTuple):\n    a: int\n    b: torch.Tensor\n\n\n"
            "class F(NamedTuple):\n    n: float\n    t: torch.Tensor\n\n\n")
NT_VALUES = [
    # (annotation, value, rejected?)
    ("S", "V(1, x)", False),                              # same names, int fits Optional[int]
    ("W", "V(1, x)", True),                               # other field names
    ("F", "V(1, x)", True),                               # int is not float
    ("Tuple[int, torch.Tensor]", "V(True, x)", False),     # the declared field types count
    ("Tuple[float, torch.Tensor]", "V(1, x)", True),
    ("V", "(1, x)", True),                                # a plain tuple is no NamedTuple
    ("int", "V(1, x)", True),
]


@pytest.mark.parametrize("annotation,value,rejected", NT_VALUES, ids=[f"nt-value-{i}" for i in range(len(NT_VALUES))])
def test_namedtuple_values_against_annotations_and_returns(annotation, value, rejected):
    from jitlint.linter.file_checker import FileAnalyzer
    from jitlint.linter.function_walker import Dispatch

    assigned = _NT_HEADER + _NT_PAIR + f"def root(x: torch.Tensor):\n    probe: {annotation} = {value}\n    return x\n"
    assert (_ask(assigned).get("mismatch") is not None) == rejected
    assert bool(_rejected(assigned)) == rejected, _rejected(assigned)
    returned = _NT_HEADER + _NT_PAIR + f"def root(x: torch.Tensor) -> {annotation}:\n    return {value}\n"
    _Probe.seen = {}
    FileAnalyzer("probe.py", returned, "probe", "", Dispatch([_ReturnProbe()]), cst.parse_module(returned)).run()
    assert (_Probe.seen.get("return") is not None) == rejected, _Probe.seen
    assert bool(_rejected(returned)) == rejected, _rejected(returned)
