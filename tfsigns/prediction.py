"""Predict hand signs with saved parameters: the course's `predict`, plus class probabilities.

The class is `tf_utils.predict` (argmax of Z3, the course's helper) on the very
columns the caller gives, so the image-file path (`predict_files`, the CLI) and
the array path (`tf_utils.predict(flatten_images(test_x), parameters)`) agree
exactly. The probabilities are the softmax of the same Z3
(`tf_utils.forward_propagation_for_predict`, numpy float32; no TensorFlow).

(Not named `tfsigns/predict.py`: `tfsigns.predict` is the course's helper,
exported lazily by the package, and a submodule of that name would replace it
once imported.)
"""
from dataclasses import dataclass

import numpy as np

from tfsigns import tf_utils
from tfsigns.errors import ImageError
from tfsigns.images import load_image

CLASSES = tuple(range(6))  # the SIGNS classes: 0 to 5 fingers


@dataclass
class Prediction:
    """The network's answer for one image.

    Attributes:
        label: the predicted class, 0..5.
        probabilities: float64 (6,), softmax of Z3; sums to 1.
        image: the `PreparedImage` it was made from (None for the array path).
    """

    label: int
    probabilities: np.ndarray
    image: object = None

    @property
    def probability(self):
        """The probability of the predicted class."""
        return float(self.probabilities[self.label])


def softmax(Z):
    """Softmax over the classes (rows) of each column, in float64.

    Args:
        Z: (6, m) logits.

    Returns:
        float64 (6, m), each column summing to 1.
    """
    Z = np.asarray(Z, dtype=np.float64)
    exponentials = np.exp(Z - Z.max(axis=0, keepdims=True))  # shift: no overflow
    return exponentials / exponentials.sum(axis=0, keepdims=True)


def predict_array(X, parameters):
    """Classes and class probabilities of each column of X.

    Args:
        X: (12288, m) flattened images scaled by 1/255 (`tf_utils.flatten_images`).
        parameters: dict W1 (25, 12288), b1 (25, 1), W2 (12, 25), b2 (12, 1),
            W3 (6, 12), b3 (6, 1).

    Returns:
        labels: int64 (m,), exactly `tf_utils.predict(X, parameters)`.
        probabilities: float64 (6, m).
    """
    labels = tf_utils.predict(X, parameters)
    probabilities = softmax(tf_utils.forward_propagation_for_predict(X, parameters))
    return labels, probabilities


def predict_images(prepared, parameters):
    """Predict already prepared images in one batch.

    Args:
        prepared: list of `PreparedImage` (each X (12288, 1)).
        parameters: dict of arrays W1..b3.

    Returns:
        A list of `Prediction`, in the same order.
    """
    if not prepared:
        return []
    X = np.concatenate([image.X for image in prepared], axis=1)  # (12288, m)
    labels, probabilities = predict_array(X, parameters)
    return [
        Prediction(label=int(labels[i]), probabilities=probabilities[:, i], image=image)
        for i, image in enumerate(prepared)
    ]


def predict_files(paths, parameters):
    """Read and predict image files; a bad file does not stop the others.

    All readable images are predicted in one batch, as the array path does.

    Args:
        paths: image files.
        parameters: dict of arrays W1..b3.

    Returns:
        A list with, for each path in order, a `Prediction` or the `ImageError`
        that reading it raised.
    """
    outcomes = []
    for path in paths:
        try:
            outcomes.append(load_image(path))
        except ImageError as error:
            outcomes.append(error)
    prepared = [outcome for outcome in outcomes if not isinstance(outcome, ImageError)]
    predictions = iter(predict_images(prepared, parameters))
    return [outcome if isinstance(outcome, ImageError) else next(predictions) for outcome in outcomes]
