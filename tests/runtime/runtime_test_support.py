"""Helpers shared by the runtime tests (imported as a plain module: pytest puts this folder
on sys.path because tests/runtime has no __init__.py).

The ground-truth snippets live outside the repository, in ``../shared/ground-truth`` next to
the checkout; tests that need them skip with a clear reason when that folder is absent.
"""

import importlib.util
import json
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GROUND_TRUTH = (REPO / ".." / "shared" / "ground-truth").resolve()
SNIPPETS = GROUND_TRUTH / "snippets"
RESULTS = GROUND_TRUTH / "results.json"

GT_MISSING_REASON = f"ground-truth snippets not found at {GROUND_TRUTH} (a sibling 'shared/ground-truth' checkout)"


def have_ground_truth() -> bool:
    return RESULTS.is_file() and SNIPPETS.is_dir()


@lru_cache(maxsize=1)
def results_by_id():
    if not have_ground_truth():
        return {}
    with open(RESULTS) as fh:
        return {r["id"]: r for r in json.load(fh)["results"]}


def snippet_ids(kind, predicate=lambda r: True):
    """Snippet ids of ``kind`` ('script'/'trace') whose recorded result satisfies
    ``predicate``; a single skipping parameter when the ground truth is absent."""
    if not have_ground_truth():
        return [pytest.param(None, marks=pytest.mark.skip(reason=GT_MISSING_REASON), id="no-ground-truth")]
    return sorted(i for i, r in results_by_id().items() if r["kind"] == kind and predicate(r))


def load_module(path, name=None):
    """Import a file as a fresh module (registered in sys.modules so torch.jit can find
    its source and globals)."""
    path = Path(path)
    name = name or f"jitlint_test_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)
    return module


def load_snippet(snippet_id):
    if snippet_id is None or not have_ground_truth():
        pytest.skip(GT_MISSING_REASON)
    kind = "script" if snippet_id.startswith("s") else "trace"
    return load_module(SNIPPETS / kind / f"{snippet_id}.py", name=f"gt_snip_{snippet_id}")


PROBE_HEADER = (
    "import math\nimport torch\nimport torch.nn.functional as F\nfrom torch import Tensor\n"
    "from typing import Any, Dict, List, Optional, Tuple, Union\n\n\n"
)


def load_probe(snippet_id, label, tmp_path):
    """A snippet's PROBES entry written to its own file and imported; returns (f, args)."""
    module = load_snippet(snippet_id)
    src, args = module.PROBES[label]
    path = tmp_path / f"probe_{snippet_id}_{abs(hash(label)) % 10**8}.py"
    path.write_text(PROBE_HEADER + src)
    probe = load_module(path, name=f"gt_probe_{path.stem}")
    return probe.f, args


def marked_lines(snippet_id, tag="# MARK"):
    kind = "script" if snippet_id.startswith("s") else "trace"
    lines = (SNIPPETS / kind / f"{snippet_id}.py").read_text().splitlines()
    return [i for i, text in enumerate(lines, 1) if tag in text]
