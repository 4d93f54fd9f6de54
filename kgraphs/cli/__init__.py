"""The `kgraphs` command line (also `python -m kgraphs`).

Exit status: 0 on success, 2 for a bad recipe or bad usage, 1 for anything else; `diff`
exits as diff(1) does: 0 when the architectures are the same, 1 when they differ, 2 for any
trouble. A user's mistake prints the located problems, never a traceback. TensorFlow's
start-up lines are hidden unless `--verbose`.
"""
