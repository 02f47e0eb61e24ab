"""The course's helper module `tf_utils`, with the same call shapes.

`load_dataset`, `random_mini_batches`, `convert_to_one_hot` and `predict` behave
as the assignment's helpers did; `load_dataset` reads through the data layer
(`tfsigns.data`), so it also finds `--data-dir`, `TFSIGNS_DATA`, `./data/` or the
embedded default.
"""
import math

import numpy as np


def load_dataset(data_dir=None):
    """Load the SIGNS data set, as the course's `load_dataset()` did.

    Args:
        data_dir: folder with `train_signs.h5` and `test_signs.h5`. Defaults to
            `None`: the data layer's search order (see `tfsigns.data`).

    Returns:
        train_set_x_orig: uint8 (m_train, 64, 64, 3)
        train_set_y_orig: int64 (1, m_train)
        test_set_x_orig: uint8 (m_test, 64, 64, 3)
        test_set_y_orig: int64 (1, m_test)
        classes: int64 (6,)
    """
    from tfsigns import data

    return data.load_dataset(data_dir)


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the examples (columns) and cut them into minibatches, as the course did.

    `np.random.seed(seed)`, one permutation of the m columns, then complete
    minibatches in order and a last partial one when `m % mini_batch_size != 0`.

    Args:
        X: (n_x, m) input data.
        Y: (n_y, m) labels (one-hot).
        mini_batch_size: examples per minibatch.
        seed: the seed set before drawing the permutation.

    Returns:
        A list of `(mini_batch_X, mini_batch_Y)`: (n_x, size) and (n_y, size).
    """
    m = X.shape[1]
    mini_batches = []
    np.random.seed(seed)

    # Step 1: shuffle (X, Y) by one permutation of the columns.
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))

    # Step 2: partition; the last minibatch may be smaller.
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        start = k * mini_batch_size
        mini_batches.append(
            (shuffled_X[:, start:start + mini_batch_size], shuffled_Y[:, start:start + mini_batch_size])
        )
    if m % mini_batch_size != 0:
        start = num_complete_minibatches * mini_batch_size
        mini_batches.append((shuffled_X[:, start:m], shuffled_Y[:, start:m]))
    return mini_batches


def minibatch_permutation(m, seed):
    """The column order `random_mini_batches(X, Y, size, seed)` uses, as an index array.

    The fast paths gather rows of a contiguous float32 copy in this order, which
    gives the same minibatches as the course's float64 column shuffle.

    Returns:
        int64 (m,)
    """
    np.random.seed(seed)
    return np.random.permutation(m)


def convert_to_one_hot(Y, C):
    """One-hot encode labels: `np.eye(C)[Y.reshape(-1)].T`.

    Args:
        Y: (1, m) or (m,) integer labels in 0..C-1.
        C: number of classes.

    Returns:
        float64 (C, m)
    """
    Y = np.eye(C)[Y.reshape(-1)].T
    return Y


def forward_propagation_for_predict(X, parameters):
    """LINEAR-RELU-LINEAR-RELU-LINEAR in numpy float32, as the course's helper did in TF.

    Args:
        X: (12288, m) inputs scaled to 0..1.
        parameters: dict with W1 (25, 12288), b1 (25, 1), W2 (12, 25), b2 (12, 1),
            W3 (6, 12), b3 (6, 1).

    Returns:
        Z3: float32 (6, m) logits.
    """
    X = np.asarray(X, dtype=np.float32)
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[k], dtype=np.float32) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    A1 = np.maximum(W1 @ X + b1, 0)  # (25, m)
    A2 = np.maximum(W2 @ A1 + b2, 0)  # (12, m)
    return W3 @ A2 + b3  # (6, m)


def predict(X, parameters):
    """Predicted class of each column of X, as the course's `predict` returned it.

    Args:
        X: (12288, 1) one flattened image scaled by 1/255 (or (12288, m)).
        parameters: dict of numpy arrays W1..b3 (see `forward_propagation_for_predict`).

    Returns:
        int64 (m,): the argmax class of each column (shape (1,) for one image).
    """
    Z3 = forward_propagation_for_predict(X, parameters)
    return np.argmax(Z3, axis=0)


def flatten_images(images):
    """The assignment's preprocessing: flatten to columns and scale by 1/255.

    `X.reshape(X.shape[0], -1).T / 255.`, the same for the data set and for
    one's own photo (after it is resized to 64x64 RGB).

    Args:
        images: uint8 (m, 64, 64, 3).

    Returns:
        float64 (12288, m) in 0..1.
    """
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1).T / 255.0
