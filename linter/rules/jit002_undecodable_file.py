from .base import FILE, Rule


class UndecodableFile(Rule):
    """
    ## What it does
    Reports a ``.py`` file that is binary or not valid in its declared encoding (UTF-8 unless a
    PEP 263 coding line says otherwise).

    ## Why is this bad?
    Python cannot import it and jitlint cannot analyse it; the run continues with the other files.

    ## Example
    A file saved as Latin-1 without a ``# -*- coding: latin-1 -*-`` line.

    ## Use instead
    Save the file as UTF-8, or declare its encoding on the first or second line.

    ## Fix safety
    No fix is offered.
    """

    code = "JIT002"
    name = "undecodable-file"
    message = "file cannot be decoded"
    mode = FILE
