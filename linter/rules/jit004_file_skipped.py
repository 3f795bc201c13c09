from .base import FILE, Rule


class FileSkipped(Rule):
    """
    ## What it does
    Reports a file that was not analysed: larger than ``max-file-size`` (1 MB by default) or
    unreadable (permissions, a broken link).

    ## Why is this bad?
    Generated or vendored files this large are rarely compiled by TorchScript, but if this one
    is, its hazards go unreported.

    ## Example
    ```text
    weights_table.py:1:1: JIT004 file is larger than 1000000 bytes (max-file-size); skipped
    ```

    ## Use instead
    Exclude the file (``extend-exclude``) or raise ``max-file-size`` in ``[tool.jitlint]``.

    ## Fix safety
    No fix is offered.
    """

    code = "JIT004"
    name = "file-skipped"
    message = "file skipped"
    mode = FILE
