"""What the verified object is made of: its name, classes, source files and modules, and
the Python functions ``torch.jit.script`` compiles from source.

Used to locate messages (source files), to keep the fresh-process load away from the model's
source (modules and their directories) and for source-level hints (compiled functions).
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Callable, List, Optional, Tuple

import torch

from .compat import TORCH_DIR


def target_name(target) -> str:
    cls = target if isinstance(target, type) else (type(target) if isinstance(target, torch.nn.Module) else target)
    module = getattr(cls, "__module__", None) or "?"
    name = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", None) or repr(cls)
    return f"{module}.{name}"


def user_classes(target) -> List[type]:
    if isinstance(target, torch.nn.Module):
        seen, out = set(), []
        for m in target.modules():
            cls = type(m)
            if cls not in seen:
                seen.add(cls)
                out.append(cls)
        return out
    return []


def is_torch_file(path: Optional[str]) -> bool:
    return bool(path) and os.path.abspath(path).startswith(TORCH_DIR + os.sep)


def source_files(target) -> List[str]:
    """Source files of the target and of every non-torch submodule class, target first."""
    objects = [target] if not isinstance(target, torch.nn.Module) else user_classes(target)
    files: List[str] = []
    for obj in objects:
        try:
            path = inspect.getsourcefile(obj)
        except (TypeError, OSError):
            path = None
        if path and not is_torch_file(path):
            path = os.path.abspath(path)
            if path not in files:
                files.append(path)
    return files


def model_modules_and_dirs(target) -> Tuple[List[str], List[str]]:
    """Module names that define the model and the directories they were imported from
    (the fresh process must not see those directories)."""
    objects = [target] if not isinstance(target, torch.nn.Module) else user_classes(target)
    names: List[str] = []
    dirs: List[str] = []
    for obj in objects:
        name = getattr(obj, "__module__", None)
        module = sys.modules.get(name or "")
        path = getattr(module, "__file__", None)
        if not name or not path or is_torch_file(path):
            continue
        if name == "__main__":
            name = os.path.splitext(os.path.basename(path))[0]
        if name not in names:
            names.append(name)
        here = os.path.dirname(os.path.abspath(path))
        root = here
        for _ in range(max(0, len(name.split(".")) - 1) + (1 if os.path.basename(path) == "__init__.py" else 0)):
            root = os.path.dirname(root)
        for d in (here, root):
            base = os.path.basename(d)
            if base in ("site-packages", "dist-packages"):
                continue  # an installed package: cannot hide it without hiding torch
            if d not in dirs:
                dirs.append(d)
    return names, dirs


def compiled_python_functions(target, depth: int = 2) -> List[Callable]:
    """The Python functions torch.jit.script compiles from source: ``forward`` of every user
    module class (or the function itself) and the module-level helpers they call, followed
    ``depth`` levels.  Used for source-level hints such as dropped decorators."""
    if isinstance(target, torch.nn.Module):
        roots = [cls.__dict__["forward"] for cls in user_classes(target) if "forward" in cls.__dict__]
    else:
        roots = [target]
    found: List[Callable] = []
    frontier = [f for f in roots if callable(f)]
    for _ in range(depth + 1):
        next_frontier = []
        for fn in frontier:
            if fn in found:
                continue
            found.append(fn)
            inner = inspect.unwrap(fn)
            code = getattr(inner, "__code__", None)
            namespace = getattr(inner, "__globals__", {})
            for name in getattr(code, "co_names", ()):
                obj = namespace.get(name)
                if inspect.isfunction(obj) and obj not in found:
                    try:
                        path = inspect.getsourcefile(obj)
                    except TypeError:
                        path = None
                    if path and not is_torch_file(path):
                        next_frontier.append(obj)
        frontier = next_frontier
    return found
