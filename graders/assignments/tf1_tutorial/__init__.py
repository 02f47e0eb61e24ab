"""The 2018 "TensorFlow Tutorial" (TF1: placeholders and sessions), editions v3 and v3b.

    checks.py    the checks table (CALLS, CHECKS: points and hints)
    answers.py   the answer key, from tfsigns.expected and tfsigns' reference
    edition.py   v3 or v3b, read from the submission
    runners.py   the child side: TF1 graph mode, the runners
    compat/      the TF1 names a 2018 submission imports (inside the child)
    plugin.py    `ASSIGNMENT`, tying them together for the core

This file is imported inside the sandbox (the parent of runners.py):
`ASSIGNMENT` is loaded only when asked for, so the child needs none of
plugin.py's imports.
"""


def __getattr__(name):
    if name == "ASSIGNMENT":
        from graders.assignments.tf1_tutorial.plugin import ASSIGNMENT

        return ASSIGNMENT
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
