"""verify(export=True) reloads the program as it was exported, not after the in-process runs."""

import pytest

torch = pytest.importorskip("torch")

import deploy_cases  # noqa: E402
from jitlint.runtime import verify  # noqa: E402


def test_buffer_updated_in_place_reloads_from_its_exported_state():
    # torch.export keeps an in-place buffer update; the in-process runs must not leak into the
    # saved program (it was saved after them once, and the reload then started from their state)
    model, inputs = deploy_cases.running_mean()
    report = verify(model, inputs, modes=["script"], devices=["cpu"], export=True, static_check=False)
    row = report.result("export", "cpu")
    assert row.checks["save_load"] == "pass", row
    assert report.ok, report
