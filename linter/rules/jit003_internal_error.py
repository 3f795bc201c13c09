from .base import FILE, Rule


class InternalError(Rule):
    """
    ## What it does
    Reports that jitlint itself failed on a file (a bug in a rule or in the engine). The
    message names the rule and the exception; the other rules and files are still checked.

    ## Why is this bad?
    Part of the file was not checked. Please report it with the file that triggers it.

    ## Example
    ```text
    model.py:12:5: JIT003 internal error in rule JIT302: KeyError: 'x'
    ```

    ## Use instead
    Nothing to change in your code; ``# noqa: JIT003`` silences it until jitlint is fixed.

    ## Fix safety
    No fix is offered.
    """

    code = "JIT003"
    name = "internal-error"
    message = "internal error"
    mode = FILE
