"""The rule registry: every ``jit*.py`` file in this package defines exactly one rule.

Rules are found by scanning this folder, so adding a rule is adding a file; codes are bound
to rules only in the rule files themselves, and a test checks they are unique.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
from dataclasses import dataclass
from typing import Dict, List, Type

from .base import Rule

_REGISTRY: Dict[str, Type[Rule]] = {}


def _load() -> Dict[str, Type[Rule]]:
    if _REGISTRY:
        return _REGISTRY
    found: Dict[str, Type[Rule]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("jit"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rules = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.code
            and obj.__module__ == module.__name__
        ]
        if len(rules) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one rule, found {len(rules)}")
        rule = rules[0]
        if rule.code in found:
            raise RuntimeError(f"duplicate rule code {rule.code}: {found[rule.code].__module__} and {module.__name__}")
        found[rule.code] = rule
    _REGISTRY.update(dict(sorted(found.items())))
    return _REGISTRY


@dataclass(frozen=True)
class RuleMeta:
    """What selection and reporting need of a rule, read without importing it."""

    code: str
    name: str
    default: bool
    module: str


_INDEX: Dict[str, RuleMeta] = {}


_ATTR_RE = re.compile(r"^    (code|name|default) = (\"[^\"\n]*\"|'[^'\n]*'|True|False)[ \t]*(?:#.*)?$", re.M)


def rule_index() -> Dict[str, RuleMeta]:
    """Code -> metadata, read from the rule files' class attributes as text.

    Importing the rules imports libcst (~0.2 s); a warm, fully cached run needs only codes,
    names and default flags, so it reads them from the source instead (one regular expression
    per file: an ``ast`` parse of the 110 files cost more than the rest of a warm run's start).
    The rule files stay the single place where codes are bound (tests check that this index and
    the imported classes agree on every code, name and default).
    """
    if _INDEX:
        return _INDEX
    found: Dict[str, RuleMeta] = {}
    directory = __path__[0]
    for filename in sorted(os.listdir(directory)):
        if not (filename.startswith("jit") and filename.endswith(".py")):
            continue
        with open(os.path.join(directory, filename), encoding="utf-8") as fh:
            text = fh.read()
        attrs = {}
        for match in _ATTR_RE.finditer(text):
            attrs.setdefault(match.group(1), ast.literal_eval(match.group(2)))
        if "code" in attrs:
            meta = RuleMeta(attrs["code"], attrs.get("name", ""), bool(attrs.get("default", True)),
                            f"{__name__}.{filename[:-3]}")
            found[meta.code] = meta
    _INDEX.update(dict(sorted(found.items())))
    return _INDEX


def all_rules() -> Dict[str, Type[Rule]]:
    """Code -> rule class, sorted by code."""
    return _load()


def rule_by_code_or_name(key: str) -> Type[Rule]:
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key:
            return rule
    raise KeyError(key)


def rules_list() -> List[Type[Rule]]:
    return list(all_rules().values())
