"""``codemods/imports.py``: the imports a fix needs, added with libcst and merged with the file's."""

from __future__ import annotations

import ast

import pytest

from jitlint.codemods.imports import add_imports, module_bindings
from jitlint.codemods.writes import read_source

OPTIONAL = ("typing", "Optional")
TORCH = ("torch", None)


def test_merged_into_the_existing_typing_import():
    source = "from typing import List\nimport torch\n\n\ndef f(x: List[int]) -> int:\n    return x[0]\n"
    out = add_imports(source, [OPTIONAL, ("typing", "List")])
    assert out == source.replace("from typing import List", "from typing import Optional, List")


def test_merged_into_a_parenthesised_multiline_import():
    source = "from typing import (\n    Dict,  # keys are str\n    List,\n)\nimport torch\n"
    out = add_imports(source, [OPTIONAL, ("typing", "Dict")])
    assert out.count("from typing import") == 1
    assert "# keys are str" in out
    assert {a.name for node in ast.walk(ast.parse(out)) if isinstance(node, ast.ImportFrom)
            for a in node.names} == {"Dict", "List", "Optional"}


def test_added_from_nothing():
    assert add_imports("def f(x):\n    return x\n", [OPTIONAL, TORCH]) == (
        "import torch\nfrom typing import Optional\n\ndef f(x):\n    return x\n")


@pytest.mark.parametrize("source", [
    "from typing import Optional\nx = 1\n",
    "from typing import Optional as Optional\nx = 1\n",
    "from typing import *\nx = 1\n",
    "import sys\nsys.path.insert(0, '.')\nfrom typing import Optional\n",   # not in the top import block
    "try:\n    from typing import Optional\nexcept ImportError:\n    Optional = None\n",
    "class Optional:\n    pass\n",                                          # bound to something else: never shadowed
])
def test_nothing_added_when_the_name_is_bound(source):
    assert add_imports(source, [OPTIONAL]) == source


def test_torch_bound_by_a_submodule_import_or_not_by_an_alias():
    assert add_imports("import torch.nn\n", [TORCH]) == "import torch.nn\n"
    assert add_imports("import torch.nn as nn\n", [TORCH]) == "import torch.nn as nn\nimport torch\n"
    assert add_imports("from torch import nn\n", [TORCH]) == "from torch import nn\nimport torch\n"


def test_other_spellings_do_not_count_as_the_name():
    # `import typing` binds `typing`, `Optional as Opt` binds `Opt`: `Optional` is still free.
    assert add_imports("import typing\n", [OPTIONAL]) == "import typing\nfrom typing import Optional\n"
    out = add_imports("from typing import Optional as Opt\n", [OPTIONAL])
    assert "Optional as Opt" in out and ast.parse(out)
    assert "Optional" in module_bindings(__import__("libcst").parse_module(out))


def test_type_checking_imports_bind_nothing_at_run_time():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from typing import Optional\n"
    out = add_imports(source, [OPTIONAL])
    assert out == "from typing import Optional, TYPE_CHECKING\nif TYPE_CHECKING:\n    from typing import Optional\n"


def test_after_docstring_future_and_comments():
    source = ('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Module doc."""\n'
              "from __future__ import annotations\n\nX = 1\n")
    out = add_imports(source, [OPTIONAL, TORCH])
    assert out == ('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Module doc."""\n'
                   "from __future__ import annotations\nimport torch\nfrom typing import Optional\n\nX = 1\n")


def test_crlf_kept():
    source = '"""Doc."""\r\nimport torch\r\n\r\n\r\ndef f(x):\r\n    return x\r\n'
    out = add_imports(source, [OPTIONAL])
    assert out == '"""Doc."""\r\nimport torch\r\nfrom typing import Optional\r\n\r\n\r\ndef f(x):\r\n    return x\r\n'
    assert "\n" not in out.replace("\r\n", "")


def test_idempotent_and_nothing_to_do():
    source = "import torch\n\nx = 1\n"
    once = add_imports(source, [OPTIONAL, ("typing", "List"), TORCH])
    assert add_imports(once, [OPTIONAL, ("typing", "List"), TORCH]) == once
    assert add_imports(source, []) is source
    assert add_imports(source, [TORCH, TORCH]) is source


def test_unparsable_text_is_returned_unchanged():
    assert add_imports("def f(:\n", [OPTIONAL]) == "def f(:\n"


def test_a_real_file_keeps_its_encoding_and_bom(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n\"\"\"Caf\xc3\xa9.\"\"\"\r\nimport torch\r\n")
    src = read_source(str(path))
    data = src.encode(add_imports(src.text, [OPTIONAL]))
    assert data == (b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n\"\"\"Caf\xc3\xa9.\"\"\"\r\nimport torch\r\n"
                    b"from typing import Optional\r\n")
    latin = tmp_path / "l.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9'\n")
    src = read_source(str(latin))
    assert src.encode(add_imports(src.text, [TORCH])) == b"# -*- coding: latin-1 -*-\nimport torch\n\nNAME = '\xe9'\n"
