"""The graded functions against the published values (tfsigns/expected.py)."""
import ast
import subprocess
import sys

import numpy as np
import pytest

from tfsigns import assignment, expected
from tfsigns._tf import import_tensorflow
from tfsigns.tf_utils import convert_to_one_hot, flatten_images, minibatch_permutation, predict, random_mini_batches

tf = import_tensorflow()
v1 = tf.compat.v1


def assert_expected(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want.value, dtype=np.float64), rtol=want.rtol, atol=want.atol)


# Warm-ups -----------------------------------------------------------------


def test_linear_function_matches_published_values():
    got = assignment.linear_function()
    assert got.shape == (4, 1) and got.dtype == np.float64
    assert_expected(got, expected.LINEAR_FUNCTION)


def test_linear_function_depends_on_draw_order():
    # The X, W, b draw order is what makes the published numbers; W first gives others.
    np.random.seed(1)
    W = np.random.randn(4, 3)
    X = np.random.randn(3, 1)
    b = np.random.randn(4, 1)
    assert not expected.LINEAR_FUNCTION.close(W @ X + b)


def test_sigmoid_matches_published_values():
    got_0, got_12 = assignment.sigmoid(0), assignment.sigmoid(12)
    assert got_12.dtype == np.float32
    assert_expected(got_0, expected.SIGMOID_0)
    assert_expected(got_12, expected.SIGMOID_12)


@pytest.mark.parametrize("edition", ["v3", "v3b"])
def test_cost_matches_published_values(edition):
    logits = expected.COST_TEST_LOGITS
    if edition == "v3":
        # v3's test cell fed sigmoid(logits) as the logits.
        logits = assignment.sigmoid(logits)
    got = assignment.cost(logits, expected.COST_TEST_LABELS)
    assert got.shape == (4,)
    assert_expected(got, expected.COST[edition])


def test_one_hot_matrix_puts_classes_on_rows():
    got = assignment.one_hot_matrix(expected.ONE_HOT_TEST_LABELS, expected.ONE_HOT_TEST_C)
    assert got.shape == (4, 6), "axis=0: one column per example"
    assert_expected(got, expected.ONE_HOT_MATRIX)


def test_ones_matches_published_values():
    got = assignment.ones(expected.ONES_TEST_SHAPE)
    assert got.dtype == np.float32
    assert_expected(got, expected.ONES)


# Graph pieces -------------------------------------------------------------


def test_create_placeholders_names_dtypes_and_shapes():
    with tf.Graph().as_default():
        X, Y = assignment.create_placeholders(12288, 6)
    for tensor, name in ((X, "X"), (Y, "Y")):
        assert tensor.op.type == "Placeholder"
        assert tensor.dtype == tf.float32
        assert tensor.name == f"{name}:0"
        assert tuple(tensor.shape.as_list()) == expected.PLACEHOLDER_SHAPES[name]


def test_create_placeholders_works_from_eager_code():
    X, Y = assignment.create_placeholders(12288, 6)
    assert X.graph is Y.graph
    assert tuple(X.shape.as_list()) == (12288, None)
    assert tf.executing_eagerly(), "eager execution must stay on for Keras"


def test_xavier_stream_reproduces_published_course4_check():
    # Same initializer path as initialize_parameters, with the course-4 seed 0.
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        W1 = v1.get_variable("W1", [4, 4, 3, 8], initializer=assignment.xavier_initializer(seed=0))
        W2 = v1.get_variable("W2", [2, 2, 8, 16], initializer=assignment.xavier_initializer(seed=0))
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            W1_value, W2_value = session.run([W1, W2])
    assert_expected(W1_value[1, 1, 1], expected.XAVIER_COURSE4_W1)
    assert_expected(W2_value[1, 1, 1], expected.XAVIER_COURSE4_W2)


def _initialized_parameters():
    with tf.Graph().as_default():
        parameters = assignment.initialize_parameters()
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            return parameters, session.run(parameters)


def test_initialize_parameters_shapes_names_and_zero_biases():
    variables, values = _initialized_parameters()
    for name, shape in expected.PARAMETER_SHAPES.items():
        assert variables[name].name == f"{name}:0"
        assert values[name].shape == shape and values[name].dtype == np.float32
    for name in ("b1", "b2", "b3"):
        assert not values[name].any()


def test_initialize_parameters_draws_glorot_uniform_with_seed_1():
    # Glorot uniform is uniform(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)),
    # drawn from op seed 1 under graph seed 1; seed 0 would give other numbers.
    _, values = _initialized_parameters()
    with tf.Graph().as_default():
        v1.set_random_seed(1)
        draws = {}
        for name, (fan_out, fan_in) in (("W1", (25, 12288)), ("W2", (12, 25)), ("W3", (6, 12))):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            draws[name] = v1.random_uniform([fan_out, fan_in], -limit, limit, seed=1)
        with v1.Session() as session:
            draws = session.run(draws)
    for name in ("W1", "W2", "W3"):
        np.testing.assert_allclose(values[name], draws[name], rtol=0, atol=1e-7)


def test_forward_propagation_is_linear_relu_linear_relu_linear():
    rng = np.random.default_rng(0)
    parameters = {name: rng.standard_normal(shape).astype(np.float32) * 0.05 for name, shape in expected.PARAMETER_SHAPES.items()}
    X_value = rng.random((12288, 5)).astype(np.float32)
    with tf.Graph().as_default():
        X, _ = assignment.create_placeholders(12288, 6)
        Z3 = assignment.forward_propagation(X, {k: tf.constant(v) for k, v in parameters.items()})
        assert tuple(Z3.shape.as_list()) == expected.Z3_SHAPE
        with v1.Session() as session:
            got = session.run(Z3, {X: X_value})
    A1 = np.maximum(parameters["W1"] @ X_value + parameters["b1"], 0)
    A2 = np.maximum(parameters["W2"] @ A1 + parameters["b2"], 0)
    want = parameters["W3"] @ A2 + parameters["b3"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    # Without the ReLUs the logits differ far beyond that tolerance.
    no_relu = parameters["W3"] @ (parameters["W2"] @ (parameters["W1"] @ X_value + parameters["b1"]) + parameters["b2"]) + parameters["b3"]
    assert np.abs(no_relu - want).max() > 1e-2


def test_compute_cost_is_mean_softmax_cross_entropy_over_columns():
    rng = np.random.default_rng(1)
    Z3_value = rng.standard_normal((6, 4)).astype(np.float32)
    Y_value = convert_to_one_hot(np.array([0, 3, 5, 1]), 6).astype(np.float32)
    with tf.Graph().as_default():
        Z3 = v1.placeholder(tf.float32, [6, None])
        Y = v1.placeholder(tf.float32, [6, None])
        cost = assignment.compute_cost(Z3, Y)
        assert cost.shape.rank == 0
        with v1.Session() as session:
            got = session.run(cost, {Z3: Z3_value, Y: Y_value})
    log_softmax = Z3_value - np.log(np.exp(Z3_value).sum(axis=0, keepdims=True))  # softmax down each column
    want = -(Y_value * log_softmax).sum(axis=0).mean()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    # Forgetting the transposes takes the softmax along the wrong axis.
    wrong = -(Y_value * (Z3_value - np.log(np.exp(Z3_value).sum(axis=1, keepdims=True)))).sum(axis=1).mean()
    assert abs(wrong - want) > 1e-2


# Helpers ------------------------------------------------------------------


def test_random_mini_batches_cuts_33_full_and_one_of_24_in_permutation_order():
    m = 1080
    X = np.arange(m, dtype=np.float64)[None, :].repeat(3, axis=0)  # (3, m): column index as value
    Y = convert_to_one_hot(np.arange(m) % 6, 6)
    batches = random_mini_batches(X, Y, 32, seed=4)
    assert [b[0].shape[1] for b in batches] == [32] * 33 + [24]
    np.random.seed(4)
    order = np.random.permutation(m)
    np.testing.assert_array_equal(np.concatenate([b[0][0] for b in batches]), order)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches], axis=1), Y[:, order])
    np.testing.assert_array_equal(minibatch_permutation(m, 4), order)


def test_convert_to_one_hot_and_predict_shapes():
    Y = convert_to_one_hot(np.array([[1, 0, 5]]), 6)
    np.testing.assert_array_equal(Y, np.eye(6)[:, [1, 0, 5]])
    parameters = {name: np.zeros(shape, np.float32) for name, shape in expected.PARAMETER_SHAPES.items()}
    parameters["b3"][4] = 1.0
    got = predict(np.zeros((12288, 1)), parameters)
    assert got.shape == (1,) and got[0] == 4


def test_flatten_images_is_the_course_preprocessing():
    images = np.random.default_rng(2).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    got = flatten_images(images)
    assert got.shape == (12288, 3)
    np.testing.assert_array_equal(got[:, 1], images[1].reshape(-1) / 255.0)


def test_functions_give_the_same_results_in_any_order_and_keep_eager_on():
    first = [assignment.linear_function(), assignment.sigmoid(12), assignment.ones([3])]
    _initialized_parameters()
    assignment.one_hot_matrix(np.array([0, 1]), 2)
    second = [assignment.ones([3]), assignment.sigmoid(12), assignment.linear_function()][::-1]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert tf.executing_eagerly()
    assert float(tf.reduce_sum(tf.ones([2]))) == 2.0


# model() ------------------------------------------------------------------


@pytest.fixture(scope="module")
def nearcopy_arrays(nearcopy_dir):
    from tfsigns.data import load_dataset

    train_x, train_y, test_x, test_y, _ = load_dataset(nearcopy_dir)
    return flatten_images(train_x), convert_to_one_hot(train_y, 6), flatten_images(test_x), convert_to_one_hot(test_y, 6)


def test_model_epoch_0_cost_on_nearcopy(nearcopy_arrays, capsys):
    parameters = assignment.model(*nearcopy_arrays, num_epochs=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Cost after epoch 0: ")
    assert_expected(float(lines[0].split(": ")[1]), expected.NEARCOPY_EPOCH_COSTS[0])
    assert lines[1:] == ["Parameters have been trained!", lines[2], lines[3]]
    assert lines[2].startswith("Train Accuracy: ") and lines[3].startswith("Test Accuracy: ")
    assert {k: v.shape for k, v in parameters.items()} == expected.PARAMETER_SHAPES
    assert all(isinstance(v, np.ndarray) for v in parameters.values())


def test_model_v3b_divides_by_minibatch_size(nearcopy_arrays):
    v3 = assignment.train(*nearcopy_arrays, num_epochs=2, print_cost=False, edition="v3")
    v3b = assignment.train(*nearcopy_arrays, num_epochs=2, print_cost=False, edition="v3b")
    np.testing.assert_allclose(np.array(v3b.epoch_costs), np.array(v3.epoch_costs) * 33 / 32, rtol=1e-12, atol=0)
    # Same training: same parameters.
    np.testing.assert_array_equal(v3.parameters["W1"], v3b.parameters["W1"])
    assert abs(v3.epoch_costs[0] - expected.NEARCOPY_EPOCH_COSTS[0].value) <= expected.NEARCOPY_EPOCH_COSTS[0].atol


def test_fast_path_prints_the_same_costs_as_the_course_loop(nearcopy_arrays):
    fast = assignment.train(*nearcopy_arrays, num_epochs=3, print_cost=False, fast=True)
    course = assignment.train(*nearcopy_arrays, num_epochs=3, print_cost=False, fast=False)
    assert fast.epoch_costs == course.epoch_costs  # bit for bit, not only to the printed digit
    for name in fast.parameters:
        np.testing.assert_array_equal(fast.parameters[name], course.parameters[name])
    assert fast.train_accuracy == course.train_accuracy and fast.test_accuracy == course.test_accuracy


@pytest.mark.parametrize(
    "m, minibatch_size, edition", [(100, 32, "v3"), (96, 32, "v3"), (100, 100, "v3"), (100, 128, "v3b")]
)
def test_fast_path_equals_the_course_loop_for_any_last_minibatch(nearcopy_arrays, m, minibatch_size, edition):
    # A short last minibatch, none, a single minibatch, a minibatch larger than m.
    X_train, Y_train, X_test, Y_test = nearcopy_arrays
    arrays = (X_train[:, :m], Y_train[:, :m], X_test, Y_test)
    options = dict(num_epochs=2, minibatch_size=minibatch_size, edition=edition, print_cost=False)
    fast = assignment.train(*arrays, fast=True, **options)
    course = assignment.train(*arrays, fast=False, **options)
    assert fast.epoch_costs == course.epoch_costs
    for name in fast.parameters:
        np.testing.assert_array_equal(fast.parameters[name], course.parameters[name])


def test_fast_path_equals_the_course_loop_in_tf1_graph_mode(nearcopy_dir):
    # Under disable_v2_behavior (the grader's child) variables default to TF1's
    # ref variables and while_loop to TF1 control flow; the fast path must not care.
    script = f"""
import tensorflow as tf
tf.compat.v1.disable_v2_behavior()
from tfsigns import assignment, data
from tfsigns.tf_utils import convert_to_one_hot, flatten_images
train_x, train_y, test_x, test_y, _ = data.load_dataset({str(nearcopy_dir)!r})
arrays = (flatten_images(train_x)[:, :200], convert_to_one_hot(train_y, 6)[:, :200], flatten_images(test_x), convert_to_one_hot(test_y, 6))
fast = assignment.train(*arrays, num_epochs=3, print_cost=False, fast=True)
course = assignment.train(*arrays, num_epochs=3, print_cost=False, fast=False)
print(repr(fast.epoch_costs))
print(repr(course.epoch_costs))
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    fast_costs, course_costs = completed.stdout.strip().splitlines()[-2:]
    assert fast_costs == course_costs  # every digit of the float64 repr
    assert len(ast.literal_eval(fast_costs)) == 3


def test_fast_path_takes_dW1_from_the_gathered_rows(nearcopy_arrays):
    # dW1 = dZ1 @ rows, not TensorFlow's dZ1 @ X.T: same numbers, half the time.
    tf = import_tensorflow()
    X_train, Y_train, _, _ = nearcopy_arrays
    with tf.Graph().as_default() as graph:
        parameters = assignment.initialize_parameters()
        assignment._FastEpoch(X_train[:, :64], Y_train[:, :64], parameters, learning_rate=0.0001, minibatch_size=32)
    body = next(f for f in graph.as_graph_def().library.function if f.signature.name.startswith("while_body"))
    loop_variables = {argument.name for argument in body.signature.input_arg}
    matmuls = {node.name: node for node in body.node_def if node.op == "MatMul"}
    forward, dW1 = matmuls["MatMul"], matmuls["gradients/MatMul_grad/MatMul"]
    assert forward.input[1] in loop_variables  # X (n_x, size), transposed beside the previous step
    # The other (size, n_x) loop variable: the gathered rows, read as they are.
    assert dW1.input[1] in loop_variables and dW1.input[1] != forward.input[1]
    assert not dW1.attr["transpose_a"].b and not dW1.attr["transpose_b"].b


def test_v3_rejects_a_minibatch_larger_than_the_training_set():
    # int(m / minibatch_size) would be 0: the course divided by zero.
    with pytest.raises(ValueError, match=r"which is 0 for m = 100 training examples; .* received 128"):
        assignment.cost_normaliser(100, 128, "v3")
    assert assignment.cost_normaliser(100, 128, "v3b") == 128


def test_model_rejects_unknown_edition(nearcopy_arrays):
    with pytest.raises(ValueError, match="edition must be one of v3, v3b; received 'v4'"):
        assignment.train(*nearcopy_arrays, num_epochs=1, edition="v4")


def test_model_writes_the_cost_plot_without_a_window(nearcopy_arrays, tmp_path):
    plot = tmp_path / "cost.png"
    result = assignment.train(*nearcopy_arrays, num_epochs=6, print_cost=False, plot_file=plot)
    assert len(result.costs) == 2  # epochs 0 and 5
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_full_1500_epoch_run_fast_path_equals_the_course_loop(nearcopy_arrays):
    # The whole course run, both loops: every epoch cost bit for bit (about 3 minutes).
    fast = assignment.train(*nearcopy_arrays, print_cost=False, fast=True)
    course = assignment.train(*nearcopy_arrays, print_cost=False, fast=False)
    assert len(fast.epoch_costs) == 1500 and len(fast.costs) == 300
    assert fast.epoch_costs == course.epoch_costs
    for epoch, want in expected.NEARCOPY_EPOCH_COSTS.items():
        np.testing.assert_allclose(fast.epoch_costs[epoch], want.value, rtol=want.rtol, atol=want.atol)
    assert fast.train_accuracy == course.train_accuracy and fast.test_accuracy == course.test_accuracy
