"""jitlint: a linter for TorchScript (torch.jit.script / torch.jit.trace) hazards.

The import package is split across the repository's top-level folders (see pyproject's
package-dir): ``jitlint.linter`` (static analysis), ``jitlint.codemods`` (fixes),
``jitlint.runtime`` (the torch-based verifier) and ``jitlint.plugins`` (flake8, pytest).
Nothing here imports torch.
"""

__version__ = "0.1.0"
