"""Structural output comparison: the cases TorchScript really produces (type changes,
device changes, requires_grad lost, NaNs), each reported with its path and size."""

import math

import torch

from jitlint.runtime.compare import clone_args, compare, detach_clone, largest_difference

TOL = dict(rtol=1e-5, atol=1e-6)


def kinds(diffs):
    return [(d.path, d.kind) for d in diffs]


def test_equal_structures_have_no_difference():
    value = (torch.ones(2, 3), [1, 2.5, "a", None], {"k": torch.arange(3)}, True)
    assert compare(value, detach_clone(value), **TOL) == []


def test_values_difference_reports_path_and_max_abs_diff():
    expected = {"logits": torch.tensor([1.0, 2.0, 3.0])}
    actual = {"logits": torch.tensor([1.0, 2.5, 1.0])}
    diffs = compare(expected, actual, **TOL)
    assert kinds(diffs) == [("output['logits']", "values")]
    assert diffs[0].max_abs_diff == 2.0


def test_values_within_tolerance_agree_and_outside_do_not():
    a = torch.tensor([1.0, 100.0])
    assert compare(a, a + 1e-7, **TOL) == []
    assert compare(a, a + 1e-2, **TOL) != []
    assert compare(a, a + 1e-2, rtol=0, atol=0.1) == []


def test_shape_dtype_device_are_checked_before_values():
    assert kinds(compare(torch.zeros(3), torch.zeros(4), **TOL)) == [("output", "shape")]
    assert kinds(compare(torch.zeros(3), torch.zeros(3, dtype=torch.float64), **TOL)) == [("output", "dtype")]
    assert kinds(compare(torch.zeros(3), torch.zeros(3, device="meta"), **TOL)) == [("output", "device")]


def test_device_map_expects_the_mapped_device():
    diffs = compare(torch.zeros(2), torch.zeros(2), device_map={"cpu": "cuda"}, **TOL)
    assert kinds(diffs) == [("output", "device")] and diffs[0].expected == "cuda"


def test_requires_grad_lost_is_a_difference():
    expected = torch.ones(2, requires_grad=True) * 2
    diffs = compare(detach_clone(expected), torch.ones(2) * 2, **TOL)
    assert kinds(diffs) == [("output", "requires_grad")]


def test_python_scalar_type_changes_are_differences():
    # s221: int %= compiles to fmod and returns a float; t032: a traced int becomes a tensor
    assert kinds(compare(2, -1.0, **TOL)) == [("output", "type")]
    assert kinds(compare(5, torch.tensor(5), **TOL)) == [("output", "type")]
    assert kinds(compare(True, 1, **TOL)) == [("output", "type")]


def test_scalar_values():
    assert compare(0.1, 0.1 + 1e-12, **TOL) == []
    diffs = compare(3, 1, **TOL)
    assert kinds(diffs) == [("output", "value")] and diffs[0].max_abs_diff == 2.0
    assert kinds(compare("1.23", "{:.2f}", **TOL)) == [("output", "value")]
    assert compare(float("nan"), float("nan"), **TOL) == []


def test_nan_and_inf_handling():
    a = torch.tensor([float("nan"), float("inf"), 1.0])
    assert compare(a, a.clone(), **TOL) == []
    diffs = compare(a, torch.tensor([1.0, float("inf"), 1.0]), **TOL)
    assert diffs and math.isinf(diffs[0].max_abs_diff)


def test_integer_tensors_compare_exactly():
    diffs = compare(torch.tensor([2, 3]), torch.tensor([-1, 3]), **TOL)
    assert kinds(diffs) == [("output", "values")] and diffs[0].max_abs_diff == 3.0


def test_containers_length_keys_and_nesting():
    assert kinds(compare([1, 2], [1, 2, 3], **TOL)) == [("output", "length")]
    assert kinds(compare({"a": 1}, {"b": 1}, **TOL)) == [("output", "keys")]
    assert kinds(compare((1, [2, {"x": 3}]), (1, [2, {"x": 4}]), **TOL)) == [("output[1][1]['x']", "value")]
    assert kinds(compare([1], (1,), **TOL)) == [("output", "type")]


def test_largest_difference_over_several():
    diffs = compare((torch.zeros(2), torch.zeros(2)), (torch.ones(2), torch.full((2,), 3.0)), **TOL)
    assert largest_difference(diffs) == 3.0


def test_clone_args_protects_inputs_from_in_place_forward():
    x = torch.zeros(3)
    args = (x, [x])
    copy = clone_args(args)
    copy[0].add_(1)
    copy[1][0].add_(1)
    assert torch.equal(x, torch.zeros(3))
