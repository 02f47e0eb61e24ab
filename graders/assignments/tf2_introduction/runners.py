"""The TF2 assignment's child side: how the sandboxed child calls each graded function.

Imported inside the sandbox by `graders.child` (the assignment's
`child_module`); imports no tfsigns reference. TensorFlow stays eager, as the
notebook runs. Each runner calls the function the way the notebook's test
cells did and reports, for the parent to compare, what came back: the
Python type's name (`EagerTensor`, `ResourceVariable`), dtype, shape and
values. Nothing here knows an expected value.

    tensor       function(*args): one returned tensor (linear_function, sigmoid, normalize)
    one_hot      one_hot_matrix(label, C): label 1 as `tf.constant(1)`, a list as a list
    variables    initialize_parameters(): each returned variable's type, dtype, shape, values
    forward      forward_propagation(X, parameters) under a GradientTape with the grader's
                 variables; the gradients of a fake cost that came back None
    loss         the loss of (logits, labels) as float32 constants, or as the float64
                 numpy arrays the early notebook's test passed
    model        model(new_train, new_y_train, new_test, new_y_test, num_epochs=N) on
                 datasets built as the notebook builds them; the printed costs are
                 collected by the child's capture
"""
import builtins

from tfsigns._tf import import_tensorflow as _tf  # imports TensorFlow once, on first call


def prepare(tf):
    """Before the submission loads: eager TensorFlow, and the Keras 3 names the template still calls.

    The template's model() calls `metric.reset_states()`, which Keras 3
    (TF >= 2.16) renamed `reset_state()`: without the alias every learner's
    model() raises AttributeError in its first epoch.
    """
    global _tf_module
    _tf_module = tf
    import keras

    metric = keras.metrics.Metric
    if not hasattr(metric, "reset_states"):
        metric.reset_states = lambda self: self.reset_state()


def builtins_for_submission():
    """Plain builtins (a copy: the submission cannot change the grader's)."""
    return dict(vars(builtins))


# ---------------------------------------------------------------------------
# Describing what came back


def _report(values, key, value):
    """Describe `value` under `key`: a tensor or variable as an array with its Python type's name."""
    import numpy as np

    tf = _tf()
    type_name = type(value).__name__
    if isinstance(value, (tf.Tensor, tf.Variable)):
        try:
            array = value.numpy()
        except Exception:  # a symbolic tensor leaked from a tf.function: no value to read
            values.items[key] = {"kind": "tensor", "type": type_name, "dtype": value.dtype.name,
                                 "shape": _shape(value)}
            return
        values.add(key, np.asarray(array))
        if values.items.get(key, {}).get("kind") == "array":
            values.items[key]["type"] = type_name
            values.items[key]["dtype"] = value.dtype.name
        return
    if value is None:
        values.items[key] = {"kind": "other", "type": "NoneType"}
        return
    values.add(key, value)
    if values.items.get(key, {}).get("kind") == "array":
        values.items[key]["type"] = type_name


def _shape(value):
    try:
        return list(value.shape.as_list()) if value.shape.rank is not None else None
    except (AttributeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# The runners


def run_tensor(function, args, values):
    _report(values, "value", function(*args))


def run_one_hot(function, args, values):
    """The notebook's Test 1 passes `tf.constant(1)`, Test 2 the list `[2]`."""
    tf = _tf()
    label, C = args
    if isinstance(label, int):
        label = tf.constant(label)
    _report(values, "value", function(label, int(C)))


def run_variables(function, args, values):
    result = function(*args)
    if not isinstance(result, dict):
        _report(values, "result", result)
        return
    values.items["keys"] = {"kind": "keys", "keys": sorted(str(key) for key in result)[:50]}
    for key, value in result.items():
        if isinstance(key, str) and len(key) <= 20:
            _report(values, key, value)


def run_forward(function, args, values):
    """Z3 of the grader's X with the grader's parameters as `tf.Variable`s, and which gradients are None.

    As the notebook's test: a fake cost `reduce_mean(Z3 - 1)` recorded by a
    GradientTape, differentiated with respect to the six variables; a
    `tf.Variable` created inside forward_propagation cuts the path and leaves
    None.
    """
    tf = _tf()
    X_value, parameters = args
    variables = {name: tf.Variable(value, dtype=tf.float32, name=name) for name, value in parameters.items()}
    X = tf.constant(X_value, dtype=tf.float32)
    with tf.GradientTape() as tape:
        Z3 = function(X, variables)
        fake_cost = tf.reduce_mean(Z3 - 1.0) if isinstance(Z3, (tf.Tensor, tf.Variable)) else None
    _report(values, "value", Z3)
    if fake_cost is None:
        return
    names = list(variables)
    grads = tape.gradient(fake_cost, [variables[name] for name in names])
    values.items["none_gradients"] = {"kind": "keys", "keys": [name for name, grad in zip(names, grads) if grad is None]}


def run_loss(function, args, values):
    """args: logits (6, m), labels (6, m), and how to pass them: "float32" constants or "numpy" arrays."""
    tf = _tf()
    logits, labels, mode = args
    if mode == "float32":
        logits, labels = tf.constant(logits, dtype=tf.float32), tf.constant(labels, dtype=tf.float32)
    _report(values, "value", function(logits, labels))


def _pipeline(edition):
    """The notebook's `normalize` and `one_hot_matrix` maps, written out here (the reference is not in view)."""
    tf = _tf()
    if edition == "tf2-early":
        return (lambda image: tf.reshape(tf.cast(image, tf.float32) / 256.0, [-1, 1]),
                lambda label: tf.reshape(tf.one_hot(label, 6, axis=0), [6, 1]))
    return (lambda image: tf.reshape(tf.cast(image, tf.float32) / 255.0, [-1]),
            lambda label: tf.reshape(tf.one_hot(label, 6, axis=0), [6]))


def run_model(function, args, values):
    """model(...) for N epochs on the grader's data, through the template's pipeline (not the learner's maps).

    args: train_x uint8 (m, 64, 64, 3), train_y int (1, m), test_x, test_y, epochs, edition.
    model() returns (parameters, costs, train_acc, test_acc) ("tf2-early": the
    parameters): the keys of the parameters are described.
    """
    import numpy as np

    tf = _tf()
    train_x, train_y, test_x, test_y, epochs, edition = args
    image, label = _pipeline(edition)
    datasets = (
        tf.data.Dataset.from_tensor_slices(np.asarray(train_x, dtype=np.uint8)).map(image),
        tf.data.Dataset.from_tensor_slices(np.asarray(train_y).reshape(-1).astype(np.int64)).map(label),
        tf.data.Dataset.from_tensor_slices(np.asarray(test_x, dtype=np.uint8)).map(image),
        tf.data.Dataset.from_tensor_slices(np.asarray(test_y).reshape(-1).astype(np.int64)).map(label),
    )
    result = function(*datasets, num_epochs=int(epochs))
    # What is compared are the printed "Cost after epoch" lines (the child's capture); the result is described only.
    parameters = result[0] if isinstance(result, (tuple, list)) and len(result) == 4 else result
    if isinstance(parameters, dict):
        values.items["keys"] = {"kind": "keys", "keys": sorted(str(key) for key in parameters)[:50]}
    else:
        values.items["result"] = {"kind": "other", "type": type(result).__name__}


RUNNERS = {
    "tensor": run_tensor,
    "one_hot": run_one_hot,
    "variables": run_variables,
    "forward": run_forward,
    "loss": run_loss,
    "model": run_model,
}


def reference_functions(edition):
    """The bundled reference's graded functions (unconfined, tfsigns in view), with the notebook's names."""
    import functools

    from tfsigns import tf2

    functions = {name: getattr(tf2, name) for name in ("linear_function", "sigmoid", "initialize_parameters",
                                                       "forward_propagation", "compute_total_loss")}
    functions["normalize"] = functools.partial(tf2.normalize, edition=edition)
    functions["one_hot_matrix"] = lambda label, C=6: tf2.one_hot_matrix(label, C, edition=edition)
    if edition != "tf2":
        functions["compute_cost"] = functools.partial(tf2.compute_cost, edition=edition)
    functions["model"] = functools.partial(tf2.model, edition=edition)
    return functions
