"""Named codemods: multi-site rewrites a rule's fix asks for by name.

A finding must stay plain, picklable data (it crosses processes and lives in the cache), so a
fix names its codemod and passes plain arguments (``Fix.codemod = (name, args)``); the fix
loop looks the name up here. Modules are imported on first use, so loading the registry
costs nothing for a run that applies no codemod.

A codemod is ``apply(source: str, *args) -> str``. It raises :class:`CodemodFailed` when the
code is not in a shape it can rewrite safely; the loop then leaves the finding unfixed.
"""

from __future__ import annotations

import importlib
from typing import Dict

# name -> "module:function", relative to this package
CODEMODS: Dict[str, str] = {
    "script-if-tracing": "script_if_tracing:apply",
    "script-module-to-module": "deprecated_api:script_module_to_module",
    "constants-to-final": "deprecated_api:constants_to_final",
    "jit-attribute-to-annotation": "deprecated_api:attribute_to_annotation",
    "jit-annotate-to-pep526": "deprecated_api:annotate_to_pep526",
    "hoist-import": "hoist:hoist_import",
    "hoist-nested": "hoist:hoist_nested",
    "lambda-to-def": "hoist:lambda_to_def",
    "hoist-lambda-attribute": "hoist:hoist_lambda_attribute",
    "none-default": "defaults:none_default",
}


class CodemodFailed(Exception):
    """The codemod cannot rewrite this code (the message says why); nothing is changed."""


def register(name: str, target: str) -> None:
    CODEMODS[name] = target


def apply_codemod(name: str, source: str, args: tuple) -> str:
    target = CODEMODS.get(name)
    if target is None:
        raise CodemodFailed(f"unknown codemod {name!r}")
    module_name, function = target.split(":")
    module = importlib.import_module(f".{module_name}", __package__)
    return getattr(module, function)(source, *args)
