from .base import FILE, Rule


class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports a file that does not parse as Python (3.9 to 3.13 syntax).

    ## Why is this bad?
    Nothing in the file can be checked, and ``torch.jit.script`` would fail on it too. The
    finding points where the parser stopped; the rest of the run goes on.

    ## Example
    ```python
    def forward(self, x)
        return x
    ```

    ## Use instead
    Fix the syntax error at the reported position.

    ## Fix safety
    No fix is offered.
    """

    code = "JIT001"
    name = "syntax-error"
    message = "syntax error"
    mode = FILE
