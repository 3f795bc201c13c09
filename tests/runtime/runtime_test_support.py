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


# snippet id -> the rule that describes its rejection (the linter's vocabulary)
EXPECTED_COMPILE_CODES = {
    "s001_try_except": "JIT101", "s002_try_finally": "JIT101", "s003_with_python_ctx": "JIT102",
    "s006_with_enable_grad": "JIT102", "s008_lambda": "JIT103", "s009_nested_def": "JIT104",
    "s010_generator_yield": "JIT105", "s011_async_def": "JIT105", "s012_global": "JIT106",
    "s013_global_read": "JIT107", "s014_nonlocal": "JIT104", "s017_for_else": "JIT108",
    "s018_while_else": "JIT108", "s019_walrus": "JIT109", "s022_return_type_mismatch": "JIT111",
    "s024_implicit_none_return": "JIT112", "s025_recursion": "JIT113", "s029_import_in_function": "JIT110",
    "s030_type_checking_import": "JIT114", "s032_is_scripting_guard_syntax": "JIT101",
    "s034_var_defined_one_branch": "JIT115", "s036_class_def_in_function": "JIT104",
    "s038_object_annotation": "JIT207", "s101_varargs_signature": "JIT117", "s102_kwargs_signature": "JIT117",
    "s104_star_call_list": "JIT118", "s105_kwargs_expansion_call": "JIT119", "s107_kwonly_with_default": "JIT117",
    "s108_unannotated_float_default": "JIT201", "s110_unannotated_int_param": "JIT201",
    "s111_mutable_default": "JIT120", "s112_unannotated_tuple_default": "JIT201",
    "s113_helper_with_unsupported": "JIT124", "s114_function_as_argument": "JIT121",
    "s118_optional_unrefined": "JIT203", "s201_set_literal": "JIT123", "s202_set_call": "JIT123",
    "s204_list_comp_if": "JIT124", "s205_nested_comp": "JIT124", "s207_set_comp": "JIT123",
    "s211_fstring_format_spec": "JIT125", "s212_fstring_conversion": "JIT125", "s217_ternary_mixed_types": "JIT128",
    "s218_starred_assignment": "JIT118", "s221_augassign_ops": "JIT129", "s226_dict_equality": "JIT130",
    "s237_dict_tuple_keys": "JIT131", "s301_none_then_tensor_if": "JIT204", "s302_none_then_tensor_loop": "JIT204",
    "s303_empty_list_append_int": "JIT205", "s305_empty_dict_str_int": "JIT205", "s306_empty_dict_int_key": "JIT205",
    "s309_any": "JIT207", "s311_tuple_variadic": "JIT207", "s320_type_builtin": "JIT133", "s321_id_builtin": "JIT134",
    "s323_tolist_unannotated": "JIT206", "s327_dataclass": "JIT135", "s329_class_unannotated_empty_attr": "JIT205",
    "s330_class_inheritance": "JIT136", "s401_attr_empty_list": "JIT208", "s402_attr_empty_dict": "JIT208",
    "s404_attr_optional_refine": "JIT209", "s405_attr_python_object": "JIT137", "s407_attr_set": "JIT137",
    "s408_attr_mixed_dict": "JIT137", "s410_attr_lambda": "JIT137", "s411_attr_annotated_in_init": "JIT208",
    "s413_attr_new_in_forward": "JIT138",
    # from the message alone this is "attribute set in forward"; verify() sees the class's
    # __constants__ and sharpens it to JIT141 (tested in test_runtime_ground_truth.py)
    "s429_constants_attr": "JIT138", "s414_super_forward": "JIT139", "s415_super_method": "JIT139",
    "s416_modulelist_index_var": "JIT140", "s418_moduledict": "JIT140", "s423_jit_export_unsupported": "JIT123",
    "s426_property_unused_unsupported": "JIT123", "s433_class_name_dunder": "JIT142",
    "s434_module_parameters_api": "JIT143", "s437_submodule_unscriptable": "JIT123",
    "s438_forward_varargs_module": "JIT117", "s440_python_list_of_modules": "JIT137", "s501_numpy_call": "JIT144",
    "s503_random_module": "JIT144", "s505_logging": "JIT144", "s506_time_time": "JIT144",
    "s508_legacy_tensor_ctor": "JIT145", "s513_third_party_helper": "JIT144", "s514_os_environ": "JIT144",
}
# the compiler says nothing a rule describes (positional-only params surface as "undefined
# value"; Sequential misuse points into torch)
NO_CODE = {"s115_positional_only", "s419_sequential_tuple_input"}
