"""What is known about the code, before any rule runs: source, summaries, reach, names, types.

Nothing here imports a rule, an output format, the CLI or torch (tests/test_architecture.py).
"""
