"""jitlint's type checker: what type the compiler (or the tracer) gives an expression.

Every rule that needs a type asks this package; no rule infers types on its own. It answers
in two precisions, each a layer over the one before it, and says Unknown (``None``) wherever
it cannot know, so that rules stay silent there (precision first):

- :mod:`.lattice`: the small lattice of the fast inference (``tensor``, ``size``, ``sint``,
  ``number``, containers, modules, ``optional``...), cheap enough for every expression;
- :mod:`.inference`: the per-function forward inference over that lattice (parameters from
  annotations, locals from their assignments, attributes from ``__init__`` as the compiler
  infers module attributes: ``ClassFacts``); the walker keeps it current and ``ctx.type_of``
  asks it. Trace rules and most script rules use this layer;
- :mod:`.certain`: the TorchScript type of an expression when it is certain (every binding of
  a name agrees, annotations win), for the rules that compare types (branch joins, returns,
  a name's type fixed at its first assignment); also the file's NamedTuples (``namedtuple_defs``:
  fields, annotations, defaults) and which NamedTuple an expression certainly is
  (``namedtuple_of``), so that a field read has the field's type;
- :mod:`.torchscript`: TorchScript's own types spelled as the compiler prints them, parsed from
  annotations, with c10's subtype relation (``int`` is not ``float``, ``List`` and ``Dict``
  invariant, ``Tuple`` covariant, ``None`` only in ``Optional``/``Union``) and the checks of a
  value against an annotation (``assignment_mismatch``, ``return_mismatch``);
- :mod:`.spelling`: a type written back as an annotation with the file's own imports (fixes);
- :mod:`.mypy_types`: mypy's types as a fallback in ``--types mypy`` mode.

Call signatures (operators, torch Python APIs) are data: ``analysis/schemas.py`` and
``analysis/py_signatures.py``. ``tests/test_type_checker.py`` holds the checker's claims against
torch.jit.script. This ``__init__`` imports nothing, so that importing one layer does not load
the others.
"""
