"""Applying fixes: the fix loop, atomic writes, imports, and multi-site rewrites (codemods).

Rules only describe changes (``finding.Fix``: text edits, names to import, or a named
codemod with plain arguments); this package applies them. Like the linter it never imports
torch or the code it rewrites.
"""
