"""The TF2 edition of the assignment ("Tensorflow_introduction", 2021-2025), in eager TF2.

The course has taught the same SIGNS assignment with `tf.Variable`,
`tf.GradientTape` and `tf.data` since 2021. This module holds its functions
with the notebook's names, arguments and return types, beside
`tfsigns.assignment` (the 2018 compat.v1 edition) and `tfsigns.keras_model`
(Keras 3):

- `normalize`, `linear_function`, `sigmoid`, `one_hot_matrix`,
  `initialize_parameters`, `forward_propagation`, `compute_total_loss`,
  `compute_cost` and `model`;
- `load_datasets`: the notebook's `new_train, new_y_train, new_test,
  new_y_test` (`tf.data` datasets) from the data tfsigns finds (official
  files, `--data-dir`, the embedded default);
- `train`: `model()` with more to say (every epoch's cost, a callback) and a
  fast path that runs each epoch in one `tf.function` call.

Three template families (REFERENCE_TF2.md), chosen with `edition=`:

- "tf2" (2023-2025, the current one): `compute_total_loss` sums the softmax
  cross-entropy over a minibatch; the epoch cost is the sum over the epoch / m.
- "tf2-mean" (2021-2023): `compute_cost` takes the mean over a minibatch; the
  epoch cost is the sum of the 34 minibatch means / m (about 1/32 of "tf2").
- "tf2-early" (2021): images divided by 256 into (12288, 1) columns, one-hot
  labels (C, 1), binary cross-entropy, SGD, `batch(32, drop_remainder=True)`
  (33 minibatches, the last 24 examples never seen), epoch cost += minibatch
  cost / 32, 200 epochs; `model()` returns the parameters only.

What the notebook's own code no longer does on Keras 3 (TF >= 2.16), fixed
here: `metric.reset_states()` is gone (`reset_state()`); and its sigmoid test
compares float32 with `==` against 0.9999939, which today's TensorFlow
computes as 0.99999386 (the tests compare within a declared tolerance).

Examples are columns, as in the course: X (12288, m), labels (6, m).
"""
import functools
from dataclasses import dataclass, field

import numpy as np

from tfsigns._tf import import_tensorflow
from tfsigns.expected import PARAMETER_SHAPES

tf = import_tensorflow()
import keras  # noqa: E402  (after the quiet TensorFlow import; Keras 3 is tf.keras on TF >= 2.16)

EDITIONS = ("tf2", "tf2-mean", "tf2-early")
# The epochs each notebook runs model() for (`model(..., num_epochs=100)`; tf2-early 200).
NOTEBOOK_EPOCHS = {"tf2": 100, "tf2-mean": 100, "tf2-early": 200}
N_CLASSES = 6


def check_edition(edition):
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}; received {edition!r}")
    return edition


# ---------------------------------------------------------------------------
# The data pipeline


def normalize(image, edition="tf2"):
    """One image as a flat float32 vector scaled to 0..1, as the notebook maps its dataset.

    `tf.reshape(..., [-1])` flattens in C order, the same order as the 2018
    edition's `X.reshape(m, -1).T`, and float32 x / 255 gives the same bits as
    float64 x / 255 rounded to float32 (tested): a column of
    `tf_utils.flatten_images`, so `predict` and saved parameters serve both editions.

    Args:
        image: uint8 (64, 64, 3).
        edition: "tf2" and "tf2-mean" divide by 255 into (12288,);
            "tf2-early" divided by 256 into a (12288, 1) column. Defaults to `"tf2"`.

    Returns:
        float32 (12288,) ("tf2-early": (12288, 1)).
    """
    if check_edition(edition) == "tf2-early":
        return tf.reshape(tf.cast(image, tf.float32) / 256.0, [-1, 1])
    return tf.reshape(tf.cast(image, tf.float32) / 255.0, [-1])


# GRADED FUNCTION: linear_function
def linear_function():
    """Y = WX + b with the course's random constants, eagerly.

    `np.random.seed(1)`, then X = randn(3, 1), W = randn(4, 3), b = randn(4, 1),
    drawn in that order.

    Returns:
        EagerTensor float64 (4, 1).
    """
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")  # (3, 1)
    W = tf.constant(np.random.randn(4, 3), name="W")  # (4, 3)
    b = tf.constant(np.random.randn(4, 1), name="b")  # (4, 1)
    return tf.add(tf.matmul(W, X), b)  # (4, 1)


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    """The sigmoid of z in float32.

    Args:
        z: a scalar or array (any numeric type; cast to float32 first, as
            `keras.activations.sigmoid` needs a float).

    Returns:
        EagerTensor float32, same shape as z.
    """
    z = tf.cast(z, tf.float32)
    return keras.activations.sigmoid(z)


# GRADED FUNCTION: one_hot_matrix
def one_hot_matrix(label, C=6, edition="tf2"):
    """The one-hot vector of one label.

    Args:
        label: an integer in 0..C-1, or a one-element list or tensor of one.
        C: number of classes (the 2021 templates named it `depth`). Defaults to `6`.
        edition: "tf2" and "tf2-mean" give a vector (C,); "tf2-early" a
            column (C, 1). Defaults to `"tf2"`.

    Returns:
        float32 (C,) ("tf2-early": (C, 1)).
    """
    one_hot = tf.one_hot(label, C, axis=0)  # (C,) for a scalar, (C, 1) for [label]
    if check_edition(edition) == "tf2-early":
        return tf.reshape(one_hot, [C, 1])
    return tf.reshape(one_hot, [C])


# GRADED FUNCTION: initialize_parameters
def initialize_parameters():
    """The network's six variables, all drawn by `GlorotNormal(seed=1)`, biases included.

    Keras 3 initializers with a seed are stateless: a shape gets the same
    values whatever was drawn before (`GlorotNormal(seed=1)((25, 12288))[0, :3]`
    = [0.00183502, -0.00714326, 0.00914525] on TF 2.21).

    Returns:
        dict of float32 `tf.Variable`s W1 (25, 12288), b1 (25, 1), W2 (12, 25),
        b2 (12, 1), W3 (6, 12), b3 (6, 1).
    """
    initializer = keras.initializers.GlorotNormal(seed=1)
    return {name: tf.Variable(initializer(shape=shape), name=name) for name, shape in PARAMETER_SHAPES.items()}


# GRADED FUNCTION: forward_propagation
def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, stopping at Z3 (no softmax).

    Args:
        X: float32 (12288, m) inputs, examples as columns ("tf2-early" feeds
            (m, 12288, 1): a batch of columns, so every product is batched).
        parameters: dict with W1 (25, 12288), b1 (25, 1), W2 (12, 25),
            b2 (12, 1), W3 (6, 12), b3 (6, 1) (variables: gradients reach them).

    Returns:
        Z3: float32 (6, m) logits ("tf2-early": (m, 6, 1)).
    """
    Z1 = tf.math.add(tf.linalg.matmul(parameters["W1"], X), parameters["b1"])  # (25, m)
    A1 = keras.activations.relu(Z1)
    Z2 = tf.math.add(tf.linalg.matmul(parameters["W2"], A1), parameters["b2"])  # (12, m)
    A2 = keras.activations.relu(Z2)
    return tf.math.add(tf.linalg.matmul(parameters["W3"], A2), parameters["b3"])  # (6, m)


# GRADED FUNCTION: compute_total_loss
def compute_total_loss(logits, labels):
    """Softmax cross-entropy summed over the examples (the "tf2" family).

    Examples are columns, so both are transposed to Keras' (m, classes) first;
    without the transposes the Test 1 value would be 0.17102128, not 0.810287.

    Args:
        logits: (6, m) output of the last LINEAR unit.
        labels: (6, m) one-hot labels.

    Returns:
        EagerTensor float32 scalar.
    """
    return tf.reduce_sum(
        keras.losses.categorical_crossentropy(tf.transpose(labels), tf.transpose(logits), from_logits=True)
    )


# GRADED FUNCTION: compute_cost
def compute_cost(logits, labels, edition="tf2-mean"):
    """The older families' cost: a mean over the minibatch.

    Args:
        logits: "tf2-mean": (6, m) logits; "tf2-early": any shape, e.g. (m, 6, 1).
        labels: one-hot, same shape as logits.
        edition: "tf2-mean" (softmax cross-entropy of the transposed columns,
            averaged over the m examples) or "tf2-early" (binary cross-entropy
            of every logit, averaged). Defaults to `"tf2-mean"`.

    Returns:
        EagerTensor scalar (float32; float64 for float64 inputs under "tf2-early",
        as the early notebook's test passes numpy arrays).
    """
    if edition == "tf2-early":
        return tf.reduce_mean(keras.losses.binary_crossentropy(labels, logits, from_logits=True))
    if edition != "tf2-mean":
        raise ValueError(f"edition must be 'tf2-mean' or 'tf2-early' (tf2 uses compute_total_loss); received {edition!r}")
    return tf.reduce_mean(
        keras.losses.categorical_crossentropy(tf.transpose(labels), tf.transpose(logits), from_logits=True)
    )


def load_datasets(data_dir=None, source=None, edition="tf2"):
    """The notebook's datasets, from the data tfsigns uses (`tfsigns.data`'s search order).

    As the notebook builds them: `tf.data.Dataset.from_tensor_slices` of the
    h5 arrays (validated first by `tfsigns.data`), images mapped through
    `normalize`, labels through `one_hot_matrix`; no shuffling.

    Args:
        data_dir: folder with `train_signs.h5` and `test_signs.h5`, or `None`
            for the search order (`--data-dir`, TFSIGNS_DATA, ./data, the embedded default).
        source: a `DataSource` from `data.resolve_data_dir`, to avoid resolving twice.
        edition: one of `EDITIONS` (the early family normalises differently). Defaults to `"tf2"`.

    Returns:
        `(new_train, new_y_train, new_test, new_y_test)`: datasets of float32
        (12288,) images and float32 (6,) one-hot labels ("tf2-early": (12288, 1) and (6, 1)).
    """
    from tfsigns import data

    check_edition(edition)
    train_x, train_y, test_x, test_y, _ = data.load_dataset(data_dir, source=source)
    image = functools.partial(normalize, edition=edition)
    label = functools.partial(one_hot_matrix, C=N_CLASSES, edition=edition)
    return (
        tf.data.Dataset.from_tensor_slices(train_x).map(image),
        tf.data.Dataset.from_tensor_slices(train_y.reshape(-1)).map(label),
        tf.data.Dataset.from_tensor_slices(test_x).map(image),
        tf.data.Dataset.from_tensor_slices(test_y.reshape(-1)).map(label),
    )


# ---------------------------------------------------------------------------
# Training


@dataclass
class Tf2Result:
    """What a TF2-edition run produced.

    Attributes:
        parameters: dict of the six trained `tf.Variable`s (W1 (25, 12288) ... b3 (6, 1)).
        costs: what the notebook appended: the cost every 10 epochs ("tf2-early":
            every 5), as float32 EagerTensors, when printing.
        train_acc, test_acc: the accuracies the notebook appended every 10
            epochs (float32 EagerTensors); empty for "tf2-early".
        epoch_costs: every epoch's cost, as Python floats of the float32 value.
        train_accuracy, test_accuracy: accuracies of the final parameters
            (fraction of argmax hits, float32), for the CLI and `--out`.
    """

    parameters: dict
    costs: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    epoch_costs: list = field(default_factory=list)
    train_accuracy: float = float("nan")
    test_accuracy: float = float("nan")

    def numpy_parameters(self):
        """The parameters as float32 numpy arrays, for `params.save_parameters` and `predict`."""
        return {name: np.asarray(value.numpy(), dtype=np.float32) for name, value in self.parameters.items()}


def _stack(dataset):
    """All elements of a dataset as one tensor: (m, ...) in dataset order, the same values the batches carry."""
    return tf.concat(list(dataset.batch(256)), axis=0)


def _cardinality(dataset, name):
    m = int(dataset.cardinality().numpy())
    if m < 0:
        raise ValueError(f"{name} must be a dataset of known length (e.g. from_tensor_slices(...).map(...)); received one of unknown cardinality")
    return m


def train(
    X_train,
    Y_train,
    X_test,
    Y_test,
    learning_rate=0.0001,
    num_epochs=1500,
    minibatch_size=32,
    print_cost=True,
    edition="tf2",
    fast=True,
    on_epoch=None,
    print_fn=print,
):
    """Train the network as the TF2 notebook's `model()` does, and say more.

    The notebook's loop, eagerly (`fast=False`): per epoch, the minibatches of
    `Dataset.zip((X_train, Y_train)).batch(32).prefetch(8)` in dataset order
    (no shuffling), each a `GradientTape` forward pass, loss, gradients of the
    six variables and Keras Adam's `apply_gradients`; the epoch's losses are
    summed in float32 and divided by m. The fast path (`fast=True`) keeps the
    data as two tensors and runs each epoch's minibatches in one
    `tf.function` call: the same minibatches, the same ops in the same
    order, and the same printed costs, bit for bit (tested; `bench/speed.py`
    measures both).

    Args:
        X_train: dataset of float32 (12288,) images (`load_datasets`); "tf2-early": (12288, 1).
        Y_train: dataset of float32 (6,) one-hot labels; "tf2-early": (6, 1).
        X_test, Y_test: the same for the test set.
        learning_rate: the optimizer's learning rate. Defaults to `0.0001`.
        num_epochs: Defaults to `1500` (the notebook's default; it calls model() with 100, tf2-early 200).
        minibatch_size: Defaults to `32`.
        print_cost: print the notebook's lines every 10 epochs. Defaults to `True`.
        edition: "tf2", "tf2-mean" or "tf2-early". Defaults to `"tf2"`.
        fast: one `tf.function` call per epoch instead of the eager loop. Defaults to `True`.
        on_epoch: optional `on_epoch(epoch, epoch_cost)` after every epoch.
        print_fn: how lines are printed. Defaults to `print`.

    Returns:
        A `Tf2Result`.
    """
    check_edition(edition)
    m = _cardinality(X_train, "X_train")
    if _cardinality(Y_train, "Y_train") != m:
        raise ValueError(f"X_train and Y_train must have the same length; received {m} and {_cardinality(Y_train, 'Y_train')}")
    if edition == "tf2-early" and minibatch_size > m:
        raise ValueError(
            f"edition tf2-early drops the last partial minibatch, so minibatch_size must be at most m = {m}; received {minibatch_size}"
        )
    if edition == "tf2-early":
        return _train_early(X_train, Y_train, X_test, Y_test, m, learning_rate, num_epochs, minibatch_size, print_cost, fast, on_epoch, print_fn)

    loss_fn = compute_total_loss if edition == "tf2" else compute_cost  # compute_cost: the mean family
    result = Tf2Result(parameters=initialize_parameters())
    parameters = result.parameters
    trainable_variables = [parameters[name] for name in PARAMETER_SHAPES]
    optimizer = keras.optimizers.Adam(learning_rate)  # Keras' defaults, epsilon 1e-7, as the notebook
    optimizer.build(trainable_variables)  # its slots exist before any tf.function is traced
    train_accuracy = keras.metrics.CategoricalAccuracy()
    test_accuracy = keras.metrics.CategoricalAccuracy()
    minibatches = tf.data.Dataset.zip((X_train, Y_train)).batch(minibatch_size).prefetch(8)
    test_minibatches = tf.data.Dataset.zip((X_test, Y_test)).batch(minibatch_size).prefetch(8)

    def step(minibatch_X, minibatch_Y):
        """One minibatch: X (size, 12288) and Y (size, 6) rows, as the dataset batches them."""
        with tf.GradientTape() as tape:
            Z3 = forward_propagation(tf.transpose(minibatch_X), parameters)  # (6, size)
            minibatch_loss = loss_fn(Z3, tf.transpose(minibatch_Y))
        train_accuracy.update_state(minibatch_Y, tf.transpose(Z3))  # before the update, as the notebook
        grads = tape.gradient(minibatch_loss, trainable_variables)
        optimizer.apply_gradients(zip(grads, trainable_variables))
        return minibatch_loss

    if fast:
        X_rows, Y_rows = _stack(X_train), _stack(Y_train)  # (m, 12288), (m, 6), resident
        X_test_rows, Y_test_rows = _stack(X_test), _stack(Y_test)
        num_minibatches = -(-m // minibatch_size)  # the last one may be smaller

        @tf.function
        def epoch_total():
            total = tf.constant(0.0)
            for k in tf.range(num_minibatches):
                start = k * minibatch_size
                total += step(X_rows[start:start + minibatch_size], Y_rows[start:start + minibatch_size])
            return total  # the division by m stays eager: Grappler would make it a product by 1/m

        @tf.function
        def evaluate():
            for k in tf.range(-(-X_test_rows.shape[0] // minibatch_size)):
                start = k * minibatch_size
                X, Y = X_test_rows[start:start + minibatch_size], Y_test_rows[start:start + minibatch_size]
                test_accuracy.update_state(Y, tf.transpose(forward_propagation(tf.transpose(X), parameters)))

    for epoch in range(num_epochs):
        train_accuracy.reset_state()  # Keras 3: the notebook's reset_states() is gone
        if fast:
            epoch_cost = epoch_total()
        else:
            epoch_cost = 0.0
            for minibatch_X, minibatch_Y in minibatches:
                epoch_cost += step(minibatch_X, minibatch_Y)  # float32 EagerTensor from the first add
        epoch_cost /= m  # float32, as the notebook's `epoch_total_loss /= m`
        result.epoch_costs.append(float(epoch_cost))
        if print_cost and epoch % 10 == 0:
            print_fn("Cost after epoch %i: %f" % (epoch, epoch_cost))
            print_fn("Train accuracy: " + str(train_accuracy.result()))  # print(..., tensor): its str()
            # The notebook evaluates the test set only when it prints.
            if fast:
                evaluate()
            else:
                for minibatch_X, minibatch_Y in test_minibatches:
                    Z3 = forward_propagation(tf.transpose(minibatch_X), parameters)
                    test_accuracy.update_state(minibatch_Y, tf.transpose(Z3))
            print_fn("Test_accuracy: " + str(test_accuracy.result()))
            result.costs.append(epoch_cost)
            result.train_acc.append(train_accuracy.result())
            result.test_acc.append(test_accuracy.result())
            test_accuracy.reset_state()
        if on_epoch is not None:
            on_epoch(epoch, float(epoch_cost))

    result.train_accuracy = _final_accuracy(X_train, Y_train, parameters, edition)
    result.test_accuracy = _final_accuracy(X_test, Y_test, parameters, edition)
    return result


def _train_early(X_train, Y_train, X_test, Y_test, m, learning_rate, num_epochs, minibatch_size, print_cost, fast, on_epoch, print_fn):
    """The tf2-early model(): SGD, drop_remainder, binary cross-entropy, epoch cost += cost / 32."""
    result = Tf2Result(parameters=initialize_parameters())
    parameters = result.parameters
    trainable_variables = [parameters[name] for name in PARAMETER_SHAPES]
    optimizer = keras.optimizers.SGD(learning_rate)
    optimizer.build(trainable_variables)
    # The early notebook decorates both with @tf.function.
    forward = tf.function(forward_propagation)
    cost_fn = tf.function(functools.partial(compute_cost, edition="tf2-early"))
    X_batches = X_train.batch(minibatch_size, drop_remainder=True).prefetch(8)
    Y_batches = Y_train.batch(minibatch_size, drop_remainder=True).prefetch(8)

    def step(minibatch_X, minibatch_Y):
        """X (size, 12288, 1), Y (size, 6, 1): every product is a batch of columns."""
        with tf.GradientTape() as tape:
            Z3 = forward(minibatch_X, parameters)  # (size, 6, 1)
            minibatch_cost = cost_fn(Z3, minibatch_Y)
        grads = tape.gradient(minibatch_cost, trainable_variables)
        optimizer.apply_gradients(zip(grads, trainable_variables))
        return minibatch_cost

    if fast:
        X_all, Y_all = _stack(X_train), _stack(Y_train)  # (m, 12288, 1), (m, 6, 1)
        num_minibatches = m // minibatch_size  # drop_remainder

        @tf.function
        def epoch_total():
            total = tf.constant(0.0)
            for k in tf.range(num_minibatches):
                start = k * minibatch_size
                minibatch_cost = step(X_all[start:start + minibatch_size], Y_all[start:start + minibatch_size])
                total += minibatch_cost / minibatch_size
            return total

    for epoch in range(num_epochs):
        if fast:
            epoch_cost = epoch_total()
        else:
            epoch_cost = 0.0
            for minibatch_X, minibatch_Y in zip(X_batches, Y_batches):
                epoch_cost += step(minibatch_X, minibatch_Y) / minibatch_size
        result.epoch_costs.append(float(epoch_cost))
        if print_cost and epoch % 10 == 0:
            print_fn("Cost after epoch %i: %f" % (epoch, epoch_cost))
        if print_cost and epoch % 5 == 0:
            result.costs.append(epoch_cost)
        if on_epoch is not None:
            on_epoch(epoch, float(epoch_cost))
    if print_cost:
        print_fn("Parameters have been trained!")
    result.train_accuracy = _final_accuracy(X_train, Y_train, parameters, "tf2-early")
    result.test_accuracy = _final_accuracy(X_test, Y_test, parameters, "tf2-early")
    return result


def _final_accuracy(X, Y, parameters, edition):
    """Fraction of examples whose argmax logit is the label, float32 (what `predict` on the saved parameters gives)."""
    X_rows, Y_rows = _stack(X), _stack(Y)
    if edition == "tf2-early":
        X_rows, Y_rows = X_rows[..., 0], Y_rows[..., 0]  # (m, 12288), (m, 6)
    Z3 = forward_propagation(tf.transpose(X_rows), parameters)  # (6, m)
    correct = np.count_nonzero(np.argmax(Z3.numpy(), axis=0) == np.argmax(Y_rows.numpy(), axis=1))
    return float(np.float32(correct) / np.float32(Y_rows.shape[0]))


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
    edition="tf2",
):
    """The TF2 notebook's three-layer network: LINEAR->RELU->LINEAR->RELU->LINEAR->SOFTMAX.

    Prints, every 10 epochs, "Cost after epoch %i: %f", "Train accuracy: <tensor>"
    and "Test_accuracy: <tensor>", as the notebook does (tf2-early: the cost
    only, then "Parameters have been trained!"). Runs the fast path (see `train`).

    Args:
        X_train: dataset of float32 (12288,) images, e.g. `load_datasets()[0]`.
        Y_train: dataset of float32 (6,) one-hot labels.
        X_test, Y_test: the test set, the same way.
        learning_rate: Defaults to `0.0001`.
        num_epochs: Defaults to `1500` (the notebook calls it with 100).
        minibatch_size: Defaults to `32`.
        print_cost: Defaults to `True`.
        edition: "tf2", "tf2-mean" or "tf2-early". Defaults to `"tf2"`.

    Returns:
        `(parameters, costs, train_acc, test_acc)`: the dict of six trained
        `tf.Variable`s and the lists the notebook appends every 10 epochs
        (float32 EagerTensors). "tf2-early" returns `parameters` alone, as its notebook did.
    """
    result = train(
        X_train,
        Y_train,
        X_test,
        Y_test,
        learning_rate=learning_rate,
        num_epochs=num_epochs,
        minibatch_size=minibatch_size,
        print_cost=print_cost,
        edition=edition,
    )
    if edition == "tf2-early":
        return result.parameters
    return result.parameters, result.costs, result.train_acc, result.test_acc


# ---------------------------------------------------------------------------
# The same network through Keras' model.fit (python -m tfsigns parity --edition tf2)


class EditionCost(keras.metrics.Metric):
    """The edition's epoch cost, measured inside `fit`: minibatch losses summed in float32, / m.

    `fit`'s own "loss" log is the mean of the minibatch losses weighted by
    minibatch size, which is not what the notebook prints; this metric sees
    the same logits the loss saw (before the update) and adds up the
    edition's minibatch loss in order, as the notebook's `epoch_total_loss += ...`.

    Args:
        edition: "tf2" (summed cross-entropy per minibatch) or "tf2-mean" (its mean).
    """

    def __init__(self, edition="tf2", name="edition_cost", **kwargs):
        super().__init__(name=name, **kwargs)
        self.edition = edition
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        # y_true (size, 6), y_pred (size, 6) logits: rows, as Keras has them.
        per_example = keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True)  # (size,)
        loss = tf.reduce_sum(per_example) if self.edition == "tf2" else tf.reduce_mean(per_example)
        self.total.assign_add(loss)
        self.count.assign_add(tf.cast(tf.shape(y_true)[0], tf.float32))

    def result(self):
        return self.total / self.count


class _RecordCost(keras.callbacks.Callback):
    def __init__(self, record):
        super().__init__()
        self.record = record

    def on_epoch_end(self, epoch, logs=None):
        self.record(epoch, float(logs["edition_cost"]))


def fit_parity(X_train, Y_train, learning_rate=0.0001, num_epochs=100, minibatch_size=32, edition="tf2", on_epoch=None):
    """The network as a Keras model trained by `model.fit`, from the edition's start.

    The same `GlorotNormal(seed=1)` values `initialize_parameters()` draws
    (kernels = W.T, biases = b.reshape(-1)), `fit(shuffle=False,
    batch_size=32)` (the dataset's order, the last minibatch of 24 too), the
    edition's loss reduction ("tf2": summed over the minibatch, "tf2-mean":
    its mean) and Keras' Adam with its defaults, as the notebook's
    `tf.keras.optimizers.Adam(learning_rate)`. Not compiled with XLA (it
    would change the numbers).

    Args:
        X_train: dataset of float32 (12288,) images; Y_train: dataset of (6,) one-hot labels.
        learning_rate, num_epochs, minibatch_size: as in `train`.
        edition: "tf2" or "tf2-mean". Defaults to `"tf2"`.
        on_epoch: optional `on_epoch(epoch, epoch_cost)` after every epoch.

    Returns:
        `(network, epoch_costs)`: the Keras model and the edition's cost of every epoch.
    """
    from tfsigns import keras_model

    if edition not in ("tf2", "tf2-mean"):
        raise ValueError(f"edition must be 'tf2' or 'tf2-mean' for fit parity (tf2-early uses SGD and drops a minibatch); received {edition!r}")
    X_rows = _stack(X_train).numpy()  # (m, 12288)
    Y_rows = _stack(Y_train).numpy()  # (m, 6)
    start = {name: variable.numpy() for name, variable in initialize_parameters().items()}
    network = keras_model.parameters_to_model(start)
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True, reduction="sum" if edition == "tf2" else "sum_over_batch_size"),
        metrics=[EditionCost(edition)],
        jit_compile=False,
    )
    costs = []

    def record(epoch, cost):
        costs.append(cost)
        if on_epoch is not None:
            on_epoch(epoch, cost)

    network.fit(X_rows, Y_rows, batch_size=minibatch_size, epochs=num_epochs, shuffle=False, verbose=0, callbacks=[_RecordCost(record)])
    return network, costs
