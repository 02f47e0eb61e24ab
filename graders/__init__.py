"""graders: the autograder of the "TensorFlow Tutorial" assignment.

    python -m graders [SUBMISSION] [--edition auto|v3|v3b] [--data-dir DIR] [--json FILE] [--timeout SECONDS]
    python -m graders batch DIR --csv FILE [--jobs N]

Flow, imports one way: `__main__` -> `cli` -> `grading`: `submission` (read
it) -> `edition` (which one it follows) -> `sandbox` (runs `child`, the only
place submitted code runs, under `compat`, isolated by `isolation`:
bubblewrap, or `confine`'s Landlock as the fallback; the two talk through
`channel`'s bounded frames) -> `checks`
(the table) -> `compare` (pure) -> `results` (one object) -> `report` (writers).
`answers` holds the expected values, from `tfsigns.expected` or tfsigns'
reference; tfsigns never imports graders.
"""


def __getattr__(name):
    """`from graders import check` without paying for `graders.grading` at `import graders`."""
    if name == "check":
        from graders.check import check

        # The import just set the package attribute to the module; the function is what is exported.
        globals()["check"] = check
        return check
    raise AttributeError(f"module 'graders' has no attribute {name!r}")
