"""The course's `tf_utils` module, as a 2018 submission imports it (`from tf_utils import ...`).

Re-exports tfsigns' helpers, which keep the course's call shapes, except
`random_mini_batches`: `graders.assignments.tf1_tutorial.compat.minibatches` serves the same
minibatches already in the float32 a `feed_dict` would make of them, without
the course's float64 shuffle (the grading run's largest cost after
TensorFlow's own). A grader run never calls `load_dataset` for the
submission (the grader passes the data to `model()`), but top-level imports
of it must work.
"""
from graders.assignments.tf1_tutorial.compat.minibatches import random_mini_batches  # noqa: F401
from tfsigns.tf_utils import (  # noqa: F401
    convert_to_one_hot,
    forward_propagation_for_predict,
    load_dataset,
    predict,
)
