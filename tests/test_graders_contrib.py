"""The TF1 shim's `tf.contrib.layers` (graders/assignments/tf1_tutorial/compat/contrib.py): TF 1.x's numbers.

Each name is checked against TF1's formula computed here with NumPy, or
against the compat.v1 kernel TF1 called with the same seed, in a graph of its
own (eager stays on for the rest of the test session).
"""
import math

import numpy as np
import pytest

from graders.assignments.tf1_tutorial import compat
from tfsigns import expected as E
from tfsigns._tf import import_tensorflow

tf = import_tensorflow()
v1 = tf.compat.v1
tf1 = compat.tf1_module()
layers = tf1.contrib.layers
COURSE_SHAPES = ([25, 12288], [12, 25], [6, 12])


def _values(build):
    """Run `build()` (returns tensors or variables) in a fresh graph under set_random_seed(1); their values."""
    with tf.Graph().as_default():
        tf1.set_random_seed(1)
        built = build()
        with tf1.Session() as session:
            session.run(tf1.global_variables_initializer())
            return session.run(built)


def test_xavier_uniform_is_contribs_variance_scaling_and_the_published_course4_values():
    ours = _values(lambda: [tf1.get_variable(f"W{i}", shape, initializer=layers.xavier_initializer(seed=1)) for i, shape in enumerate(COURSE_SHAPES)])
    formula = _values(lambda: [
        tf1.get_variable(f"W{i}", shape, initializer=layers.variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=True, seed=1))
        for i, shape in enumerate(COURSE_SHAPES)
    ])
    for got, want, shape in zip(ours, formula, COURSE_SHAPES):
        np.testing.assert_array_equal(got, want)
        limit = math.sqrt(6.0 / sum(shape))  # contrib's docstring: x = sqrt(6 / (in + out)), uniform in [-x, x]
        assert np.abs(got).max() <= limit
    assert np.abs(ours[0]).max() > 0.999 * math.sqrt(6.0 / (25 + 12288))  # 307,200 draws reach the limit
    course4 = _values(lambda: [
        tf1.get_variable("W1", [4, 4, 3, 8], initializer=layers.variance_scaling_initializer(1.0, "FAN_AVG", True, seed=0)),
        tf1.get_variable("W2", [2, 2, 8, 16], initializer=layers.xavier_initializer_conv2d(seed=0)),
    ])
    np.testing.assert_allclose(course4[0][1, 1, 1], E.XAVIER_COURSE4_W1.value, rtol=E.XAVIER_COURSE4_W1.rtol, atol=E.XAVIER_COURSE4_W1.atol)
    np.testing.assert_allclose(course4[1][1, 1, 1], E.XAVIER_COURSE4_W2.value, rtol=E.XAVIER_COURSE4_W2.rtol, atol=E.XAVIER_COURSE4_W2.atol)


@pytest.mark.parametrize("factor, mode, shape, n", [
    (2.0, "FAN_IN", [200, 300], 200.0),
    (1.0, "FAN_OUT", [3, 3, 16, 32], 9 * 32.0),
    (1.0, "FAN_AVG", [25, 12288], (25 + 12288) / 2.0),
])
def test_truncated_normal_variance_scaling_has_contribs_stddev_not_compat_v1s(factor, mode, shape, n):
    ours = _values(lambda: tf1.get_variable("W", shape, initializer=layers.variance_scaling_initializer(factor, mode, seed=3)))
    standard = _values(lambda: tf1.get_variable("W", shape, initializer=v1.truncated_normal_initializer(0.0, 1.0, seed=3)))
    stddev = math.sqrt(1.3 * factor / n)  # TF1 contrib: truncated_normal(shape, 0, sqrt(1.3 factor / n))
    np.testing.assert_allclose(ours, standard * stddev, rtol=1e-6, atol=1e-9)
    assert np.abs(ours).max() <= 2 * stddev * (1 + 1e-6)
    # compat.v1's variance_scaling_initializer divides by 0.87962566 instead: 0.29% smaller numbers.
    theirs = _values(lambda: tf1.get_variable("W", shape, initializer=v1.variance_scaling_initializer(factor, mode.lower(), "truncated_normal", seed=3)))
    np.testing.assert_allclose(ours / theirs, math.sqrt(1.3) * 0.87962566103423978, rtol=1e-5)


def test_xavier_normal_is_variance_scaling_factor_1_fan_avg():
    normal = _values(lambda: tf1.get_variable("W", [6, 12], initializer=layers.xavier_initializer(uniform=False, seed=1)))
    standard = _values(lambda: tf1.get_variable("W", [6, 12], initializer=v1.truncated_normal_initializer(0.0, 1.0, seed=1)))
    np.testing.assert_allclose(normal, standard * math.sqrt(1.3 / 9.0), rtol=1e-6, atol=1e-9)


def test_initializer_arguments_are_checked_as_tf1_did():
    with pytest.raises(TypeError, match="dtype must be a floating point type, got int32"):
        layers.variance_scaling_initializer(dtype=tf.int32)
    with pytest.raises(TypeError, match="mode must be one of FAN_IN, FAN_OUT, FAN_AVG, got 'fan_in'"):
        layers.variance_scaling_initializer(mode="fan_in")


W = np.array([[0.5, -1.5, 2.0], [-0.25, 0.0, 3.0]], dtype=np.float32)


def test_regularizers_are_tf1s_formulas():
    def build():
        weights = tf1.constant(W)
        return [
            layers.l2_regularizer(0.01)(weights),
            layers.l1_regularizer(0.01)(weights),
            layers.l1_l2_regularizer(scale_l1=0.02, scale_l2=0.03)(weights),
            layers.sum_regularizer([layers.l2_regularizer(0.5), None, layers.l1_regularizer(0.1)])(weights),
        ]

    l2, l1, l1_l2, summed = _values(build)
    squares, absolutes = float(np.sum(W.astype(np.float64) ** 2)), float(np.sum(np.abs(W.astype(np.float64))))
    np.testing.assert_allclose(l2, 0.01 * squares / 2, rtol=1e-6)  # tf.nn.l2_loss halves the sum of squares
    np.testing.assert_allclose(l1, 0.01 * absolutes, rtol=1e-6)
    np.testing.assert_allclose(l1_l2, 0.02 * absolutes + 0.03 * squares / 2, rtol=1e-6)
    np.testing.assert_allclose(summed, 0.5 * squares / 2 + 0.1 * absolutes, rtol=1e-6)


def test_regularizer_scales_are_checked_as_tf1_did():
    assert layers.l2_regularizer(0.0)(W) is None  # a scale of 0.0 disables it
    assert layers.sum_regularizer([None]) is None
    with pytest.raises(ValueError, match=r"l2_regularizer: scale cannot be an integer \(got 1\); write it as a float, e.g. 1.0"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match=r"l1_regularizer: scale must not be negative \(got -0.1\)"):
        layers.l1_regularizer(-0.1)


def test_a_regularizer_on_get_variable_keeps_the_values_and_files_its_penalty():
    def build(regularizer):
        def variables():
            made = [tf1.get_variable(f"W{i}", shape, initializer=layers.xavier_initializer(seed=1), regularizer=regularizer)
                    for i, shape in enumerate(COURSE_SHAPES)]
            penalties = tf1.get_collection(tf1.GraphKeys.REGULARIZATION_LOSSES)
            return made, penalties, tf1.losses.get_regularization_loss()
        return variables

    plain, no_penalties, zero = _values(build(None))
    regularized, penalties, total = _values(build(layers.l2_regularizer(scale=0.01)))
    for got, want in zip(regularized, plain):
        np.testing.assert_array_equal(got, want)
    assert no_penalties == [] and zero == 0.0
    want = [0.01 * np.sum(w.astype(np.float64) ** 2) / 2 for w in plain]
    np.testing.assert_allclose(penalties, want, rtol=1e-5)
    np.testing.assert_allclose(total, sum(want), rtol=1e-5)


def test_apply_regularization_sums_and_files_the_penalty():
    def build():
        weights = [tf1.constant(W), tf1.constant(2 * W)]
        penalty = layers.apply_regularization(layers.l1_regularizer(0.1), weights)
        return penalty, tf1.get_collection(tf1.GraphKeys.REGULARIZATION_LOSSES)

    penalty, collected = _values(build)
    np.testing.assert_allclose(penalty, 0.1 * 3 * np.sum(np.abs(W)), rtol=1e-6)
    np.testing.assert_allclose(collected, [penalty], rtol=0)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="apply_regularization: no weights to regularize"):
        layers.apply_regularization(layers.l1_regularizer(0.1))


X = np.arange(20, dtype=np.float32).reshape(4, 5) / 10 - 1  # (batch 4, 5 features)


def test_fully_connected_is_relu_of_x_w_plus_b_with_tf1s_variables():
    def build():
        inputs = tf1.placeholder(tf1.float32, [None, 5])
        first = layers.fully_connected(inputs, 3, weights_initializer=layers.xavier_initializer(seed=1),
                                       biases_initializer=tf1.constant_initializer(0.1), weights_regularizer=layers.l2_regularizer(0.01))
        second = layers.fully_connected(first, 2, activation_fn=None, weights_initializer=layers.xavier_initializer(seed=2))
        names = [variable.name for variable in tf1.global_variables()]
        model = [variable.name for variable in tf1.get_collection(tf1.GraphKeys.MODEL_VARIABLES)]
        penalties = tf1.get_collection(tf1.GraphKeys.REGULARIZATION_LOSSES)
        with tf1.Session() as session:
            session.run(tf1.global_variables_initializer())
            values = session.run([first, second] + tf1.global_variables() + penalties, feed_dict={inputs: X})
        return names, model, first.shape.as_list(), values

    with tf.Graph().as_default():
        tf1.set_random_seed(1)
        names, model, shape, values = build()
    first, second, w1, b1, w2, b2, penalty = values
    assert names == ["fully_connected/weights:0", "fully_connected/biases:0", "fully_connected_1/weights:0", "fully_connected_1/biases:0"]
    assert model == names and shape == [None, 3]
    np.testing.assert_allclose(first, np.maximum(X @ w1 + b1, 0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(second, first @ w2 + b2, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b1, [0.1, 0.1, 0.1], rtol=1e-7)
    np.testing.assert_array_equal(b2, [0.0, 0.0])
    np.testing.assert_allclose(penalty, 0.01 * np.sum(w1.astype(np.float64) ** 2) / 2, rtol=1e-5)
    assert (first == 0).any() and (first > 0).any()  # the ReLU did something on these inputs


def test_fully_connected_weights_are_xavier_uniform_as_tf1s_default_initializer_with_that_seed():
    ours = _values(lambda: [layers.fully_connected(tf1.constant(X), 3, weights_initializer=layers.xavier_initializer(seed=4)),
                            tf1.global_variables()[0]])
    glorot = _values(lambda: tf1.get_variable("W", [5, 3], initializer=v1.glorot_uniform_initializer(seed=4)))
    np.testing.assert_array_equal(ours[1], glorot)
    np.testing.assert_allclose(ours[0], np.maximum(X @ glorot, 0), rtol=1e-6, atol=1e-7)


def test_fully_connected_on_rank_3_and_bad_arguments():
    inputs = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 24
    out, weights = _values(lambda: [layers.fully_connected(tf1.constant(inputs), 2, activation_fn=None,
                                                           weights_initializer=layers.xavier_initializer(seed=1)),
                                    tf1.global_variables()[0]])
    np.testing.assert_allclose(out, inputs @ weights, rtol=1e-6, atol=1e-7)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="fully_connected: num_outputs should be an int, got 3.0"):
            layers.fully_connected(tf1.constant(X), 3.0)
        with pytest.raises(ValueError, match=r"fully_connected: the last dimension of the inputs must be known"):
            layers.fully_connected(tf1.placeholder(tf1.float32, [None, None]), 3)


def test_flatten_keeps_the_batch_and_flattens_the_rest_in_c_order():
    images = np.arange(2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3)
    with tf.Graph().as_default():
        placeholder = tf1.placeholder(tf1.float32, [None, 4, 4, 3])
        flat = layers.flatten(placeholder)
        assert flat.shape.as_list() == [None, 48]
        with tf1.Session() as session:
            np.testing.assert_array_equal(session.run(flat, feed_dict={placeholder: images}), images.reshape(2, 48))
        with pytest.raises(ValueError, match=r"flatten: the inputs must have at least 2 dimensions, got shape \(3,\)"):
            layers.flatten(tf1.constant([1.0, 2.0, 3.0]))


def test_other_contrib_names_still_say_they_were_removed():
    with pytest.raises(AttributeError, match="tensorflow.contrib.layers.batch_norm was removed in TensorFlow 2"):
        layers.batch_norm
    with pytest.raises(AttributeError, match="tensorflow.contrib.slim was removed in TensorFlow 2"):
        tf1.contrib.slim
