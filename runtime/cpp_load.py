"""``jitlint verify --cpp``: load a saved TorchScript archive in C++ (libtorch) and run it.

The deployment the TorchScript tutorials describe is ``torch::jit::load`` in a C++ program.
This module builds a small loader (``data/cpp_loader.cpp``) against the libtorch that ships
inside the installed torch wheel (``torch/include``, ``torch/lib``), once per torch version
and loader source, into the user's cache directory; then it runs a saved model there on the
inputs (written by ``torch.save``, read by ``torch::jit::pickle_load``) and reads the outputs
back (``torch::jit::pickle_save`` -> ``torch.load``). Without a C++ compiler the check is
skipped with the reason, never an error.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional

import torch

SOURCE = Path(__file__).parent / "data" / "cpp_loader.cpp"
BUILD_TIMEOUT = 600.0


def cache_root() -> Path:
    """``$JITLINT_CPP_CACHE``, else the user's cache directory (``$XDG_CACHE_HOME`` or
    ``~/.cache``, ``%LOCALAPPDATA%`` on Windows) under ``jitlint/cpp-loader``."""
    override = os.environ.get("JITLINT_CPP_CACHE")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "jitlint" / "cpp-loader"


def compiler() -> Optional[str]:
    """The C++ compiler to use: ``$CXX``, else ``g++``/``c++``/``clang++`` on PATH."""
    cxx = os.environ.get("CXX")
    if cxx:
        return shutil.which(cxx)
    for name in ("g++", "c++", "clang++"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _torch_dirs():
    root = Path(torch.__file__).parent
    return root / "include", root / "include" / "torch" / "csrc" / "api" / "include", root / "lib"


def loader_path() -> Path:
    """Where the loader for this torch version and loader source lives (built or not)."""
    digest = hashlib.sha256(SOURCE.read_bytes() + torch.__version__.encode() + str(torch.__file__).encode())
    return cache_root() / f"torch-{torch.__version__}-{digest.hexdigest()[:12]}" / "jitlint_loader"


@dataclass
class Build:
    path: Optional[Path]
    skipped: Optional[str] = None  # why the check cannot run here
    error: Optional[str] = None  # the build failed
    seconds: float = 0.0
    cached: bool = False


def build_loader(progress=None) -> Build:
    """The loader binary, built now if it is not in the cache yet."""
    target = loader_path()
    if target.exists():
        return Build(target, cached=True)
    cxx = compiler()
    if cxx is None:
        return Build(None, skipped="no C++ compiler found (set CXX, or install g++/clang++): C++ load check skipped")
    include, api_include, lib = _torch_dirs()
    if not (include / "torch" / "script.h").exists() or not lib.is_dir():
        return Build(None, skipped=f"this torch install ships no libtorch headers ({include}): C++ load check skipped")
    if progress:
        progress("cpp: building the libtorch loader (once per torch version)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"jitlint_loader.{os.getpid()}.tmp")
    abi = int(getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", 1))
    libs = ["-ltorch", "-ltorch_cpu", "-lc10"]
    if (lib / "libtorch_cuda.so").exists():
        libs = ["-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Wl,--as-needed"] + libs
    command = [cxx, "-std=c++20", "-O1", "-w", f"-D_GLIBCXX_USE_CXX11_ABI={abi}", str(SOURCE), "-o", str(partial),
               f"-I{include}", f"-I{api_include}", f"-L{lib}", *libs, f"-Wl,-rpath,{lib}"]
    started = time.perf_counter()
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Build(None, error=f"building the C++ loader failed: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    if run.returncode != 0 or not partial.exists():
        lines = [line for line in run.stderr.splitlines() if "error" in line] or run.stderr.splitlines()[-3:]
        return Build(None, error="building the C++ loader failed: " + " | ".join(lines[:3])[:400], seconds=seconds)
    os.replace(partial, target)
    return Build(target, seconds=seconds)


@dataclass
class CppRun:
    ok: bool
    error: Optional[str] = None  # the load failed (or the loader crashed)
    outputs: List[Any] = field(default_factory=list)  # per input: ("ok", value) | ("error", message)
    seconds: float = 0.0


def run_model(loader: Path, model: str, inputs: List[tuple], workdir: str, device: str = "cpu",
              timeout: float = 300.0) -> CppRun:
    """torch::jit::load ``model`` in the C++ loader and run forward on every input tuple."""
    inputs_file = os.path.join(workdir, "cpp_inputs.pt")
    outputs_file = os.path.join(workdir, f"cpp_outputs_{os.path.basename(model)}")
    torch.save([tuple(a) for a in inputs], inputs_file)
    started = time.perf_counter()
    try:
        run = subprocess.run([str(loader), model, inputs_file, outputs_file, device], capture_output=True,
                             text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CppRun(False, error=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    if run.returncode != 0 or not os.path.exists(outputs_file):
        text = run.stderr.strip().replace("LOAD FAILED: ", "") or f"exit code {run.returncode}"
        return CppRun(False, error=text.splitlines()[0][:300] if text else text, seconds=seconds)
    outputs = torch.load(outputs_file, weights_only=False)
    return CppRun(True, outputs=[(str(kind), value) for kind, value in outputs], seconds=seconds)
