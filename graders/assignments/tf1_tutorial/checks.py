"""The TF1 assignment's checks, declared once as data: what is called, what it is compared with, what it is worth.

`CALLS` says how the child calls each graded function (its runner, and the
answer key's inputs); several checks share one call (model() runs once for
its five checks). `CHECKS` is the table: name (beginning with the graded
function's name), function, points, the call, the answer-key entry, how to
compare, the tolerance, the failure message, and hints for known mistakes
keyed by the label of the mistaken variant the answer key computes.

Tolerance: `PUBLISHED` means the tolerance declared with the value in
`tfsigns/expected.py`; a pair is (rtol, atol) for values the grader computes
with the reference; `Examples(n)` allows n examples either way in an accuracy.
The row types are the core's (`graders.checks`); a hint may name `{variant}`
and `{other}`, the other edition (`plugin.TF1Tutorial.hint`).
"""
from graders.checks import PUBLISHED, Call, Check, Examples, graded_functions

CALLS = {
    "linear_function": Call("linear_function", "value", "linear_function"),
    "sigmoid(0)": Call("sigmoid", "value", "sigmoid(0)"),
    "sigmoid(12)": Call("sigmoid", "value", "sigmoid(12)"),
    "cost": Call("cost", "value", "cost"),
    "one_hot_matrix": Call("one_hot_matrix", "value", "one_hot_matrix"),
    "ones": Call("ones", "value", "ones"),
    "create_placeholders": Call("create_placeholders", "placeholders", "create_placeholders"),
    "initialize_parameters": Call("initialize_parameters", "variables", "initialize_parameters"),
    "forward_propagation": Call("forward_propagation", "forward", "forward_propagation"),
    "compute_cost": Call("compute_cost", "cost_graph", "compute_cost"),
    "model": Call("model", "model", "model", slow=True),
}

_DRAW_ORDER = (
    "after np.random.seed(1), draw X = np.random.randn(3, 1) first, then W = np.random.randn(4, 3), "
    "then b = np.random.randn(4, 1): your Y is what they give {variant}"
)
_RELU = "forward_propagation is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR: "
_REGULARIZED = (
    "model()'s graph holds regularization penalties (tf.GraphKeys.REGULARIZATION_LOSSES, filed by "
    "tf.get_variable(..., regularizer=...)): the course's cost is the mean cross-entropy alone; a cost that adds "
    "them (tf.losses.get_regularization_loss()) trains another network than the assignment's"
)
_EDITION = (
    "that is edition {other}'s convention for the epoch cost "
    "(v3 divides the summed minibatch costs by int(m / minibatch_size), v3b by minibatch_size); "
    "run with --edition {other}"
)

CHECKS = (
    Check(
        "linear_function: Y = WX + b", "linear_function", 5, "linear_function", "linear_function", "array", "value",
        PUBLISHED, "linear_function() should return the value of Y = WX + b, (4, 1)",
        (("drawn in the order", _DRAW_ORDER), ("without + b", "Y = WX + b: your Y is WX without the + b")),
    ),
    Check(
        "sigmoid: sigmoid(0)", "sigmoid", 2, "sigmoid(0)", "sigmoid_0", "array", "value",
        PUBLISHED, "sigmoid(0) should be 0.5",
    ),
    Check(
        "sigmoid: sigmoid(12)", "sigmoid", 3, "sigmoid(12)", "sigmoid_12", "array", "value",
        PUBLISHED, "sigmoid(12) should be 0.99999386 (float32)",
        (("sigmoid(-z)", "your value is sigmoid(-z): compute tf.sigmoid(x) of the placeholder fed with z"),),
    ),
    Check(
        "cost: the test cell's logits and labels", "cost", 5, "cost", "cost", "array", "value",
        PUBLISHED, "cost(logits, labels) should return the sigmoid cross-entropy of each logit",
        (
            ("sigmoid applied", "tf.nn.sigmoid_cross_entropy_with_logits applies the sigmoid itself: feed it the logits z unchanged"),
            ("logits and labels swapped", "logits and labels are swapped: sigmoid_cross_entropy_with_logits(logits = z, labels = y)"),
        ),
    ),
    Check(
        "one_hot_matrix: labels [1, 2, 3, 0, 2, 1], C = 4", "one_hot_matrix", 5, "one_hot_matrix", "one_hot_matrix",
        "array", "value", PUBLISHED, "one_hot_matrix(labels, C) should return the (C, m) one-hot matrix, one column per label",
        (("transposed", "tf.one_hot(labels, C, axis=0) puts the classes in rows, one column per example; without axis=0 you get the transpose"),),
    ),
    Check(
        "ones: ones([3])", "ones", 5, "ones", "ones", "array", "value",
        PUBLISHED, "ones(shape) should return an array of ones of that shape",
    ),
    Check(
        "create_placeholders: X", "create_placeholders", 5, "create_placeholders", "create_placeholders:X",
        "placeholder", "X", PUBLISHED, "X should be a float32 placeholder of shape [n_x, None] (any name)",
        (
            ("examples in rows", "examples are columns here: shape [n_x, None], not [None, n_x]"),
            ("a fixed number", "use None for the number of examples: the same placeholder takes a minibatch of 32 and the whole set"),
        ),
    ),
    Check(
        "create_placeholders: Y", "create_placeholders", 5, "create_placeholders", "create_placeholders:Y",
        "placeholder", "Y", PUBLISHED, "Y should be a float32 placeholder of shape [n_y, None] (any name)",
        (
            ("examples in rows", "examples are columns here: shape [n_y, None], not [None, n_y]"),
            ("a fixed number", "use None for the number of examples: the same placeholder takes a minibatch of 32 and the whole set"),
        ),
    ),
    Check(
        "initialize_parameters: shapes", "initialize_parameters", 4, "initialize_parameters",
        "initialize_parameters:shapes", "shapes", "", PUBLISHED,
        "initialize_parameters() should return W1 (25, 12288), b1 (25, 1), W2 (12, 25), b2 (12, 1), W3 (6, 12), b3 (6, 1)",
    ),
    Check(
        "initialize_parameters: values (Xavier seed 1, zero biases)", "initialize_parameters", 6, "initialize_parameters",
        "initialize_parameters:values", "parameters", "", (0.0, 1e-7),
        "the weights should be TF1's Xavier uniform with seed 1 under tf.set_random_seed(1), the biases zeros",
        (("Xavier with seed 0", "the course's initializer uses seed 1: tf.contrib.layers.xavier_initializer(seed = 1)"),),
    ),
    Check(
        "forward_propagation: Z3 of the grader's input", "forward_propagation", 10, "forward_propagation",
        "forward_propagation", "array", "value", (1e-5, 1e-5),
        "forward_propagation(X, parameters) should give Z3 = W3 relu(W2 relu(W1 X + b1) + b2) + b3, (6, m)",
        (
            ("no ReLU after Z1", _RELU + "A1 = tf.nn.relu(Z1) is missing"),
            ("no ReLU after Z2", _RELU + "A2 = tf.nn.relu(Z2) is missing"),
            ("no ReLU at all", _RELU + "both ReLUs are missing (A1 = tf.nn.relu(Z1), A2 = tf.nn.relu(Z2))"),
            ("a ReLU after Z3", "forward_propagation stops at Z3, the last LINEAR unit: no ReLU (and no softmax) after it"),
        ),
    ),
    Check(
        "compute_cost: cost of the grader's Z3 and Y", "compute_cost", 10, "compute_cost", "compute_cost",
        "array", "value", (1e-6, 1e-6),
        "compute_cost(Z3, Y) should be the mean softmax cross-entropy over the examples (columns), a scalar",
        (
            ("no transpose", "softmax_cross_entropy_with_logits wants one example per row: logits = tf.transpose(Z3), labels = tf.transpose(Y)"),
            ("reduce_sum", "the cost is the mean over the examples: tf.reduce_mean, not tf.reduce_sum"),
            ("sigmoid cross-entropy", "six classes: use tf.nn.softmax_cross_entropy_with_logits, not the sigmoid cross-entropy"),
        ),
    ),
    Check(
        "model: cost after epoch 0", "model", 5, "model", "model:cost@0", "printed_cost", "0", PUBLISHED,
        "model() should print \"Cost after epoch 0: ...\" with the course's epoch cost",
        (
            ("edition", _EDITION),
            ("divided by the number of minibatches", "the epoch cost divides the summed minibatch costs by num_minibatches = int(m / minibatch_size), not by the number of minibatches"),
            ("regularization losses", _REGULARIZED),
        ),
    ),
    Check(
        "model: cost after epoch 100", "model", 10, "model", "model:cost@100", "printed_cost", "100", PUBLISHED,
        "model() should print \"Cost after epoch 100: ...\" with the course's epoch cost",
        (
            ("edition", _EDITION),
            ("divided by the number of minibatches", "the epoch cost divides the summed minibatch costs by num_minibatches = int(m / minibatch_size), not by the number of minibatches"),
            ("regularization losses", _REGULARIZED),
        ),
    ),
    Check(
        "model: returned parameters", "model", 10, "model", "model:parameters", "parameters", "", (0.0, 1e-4),
        "model() should return the trained parameters (parameters = sess.run(parameters)), as the reference's after the same epochs",
    ),
    Check(
        "model: train accuracy", "model", 5, "model", "model:train_accuracy", "accuracy", "train", Examples(2),
        "the returned parameters should classify the training set as the reference's do",
    ),
    Check(
        "model: test accuracy", "model", 5, "model", "model:test_accuracy", "accuracy", "test", Examples(2),
        "the returned parameters should classify the test set as the reference's do",
    ),
)

GRADED_FUNCTIONS = graded_functions(CHECKS)
MAX_SCORE = sum(check.points for check in CHECKS)


def other_edition(edition):
    """The edition a hint's "{other}" names: the one that is not `edition`."""
    return "v3b" if edition == "v3" else "v3"
