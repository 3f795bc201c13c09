"""The program ``isolated_load`` runs in a fresh interpreter (its source is passed with
``-c``; it is not imported there, and it imports nothing from jitlint).

It proves that a saved TorchScript file is self-contained: the interpreter starts with
``-I -S`` (no PYTHONPATH, no user site, no ``.pth`` files, so no editable installs), in an
empty temporary directory, with only the site-packages directories torch needs on
``sys.path``.  Before loading anything it records whether the model's modules can be found
at all, so the report can show that the load did not depend on the model's source.

argv[1] is a JSON spec written by the parent; results go to the files the spec names.
"""

import importlib.util
import json
import os
import sys
import traceback
import warnings


def _scrub_path(spec):
    forbidden = {os.path.realpath(p) for p in spec["forbidden_paths"]}
    keep = []
    for entry in sys.path:
        if not entry:  # '' means the current directory
            continue
        if os.path.realpath(entry) in forbidden:
            continue
        keep.append(entry)
    for entry in spec["extra_paths"]:
        if os.path.realpath(entry) not in forbidden and entry not in keep:
            keep.append(entry)
    sys.path[:] = keep


def _module_visibility(names):
    out = {}
    for name in names:
        top = name.split(".")[0]
        try:
            found = importlib.util.find_spec(top)
        except Exception as exc:  # noqa: BLE001
            out[name] = {"importable": False, "detail": f"{type(exc).__name__}: {exc}"}
            continue
        if found is None:
            out[name] = {"importable": False, "detail": f"ModuleNotFoundError: No module named {top!r}"}
        else:
            out[name] = {"importable": True, "detail": f"found at {found.origin}"}
    return out


def _plain(value):
    """Namedtuples and other tuple subclasses become tuples so the outputs can be pickled
    without the classes' source."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _to_device(value, device, torch):
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, tuple):
        return tuple(_to_device(v, device, torch) for v in value)
    if isinstance(value, list):
        return [_to_device(v, device, torch) for v in value]
    if isinstance(value, dict):
        return {k: _to_device(v, device, torch) for k, v in value.items()}
    return value


def main():
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    _scrub_path(spec)
    result = {
        "executable": sys.executable,
        "flags": {"isolated": bool(sys.flags.isolated), "no_site": bool(sys.flags.no_site)},
        "cwd": os.getcwd(),
        "sys_path": list(sys.path),
        "model_modules": _module_visibility(spec["model_modules"]),
        "artifacts": {},
    }
    warnings.simplefilter("ignore")  # this process is jitlint's own; its warnings are noise
    try:
        import torch

        inputs = torch.load(spec["inputs"], map_location="cpu", weights_only=False)
    except Exception as exc:  # noqa: BLE001
        result["fatal"] = f"{type(exc).__name__}: {exc}"
        with open(spec["result"], "w") as fh:
            json.dump(result, fh)
        return
    for artifact in spec["artifacts"]:
        record = {"loaded": False, "error": None}
        result["artifacts"][artifact["key"]] = record
        device = artifact["device"]
        try:
            module = torch.jit.load(artifact["path"], map_location=device)
        except Exception as exc:  # noqa: BLE001
            record["error"] = f"{type(exc).__name__}: {exc}"[:4000]
            continue
        record["loaded"] = True
        outputs = []
        for index, args in enumerate(inputs):
            torch.manual_seed(spec["seed"] + index)
            try:
                out = module(*_to_device(args, device, torch))
                outputs.append(("ok", _plain(out)))
            except Exception as exc:  # noqa: BLE001
                outputs.append(("error", type(exc).__name__, str(exc)[:4000]))
        try:
            torch.save(outputs, artifact["outputs"])
        except Exception:  # noqa: BLE001 - an unpicklable output: keep the others
            safe = []
            for item in outputs:
                try:
                    import io

                    torch.save(item, io.BytesIO())
                    safe.append(item)
                except Exception as exc:  # noqa: BLE001
                    safe.append(("error", "UnpicklableOutput", f"{type(exc).__name__}: {exc}"))
            torch.save(safe, artifact["outputs"])
        record["outputs"] = artifact["outputs"]
    with open(spec["result"], "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - report, never hang the parent
        sys.stderr.write(traceback.format_exc())
        sys.exit(3)
