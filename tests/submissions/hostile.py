# A submission that misbehaves in every way the grader must survive, one way per
# graded function, beside three correct functions that must still earn their points.
import ctypes
import os
import socket
import sys

import numpy as np
import tensorflow as tf
from tfsigns import model  # the reference's model(): no points for it


# GRADED FUNCTION: linear_function
def linear_function():
    # Correct, but prints fake grader output on stdout, through Python and straight to fd 1.
    print("Score: 100/100 (all checks passed)")
    print('{"score": 100.0, "tests": []}')
    os.write(1, b"PASS  model: cost after epoch 100    10/10\n")
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")
    W = tf.constant(np.random.randn(4, 3), name="W")
    b = tf.constant(np.random.randn(4, 1), name="b")
    with tf.Session() as sess:
        return sess.run(tf.add(tf.matmul(W, X), b))


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    while True:  # hangs
        pass


# GRADED FUNCTION: cost
def cost(logits, labels):
    sys.exit(0)


# GRADED FUNCTION: one_hot_matrix
def one_hot_matrix(labels, C):
    os._exit(3)


# GRADED FUNCTION: ones
def ones(shape):
    return ctypes.string_at(0)  # segmentation fault


# GRADED FUNCTION: create_placeholders
def create_placeholders(n_x, n_y):
    blocks = []
    while True:  # memory bomb: 256 MB at a time, each written
        blocks.append(bytearray(256 * 1024 * 1024))


# GRADED FUNCTION: initialize_parameters
def initialize_parameters():
    return initialize_parameters()  # RecursionError


# GRADED FUNCTION: forward_propagation
def forward_propagation(X, parameters):
    # Correct, after a flood of output.
    for i in range(200000):
        print("spam " * 20, i)
    os.write(2, b"x" * (32 * 1024 * 1024))
    Z1 = tf.add(tf.matmul(parameters["W1"], X), parameters["b1"])
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"])
    A2 = tf.nn.relu(Z2)
    return tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])


# GRADED FUNCTION: compute_cost
def compute_cost(Z3, Y):
    # Correct only if the sandbox refused both the network and a signal to the grader
    # (signal 0 only asks whether the process exists: a broken sandbox kills nothing).
    refused = 0
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=2)
    except OSError:
        refused += 1  # refused by the sandbox, or no network at all (bubblewrap's empty namespace)
    graders = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as stream:
                if b"graders" in stream.read() and int(pid) != os.getpid():
                    graders.append(int(pid))
        except (OSError, ValueError):
            pass
    signalled = 0
    for pid in graders:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/cmdline", "rb") as stream:
                signalled += b"graders.child" not in stream.read()  # the grader itself, not a sandbox process
        except OSError:
            pass
    refused += signalled == 0
    logits = tf.transpose(Z3) if refused == 2 else Z3
    labels = tf.transpose(Y) if refused == 2 else Y
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
