"""Inherited methods analysed per concrete class: the attribute types a subclass installs.

torch.jit.script compiles a module's methods per instance type, with the attribute types of
that instance, and the tracer runs them on the instance's real submodules. A base class's
``forward`` reading ``self.rnn`` therefore sees an ``nn.LSTM`` in a subclass that installs one
over the base's ``RNNIdentity`` (timm ``sequencer2d``: ``LSTM2d`` over ``RNN2dBase``). The walk
of the base's own method types ``self.rnn`` from the base's ``__init__``; this step walks the
inherited method again for each same-file subclass whose own assignments change an attribute
(or a method's return) the method reads, and keeps what only that walk found, under a
predicate that the method is compiled or traced for an instance of that subclass
(``reach_variant``, settled by :mod:`jitlint.linter.analysis.reach`).

Findings of the base's own walk are kept as they are: only findings new to a subclass's walk
are added (when a rule already reported at the same node, nothing is added), so this can add
findings but never removes one. Cross-file subclasses are not analysed here.
"""

from __future__ import annotations

import copy
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .analysis.typecheck.inference import ClassFacts
from .analysis.syntax import function_nodes


def _self_reads(fn: cst.FunctionDef, fctx) -> set:
    me = fn.params.params[0].name.value if fn.params.params else "self"
    return {n.attr.value for n in function_nodes(fctx, fn, cst.Attribute)
            if type(n.value) is cst.Name and n.value.value == me}


def _chain(analyzer, info) -> Optional[List]:
    """The same-file ancestors of ``info`` (nearest first) when each link has exactly one
    base and the chain is made of classes of this file (else None)."""
    local = {(f"{analyzer.module_name}.{i.name}" if analyzer.module_name else i.name): i
             for i in analyzer.class_infos}
    out, current, seen = [], info, {info.id}
    while True:
        bases = [b for b in current.base_names if b not in ("builtins.object", "object")]
        same = [local[b] for b in bases if b in local]
        if not same:
            return out
        if len(bases) != 1 or same[0].id in seen:
            return None
        current = same[0]
        seen.add(current.id)
        out.append(current)


def _overlay(base: ClassFacts, lower: List[ClassFacts]) -> Tuple[ClassFacts, set]:
    """``base``'s facts with what each class below it (nearest to ``base`` first) assigns
    itself; returns the facts and the attribute/method names whose type changed."""
    facts = copy.copy(base)
    facts.attr_types = dict(base.attr_types)
    facts.method_returns = dict(base.method_returns)
    facts.constant_attrs = set(base.constant_attrs)
    facts.maybe_none_attrs = set(base.maybe_none_attrs)
    changed = set()
    for sub in lower:
        for name, t in sub.attr_types.items():
            if t is not None and facts.attr_types.get(name) != t:
                facts.attr_types[name] = t
                changed.add(name)
        for name, t in sub.method_returns.items():
            if facts.method_returns.get(name) != t:
                facts.method_returns[name] = t
                changed.add(name)
        facts.constant_attrs |= sub.constant_attrs
        facts.maybe_none_attrs |= sub.maybe_none_attrs
    return facts, changed


def walk_variants(analyzer, fctx, own_walks: Dict[Tuple[str, str], Tuple[int, int]], *,
                  dispatch=None, only: Optional[set] = None) -> None:
    """Walk inherited methods again for same-file subclasses (see the module docstring).
    ``own_walks`` maps (class id, method name) to the slice of ``fctx.pending`` its own walk
    produced; ``dispatch``: the hooks to walk with (the analyzer's by default); ``only``: the
    (class id, method name) pairs to consider (all by default)."""
    variants: Dict[Tuple[str, str], List[Tuple[str, ClassFacts]]] = {}
    for info in analyzer.class_infos:
        chain = _chain(analyzer, info)
        if not chain:
            continue
        overridden = set(info.methods)
        below = [info]
        for base in chain:
            lower = [c.facts for c in reversed(below)]
            facts, changed = _overlay(base.facts, lower)
            if changed:
                for mname, mnode in base.methods.items():
                    if mname in overridden or mname == "__init__" or not mnode.params.params:
                        continue
                    if _self_reads(mnode, fctx) & changed:
                        variants.setdefault((base.id, mname), []).append((info.id, facts))
            overridden |= set(base.methods)
            below.append(base)
    if not variants:
        return
    by_id = {i.id: i for i in analyzer.class_infos}
    for (base_id, mname), subs in variants.items():
        if only is not None and (base_id, mname) not in only:
            continue
        base = by_id[base_id]
        start, end = own_walks.get((base_id, mname), (0, 0))
        taken = {(p.rule.code, id(p.node)) for p in fctx.pending[start:end]}
        all_variants = (base_id,) + tuple(cid for cid, _ in subs)
        found: Dict[tuple, Tuple[object, List[str]]] = {}
        for cid, facts in subs:
            mark = len(fctx.pending)
            analyzer._walk_function(base.methods[mname], f"{base.name}.{mname}", facts, base.node, fctx,
                                    throwaway_summary=True, dispatch=dispatch)
            new = fctx.pending[mark:]
            del fctx.pending[mark:]
            for p in new:
                if (p.rule.code, id(p.node)) in taken:
                    continue
                key = (p.rule.code, id(p.node), p.message, p.requires)
                found.setdefault(key, (p, []))[1].append(cid)
        for p, cids in found.values():
            reach = next((r for r in p.requires if r[0] == "reach"), None)
            if reach is None:
                continue
            p.requires = p.requires + (("reach_variant", reach[1], reach[2], tuple(cids), all_variants),)
            fctx.pending.append(p)
