"""``codemods/deprecated_api.py``: each legacy-API codemod alone, its refusals, and JIT402's fix.

The fixture pairs (``fixtures/deprecated_*``) hold the codemods through the fix loop against
the compiler; here each codemod is called directly, on the shapes it rewrites, the shapes it
refuses (:class:`CodemodFailed`, nothing changed) and its own output (applying it again
changes nothing). Where torch is installed, the rewritten classes are also scripted and
compared with eager: the fixture harness's ``warns`` verdict only proves the "out" is silent.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from jitlint.codemods.deprecated_api import (
    annotate_to_pep526, attribute_to_annotation, constants_to_final, script_module_to_module,
)
from jitlint.codemods.registry import CodemodFailed, apply_codemod
from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source

FIXTURES = Path(__file__).parent / "fixtures"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def load(source: str, tmp_path: Path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)
    return module


# -- script_module_to_module ---------------------------------------------------------------

LEGACY = src('''
    import torch
    from torch import nn


    class M(torch.jit.ScriptModule):
        def __init__(self):
            super().__init__()
            self.k = 2

        @torch.jit.script_method
        def scale(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.k

        @torch.jit.script_method
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.scale(x) + 1
    ''')

MODERN = src('''
    import torch
    from torch import nn


    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 2

        @torch.jit.export
        def scale(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.k

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.scale(x) + 1
    ''')


def test_script_module_becomes_an_nn_module_in_the_files_spelling():
    assert script_module_to_module(LEGACY, "M") == MODERN


def test_script_module_through_the_registry():
    assert apply_codemod("script-module-to-module", LEGACY, ("M",)) == MODERN


def test_script_module_is_idempotent():
    assert script_module_to_module(MODERN, "M") == MODERN


def test_torch_nn_module_without_an_nn_import():
    source = LEGACY.replace("from torch import nn\n", "")
    assert script_module_to_module(source, "M") == MODERN.replace("from torch import nn\n", "").replace(
        "class M(nn.Module)", "class M(torch.nn.Module)")


def test_bare_imports_are_dropped_once_unused():
    source = src('''
        import torch
        from torch.jit import ScriptModule, script_method


        def build():
            class M(ScriptModule):
                @script_method
                def helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x + 1

                @script_method
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.helper(x)
            return M()
        ''')
    out = script_module_to_module(source, "build.M")
    assert out == src('''
        import torch


        def build():
            class M(torch.nn.Module):
                @torch.jit.export
                def helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x + 1

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.helper(x)
            return M()
        ''')


def test_torch_import_is_added_when_the_file_has_none():
    source = src('''
        from torch.jit import ScriptModule, script_method


        class M(ScriptModule):
            @script_method
            def forward(self, x):
                return x + 1
        ''')
    out = script_module_to_module(source, "M")
    assert "import torch\n" in out and "class M(torch.nn.Module):" in out and "ScriptModule" not in out


def test_other_decorators_and_comments_stay():
    source = src('''
        import torch


        class M(torch.jit.ScriptModule):
            # compiled entry point
            @torch.jit.script_method
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x

            @staticmethod
            def tool() -> int:
                return 1
        ''')
    out = script_module_to_module(source, "M")
    assert "    # compiled entry point\n    def forward" in out
    assert "    @staticmethod\n    def tool" in out


def test_script_module_constants_kept_or_converted():
    source = src('''
        import torch


        class M(torch.jit.ScriptModule):
            __constants__ = ["k"]

            def __init__(self):
                super().__init__()
                self.k = 3

            @torch.jit.script_method
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x * self.k
        ''')
    kept = script_module_to_module(source, "M", False)
    assert '__constants__ = ["k"]' in kept and "Final" not in kept
    converted = script_module_to_module(source, "M", True)
    assert "__constants__" not in converted and "    k: Final[int]\n" in converted
    assert "from typing import Final" in converted
    assert script_module_to_module(source, "M") == converted  # "auto" converts what it can


def test_script_module_constants_it_cannot_type():
    source = src('''
        import torch
        from torch import nn


        class M(torch.jit.ScriptModule):
            __constants__ = ["layers"]

            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(2, 2)])

            @torch.jit.script_method
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                for layer in self.layers:
                    x = layer(x)
                return x
        ''')
    with pytest.raises(CodemodFailed, match="layers"):
        script_module_to_module(source, "M", True)
    out = script_module_to_module(source, "M")  # "auto": nn.Module honours __constants__ too
    assert '__constants__ = ["layers"]' in out and "class M(nn.Module):" in out


@pytest.mark.parametrize("body, why", [
    ('''
        class M(torch.jit.ScriptModule):
            @torch.jit.script_method
            def forward(self, x):
                return x

        class N(M):
            pass
     ''', "subclassed"),
    ('''
        class M(torch.jit.ScriptModule, metaclass=type):
            @torch.jit.script_method
            def forward(self, x):
                return x
     ''', "keywords"),
    ('''
        class M(torch.jit.ScriptModule):
            def __init__(self):
                super().__init__()
                self.define("def extra(self, x):\\n  return x\\n")

            @torch.jit.script_method
            def forward(self, x):
                return x
     ''', "self.define"),
    ('''
        class M(torch.jit.ScriptModule):
            @torch.jit.script_method
            def forward(self, x):
                return x

            def show(self):
                return self.graph
     ''', "self.graph"),
    ('''
        class M(torch.jit.ScriptModule):
            def _forward(self, x):
                return x

            forward = torch.jit.script_method(_forward)
     ''', "another way"),
    ('''
        class M(torch.jit.ScriptModule):
            @torch.jit.script_method
            def forward(self, x):
                return x

            def grow(self):
                self.extra = torch.jit.Attribute(1, int)
     ''', "Attribute"),
    ('''
        class Base(torch.jit.ScriptModule):
            pass

        class M(Base):
            @torch.jit.script_method
            def forward(self, x):
                return x
     ''', "direct"),
    ('''
        class M(torch.jit.ScriptModule):
            @torch.jit.script_method
            def __getstate__(self):
                return (self.training,)

            @torch.jit.script_method
            def forward(self, x):
                return x
     ''', "special method"),
])
def test_script_module_refusals(body, why):
    source = "import torch\n\n" + textwrap.dedent(body).lstrip("\n")
    with pytest.raises(CodemodFailed, match=why):
        script_module_to_module(source, "M")


def test_classes_are_named_by_path():
    source = src('''
        import torch


        def a():
            class M(torch.jit.ScriptModule):
                @torch.jit.script_method
                def forward(self, x):
                    return x
            return M()


        def b():
            class M(torch.jit.ScriptModule):
                @torch.jit.script_method
                def forward(self, x):
                    return x + 1
            return M()
        ''')
    out = script_module_to_module(source, "b.M")
    assert out.count("torch.jit.ScriptModule") == 1 and out.count("torch.nn.Module") == 1
    assert out.index("torch.jit.ScriptModule") < out.index("torch.nn.Module")
    with pytest.raises(CodemodFailed, match="no class"):
        script_module_to_module(source, "M")
    with pytest.raises(CodemodFailed, match="parse"):
        script_module_to_module("class (:\n", "M")


# -- constants_to_final --------------------------------------------------------------------

CONSTANTS = src('''
    import torch
    from typing import Final


    class M(torch.nn.Module):
        """Doc."""

        __constants__ = ["k", "eps", "flag", "name", "pair", "neg"]

        def __init__(self, k: int):
            super().__init__()
            self.k = k
            self.eps = 1e-5
            self.flag = True
            self.name = "relu"
            self.pair = (1, 2.5)
            self.neg = -3
            if self.flag:
                self.eps = 1e-6

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if self.flag:
                x = x + self.eps
            return x * self.k + self.pair[0] + self.neg
    ''')


def test_constants_become_final_annotations():
    out = constants_to_final(CONSTANTS, "M")
    assert out == CONSTANTS.replace(
        '    __constants__ = ["k", "eps", "flag", "name", "pair", "neg"]\n',
        "    k: Final[int]\n    eps: Final[float]\n    flag: Final[bool]\n    name: Final[str]\n"
        "    pair: Final[tuple[int, float]]\n    neg: Final[int]\n")
    assert constants_to_final(out, "M") == out
    assert apply_codemod("constants-to-final", CONSTANTS, ("M",)) == out


def test_constants_spell_final_with_the_files_imports():
    plain = CONSTANTS.replace("from typing import Final\n", "")
    with_typing = plain.replace("import torch\n", "import torch\nimport typing\n")
    assert "    k: typing.Final[int]\n" in constants_to_final(with_typing, "M")
    added = constants_to_final(plain, "M")
    assert "from typing import Final" in added and "    k: Final[int]\n" in added


@pytest.mark.parametrize("init, why", [
    ("self.k = k", "`k`"),                                 # unannotated parameter
    ("self.k = [1, 2]", "`k`"),                            # not a literal type
    ("self.k = 1\nself.k = 'a'", "`k`"),                    # two types
    ("pass", "never set"),
    ("self.k, self.j = 1, 2", "elsewhere"),
])
def test_constants_with_unknown_types_are_refused(init, why):
    source = src('''
        import torch
        from typing import Final


        class M(torch.nn.Module):
            __constants__ = ["k"]

            def __init__(self, k):
                super().__init__()
        ''') + textwrap.indent(init, " " * 8) + "\n"
    with pytest.raises(CodemodFailed, match=why):
        constants_to_final(source, "M")


def test_constants_refusals_elsewhere():
    base = src('''
        import torch
        from typing import Final


        class M(torch.nn.Module):
            __constants__ = ["k"]

            def __init__(self):
                super().__init__()
                self.k = 1

            def reset(self):
                self.k = 2
        ''')
    with pytest.raises(CodemodFailed, match="elsewhere"):
        constants_to_final(base, "M")
    read = base.replace("    def reset(self):\n        self.k = 2\n", "") + "\nprint(M.__constants__)\n"
    with pytest.raises(CodemodFailed, match="elsewhere in the file"):
        constants_to_final(read, "M")
    with pytest.raises(CodemodFailed, match="list of names"):
        constants_to_final(base.replace('["k"]', "NAMES"), "M")
    twice = base.replace('    __constants__ = ["k"]\n', '    __constants__ = ["k"]\n    k: int\n    k: float\n')
    with pytest.raises(CodemodFailed, match="annotated twice"):
        constants_to_final(twice, "M")


def test_annotated_constants_keep_their_annotation_type():
    source = src('''
        import torch
        from typing import Final, Optional


        class Norm(torch.nn.Module):
            __constants__ = ["features", "eps", "affine", "momentum"]
            features: int
            eps: float
            affine: Final[bool]
            momentum: Optional[float]

            def __init__(self, features: int, momentum: Optional[float] = 0.1):
                super().__init__()
                self.features = features
                self.eps = 1e-5
                self.affine = True
                self.momentum = momentum


        class Other(torch.nn.Module):
            __constants__ = ["k"]

            def __init__(self):
                super().__init__()
                self.k = 3
        ''')
    out = constants_to_final(source, "Norm")
    assert out == source.replace('    __constants__ = ["features", "eps", "affine", "momentum"]\n', "").replace(
        "    features: int\n    eps: float\n", "    features: Final[int]\n    eps: Final[float]\n").replace(
        "    momentum: Optional[float]\n", "    momentum: Final[Optional[float]]\n")
    # another class's own ``__constants__`` is not a use that pins this one
    assert "    k: Final[int]\n" in constants_to_final(out, "Other")


def test_annotated_constants_compile_as_constants(tmp_path):
    torch = pytest.importorskip("torch")
    source = src('''
        import torch
        from typing import Final


        class M(torch.nn.Module):
            __constants__ = ["flag"]
            flag: bool

            def __init__(self):
                super().__init__()
                self.flag = False

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                if self.flag:
                    return x.relu()
                return x
        ''')
    module = load(constants_to_final(source, "M"), tmp_path, "dep_annotated_final")
    scripted = torch.jit.script(module.M())
    assert "relu" not in scripted.code  # folded: still a constant


def test_constants_noop_without_constants():
    assert constants_to_final(MODERN, "M") == MODERN


# -- attribute_to_annotation ---------------------------------------------------------------

ATTRIBUTES = src('''
    from typing import Dict, Optional

    import torch


    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.names = torch.jit.Attribute({}, Dict[str, int])
            self.limit = torch.jit.Attribute(value=None, type=Optional[float])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * len(self.names)
    ''')


def test_attribute_becomes_a_class_annotation():
    out = attribute_to_annotation(ATTRIBUTES, "M")
    assert out == src('''
        from typing import Dict, Optional

        import torch


        class M(torch.nn.Module):
            names: Dict[str, int]
            limit: Optional[float]

            def __init__(self):
                super().__init__()
                self.names = {}
                self.limit = None

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x * len(self.names)
        ''')
    assert attribute_to_annotation(out, "M") == out
    assert apply_codemod("jit-attribute-to-annotation", ATTRIBUTES, ("M",)) == out


def test_attribute_bare_import_is_dropped():
    source = ATTRIBUTES.replace("import torch\n", "import torch\nfrom torch.jit import Attribute\n").replace(
        "torch.jit.Attribute(", "Attribute(")
    out = attribute_to_annotation(source, "M")
    assert "Attribute" not in out and "    names: Dict[str, int]\n" in out


@pytest.mark.parametrize("line, why", [
    ("self.xs = [torch.jit.Attribute(1, int)]", "elsewhere"),
    ("xs = torch.jit.Attribute(1, int)", "elsewhere"),
    ("T = int\nself.x = torch.jit.Attribute(1, T)", "local"),
    ("self.x = torch.jit.Attribute(1)", "value and a type"),
    ("self.x = torch.jit.Attribute(1, int)\nself.x = torch.jit.Attribute(1.0, float)", "two types"),
])
def test_attribute_refusals(line, why):
    source = src('''
        import torch


        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
        ''') + textwrap.indent(line, " " * 8) + "\n"
    with pytest.raises(CodemodFailed, match=why):
        attribute_to_annotation(source, "M")


# -- annotate_to_pep526 --------------------------------------------------------------------

ANNOTATE = src('''
    from typing import Dict, List

    import torch

    TABLE = torch.jit.annotate(Dict[str, int], {})


    def f(x: torch.Tensor) -> List[int]:
        out = torch.jit.annotate(List[int], [])
        out.append(int(x.sum()))
        return out + [torch.jit.annotate(int, 1)]
    ''')


def test_annotate_becomes_pep526_in_functions_only():
    out = annotate_to_pep526(ANNOTATE)
    assert out == ANNOTATE.replace("out = torch.jit.annotate(List[int], [])", "out: List[int] = []")
    assert annotate_to_pep526(out) == out
    assert apply_codemod("jit-annotate-to-pep526", ANNOTATE, ()) == out


def test_annotate_one_site():
    assert annotate_to_pep526(ANNOTATE, 9, 10) == annotate_to_pep526(ANNOTATE)
    with pytest.raises(CodemodFailed, match="module or class level"):
        annotate_to_pep526(ANNOTATE, 5, 8)
    with pytest.raises(CodemodFailed, match="simple statement"):
        annotate_to_pep526(ANNOTATE, 11, 18)
    with pytest.raises(CodemodFailed, match="no single"):
        annotate_to_pep526(ANNOTATE, 10, 0)


@pytest.mark.parametrize("body", [
    "a = b = torch.jit.annotate(List[int], [])",
    "a, b = torch.jit.annotate(Tuple[int, int], (1, 2))",
    "x = torch.jit.annotate(List[int], [])",             # a parameter
    "global G\n    G = torch.jit.annotate(List[int], [])",
    "y = torch.jit.annotate(List[int], []) + []",
])
def test_annotate_other_shapes_are_left_alone(body):
    source = f"import torch\nfrom typing import List, Tuple\n\n\ndef f(x):\n    {body}\n"
    assert annotate_to_pep526(source) == source


# -- JIT402 offers the class rewrite -------------------------------------------------------


def _fixes(source: str):
    return [f.fix for f in check_source(source, "x.py", Settings(select=["JIT402"])) if f.code == "JIT402"]


def test_jit402_offers_the_codemod_as_an_unsafe_fix():
    fixes = _fixes(LEGACY)
    assert len(fixes) == 2 and all(f is not None for f in fixes)
    fix = fixes[0]
    assert fix.applicability == "unsafe" and fix.edits == () and fix.imports == ()
    assert fix.codemod == ("script-module-to-module", ("M", False))


def test_jit402_predicts_constants_and_imports():
    source = src('''
        from torch.jit import ScriptModule, script_method


        def build():
            class M(ScriptModule):
                __constants__ = ["k"]

                def __init__(self):
                    super().__init__()
                    self.k = 3

                @script_method
                def helper(self, x):
                    return x * self.k
            return M()
        ''')
    (fix,) = _fixes(source)
    assert fix.codemod == ("script-module-to-module", ("build.M", True))
    assert set(fix.imports) == {("torch", None), ("typing", "Final")}
    untyped = source.replace("self.k = 3", "self.k = [3]")
    (fix,) = _fixes(untyped)
    assert fix.codemod == ("script-module-to-module", ("build.M", False)) and fix.imports == (("torch", None),)


def test_jit402_names_nested_classes_as_the_codemod_does():
    source = src('''
        import torch


        class Outer:
            def make(self):
                class M(torch.jit.ScriptModule):
                    @torch.jit.script_method
                    def forward(self, x):
                        return x
                return M()


        if True:
            class N(torch.jit.ScriptModule):
                @torch.jit.script_method
                def forward(self, x):
                    return x
        ''')
    fixes = _fixes(source)
    assert sorted(f.codemod[1][0] for f in fixes) == ["N", "Outer.make.M"]
    for fix in fixes:
        out = apply_codemod(*fix.codemod[:1], source, fix.codemod[1])
        assert out.count("torch.jit.ScriptModule") == 1


def test_jit402_predicts_annotated_constants():
    source = src('''
        import torch


        class M(torch.jit.ScriptModule):
            __constants__ = ["k"]
            k: int

            def __init__(self, k):
                super().__init__()
                self.k = k

            @torch.jit.script_method
            def forward(self, x):
                return x * self.k
        ''')
    (fix,) = _fixes(source)
    assert fix.codemod == ("script-module-to-module", ("M", True)) and fix.imports == (("typing", "Final"),)
    with_final = source.replace("import torch\n", "import torch\nfrom typing import Final\n")
    out = script_module_to_module(with_final, *fix.codemod[1])
    assert "    k: Final[int]\n" in out and "__constants__" not in out


def test_jit402_no_fix_for_an_indirect_subclass():
    source = src('''
        import torch


        class Base(torch.jit.ScriptModule):
            pass


        class M(Base):
            @torch.jit.script_method
            def forward(self, x):
                return x
        ''')
    assert _fixes(source) == [None]


# -- against the compiler ------------------------------------------------------------------


def _same(a, b) -> bool:
    torch = sys.modules["torch"]
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and bool(torch.allclose(a, b))
    return a == b


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("deprecated_*.out.py")), ids=lambda p: p.name)
def test_fixture_out_scripts_and_matches_eager(path, tmp_path):
    """The rewritten class compiles with torch.jit.script and runs like eager (and like the
    ScriptModule it replaces), with the exported methods kept."""
    torch = pytest.importorskip("torch")
    out = load(path.read_text(), tmp_path, f"dep_out_{path.name.split('.')[0]}")
    before = load(path.with_name(path.name.replace(".out.py", ".in.py")).read_text(), tmp_path,
                  f"dep_in_{path.name.split('.')[0]}")
    inputs = eval(out.JITLINT_FIXTURE["inputs"], {"torch": torch})  # noqa: S307 - fixture data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(1)
        legacy = before.build()
        torch.manual_seed(1)
        eager = out.build()
        scripted = torch.jit.script(eager)
    assert isinstance(legacy, torch.jit.ScriptModule) and not isinstance(eager, torch.jit.ScriptModule)
    for args in inputs:
        assert _same(eager(*args), scripted(*args)) and _same(legacy(*args), scripted(*args))
    for name in legacy._c._method_names():
        assert hasattr(scripted, name), f"`{name}` was compiled on the ScriptModule, not on the scripted module"


def test_constants_out_compiles_and_folds(tmp_path):
    torch = pytest.importorskip("torch")
    module = load(constants_to_final(CONSTANTS, "M"), tmp_path, "dep_constants_final")
    eager = module.M(2)
    scripted = torch.jit.script(eager)
    x = torch.ones(2)
    assert _same(eager(x), scripted(x))
    assert "self.flag" not in scripted.code  # folded as a constant, as with __constants__


def test_attribute_and_annotate_outs_compile(tmp_path):
    torch = pytest.importorskip("torch")
    module = load(attribute_to_annotation(ATTRIBUTES, "M"), tmp_path, "dep_attr_ann")
    scripted = torch.jit.script(module.M())
    assert _same(scripted(torch.ones(2)), module.M()(torch.ones(2)))
    module = load(annotate_to_pep526(ANNOTATE), tmp_path, "dep_pep526")
    assert torch.jit.script(module.f)(torch.ones(3)) == module.f(torch.ones(3)) == [3, 1]
