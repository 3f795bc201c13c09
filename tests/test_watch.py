"""``jitlint check --watch`` through the real CLI: a change to a watched file triggers a new run."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CLEAN = textwrap.dedent(
    """
    import torch
    from torch import nn


    class M(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2
    """
).lstrip()

WITH_TRY = CLEAN.replace("        return x * 2\n", "        try:\n            return x * 2\n"
                         "        except RuntimeError:\n            return x\n")
assert WITH_TRY != CLEAN


class Reader:
    """Reads a child's stdout until a text appears, with a deadline (no hang on failure)."""

    def __init__(self, proc):
        self.proc, self.text = proc, ""
        self.sel = selectors.DefaultSelector()
        self.sel.register(proc.stdout, selectors.EVENT_READ)

    def until(self, needle: str, count: int = 1, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while self.text.count(needle) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} x{count} not seen; output so far:\n{self.text}")
            if self.sel.select(left):
                chunk = os.read(self.proc.stdout.fileno(), 65536).decode()
                if not chunk:
                    raise AssertionError(f"child exited; output:\n{self.text}")
                self.text += chunk
        return self.text


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX here")
def test_watch_reruns_on_change_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    model = tmp_path / "model.py"
    model.write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    # A job started in the background of a non-interactive shell inherits SIGINT ignored, and
    # Python then never installs its Ctrl-C handler: give the child a terminal's default.
    proc = subprocess.Popen([sys.executable, "-m", "jitlint", "check", "--watch", "--no-cache", "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        out = Reader(proc)
        out.until("All checks passed!")
        assert "Starting linter in watch mode" in out.text
        model.write_text(WITH_TRY)
        text = out.until("JIT101")
        assert "File change detected" in text
        model.write_text(CLEAN)  # back to clean: a third run, clean again
        out.until("All checks passed!", count=2)
        (tmp_path / "pyproject.toml").write_text('[tool.jitlint]\nselect = ["JIT3"]\n')  # config counts
        out.until("File change detected", count=3)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_watch_refuses_stdin(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "jitlint", "check", "--watch", "-"], cwd=tmp_path,
                          input="x = 1\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--watch cannot read stdin" in done.stderr
