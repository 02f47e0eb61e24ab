"""The TF2 edition "Tensorflow_introduction" (2021-2025: eager TF2, tf.Variable, GradientTape, tf.data; SIGNS).

    checks.py       the checks table (CALLS, CHECKS: points and hints); `for_program` per family
    answers.py      the answer key, from tfsigns.expected and the TF2 reference tfsigns.tf2
    recognition.py  is it this notebook, and which template family (tf2, tf2-mean, tf2-early)
    runners.py      the child side: eager TensorFlow, the Keras 3 `reset_states` alias, the runners
    plugin.py       `ASSIGNMENT`, tying them together for the core (and its own comparisons)

This file is imported inside the sandbox (the parent of runners.py):
`ASSIGNMENT` is loaded only when asked for, so the child needs none of
plugin.py's imports.
"""


def __getattr__(name):
    if name == "ASSIGNMENT":
        from graders.assignments.tf2_introduction.plugin import ASSIGNMENT

        return ASSIGNMENT
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
