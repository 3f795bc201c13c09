"""The rule registry: every ``jit*.py`` file in this package defines exactly one rule.

Rules are found by scanning this folder, so adding a rule is adding a file; codes are bound
to rules only in the rule files themselves, and a test checks they are unique.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, List, Type

from jitlint.linter.rules.base import Rule

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
