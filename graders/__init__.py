"""graders: the autograder of the course's "TensorFlow Tutorial" assignments, each one a plug-in.

    python -m graders [SUBMISSION] [--assignment auto|NAME] [--edition auto|EDITION] [--data-dir DIR] [--json FILE] [--timeout SECONDS]
    python -m graders --list-assignments
    python -m graders batch DIR --csv FILE [--jobs N]

Flow, imports one way: `__main__` -> `cli` -> `grading`: `submission` (read
it) -> `assignments` (which assignment it is, and its edition: each one a
package under graders/assignments/ with its checks table, answer key, edition
recognition and child side) -> `sandbox` (runs `child`, the only place
submitted code runs, under the assignment's child module, isolated by
`isolation`: bubblewrap, or `confine`'s Landlock as the fallback; the two
talk through `channel`'s bounded frames) -> `checks` (what a table is made
of) -> `compare` (pure) -> `results` (one object) -> `report` (writers).
`answer_cache` keeps the assignments' reference values, signed; tfsigns never
imports graders.
"""


def __getattr__(name):
    """`from graders import check` without paying for `graders.grading` at `import graders`."""
    if name == "check":
        from graders.check import check

        # The import just set the package attribute to the module; the function is what is exported.
        globals()["check"] = check
        return check
    raise AttributeError(f"module 'graders' has no attribute {name!r}")
