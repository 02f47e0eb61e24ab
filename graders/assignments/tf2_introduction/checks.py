"""The TF2 assignment's checks, as data: what is called, compared how, worth what.

Points are the course's: 10 for each graded function (linear_function,
sigmoid, one_hot_matrix, initialize_parameters, the loss), split here over
the function's tests; forward_propagation 0 (its notebook check earns
nothing) and model() 0 (provided code in this edition: its costs are reported
against the reference's, for the instructor). `normalize` is provided code
learners edit: a 0-point check. An instructor changes points here.

The loss is `compute_total_loss` in the current templates and `compute_cost`
in the older ones (T3 sums under that name): `for_program` names the
function the submission defines. Test 2 of the loss (3 ln 3) exists in the
"tf2" family only; there Test 1 and Test 2 share the 10 points.

Compare kinds (`graders.assignments.tf2_introduction.evaluate`): "tensor"
(type, dtype, shape, values), "variables" (six ResourceVariables of the
template's shapes), "statistics" (the course's |mean| < 0.5, 0 < std < 1),
"glorot" (the values GlorotNormal(seed=1) draws), "gradients" (no None
gradient), "model_cost" (a printed cost against the reference run's).
"""
from dataclasses import replace

from graders.checks import PUBLISHED, Call, Check

CALLS = {
    "linear_function": Call("linear_function", "tensor", "linear_function"),
    "sigmoid(0)": Call("sigmoid", "tensor", "sigmoid(0)"),
    "sigmoid(-1)": Call("sigmoid", "tensor", "sigmoid(-1)"),
    "sigmoid(12)": Call("sigmoid", "tensor", "sigmoid(12)"),
    "one_hot_matrix:test1": Call("one_hot_matrix", "one_hot", "one_hot_matrix:test1"),
    "one_hot_matrix:test2": Call("one_hot_matrix", "one_hot", "one_hot_matrix:test2"),
    "initialize_parameters": Call("initialize_parameters", "variables", "initialize_parameters"),
    "forward_propagation": Call("forward_propagation", "forward", "forward_propagation"),
    "loss:test1": Call("compute_total_loss", "loss", "loss:test1"),
    "loss:test2": Call("compute_total_loss", "loss", "loss:test2"),
    "normalize": Call("normalize", "tensor", "normalize"),
    "model": Call("model", "model", "model", slow=True),
}

_RELU = "forward_propagation is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR: "
_TRANSPOSE = (
    "the loss without the transposes: categorical_crossentropy wants one example per row, "
    "so pass tf.transpose(labels) and tf.transpose(logits)"
)
_MODEL = (
    "model() is provided code: it trains with your initialize_parameters, forward_propagation and loss, "
    "so a failed check of one of those moves its costs; if they all pass, compare your model() with the template's"
)
_FROM_LOGITS = "missing from_logits=True: Z3 holds logits, not probabilities (categorical_crossentropy(..., from_logits=True))"

CHECKS = (
    Check(
        "linear_function: Y = WX + b", "linear_function", 10, "linear_function", "linear_function", "tensor", "float64",
        PUBLISHED, "linear_function() should return an EagerTensor (4, 1) float64, Y = WX + b",
        (("drawn in the order", "after np.random.seed(1), draw X, W, b in that order (X (3, 1), W (4, 3), b (4, 1)): "
                                "your Y is what they give {variant}"),),
    ),
    Check(
        "sigmoid: sigmoid(0)", "sigmoid", 3, "sigmoid(0)", "sigmoid(0)", "tensor", "float32",
        PUBLISHED, "sigmoid(0) should be an EagerTensor float32, 0.5",
        (("raised", "cast z to tf.float32 first: tf.keras.activations.sigmoid takes no integers (tf.cast(z, tf.float32))"),),
    ),
    Check(
        "sigmoid: sigmoid(-1)", "sigmoid", 3, "sigmoid(-1)", "sigmoid(-1)", "tensor", "float32",
        PUBLISHED, "sigmoid(-1) should be an EagerTensor float32, 0.26894143",
        (("raised", "cast z to tf.float32 first: tf.keras.activations.sigmoid takes no integers (tf.cast(z, tf.float32))"),),
    ),
    Check(
        "sigmoid: sigmoid(12)", "sigmoid", 4, "sigmoid(12)", "sigmoid(12)", "tensor", "float32",
        PUBLISHED, "sigmoid(12) should be an EagerTensor float32, 0.9999939 (TF 2.3; today's TF gives 0.99999386)",
        (("raised", "cast z to tf.float32 first: tf.keras.activations.sigmoid takes no integers (tf.cast(z, tf.float32))"),),
    ),
    Check(
        "one_hot_matrix: Test 1 (label 1, C = 4)", "one_hot_matrix", 5, "one_hot_matrix:test1", "one_hot_matrix:test1",
        "tensor", "float32", PUBLISHED, "one_hot_matrix(tf.constant(1), 4) should be the float32 one-hot [0, 1, 0, 0]",
        (
            ("a column", "one-hot of the wrong shape: a (C, 1) column; this template wants a vector (C,): tf.reshape(..., shape=[C, ])"),
            ("a vector", "one-hot of the wrong shape: a vector (C,); this template wants a column: tf.reshape(..., shape=[depth, 1])"),
            ("returned None", "not implemented: one_hot_matrix returns None"),
        ),
    ),
    Check(
        "one_hot_matrix: Test 2 (label [2])", "one_hot_matrix", 5, "one_hot_matrix:test2", "one_hot_matrix:test2",
        "tensor", "float32", PUBLISHED, "one_hot_matrix([2], C) should be the float32 one-hot of class 2 with C entries",
        (
            ("a column", "one-hot of the wrong shape: a (C, 1) column; this template wants a vector (C,): tf.reshape(..., shape=[C, ])"),
            ("a vector", "one-hot of the wrong shape: a vector (C,); this template wants a column: tf.reshape(..., shape=[depth, 1])"),
            ("returned None", "not implemented: one_hot_matrix returns None"),
        ),
    ),
    Check(
        "initialize_parameters: types and shapes", "initialize_parameters", 4,
        "initialize_parameters", "initialize_parameters:shapes", "variables", "", PUBLISHED,
        "initialize_parameters() should return tf.Variable (ResourceVariable) float32 W1 (25, 12288), b1 (25, 1), "
        "W2 (12, 25), b2 (12, 1), W3 (6, 12), b3 (6, 1)",
        (
            ("transposed", "W is (n, n_prev): W1 (25, 12288), W2 (12, 25), W3 (6, 12)"),
            ("raised TypeError", "the seed goes to GlorotNormal(seed=1), not the call: initializer(shape=(25, 12288))"),
        ),
    ),
    Check(
        "initialize_parameters: statistics", "initialize_parameters", 3,
        "initialize_parameters", "initialize_parameters:statistics", "statistics", "", PUBLISHED,
        "every variable should have |mean| < 0.5 and 0 < std < 1, as GlorotNormal draws",
        (("zero biases", "zero biases: the template draws the biases with GlorotNormal(seed=1) too: b1 = tf.Variable(initializer(shape=(25, 1)))"),),
    ),
    Check(
        "initialize_parameters: GlorotNormal(seed=1)", "initialize_parameters", 3,
        "initialize_parameters", "initialize_parameters:values", "glorot", "", (0.0, 1e-7),
        "the variables should hold what tf.keras.initializers.GlorotNormal(seed=1) draws for each shape",
        (
            ("not GlorotNormal(seed=1)", "keep GlorotNormal(seed=1): initializer = tf.keras.initializers.GlorotNormal(seed=1), "
                                         "one initializer(shape=...) call per variable"),
            ("zero biases", "zero biases: the template draws the biases with GlorotNormal(seed=1) too"),
        ),
    ),
    Check(
        "forward_propagation: Z3 of the grader's input", "forward_propagation", 0, "forward_propagation",
        "forward_propagation", "tensor", "float32", (1e-5, 1e-6),
        "forward_propagation(X, parameters) should give the EagerTensor Z3 = W3 relu(W2 relu(W1 X + b1) + b2) + b3, (6, m)",
        (
            ("a ReLU after Z3", "no activation after the last LINEAR: forward_propagation stops at Z3 (no ReLU)"),
            ("a softmax after Z3", "stop at Z3, no softmax: the loss takes logits (from_logits=True)"),
            ("no ReLU after Z1", _RELU + "A1 = tf.keras.activations.relu(Z1) is missing"),
            ("no ReLU after Z2", _RELU + "A2 = tf.keras.activations.relu(Z2) is missing"),
            ("no ReLU at all", _RELU + "both ReLUs are missing"),
            ("raised InvalidArgumentError", "W is (n, n_prev): tf.linalg.matmul(W1, X) with W1 (25, 12288) and X (12288, m), no transpose_a"),
        ),
    ),
    Check(
        "forward_propagation: gradients", "forward_propagation", 0, "forward_propagation",
        "forward_propagation:gradients", "gradients", "", PUBLISHED,
        "the gradients of a cost of Z3 with respect to W1, b1, W2, b2, W3, b3 should not be None",
        (("None gradient", "a tf.Variable created inside forward_propagation cuts the gradient: compute Z1 = tf.math.add(...) "
                           "without wrapping it in tf.Variable"),),
    ),
    Check(
        "compute_total_loss: Test 1", "compute_total_loss", 5, "loss:test1", "loss:test1", "tensor", "float", PUBLISHED,
        "the loss of the notebook's Test 1 logits and labels should be the summed softmax cross-entropy, 0.810287",
        (
            ("no transposes", _TRANSPOSE),
            ("mean for sum", "mean instead of sum: this template's loss is the total over the examples, tf.reduce_sum"),
            ("no from_logits", _FROM_LOGITS),
            ("sum for mean", "sum instead of mean: this template's cost is the mean over the examples, tf.reduce_mean"),
            ("raised NameError", "not implemented: the loss is never assigned"),
        ),
    ),
    Check(
        "compute_total_loss: Test 2", "compute_total_loss", 5, "loss:test2", "loss:test2", "tensor", "float", PUBLISHED,
        "the loss of three [1, 0, 0] logits against the identity labels should be 3 ln 3 = 3.295837",
        (
            ("no transposes", _TRANSPOSE),
            ("mean for sum", "mean instead of sum: this template's loss is the total over the examples, tf.reduce_sum"),
            ("no from_logits", _FROM_LOGITS),
            ("raised NameError", "not implemented: the loss is never assigned"),
        ),
    ),
    Check(
        "normalize: one image", "normalize", 0, "normalize", "normalize", "tensor", "float32", (0.0, 1e-7),
        "normalize(image) (provided code) should cast to float32, divide by 255 and flatten to (12288,)",
        (
            ("divided by 256", "the template divides by 255: image = tf.cast(image, tf.float32) / 255.0"),
            ("divided by 255", "this (2021) template divides by 256 into a (12288, 1) column"),
        ),
    ),
    Check(
        "model: cost after epoch 0", "model", 0, "model", "model:cost_0", "model_cost", "0", PUBLISHED,
        "model() should print \"Cost after epoch 0: ...\" as tfsigns' reference run on the same data",
        (("differs", _MODEL),),
    ),
    Check(
        "model: cost after epoch 10", "model", 0, "model", "model:cost_10", "model_cost", "10", PUBLISHED,
        "model() should print \"Cost after epoch 10: ...\" as tfsigns' reference run on the same data",
        (("differs", _MODEL),),
    ),
)

LOSS_NAMES = ("compute_total_loss", "compute_cost")


def loss_name(edition, program=None):
    """The loss function's name: compute_total_loss in the tf2 family unless the submission only defines compute_cost (T3)."""
    if edition != "tf2":
        return "compute_cost"
    if program is not None:
        from graders.assignments.tf2_introduction.recognition import defined_functions

        defined = defined_functions(program)
        if "compute_cost" in defined and "compute_total_loss" not in defined:
            return "compute_cost"
    return "compute_total_loss"


def for_program(edition, program=None):
    """(calls, checks) for a submission of `edition`: the loss under its name, Test 2 only where the family has it.

    Outside the "tf2" family the loss's Test 1 carries the function's 10 points,
    and the early template's one-hot test is Test 1 alone (its 10 points).
    """
    name = loss_name(edition, program)
    calls = dict(CALLS)
    for key in ("loss:test1", "loss:test2"):
        calls[key] = replace(CALLS[key], function=name)
    checks = []
    for check in CHECKS:
        if check.function == "compute_total_loss":
            if check.call == "loss:test2" and edition != "tf2":
                continue
            points = check.points if edition == "tf2" else 10
            failure = check.failure
            if edition == "tf2-mean":
                failure = "the cost of the notebook's test logits and labels should be the mean softmax cross-entropy, 0.4051435"
            elif edition == "tf2-early":
                failure = "the cost of the notebook's test logits and labels should be the mean binary cross-entropy, 0.8419182681095858"
            check = replace(check, name=check.name.replace("compute_total_loss", name), function=name, points=points, failure=failure)
        elif check.call == "one_hot_matrix:test2" and edition == "tf2-early":
            continue
        elif check.call == "one_hot_matrix:test1" and edition == "tf2-early":
            check = replace(check, points=10, name="one_hot_matrix: Test 1 (label 1, depth 4)",
                            failure="one_hot_matrix(tf.constant(1), 4) should be the float32 one-hot column [[0], [1], [0], [0]]")
        elif check.call == "normalize" and edition == "tf2-early":
            check = replace(check, failure="normalize(image) (provided code) should cast to float32, divide by 256 and reshape to (12288, 1)")
        checks.append(check)
    return calls, tuple(checks)
