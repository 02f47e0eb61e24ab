"""The graded functions of the "TensorFlow Tutorial" assignment, in `tf.compat.v1` graph mode.

Each function has the assignment's name, arguments and results. Functions
that run something (`linear_function`, `sigmoid`, `cost`, `one_hot_matrix`,
`ones`, `model`) build a fresh `tf.Graph`, run it in their own session and
close it, so calls in any order give the same numbers and leave eager
execution (and so Keras) untouched. Functions that return graph pieces
(`create_placeholders`, `initialize_parameters`, `forward_propagation`,
`compute_cost`) build into the current default graph when one is active
(`with tf.Graph().as_default():`, or a TF1-style program), or into a new graph
of their own when called from eager code.
"""
import contextlib
from dataclasses import dataclass, field

import numpy as np

from tfsigns._tf import import_tensorflow
from tfsigns.tf_utils import minibatch_permutation, random_mini_batches

tf = import_tensorflow()
v1 = tf.compat.v1

EDITIONS = ("v3", "v3b")


@contextlib.contextmanager
def _graph_scope():
    """The current graph in graph mode; a new one when called from eager code."""
    if tf.executing_eagerly():
        with tf.Graph().as_default() as graph:
            yield graph
    else:
        yield v1.get_default_graph()


def _run_in_new_graph(build, feed=None):
    """Build a graph with `build()` in a fresh Graph and run what it returns."""
    with tf.Graph().as_default():
        fetches, feed_dict = build()
        with v1.Session() as session:
            return session.run(fetches, feed_dict=feed_dict)


# GRADED FUNCTION: linear_function
def linear_function():
    """Y = WX + b with the course's random constants.

    `np.random.seed(1)`, then X = randn(3, 1), W = randn(4, 3), b = randn(4, 1),
    drawn in that order.

    Returns:
        float64 (4, 1): the value of Y.
    """
    np.random.seed(1)
    X_value = np.random.randn(3, 1)
    W_value = np.random.randn(4, 3)
    b_value = np.random.randn(4, 1)

    def build():
        X = tf.constant(X_value, name="X")  # (3, 1)
        W = tf.constant(W_value, name="W")  # (4, 3)
        b = tf.constant(b_value, name="b")  # (4, 1)
        Y = tf.add(tf.matmul(W, X), b)  # (4, 1)
        return Y, None

    return _run_in_new_graph(build)


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    """The sigmoid of z, computed in float32 through a placeholder.

    Args:
        z: a scalar or array.

    Returns:
        float32 value(s) of sigmoid(z), same shape as z.
    """

    def build():
        x = v1.placeholder(tf.float32, name="x")
        return tf.sigmoid(x), {x: z}

    return _run_in_new_graph(build)


# GRADED FUNCTION: cost
def cost(logits, labels):
    """Sigmoid cross-entropy of `logits` against `labels`.

    Args:
        logits: (n,) or any shape, the values before the sigmoid.
        labels: same shape as logits, 0 or 1.

    Returns:
        float32, same shape: `tf.nn.sigmoid_cross_entropy_with_logits(logits=..., labels=...)`.
    """

    def build():
        z = v1.placeholder(tf.float32, name="z")
        y = v1.placeholder(tf.float32, name="y")
        cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(logits=z, labels=y)
        return cross_entropy, {z: logits, y: labels}

    return _run_in_new_graph(build)


# GRADED FUNCTION: one_hot_matrix
def one_hot_matrix(labels, C):
    """One-hot matrix with one column per example.

    Args:
        labels: (m,) integer labels in 0..C-1.
        C: number of classes (depth).

    Returns:
        float32 (C, m): column j is the one-hot vector of labels[j] (`axis=0`).
    """

    def build():
        depth = tf.constant(C, name="C")
        return tf.one_hot(labels, depth, axis=0), None

    return _run_in_new_graph(build)


# GRADED FUNCTION: ones
def ones(shape):
    """An array of ones.

    Args:
        shape: the shape, e.g. `[3]`.

    Returns:
        float32 array of that shape, all 1.
    """
    return _run_in_new_graph(lambda: (tf.ones(shape), None))


# GRADED FUNCTION: create_placeholders
def create_placeholders(n_x, n_y):
    """Placeholders for the inputs and labels.

    Args:
        n_x: size of an image vector (64 * 64 * 3 = 12288).
        n_y: number of classes (6).

    Returns:
        X: float32 placeholder (n_x, None), named "X".
        Y: float32 placeholder (n_y, None), named "Y".
    """
    with _graph_scope():
        X = v1.placeholder(tf.float32, shape=[n_x, None], name="X")
        Y = v1.placeholder(tf.float32, shape=[n_y, None], name="Y")
    return X, Y


def xavier_initializer(seed):
    """TF1's `tf.contrib.layers.xavier_initializer(seed=seed)`: Glorot uniform, same random stream."""
    return v1.glorot_uniform_initializer(seed=seed)


# GRADED FUNCTION: initialize_parameters
def initialize_parameters():
    """The network's variables, Xavier-uniform weights (seed 1) and zero biases.

    Sets the graph seed to 1 as the assignment did; TF1's
    `tf.contrib.layers.xavier_initializer(seed=1)` is the same random stream as
    `tf.compat.v1.glorot_uniform_initializer(seed=1)`.

    Returns:
        dict of float32 variables: W1 (25, 12288), b1 (25, 1), W2 (12, 25),
        b2 (12, 1), W3 (6, 12), b3 (6, 1).
    """
    with _graph_scope():
        v1.set_random_seed(1)
        xavier = xavier_initializer(seed=1)
        zeros = v1.zeros_initializer()
        W1 = v1.get_variable("W1", [25, 12288], initializer=xavier)
        b1 = v1.get_variable("b1", [25, 1], initializer=zeros)
        W2 = v1.get_variable("W2", [12, 25], initializer=xavier)
        b2 = v1.get_variable("b2", [12, 1], initializer=zeros)
        W3 = v1.get_variable("W3", [6, 12], initializer=xavier)
        b3 = v1.get_variable("b3", [6, 1], initializer=zeros)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}


# GRADED FUNCTION: forward_propagation
def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, stopping at Z3 (no softmax).

    Args:
        X: (12288, m) input placeholder or tensor.
        parameters: dict with W1 (25, 12288), b1 (25, 1), W2 (12, 25),
            b2 (12, 1), W3 (6, 12), b3 (6, 1).

    Returns:
        Z3: (6, m) logits of the last LINEAR unit.
    """
    Z1 = tf.add(tf.matmul(parameters["W1"], X), parameters["b1"])  # (25, m)
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"])  # (12, m)
    A2 = tf.nn.relu(Z2)
    Z3 = tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])  # (6, m)
    return Z3


# GRADED FUNCTION: compute_cost
def compute_cost(Z3, Y):
    """Mean softmax cross-entropy; examples are columns, so both are transposed.

    Args:
        Z3: (6, m) logits from `forward_propagation`.
        Y: (6, m) one-hot labels.

    Returns:
        A scalar tensor: mean over the m examples.
    """
    logits = tf.transpose(Z3)  # (m, 6)
    labels = tf.transpose(Y)  # (m, 6)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


@dataclass
class TrainingResult:
    """What a training run produced, beyond the parameters `model()` returns.

    Attributes:
        parameters: dict of numpy float32 arrays W1 (25, 12288) ... b3 (6, 1).
        costs: the epoch cost every 5 epochs (what the notebook plotted).
        epoch_costs: the cost of every epoch.
        train_accuracy, test_accuracy: float32 accuracies of the final parameters.
    """

    parameters: dict
    costs: list = field(default_factory=list)
    epoch_costs: list = field(default_factory=list)
    train_accuracy: float = float("nan")
    test_accuracy: float = float("nan")


def format_accuracy(value):
    """An accuracy as the 2018 notebook printed it (`0.999074`, `0.625`, `1.0`)."""
    return str(round(float(value), 6))


def check_edition(edition):
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}; received {edition!r}")
    return edition


def cost_normaliser(m, minibatch_size, edition):
    """What each minibatch cost is divided by when summed into the epoch cost.

    Edition v3 divides by `int(m / minibatch_size)` (33 for m = 1080, although
    there are 34 minibatches); edition v3b divides by `minibatch_size`.
    """
    check_edition(edition)
    if edition == "v3" and minibatch_size > m:
        raise ValueError(
            f"edition v3 divides the epoch cost by int(m / minibatch_size), which is 0 for "
            f"m = {m} training examples; use at most {m} or edition v3b; received {minibatch_size}"
        )
    return int(m / minibatch_size) if edition == "v3" else minibatch_size


_ROWS_MATMUL_GRADIENT = "tfsigns_MatMulFromGatheredRows"
# Graph collection of (columns, rows) pairs: X (n_x, size) fed to the first
# MatMul and the gathered rows (size, n_x) it was transposed from.
_GATHERED_ROWS = "tfsigns_gathered_rows"


def _matmul_gradient_from_rows(op, grad):
    """MatMul's gradient, taking dW1 from the gathered rows of the fast path.

    For Z1 = W1 @ X with X = transpose(rows), TensorFlow's gradient is
    dW1 = dZ1 @ X.T, a MatMul with transpose_b=True over (n_x, size). The same
    product is dZ1 @ rows, a plain MatMul of the rows already in memory: the
    same sums in the same order (bit-identical costs, tested), at half the
    time here. Other MatMuls get TensorFlow's own gradient.
    """
    from tensorflow.python.ops import math_grad

    if not op.get_attr("transpose_a") and not op.get_attr("transpose_b"):
        for columns, rows in op.graph.get_collection(_GATHERED_ROWS):
            if op.inputs[1].name == columns.name:
                return tf.matmul(grad, rows), None  # dW1: (25, n_x); the data needs no gradient
    return math_grad._MatMulGrad(op, grad)


try:
    tf.RegisterGradient(_ROWS_MATMUL_GRADIENT)(_matmul_gradient_from_rows)
except KeyError:  # already registered (module reloaded)
    pass


class _FastEpoch:
    """The course's epoch as one `session.run`, with the data resident in the session.

    The course fed every minibatch from a float64 column shuffle of X (half of
    an epoch's time) and paid a `session.run` per minibatch. Here X and Y live
    once in the session as rows of a C-contiguous float32 copy; each epoch
    feeds only its permutation, and a `tf.while_loop` runs the minibatches in
    the course's order: forward, cost and the same `AdamOptimizer` update on
    minibatch k while the rows of minibatch k + 1 are gathered and transposed
    to the course's (n_x, size) layout beside it. The same minibatches, the
    same float32 math, the same printed digits (tested bit for bit against
    the course's loop).

    Args:
        X_train: (n_x, m), Y_train: (n_y, m).
        parameters: the variables from `initialize_parameters()`.
    """

    def __init__(self, X_train, Y_train, parameters, learning_rate, minibatch_size):
        n_x, m = X_train.shape
        n_y = Y_train.shape[0]
        self.m = m
        X_rows = v1.placeholder(tf.float32, shape=[m, n_x], name="X_rows")
        Y_rows = v1.placeholder(tf.float32, shape=[m, n_y], name="Y_rows")
        self.init_feed = {
            X_rows: np.ascontiguousarray(X_train.T, dtype=np.float32),  # (m, n_x)
            Y_rows: np.ascontiguousarray(Y_train.T, dtype=np.float32),  # (m, n_y)
        }
        X_data = v1.Variable(X_rows, trainable=False, name="X_data", use_resource=True)
        Y_data = v1.Variable(Y_rows, trainable=False, name="Y_data", use_resource=True)
        self.permutation = v1.placeholder(tf.int32, shape=[m], name="permutation")
        optimizer = v1.train.AdamOptimizer(learning_rate=learning_rate)
        names = list(parameters)
        num_minibatches = -(-m // minibatch_size)  # the last one may be smaller

        def fetch(k):
            """Minibatch k: rows (size, n_x), X (n_x, size), Y (n_y, size); empty past the end."""
            indices = self.permutation[k * minibatch_size:(k + 1) * minibatch_size]
            rows = tf.gather(X_data, indices)
            return rows, tf.transpose(rows), tf.transpose(tf.gather(Y_data, indices))

        def minibatch_step(k, rows, X_batch, Y_batch, costs):
            next_minibatch = fetch(k + 1)  # depends on no parameter: runs beside this step
            v1.add_to_collection(_GATHERED_ROWS, (X_batch, rows))
            # Read the parameters after the previous minibatch's update (k carries it).
            with tf.control_dependencies([k]):
                current = {name: tf.identity(parameters[name].read_value()) for name in names}
            with v1.get_default_graph().gradient_override_map({"MatMul": _ROWS_MATMUL_GRADIENT}):
                Z3 = forward_propagation(X_batch, current)
            cost = compute_cost(Z3, Y_batch)
            gradients = tf.gradients(cost, [current[name] for name in names])
            update = optimizer.apply_gradients(zip(gradients, [parameters[name] for name in names]))
            with tf.control_dependencies([update]):
                return (k + 1, *next_minibatch, costs.write(k, cost))

        # parallel_iterations=1: a minibatch starts only when the previous one,
        # Adam's beta powers included, is done, as in the course's loop. The
        # transposed X crosses the loop boundary, so Grappler cannot fold the
        # transpose into the MatMul (transpose_b=True: same numbers, twice as slow).
        loop = tf.while_loop(
            lambda k, *_: k < num_minibatches,
            minibatch_step,
            [tf.constant(0), *fetch(0), tf.TensorArray(tf.float32, size=num_minibatches)],
            shape_invariants=[
                tf.TensorShape([]),
                tf.TensorShape([None, n_x]),
                tf.TensorShape([n_x, None]),
                tf.TensorShape([n_y, None]),
                tf.TensorShape(None),
            ],
            parallel_iterations=1,
        )
        self.minibatch_costs = loop[-1].stack()  # (num_minibatches,) float32

    def epoch_runner(self, session):
        """A function `run_epoch(seed) -> minibatch costs`, in the course's order."""
        run = session.make_callable(self.minibatch_costs, feed_list=[self.permutation])

        def run_epoch(seed):
            return list(run(minibatch_permutation(self.m, seed)))

        return run_epoch


def train(
    X_train,
    Y_train,
    X_test,
    Y_test,
    learning_rate=0.0001,
    num_epochs=1500,
    minibatch_size=32,
    print_cost=True,
    edition="v3",
    fast=True,
    on_epoch=None,
    plot_file=None,
    print_fn=print,
):
    """Train the three-layer network as the assignment's `model()` did, and say more.

    Args:
        X_train: (12288, m_train) inputs scaled to 0..1.
        Y_train: (6, m_train) one-hot labels.
        X_test: (12288, m_test).
        Y_test: (6, m_test).
        learning_rate: Adam's learning rate. Defaults to `0.0001`.
        num_epochs: epochs to train. Defaults to `1500`.
        minibatch_size: examples per minibatch. Defaults to `32`.
        print_cost: print "Cost after epoch %i: %f" every 100 epochs and the
            accuracies, as the notebook did. Defaults to `True`.
        edition: "v3" (epoch cost divided by `int(m / minibatch_size)`) or
            "v3b" (divided by `minibatch_size`). Defaults to `"v3"`.
        fast: keep the data in the session and run each epoch's minibatches,
            gathered by index, in one `session.run` (same minibatches, same
            float32 math, same printed digits as the course's feed_dict loop,
            which `fast=False` runs). Defaults to `True`.
        on_epoch: optional callable `on_epoch(epoch, epoch_cost)` after each epoch.
        plot_file: optional PNG path for the cost curve.
        print_fn: how the notebook's lines are printed (a progress display
            clears its line first). Defaults to `print`.

    Returns:
        A `TrainingResult`.
    """
    check_edition(edition)
    n_x, m = X_train.shape
    n_y = Y_train.shape[0]
    normaliser = cost_normaliser(m, minibatch_size, edition)
    result = TrainingResult(parameters={})

    # The notebook's ops.reset_default_graph(): a fresh graph for every run.
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        seed = 3
        X, Y = create_placeholders(n_x, n_y)
        # The fast path reads and updates the parameters inside a while_loop:
        # resource variables order those reads and writes. TF1's ref variables
        # (the default under disable_v2_behavior, as in the grader) do not.
        # Same initializers, same seeds: the same starting values either way.
        with v1.variable_scope(v1.get_variable_scope(), use_resource=True if fast else None):
            parameters = initialize_parameters()
        Z3 = forward_propagation(X, parameters)  # on the placeholders: accuracies, and the course's loop
        correct_prediction = tf.equal(tf.argmax(Z3), tf.argmax(Y))
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, "float"))
        if fast:
            step = _FastEpoch(X_train, Y_train, parameters, learning_rate, minibatch_size)
        else:
            cost_op = compute_cost(Z3, Y)
            optimizer = v1.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost_op)
        init = v1.global_variables_initializer()

        with v1.Session() as session:
            session.run(init, feed_dict=step.init_feed if fast else None)
            if fast:
                run_epoch = step.epoch_runner(session)
            for epoch in range(num_epochs):
                seed = seed + 1
                if fast:
                    minibatch_costs = run_epoch(seed)
                else:
                    # The course's loop: shuffle the float64 columns, feed each minibatch.
                    minibatch_costs = [
                        session.run([optimizer, cost_op], feed_dict={X: minibatch_X, Y: minibatch_Y})[1]
                        for minibatch_X, minibatch_Y in random_mini_batches(X_train, Y_train, minibatch_size, seed)
                    ]
                epoch_cost = 0.0
                for minibatch_cost in minibatch_costs:
                    # float(): NumPy 1 summed in float64; NumPy 2 would stay in float32.
                    epoch_cost += float(minibatch_cost) / normaliser
                result.epoch_costs.append(epoch_cost)
                if print_cost and epoch % 100 == 0:
                    print_fn("Cost after epoch %i: %f" % (epoch, epoch_cost))
                if epoch % 5 == 0:
                    result.costs.append(epoch_cost)
                if on_epoch is not None:
                    on_epoch(epoch, epoch_cost)

            result.parameters = session.run(parameters)
            result.train_accuracy = float(session.run(accuracy, {X: X_train, Y: Y_train}))
            result.test_accuracy = float(session.run(accuracy, {X: X_test, Y: Y_test}))

    if plot_file is not None:
        from tfsigns.plots import plot_costs

        plot_costs(result.costs, learning_rate, plot_file, edition=edition)
    if print_cost:
        print_fn("Parameters have been trained!")
        print_fn("Train Accuracy: " + format_accuracy(result.train_accuracy))
        print_fn("Test Accuracy: " + format_accuracy(result.test_accuracy))
    return result


# GRADED FUNCTION: model
def model(
    X_train,
    Y_train,
    X_test,
    Y_test,
    learning_rate=0.0001,
    num_epochs=1500,
    minibatch_size=32,
    print_cost=True,
    edition="v3",
    plot_file=None,
):
    """The assignment's three-layer network: LINEAR->RELU->LINEAR->RELU->LINEAR->SOFTMAX.

    Trains with Adam on the course's minibatches (seeds 4, 5, ... one per
    epoch), prints "Cost after epoch %i: %f" every 100 epochs and the train
    and test accuracy. Never opens a window: the cost curve goes to
    `plot_file` when one is given.

    Args:
        X_train: (12288, m_train) inputs scaled to 0..1.
        Y_train: (6, m_train) one-hot labels.
        X_test: (12288, m_test).
        Y_test: (6, m_test).
        learning_rate: Defaults to `0.0001`.
        num_epochs: Defaults to `1500`.
        minibatch_size: Defaults to `32`.
        print_cost: Defaults to `True`.
        edition: "v3" or "v3b" (see `train`). Defaults to `"v3"`.
        plot_file: optional PNG path for the cost curve.

    Returns:
        parameters: dict of numpy float32 arrays W1 (25, 12288) ... b3 (6, 1).
    """
    return train(
        X_train,
        Y_train,
        X_test,
        Y_test,
        learning_rate=learning_rate,
        num_epochs=num_epochs,
        minibatch_size=minibatch_size,
        print_cost=print_cost,
        edition=edition,
        plot_file=plot_file,
    ).parameters
