"""Which compiler a piece of code is analysed for: the modes that reach and rules share."""

SCRIPT = "script"  # torch.jit.script: compiled, reachable code
TRACE = "trace"  # torch.jit.trace: code executed while tracing
EXPORT = "export"  # torch.export.export: code executed while exporting (opt-in mode)
ANY = "any"  # both (reported if the function is reachable in either mode)
FILE = "file"  # independent of reach (deprecated API calls, tool errors)
