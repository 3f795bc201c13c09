"""The message -> rule-code table, against messages torch really produced.

The ground-truth run recorded the exact text of every rejection (results.json); each one must
map to the rule the static linter uses for that construct (the expected codes below are the
specification, one per snippet), using the source line the compiler points at.
"""

import re

import pytest

from jitlint.runtime import rule_map
from runtime_test_support import SNIPPETS, results_by_id, snippet_ids

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


def test_every_code_in_the_table_is_a_known_rule():
    for entry in rule_map.RULE_TABLE:
        assert entry.code in rule_map.RULE_NAMES
        assert re.fullmatch(r"JIT\d{3}", entry.code)


def test_expectations_cover_every_recorded_rejection():
    rejected = set(snippet_ids("script", lambda r: r.get("compiles") is False))
    if not results_by_id():
        pytest.skip("ground truth absent")
    assert rejected == set(EXPECTED_COMPILE_CODES) | NO_CODE


@pytest.mark.parametrize("snippet_id", snippet_ids("script", lambda r: r.get("compiles") is False))
def test_recorded_rejection_maps_to_its_rule(snippet_id):
    error = results_by_id()[snippet_id]["error"]
    match = rule_map.classify(error["message"], source_line=error.get("highlight_text"), phase="compile",
                              mode="script")
    expected = EXPECTED_COMPILE_CODES.get(snippet_id)
    assert (match.code if match else None) == expected, error["first_line"]


@pytest.mark.parametrize("message, source, phase, mode, expected", [
    # runtime failures of scripted code (messages recorded in CATALOG.md)
    ("RuntimeError: Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument #1 'other'",
     None, "run", "script", "JIT202"),
    ("The specifier %. is not supported in TorchScript format strings", None, "run", "script", "JIT127"),
    ("Cannot input a tensor of dimension other than 0 as a scalar argument", None, "run", "script", "JIT116"),
    (" expected value of type Tensor for return value but instead got value of type int.", None, "run", "script",
     "JIT210"),
    ("Cast error details: toIValue() cannot handle converting to type: list", None, "run", "script", "JIT207"),
    # export
    ("Could not export Python function call 'py_helper'. Remove calls to Python functions before export.",
     None, "save", "script", "JIT501"),
    # tracing
    ("Tracing failed sanity checks!\nERROR: Graphs differed across invocations!", None, "compile", "trace", "JIT310"),
    ("Encountering a dict at the output of the tracer might cause the trace to be incorrect", None, "compile",
     "trace", "JIT311"),
    ("Type 'Tuple[Tensor, int]' cannot be traced. Only Tensors and (possibly nested) Lists, Dicts, and Tuples",
     None, "compile", "trace", "JIT312"),
    ("forward() expected at most 2 argument(s) but received 3 argument(s).", None, "run", "trace", "JIT312"),
    ("Tensor on device cpu is not on the expected device meta!", None, "run", "trace", "JIT308"),
    # TracerWarnings: the line separates sizes from values
    ("Converting a tensor to a Python integer might cause the trace to be incorrect.", "n = int(x.size(0))",
     "warning", "trace", "JIT303"),
    ("Converting a tensor to a Python integer might cause the trace to be incorrect.", "k = int(x.max())",
     "warning", "trace", "JIT302"),
    ("Converting a tensor to a Python number might cause the trace to be incorrect.",
     "return torch.full((x.shape[0],), x.max().item())", "warning", "trace", "JIT302"),
    ("Converting a tensor to a Python boolean might cause the trace to be incorrect.", "if x.sum() > 0:",
     "warning", "trace", "JIT304"),
    ("Converting a tensor to a Python boolean might cause the trace to be incorrect.", "if x.shape[0] == 1:",
     "warning", "trace", "JIT305"),
    ("Using len to get tensor shape might cause the trace to be incorrect.", "n = len(x)", "warning", "trace",
     "JIT301"),
    ("Iterating over a tensor might cause the trace to be incorrect.", "for row in x:", "warning", "trace", "JIT306"),
    ("torch.tensor results are registered as constants in the trace.", "t = torch.tensor([n])", "warning", "trace",
     "JIT307"),
])
def test_message_table(message, source, phase, mode, expected):
    match = rule_map.classify(message, source_line=source, phase=phase, mode=mode)
    assert match is not None and match.code == expected


def test_source_hint_entries_need_the_source_line():
    message = "'Tensor' object has no attribute or method 'forward'.:"
    assert rule_map.classify(message, source_line="return super().forward(x) + 1").code == "JIT139"
    assert rule_map.classify(message, source_line="return x.forward()").code == "JIT145"
    assert rule_map.classify(message).code == "JIT145"


def test_warning_only_entries_do_not_match_errors():
    text = "Converting a tensor to a Python boolean might cause the trace to be incorrect."
    assert rule_map.classify(text, phase="run") is None
    assert rule_map.classify(text, phase="warning").code == "JIT304"


def test_unknown_message_maps_to_nothing():
    assert rule_map.classify("something entirely different happened") is None


def test_snippet_folder_layout_assumption():
    if not results_by_id():
        pytest.skip("ground truth absent")
    assert (SNIPPETS / "script").is_dir() and (SNIPPETS / "trace").is_dir()
