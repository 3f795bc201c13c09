"""Python signatures of the torch callables TorchScript compiles from their source, read from
data (no torch): ``torch.nn.functional`` functions that are not builtins and the ``forward``
of ``torch.nn`` modules. ``linter/data/py_signatures.json.gz`` is written by
``tools/gen_py_signatures.py`` under torch (``tests/test_py_signatures.py`` checks it against
the installed torch). Loaded lazily, once.

``function(qualname)`` / ``module_forward(qualname)`` -> the parameters ``(name, kind,
has_default)`` (kind ``p`` positional or keyword, ``k`` keyword-only, ``o`` positional-only)
or None when the data does not hold the callable. ``call_problem(params, n_positional,
keywords)`` -> what makes such a call fail to match (too many positionals, an unknown
keyword, one given twice, a required one missing), or None.
"""

from __future__ import annotations

import gzip
import json
import pathlib
from functools import lru_cache
from typing import Optional, Sequence, Tuple

DATA_FILE = pathlib.Path(__file__).resolve().parent.parent / "data" / "py_signatures.json.gz"

Param = Tuple[str, str, bool]


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(gzip.decompress(DATA_FILE.read_bytes()))


def function(qualname: Optional[str]) -> Optional[Tuple[Param, ...]]:
    found = _data()["functions"].get(qualname) if qualname else None
    return tuple(tuple(p) for p in found) if found is not None else None


def module_forward(qualname: Optional[str]) -> Optional[Tuple[Param, ...]]:
    found = _data()["modules"].get(qualname) if qualname else None
    return tuple(tuple(p) for p in found) if found is not None else None


def call_problem(params: Sequence[Param], n_positional: int, keywords: Sequence[str]) -> Optional[str]:
    positional = [p for p in params if p[1] != "k"]
    if n_positional > len(positional):
        return f"takes at most {len(positional)} positional arguments but gets {n_positional}"
    names = {p[0]: p for p in params}
    filled = {p[0] for p in positional[:n_positional]}
    for kw in keywords:
        p = names.get(kw)
        if p is None or p[1] == "o":
            return f"has no parameter `{kw}`"
        if kw in filled:
            return f"gets `{kw}` twice (by position and by keyword)"
        filled.add(kw)
    missing = [p[0] for p in params if not p[2] and p[0] not in filled]
    if missing:
        return f"is missing the argument `{missing[0]}`"
    return None
